"""One read model of a decision's record: the review page, the printed record, the decision page
and the JSON document all render the same record, so they give the same quorum verdict."""
from __future__ import annotations

import html
import io
import re

import pytest
from pypdf import PdfReader

from register import create_app
from register.db import connect, migrate
from register.decisions import record as record_model
from register.decisions import serialise
from register.demo import DEMO_PASSWORD, load_demo
from register.pdf import builders, loaders
from tests.conftest import sign_in

VERDICTS = ("Quorate", "Inquorate", "Not known yet")


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory):
    """The app over the demo consortium, loaded once (as on today, like `make run`)."""
    path = str(tmp_path_factory.mktemp("record") / "register.sqlite3")
    handle = connect(path, foreign_keys=False)
    migrate(handle)
    handle.close()
    handle = connect(path)
    load_demo(handle)
    handle.close()
    return create_app({"TESTING": True, "SECRET_KEY": "test-secret-key-not-for-production",
                       "DATABASE": path, "WTF_CSRF_ENABLED": False})


@pytest.fixture(scope="module")
def db(demo_app):
    handle = connect(demo_app.config["DATABASE"])
    yield handle
    handle.close()


@pytest.fixture(scope="module")
def governance(demo_app):
    client = demo_app.test_client()
    assert sign_in(client, "governance", DEMO_PASSWORD).status_code == 302
    return client


@pytest.fixture(scope="module")
def auditor(demo_app):
    client = demo_app.test_client()
    assert sign_in(client, "auditor", DEMO_PASSWORD).status_code == 302
    return client


def references(db) -> list[str]:
    return [r["reference"] for r in db.query("SELECT reference FROM decisions ORDER BY reference")]


def co_opted_reference(db) -> str:
    """The demo decision where two GPs from outside the area were co-opted (MOB-2026-0016 when
    the demo is loaded today)."""
    return next(iter(db.query(
        "SELECT decisions.reference FROM decisions JOIN escalations ON escalations.decision_id ="
        " decisions.id WHERE escalations.kind = 'co_opt' AND escalations.superseded_at IS NULL"
        " AND decisions.status = 'escalated'")))["reference"]


def pdf_text(client, reference: str) -> str:
    response = client.get(f"/decisions/{reference}/record.pdf")
    assert response.status_code == 200, reference
    reader = PdfReader(io.BytesIO(response.data))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def pdf_verdict(text: str) -> str | None:
    found = re.search(r"Verdict after the rulings: (Quorate|Inquorate|Not known yet)\.", text)
    return found.group(1) if found else None


def page_verdict(page: str, marker: str) -> str | None:
    found = re.search(marker + r">(.*?)</p>", page, re.S)
    if not found:
        return None
    text = " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())
    return next((v for v in VERDICTS if text.startswith(v)), text)


def page_arithmetic(page: str) -> list[str]:
    found = re.search(r"data-quorum-arithmetic>(.*?)</ul>", page, re.S)
    return [html.unescape(" ".join(li.split()))
            for li in re.findall(r"<li>(.*?)</li>", found.group(1), re.S)] if found else []


def test_every_output_gives_the_same_quorum_verdict(db, governance, auditor):
    compared_review = 0
    for reference in references(db):
        document = auditor.get(f"/decisions/{reference}.json").get_json()
        quorum = document["quorum"]
        text = pdf_text(auditor, reference)
        decision_page = auditor.get(f"/decisions/{reference}").get_data(as_text=True)
        if quorum is None:
            assert document["status"] in record_model.NOT_YET_REVIEWABLE
            assert "Not counted yet" in text, reference
            continue
        verdict = quorum["verdict"]
        assert verdict == {True: "Quorate", False: "Inquorate", None: "Not known yet"}[
            quorum["quorate_after_rulings"]]
        assert pdf_verdict(text) == verdict, reference
        for line in quorum["arithmetic"]:
            assert line in text, (reference, line)
        if 'data-quorum-verdict' in decision_page:
            assert page_verdict(decision_page, "data-quorum-verdict") == verdict, reference
        review_page = governance.get(f"/reviews/{reference}")
        if review_page.status_code != 200:
            continue
        page = review_page.get_data(as_text=True)
        shown = page_verdict(page, "data-quorum-summary")
        if shown is None or verdict == "Not known yet" and shown != verdict:
            # An open review counts people not yet ruled on at their proposed ruling.
            continue
        compared_review += 1
        assert shown == verdict, reference
        assert page_arithmetic(page) == quorum["arithmetic"], reference
    assert compared_review >= 10


def test_the_co_opted_gps_are_counted_everywhere(db, governance, auditor):
    reference = co_opted_reference(db)
    rec = record_model.load_record(db, serialise.decision_id_for(db, reference))
    co_opted = [p.name for p in rec.participants if p.role == "co_opted"]
    assert len(co_opted) == 2
    assert rec.quorum.quorate_after_rulings is True

    text = pdf_text(auditor, reference)
    assert "Inquorate" not in text
    assert "Verdict after the rulings: Quorate." in text
    people = text[text.index("People taking part"):text.index("Conflicts flagged")]
    for name in co_opted:
        assert name in people and "Co-opted for the item" in people
    assert f"including 2 co-opted for the item: {co_opted[0]} (GP)" in text

    document = auditor.get(f"/decisions/{reference}.json").get_json()
    assert [p["name"] for p in document["participants"] if p["role"] == "co_opted"] == co_opted
    assert document["quorum"]["quorate_after_rulings"] is True
    assert document["quorum"]["eligible_after_rulings"] >= document["quorum"]["required"]

    page = governance.get(f"/reviews/{reference}").get_data(as_text=True)
    assert page_verdict(page, "data-quorum-summary") == "Quorate"
    assert page_arithmetic(page) == document["quorum"]["arithmetic"]
    for name in co_opted:
        assert html.escape(name) in page or name in page

    shown = auditor.get(f"/decisions/{reference}").get_data(as_text=True)
    assert page_verdict(shown, "data-quorum-verdict") == "Quorate"
    assert "Co-opted for the item</strong> (2)" in shown
    for name in co_opted:
        assert html.escape(name) in shown


def test_the_record_reads_and_never_writes(db):
    ids = [r["id"] for r in db.query("SELECT id FROM decisions ORDER BY id")]
    changes = db.conn.total_changes
    events = db["audit_events"].count
    records = record_model.load_records(db, ids)
    assert [r.id for r in records] == ids
    assert db.conn.total_changes == changes and db["audit_events"].count == events


def test_the_batched_and_single_reads_agree(db):
    ids = [r["id"] for r in db.query("SELECT id FROM decisions ORDER BY id DESC")]
    assert record_model.load_records(db, ids) == [record_model.load_record(db, i) for i in ids]
    assert record_model.load_records(db, [10_000_000]) == []
    assert record_model.load_record(db, 10_000_000) is None


def test_the_register_entries_show_what_the_whole_records_show(db):
    """The register's lean read gives every demo decision the same row (conflicted people,
    rulings, departures, refused proxies, conflicts in words, supplier) as its whole record."""
    ids = [r["id"] for r in db.query("SELECT id FROM decisions ORDER BY meeting_date, id")]
    entries = record_model.load_register_entries(db, ids)
    records = record_model.load_records(db, ids)
    assert [e.id for e in entries] == ids
    for entry, rec in zip(entries, records, strict=True):
        assert entry.conflicted == rec.conflicted and entry.flags == rec.flags
        assert entry.rulings == rec.rulings and entry.outcome == rec.outcome
        assert entry.awarded_provider == rec.awarded_provider
        assert serialise.record_row(entry) == serialise.record_row(rec)
    # The demo has decisions with conflicts, rulings and outcomes for the comparison to bite.
    assert any(e.conflicted for e in entries) and any(e.rulings for e in entries)
    assert any(e.outcome and e.outcome.departures for e in entries)
    assert any(e.awarded_provider for e in entries) and any(e.clinical_lead for e in entries)
    assert record_model.load_register_entries(db, [10_000_000]) == []


def test_dates_are_dates_and_the_record_is_frozen(db):
    import dataclasses
    import datetime as dt

    reference = co_opted_reference(db)
    rec = record_model.load_record(db, serialise.decision_id_for(db, reference))
    assert isinstance(rec.meeting_date, dt.date) and isinstance(rec.submitted_at, dt.datetime)
    assert all(isinstance(r.ruled_at, dt.datetime) for r in rec.rulings)
    with pytest.raises(dataclasses.FrozenInstanceError):
        rec.status = "draft"  # type: ignore[misc]


def test_the_printed_record_and_the_json_come_from_the_same_record(db):
    reference = co_opted_reference(db)
    printed = loaders.decision_record(db, reference, organisation="Northvale")
    document = serialise.decision_document(db, serialise.decision_id_for(db, reference))
    after = printed["quorum"]["counts"][1]
    assert after["arithmetic"] == document["quorum"]["arithmetic"]
    assert [p["name"] for p in printed["participants"]] == [
        p["name"] for p in document["participants"]]
    assert [r["name"] for r in printed["rulings"]] == [
        r["person"]["name"] for r in document["rulings"]]
    assert builders.build_decision_record(printed)[:4] == b"%PDF"


# ---- layering: decisions sits below reviews and pdf --------------------------------------------

# Nothing in `register.decisions` reaches up into `register.reviews`: the lifecycle owns every
# state change and `access` the one access rule.


def _imports(path) -> set[str]:
    import ast

    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            found.add("." * node.level + (node.module or ""))
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_decisions_does_not_import_reviews():
    from pathlib import Path

    import register.decisions

    package = Path(register.decisions.__file__).parent
    reaching_up = {(path.name, name) for path in sorted(package.glob("*.py"))
                   for name in _imports(path)
                   if name.startswith(("..reviews", "register.reviews"))}
    assert reaching_up == set(), reaching_up
    for module in ("record.py", "serialise.py", "views.py", "register_views.py", "lifecycle.py",
                   "dependencies.py", "access.py"):
        assert not any(name.startswith(("..reviews", "register.reviews", "..pdf"))
                       for name in _imports(package / module)), module


def test_the_documented_example_has_the_keys_of_real_demo_documents(db):
    """Every key of the new sections (rulings, quorum, escalations, sign-off, outcome, breaches),
    all the way down, as real documents of the demo decisions have them."""
    import json

    from tests.test_decisions_register import DOCS, same_keys, shape

    example = json.loads(re.search(r"```json\n(.*?)```", DOCS.read_text(encoding="utf-8"),
                                   re.S).group(1))
    ids = [r["id"] for r in db.query("SELECT id FROM decisions ORDER BY id")]
    documents = serialise.export_document(db, ids)["decisions"]
    merged = shape(documents)[0]
    for key in ("rulings", "quorum", "escalations", "sign_off", "outcome", "breaches"):
        assert merged[key] is not None, key  # some demo decision fills it in
        assert same_keys(shape(example[key]), merged[key]), key
    assert merged["quorum"]["at_meeting"] is not None
    assert same_keys(shape(example), merged)
    assert "co_opted" in {p["role"] for d in documents for p in d["participants"]}


def test_the_one_quorum_count_names_the_co_opted_after_those_present():
    from register.rules.quorum import QuorumRule

    rule = QuorumRule(3, {"lay": 1})
    members = {1: {"category": "lay", "voting": 1}, 2: {"category": "gp", "voting": 1},
               3: {"category": "gp", "voting": 1}, 4: {"category": "executive", "voting": 1}}
    participants = {1: {"role": "voting"}, 2: {"role": "voting"}, 3: {"role": "voting"},
                    9: {"role": "attendee"}}
    escalation = {"kind": "co_opt", "details": {"co_opted": [
        {"person_id": 7, "name": "Dr Outside", "category": "gp", "category_label": "GP"}]}}
    result = record_model.count_decision_quorum(rule, members, participants, escalation,
                                                {2: "no_vote", 3: "leave_item"},
                                                reasons={2: "common interest"})
    assert result.quorate is False
    assert result.arithmetic[:3] == [
        "1 voting member absent", "4 voting members present",
        "including 1 co-opted for the item: Dr Outside (GP)"]
    assert "1 GP may not vote (common interest)" in result.arithmetic
    assert result.summary == ("Inquorate: 1 more voting member is needed "
                              "(2 remain; the rule needs at least 3)")
    without = record_model.count_decision_quorum(rule, members, participants, None,
                                                 {2: "no_vote", 3: "leave_item"})
    assert without.remaining == 1 and "co-opted" not in " ".join(without.arithmetic)
