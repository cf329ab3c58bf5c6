"""The trail that proves the record: a keyed chain, content hashes of the records, the anchor log.

The demo consortium is loaded, real web flows change it (edit, submit, rule and sign off, void a
sign-off by changing an interest, record an outcome, publish), verify-audit passes; then each way of
tampering with the database, the trail or the anchor log is named.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from register import audit
from register.db import connect, write_transaction
from register.demo import DEMO_PASSWORD, load_demo
from tests.conftest import add_user, sign_in

# The demo is loaded as on a day a month ago, so the meetings after its load day are past.
LOAD_DAY = dt.date.today() - dt.timedelta(days=30)


def harvest(response) -> dict[str, str]:
    """What a browser would send from the page's form as it stands."""
    page = response.get_data(as_text=True)
    data: dict[str, str] = {}
    for tag in re.findall(r"<input\b[^>]*>", page):
        name = re.search(r'\bname="([^"]*)"', tag)
        if not name:
            continue
        kind = (re.search(r'\btype="([^"]*)"', tag) or [None, "text"])[1]
        value = html.unescape((re.search(r'\bvalue="([^"]*)"', tag) or [None, ""])[1])
        if kind in ("radio", "checkbox"):
            if re.search(r"\bchecked\b", tag):
                data[name.group(1)] = value or "y"
        elif kind not in ("submit", "button"):
            data[name.group(1)] = value
    for name, body in re.findall(r'<textarea\b[^>]*name="([^"]*)"[^>]*>(.*?)</textarea>', page,
                                 re.S):
        data[name] = html.unescape(body).lstrip("\n")
    for name, body in re.findall(r'<select\b[^>]*name="([^"]*)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option\b[^>]*value="([^"]*)"[^>]*\bselected\b', body)
        data[name] = html.unescape(chosen.group(1)) if chosen else ""
    return data


@pytest.fixture
def demo_app(app):
    handle = connect(app.config["DATABASE"])
    load_demo(handle, today=LOAD_DAY)
    handle.close()
    audit.anchor(app.config, connect(app.config["DATABASE"]))
    return app


def client_for(app, username: str):
    client = app.test_client()
    assert sign_in(client, username, DEMO_PASSWORD).status_code == 302
    return client


def one(db, sql: str, args=()):
    return next(iter(db.query(sql, list(args))))


def decision(db, reference: str) -> dict:
    return one(db, "SELECT * FROM decisions WHERE reference = ?", [reference])


def sign_off(client, reference: str):
    data = harvest(client.get(f"/reviews/{reference}"))
    data.update({"action": "sign_off", "password": DEMO_PASSWORD, "confirm": "y"})
    return client.post(f"/reviews/{reference}", data=data)


def drive_the_register(app) -> dict[str, str]:
    """Real web flows over the demo; returns the references each touched."""
    db = connect(app.config["DATABASE"])
    secretary = client_for(app, "secretary")
    lead = client_for(app, "governance")
    # Edit and submit a draft.
    draft = one(db, "SELECT reference FROM decisions WHERE status = 'draft' ORDER BY id")[
        "reference"]
    data = harvest(secretary.get(f"/decisions/{draft}/edit"))
    data.update({"description": "Revised after the clinical reference group", "action": "save"})
    response = secretary.post(f"/decisions/{draft}/edit", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert decision(db, draft)["description"] == "Revised after the clinical reference group"
    data = harvest(secretary.get(f"/decisions/{draft}/edit"))
    manager = one(db, "SELECT id FROM people ORDER BY id")["id"]
    data.update({
        "action": "continue", "contract_kind": "new", "total_value": "300,000.00",
        "annual_value": "100000", "contract_start[day]": "1", "contract_start[month]": "4",
        "contract_start[year]": "2027", "contract_end[day]": "31", "contract_end[month]": "3",
        "contract_end[year]": "2030", "contract_manager_id": str(manager),
        "decision_process": "Decided by a vote of the members present",
        "options-0-description": "Procure it", "options-0-outcome": "chosen",
        "options-0-reason": "Best value", "justification": "Best value for patients",
        "weight_quality_innovation": "30", "weight_value": "30",
        "weight_integration_collaboration_sustainability": "20",
        "weight_access_inequalities_choice": "10", "weight_social_value": "10"})
    for key in [k for k in data if k.startswith("applied_")]:
        data[key] = "Scored by the evaluation panel"
    response = secretary.post(f"/decisions/{draft}/edit", data=data)
    assert response.status_code == 302, re.findall(r"<li><a href=\"#[^\"]*\">([^<]*)<",
                                                   response.get_data(as_text=True), re.S)
    version = decision(db, draft)["version"]
    secretary.post(f"/decisions/{draft}/submit", data={"version": str(version)})
    assert decision(db, draft)["status"] in ("awaiting_review", "ready_for_decision")
    # Rule and sign off a decision in the queue.
    queued = None
    for row in list(db.query("SELECT reference FROM decisions WHERE status = 'awaiting_review'"
                             " ORDER BY id")):
        sign_off(lead, row["reference"])
        if decision(db, row["reference"])["status"] == "signed_off":
            queued = row["reference"]
            break
    assert queued, "no demo decision in the queue could be signed off"
    # Record the outcome of the decision signed off above (its meeting is past), then publish
    # one already decided.
    data = harvest(secretary.get(f"/reviews/{queued}/outcome"))
    data.update({"outcome": decision(db, queued)["choice"] or "make", "votes_for": "0",
                 "votes_against": "0", "votes_abstaining": "0"})
    response = secretary.post(f"/reviews/{queued}/outcome", data=data)
    assert response.status_code == 302, re.sub(r"\s+", " ", re.sub(
        r"<[^>]+>", " ", response.get_data(as_text=True)))[:3000]
    decided_row = one(db, "SELECT reference, meeting_date FROM decisions"
                          " WHERE status = 'decided' ORDER BY id")
    decided = decided_row["reference"]
    # Its route has a standstill: the intention to award notice, then the award confirmation
    # notice once the standstill has ended; publishing takes where the award was published from it.
    meeting = dt.date.fromisoformat(decided_row["meeting_date"])
    for kind, day in (("intention", meeting + dt.timedelta(days=1)),
                      ("award", meeting + dt.timedelta(days=21))):
        data = harvest(secretary.get(f"/decisions/{decided}/notices/{kind}"))
        data.update({"published_on[day]": str(day.day), "published_on[month]": str(day.month),
                     "published_on[year]": str(day.year),
                     "published_where": f"https://example.org/notices/{kind}"})
        response = secretary.post(f"/decisions/{decided}/notices/{kind}", data=data)
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    data = harvest(secretary.get(f"/reviews/{decided}/outcome"))
    assert secretary.post(f"/reviews/{decided}/publish", data=data).status_code == 302
    assert decision(db, decided)["status"] == "published"
    # Void a sign-off by withdrawing the interest behind one of its conflicts (the interest
    # the flag names as its evidence, not just any interest of the person).
    signed = one(db, "SELECT decisions.reference, interests.id AS interest_id FROM decisions"
                     " JOIN decision_flags ON decision_flags.decision_id = decisions.id"
                     " JOIN interests ON interests.id"
                     " = json_extract(decision_flags.evidence, '$.interest_id')"
                     " AND interests.withdrawn = 0"
                     " WHERE decisions.status = 'signed_off' AND decisions.reference != ?"
                     " AND decision_flags.severity = 'conflict'"
                     " ORDER BY decisions.id, decision_flags.position", [queued])
    assert signed, "no signed-off demo decision has a conflict through a declared interest"
    interest = signed["interest_id"]
    data = harvest(secretary.get(f"/interests/{interest}/withdraw"))
    data["reason"] = "Declared against the wrong person"
    assert secretary.post(f"/interests/{interest}/withdraw", data=data).status_code == 302
    secretary.get(f"/decisions/{signed['reference']}")
    assert decision(db, signed["reference"])["status"] != "signed_off"
    assert one(db, "SELECT count(*) AS n FROM sign_offs WHERE voided_at IS NOT NULL")["n"] >= 1
    db.close()
    return {"draft": draft, "signed": queued, "voided": signed["reference"],
            "published": decided}


@pytest.fixture
def driven(demo_app):
    touched = drive_the_register(demo_app)
    return demo_app, touched


def check(app, parallel: bool = False, **config):
    """verify_record over the app's database, with the config given (walking the chain in a
    second process with `parallel`, as the commands do)."""
    db = connect(config.get("DATABASE", app.config["DATABASE"]))
    try:
        return audit.verify_record(db, {**app.config, **config}, parallel=parallel)
    finally:
        db.close()


def test_real_flows_over_the_demo_verify(driven):
    app, touched = driven
    runner = app.test_cli_runner()
    result = runner.invoke(args=["verify-audit"])
    assert result.exit_code == 0, result.output
    assert "Every decision, interest, ruling and sign-off matches its latest event" in result.output
    db = connect(app.config["DATABASE"])
    # Sign-off and publication each wrote an anchor, after the demo's.
    anchors, problems = audit.read_anchors(audit.anchors_path(app.config))
    assert not problems and len(anchors) >= 3
    assert anchors[0].count < anchors[-1].count <= audit.head(db)[0]
    # Rulings have events of their own, carrying the hash of the ruling.
    ruling = one(db, "SELECT * FROM audit_events WHERE entity = 'ruling' ORDER BY seq DESC")
    assert re.fullmatch(r"[0-9a-f]{64}", ruling["content_sha256"])
    assert ruling["hash_kind"] == "hmac-sha256"
    db.close()


def tampered_copy(app, tmp_path: Path, name: str) -> dict[str, str]:
    """A copy of the database and anchor log to tamper with; returns its config."""
    database = tmp_path / f"{name}.sqlite3"
    shutil.copy(app.config["DATABASE"], database)
    anchors = tmp_path / f"{name}.anchors"
    shutil.copy(audit.anchors_path(app.config), anchors)
    config = {"DATABASE": str(database), "AUDIT_ANCHORS": str(anchors)}
    handle = connect(str(database))
    audit.anchor(config, handle)  # as the nightly anchor-audit would
    handle.close()
    return config


def raw(config):
    handle = sqlite3.connect(config["DATABASE"])
    handle.execute("PRAGMA foreign_keys = OFF")
    handle.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
    handle.execute("DROP TRIGGER IF EXISTS audit_events_no_delete")
    return handle


def _forge(handle, key: bytes | None, event: dict) -> None:
    last = handle.execute("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1").fetchone()
    event = {"seq": last[0] + 1, "at": "2026-12-01T10:00:00+00:00", "actor": "governance",
             "entity_id": "1", "changes": "{}", "prev_hash": last[1], "content_sha256": None,
             **event}
    if key is None:
        event["hash_kind"] = "sha256"
        event["hash"] = audit.event_hash(event)
    else:
        event["hash_kind"] = "hmac-sha256"
        event["hash"] = audit.keyed_hash(event, key)
    handle.execute("INSERT INTO audit_events (seq, at, actor, action, entity, entity_id, changes,"
                   " prev_hash, content_sha256, hash_kind, hash) VALUES (:seq, :at, :actor,"
                   " :action, :entity, :entity_id, :changes, :prev_hash, :content_sha256,"
                   " :hash_kind, :hash)", event)


def _rehash_from(handle, key: bytes, first: int) -> None:
    rows = handle.execute("SELECT seq, at, actor, action, entity, entity_id, changes, prev_hash,"
                          " content_sha256, hash_kind, hash FROM audit_events WHERE seq >= ?"
                          " ORDER BY seq", [first - 1]).fetchall()
    names = ["seq", "at", "actor", "action", "entity", "entity_id", "changes", "prev_hash",
             "content_sha256", "hash_kind", "hash"]
    prev = dict(zip(names, rows[0]))["hash"] if first > 1 else audit.GENESIS
    for values in rows[1:] if first > 1 else rows:
        event = dict(zip(names, values))
        event["prev_hash"] = prev
        event["hash"] = audit.keyed_hash(event, key)
        handle.execute("UPDATE audit_events SET prev_hash = ?, hash = ? WHERE seq = ?",
                       [event["prev_hash"], event["hash"], event["seq"]])
        prev = event["hash"]


TAMPERING = {
    "a decision's value changed in the file": (
        lambda h, t, k: h.execute("UPDATE decisions SET total_value_pence = 1 WHERE reference = ?",
                                  [t["published"]]),
        lambda t: rf"^decision {t['published']} does not match its last audit event"),
    "an interest's nature changed in the file": (
        lambda h, t, k: h.execute("UPDATE interests SET nature = 'Nothing' WHERE id = 1"),
        lambda t: r"^interest 1 \(.*\) does not match its last audit event"),
    "a ruling softened in the file": (
        lambda h, t, k: h.execute("UPDATE decision_rulings SET ruling = 'note_only'"
                                  " WHERE id = (SELECT max(id) FROM decision_rulings)"),
        lambda t: r"^ruling \d+ \(on .* for MOB-\d{4}-\d{4}\) does not match"),
    "a voided sign-off revived in the file": (
        lambda h, t, k: h.execute(
            "UPDATE sign_offs SET voided_at = NULL, void_reason = '' WHERE id = (SELECT id FROM"
            " sign_offs AS s WHERE voided_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM sign_offs"
            " AS t WHERE t.decision_id = s.decision_id AND t.voided_at IS NULL) LIMIT 1)"),
        lambda t: r"^sign-off \d+ \(of MOB-.* by .*\) does not match its last audit event"),
    "a decision added in the file": (
        lambda h, t, k: h.execute(
            "INSERT INTO decisions (reference, title, committee_id, meeting_date, created_at,"
            " updated_at) VALUES ('MOB-2026-0999', 'Backdated', 1, '2026-01-01', 'x', 'x')"),
        lambda t: "decision MOB-2026-0999 has no audit event: it was added outside the app"),
    "an interest deleted in the file": (
        lambda h, t, k: [h.execute("DELETE FROM interest_versions WHERE interest_id = 2"),
                         h.execute("DELETE FROM match_resolutions WHERE interest_id = 2"),
                         h.execute("DELETE FROM interests WHERE id = 2")],
        lambda t: "interest 2 is in the audit trail but missing from the database"),
    "the last events deleted": (
        lambda h, t, k: h.execute("DELETE FROM audit_events WHERE seq > (SELECT max(seq) - 3"
                                  " FROM audit_events)"),
        lambda t: "it was shortened"),
    "a sign-off appended with a recomputed plain hash": (
        lambda h, t, k: _forge(h, None, {"action": "sign_off", "entity": "decision"}),
        lambda t: "unkeyed but comes after the trail became keyed"),
    "a sign-off appended with a guessed key": (
        lambda h, t, k: _forge(h, b"guess" * 8, {"action": "sign_off", "entity": "decision"}),
        lambda t: "does not match its keyed hash"),
    "the trail rewritten and rehashed with the key": (
        lambda h, t, k: [h.execute("UPDATE audit_events SET actor = 'nobody' WHERE seq = 5"),
                         _rehash_from(h, k, 5)],
        lambda t: "the trail was rewritten"),
    "an event's details changed": (
        lambda h, t, k: h.execute("UPDATE audit_events SET actor = 'nobody' WHERE seq = 7"),
        lambda t: "audit event 7 does not verify"),
}


@pytest.mark.parametrize("case", list(TAMPERING))
def test_each_tampering_is_named(driven, tmp_path, case):
    app, touched = driven
    config = tampered_copy(app, tmp_path, "copy")
    assert check(app, **config).ok
    tamper, expected = TAMPERING[case]
    handle = raw(config)
    tamper(handle, touched, app.config["AUDIT_KEY"])
    handle.commit()
    handle.close()
    report = check(app, **config)
    assert not report.ok
    assert any(re.search(expected(touched), problem) for problem in report.problems), \
        report.problems
    # The commands' check, with the chain walked in a second process, finds exactly the same.
    assert check(app, parallel=True, **config) == report


def test_derived_columns_do_not_cry_wolf(driven, tmp_path):
    app, _touched = driven
    config = tampered_copy(app, tmp_path, "copy")
    handle = raw(config)
    handle.execute("UPDATE decisions SET flag_count = flag_count + 1, conflict_count = 3,"
                   " updated_at = 'later', version = version + 5")
    handle.execute("DELETE FROM decision_flags")
    handle.commit()
    handle.close()
    assert check(app, **config).ok


def test_verify_audit_exits_1_with_the_reason_in_words(driven):
    app, touched = driven
    handle = raw(app.config)
    handle.execute("UPDATE decisions SET total_value_pence = 1 WHERE reference = ?",
                   [touched["signed"]])
    handle.commit()
    handle.close()
    result = app.test_cli_runner().invoke(args=["verify-audit"])
    assert result.exit_code == 1
    assert (f"Not verified: decision {touched['signed']} does not match its last audit event: "
            f"it was changed outside the app.") in result.output


@pytest.mark.parametrize("damage, expected", [
    ("missing", "is missing"),
    ("truncated", "ends part-way through a line: it was truncated"),
    ("reordered", "is not append-only"),
    ("garbled", "is not an anchor"),
])
def test_a_damaged_anchor_log_is_named(driven, damage, expected):
    app, _touched = driven
    path = audit.anchors_path(app.config)
    lines = path.read_text().splitlines(keepends=True)
    if damage == "missing":
        path.unlink()
    elif damage == "truncated":
        path.write_text("".join(lines)[:-20])
    elif damage == "reordered":
        path.write_text("".join(reversed(lines)))
    else:
        path.write_text("".join(lines) + "not an anchor\n")
    result = app.test_cli_runner().invoke(args=["verify-audit"])
    assert result.exit_code == 1
    assert expected in result.output


def test_expect_checks_the_head_printed_in_a_pack(driven):
    app, _touched = driven
    runner = app.test_cli_runner()
    db = connect(app.config["DATABASE"])
    count, head = audit.head(db)
    db.close()
    ok = runner.invoke(args=["verify-audit", "--expect", f"{count}:{head}"])
    assert ok.exit_code == 0, ok.output
    assert f"Event {count} carries the head printed" in ok.output
    wrong = runner.invoke(args=["verify-audit", "--expect", f"{count}:{'0' * 64}"])
    assert wrong.exit_code == 1
    assert f"event {count} now carries another hash: the trail was rewritten" in wrong.output
    ahead = runner.invoke(args=["verify-audit", "--expect", f"{count + 10}:{head}"])
    assert ahead.exit_code == 1 and "it was shortened" in ahead.output


@pytest.mark.parametrize("value", ["12", "12:abc", "x:" + "a" * 64, "12:" + "g" * 64, ""])
def test_expect_in_the_wrong_shape_gets_a_usage_message(runner, value):
    result = runner.invoke(args=["verify-audit", "--expect", value])
    assert result.exit_code == 2
    assert "--expect takes COUNT:HEAD as printed on a pack's last page" in result.output


def test_anchor_audit_appends_one_line(runner, app, db):
    add_user(db, role="admin", username="boss")
    first = runner.invoke(args=["anchor-audit"])
    second = runner.invoke(args=["anchor-audit"])
    assert first.exit_code == 0 and second.exit_code == 0
    lines = audit.anchors_path(app.config).read_text().splitlines()
    assert len(lines) == 2
    at, count, head = lines[-1].split()
    assert count == "1" and head == audit.head(db)[1]
    assert dt.datetime.fromisoformat(at)


def test_the_key_is_generated_owner_only_and_never_in_the_database(tmp_path, app, db):
    key_file = tmp_path / "keys" / "audit_key"
    key = audit.load_key(key_file)
    assert len(key) == 32 and key_file.stat().st_mode & 0o777 == 0o600
    assert audit.load_key(key_file) == key
    add_user(db, role="admin", username="boss")
    dump = "\n".join(db.conn.iterdump())
    assert app.config["AUDIT_KEY"].hex() not in dump


def test_a_trail_written_before_keying_is_verified_once_and_continued_keyed(runner, app, db):
    # Events as an older register wrote them: plain SHA-256, no content hash.
    prev = audit.GENESIS
    for seq in (1, 2, 3):
        event = {"seq": seq, "at": "2025-01-01T00:00:00+00:00", "actor": "old", "action": "create",
                 "entity": "person", "entity_id": str(seq), "changes": "{}", "prev_hash": prev}
        event["hash"] = audit.event_hash(event)
        db["audit_events"].insert({**event, "hash_kind": "sha256"})
        prev = event["hash"]
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "The audit trail is now keyed" in result.output
    marker = one(db, "SELECT * FROM audit_events WHERE seq = 4")
    assert marker["action"] == "audit_keyed" and marker["hash_kind"] == "hmac-sha256"
    assert json.loads(marker["changes"]) == {"unkeyed_events": 3, "unkeyed_head": prev,
                                             "unkeyed_trail": "verified"}
    add_user(db, role="admin", username="boss")
    assert runner.invoke(args=["anchor-audit"]).exit_code == 0
    ok = runner.invoke(args=["verify-audit"])
    assert ok.exit_code == 0, ok.output
    # Rewriting the old part, even rehashed throughout with plain SHA-256, breaks the marker's
    # keyed link to it.
    handle = raw(app.config)
    prev = audit.GENESIS
    for seq in (1, 2, 3):
        row = dict(zip(["seq", "at", "actor", "action", "entity", "entity_id", "changes"],
                       handle.execute("SELECT seq, at, actor, action, entity, entity_id, changes"
                                      " FROM audit_events WHERE seq = ?", [seq]).fetchone()))
        row.update(actor="someone else", prev_hash=prev)
        row["hash"] = audit.event_hash(row)
        handle.execute("UPDATE audit_events SET actor = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                       [row["actor"], prev, row["hash"], seq])
        prev = row["hash"]
    handle.commit()
    handle.close()
    bad = runner.invoke(args=["verify-audit"])
    assert bad.exit_code == 1
    assert "Audit event 4 does not verify: its previous-hash link is broken" in bad.output


def test_a_trail_rewritten_entirely_unkeyed_is_not_accepted(runner, app, db):
    add_user(db, role="admin", username="boss")
    handle = raw(app.config)
    row = handle.execute("SELECT seq, at, actor, action, entity, entity_id, changes, prev_hash"
                         " FROM audit_events").fetchone()
    event = dict(zip(["seq", "at", "actor", "action", "entity", "entity_id", "changes",
                      "prev_hash"], row))
    handle.execute("UPDATE audit_events SET hash_kind = 'sha256', hash = ?",
                   [audit.event_hash(event)])
    handle.commit()
    handle.close()
    result = runner.invoke(args=["verify-audit"])
    assert result.exit_code == 1
    assert "no event in the trail is keyed" in result.output


def test_content_hash_is_the_sha256_of_the_record_after_the_change(db, app):
    add_user(db, role="admin", username="boss")
    event = one(db, "SELECT * FROM audit_events WHERE entity = 'user'")
    assert event["content_sha256"] is None  # accounts are not among the vouched-for records
    from register.audit_content import interest_contents, sha256_of
    from tests.conftest import add_interest, add_person

    person = add_person(db)
    interest = add_interest(db, person)
    audit.record(db, actor="t", action="create", entity="interest", entity_id=interest)
    recorded = one(db, "SELECT content_sha256 FROM audit_events ORDER BY seq DESC LIMIT 1")
    expected = sha256_of(interest_contents(db, [interest])[interest])
    assert recorded["content_sha256"] == expected
    assert expected == hashlib.sha256(json.dumps(
        interest_contents(db, [interest])[interest], sort_keys=True, separators=(",", ":"),
        ensure_ascii=False, default=str).encode()).hexdigest()


def test_an_import_leaves_every_imported_decision_vouched_for(db):
    from tests.test_decisions_import import base, csv_text, row, run

    base(db)
    plan = run(db, csv_text(row(), row(title="Online consultations", status="draft",
                                       meeting_date="2026-05-01")))
    assert plan.ok
    # The factories wrote the interest and the membership without an event; the import vouched
    # for every decision.
    assert [p for p in audit.content_problems(db)
            if not p.startswith(("interest ", "membership "))] == []
    db.execute("UPDATE decision_participants SET role = 'attendee' WHERE id = "
               "(SELECT max(id) FROM decision_participants)")
    assert any("does not match its last audit event" in p for p in audit.content_problems(db))


def test_the_record_pdf_prints_the_expect_value_and_says_what_the_check_proves(driven):
    from tests.test_pdf_support import flat, page_texts

    app, touched = driven
    auditor = client_for(app, "auditor")
    response = auditor.get(f"/decisions/{touched['published']}/record.pdf")
    assert response.status_code == 200
    last = flat(page_texts(response.data)[-1])
    value = re.search(r"--expect (\d+):([0-9a-f]{64})", last)
    assert value, last
    assert "What it proves." in last and "What it does not prove." in last
    assert "could rewrite records and trail together" in last
    # The value printed is one verify-audit accepts.
    result = app.test_cli_runner().invoke(args=["verify-audit", "--expect", value.group(0)[9:]])
    assert result.exit_code == 0, result.output


def test_a_fresh_register_verifies_from_init_db_and_demo_data(runner, app):
    assert runner.invoke(args=["init-db"]).exit_code == 0
    anchors, problems = audit.read_anchors(audit.anchors_path(app.config))
    assert not problems and anchors[0].count == 0 and anchors[0].head == audit.GENESIS
    assert runner.invoke(args=["demo-data"]).exit_code == 0
    result = runner.invoke(args=["verify-audit"])
    assert result.exit_code == 0, result.output
    anchors, _problems = audit.read_anchors(audit.anchors_path(app.config))
    assert len(anchors) == 2 and f"{anchors[-1].count} events verified" in result.output


def test_the_anchor_log_may_live_elsewhere(tmp_path):
    from register import create_app

    elsewhere = tmp_path / "worm" / "register.anchors"
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret-key-not-for-production",
                      "DATABASE": str(tmp_path / "r.sqlite3"), "AUDIT_ANCHORS": str(elsewhere)})
    assert app.test_cli_runner().invoke(args=["init-db"]).exit_code == 0
    assert elsewhere.exists() and not (tmp_path / "r.sqlite3.anchors").exists()


def test_the_next_event_continues_an_unkeyed_trail_with_the_marker_first(db):
    event = {"seq": 1, "at": "2025-01-01T00:00:00+00:00", "actor": "old", "action": "create",
             "entity": "person", "entity_id": "1", "changes": "{}", "prev_hash": audit.GENESIS}
    event["hash"] = audit.event_hash(event)
    db["audit_events"].insert({**event, "hash_kind": "sha256"})
    add_user(db, role="admin", username="boss")
    actions = [r["action"] for r in db.query("SELECT action FROM audit_events ORDER BY seq")]
    assert actions == ["create", "audit_keyed", "create"]
    assert audit.verify(db).ok


def test_a_record_saved_through_the_app_after_the_walk_is_not_taken_for_tampering(db):
    load_demo(db, dt.date(2026, 6, 1))
    seen = audit.Latest()
    assert audit.verify(db, latest=seen).ok
    interest_id = db.execute("SELECT min(id) FROM interests").fetchone()[0]
    # Saved through the app between the walk and the content check: a newer event vouches.
    with write_transaction(db):
        db.execute("UPDATE interests SET nature = 'Changed through the app' WHERE id = ?",
                   [interest_id])
        audit.record(db, actor="tester", action="update", entity="interest",
                     entity_id=interest_id, changes={"nature": ["", "Changed through the app"]})
    assert audit.content_problems(db, seen_in_walk=seen) == []
    # Changed in the file with no event: named, walk or not.
    db.execute("UPDATE interests SET nature = 'Changed in the file' WHERE id = ?", [interest_id])
    db.conn.commit()
    for problems in (audit.content_problems(db, seen_in_walk=seen), audit.content_problems(db)):
        assert [p for p in problems if "does not match its last audit event" in p] == [
            p for p in problems if p.startswith(f"interest {interest_id} ")]
        assert len(problems) == 1, problems
