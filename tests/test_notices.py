"""Recording a PSR decision's notices, standstill and representations through the pages."""
from __future__ import annotations

import datetime as dt

import pytest

from register import timeutil
from tests.test_reviews import (  # noqa: F401  (fixtures)
    events,
    lead,
    outcome_data,
    ready,
    status_of,
    text,
    world,
)

TODAY = dt.date(2026, 12, 24)  # meeting 10 March 2026; the decision direct award C


@pytest.fixture
def decided(db, world, ready, monkeypatch):  # noqa: F811
    """The fixture's decision with its outcome recorded (a contract awarded to the practice)."""
    version = str(db.execute("SELECT version FROM decisions WHERE id = ?",
                             [ready.decision]).fetchone()[0])
    assert ready.secretary.post(f"/reviews/{ready.ref}/outcome",
                                data=outcome_data(world, version=version)).status_code == 302
    monkeypatch.setattr(timeutil, "today_uk", lambda: TODAY)
    return ready


def day(name: str, when: dt.date) -> dict:
    return {f"{name}[day]": str(when.day), f"{name}[month]": str(when.month),
            f"{name}[year]": str(when.year)}


def notice(client, ref, kind, when, where="https://www.find-tender.service.gov.uk/Notice/1",
           **extra):
    return client.post(f"/decisions/{ref}/notices/{kind}",
                       data={**day("published_on", when), "published_where": where,
                             "reference": "2026/S 000-1", **extra})


def count(db, table) -> int:
    return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


@pytest.mark.parametrize("when, extra, message", [
    (dt.date(2026, 3, 9), {}, "The intention to award notice cannot be published before the "
                              "decision was taken at the meeting on Tuesday 10 March 2026"),
    (dt.date(2026, 12, 28), {}, "The date the intention to award notice was published must be "
                                "today or in the past"),
    (dt.date(2026, 12, 17), day("standstill_end", dt.date(2026, 12, 24)),
     "The standstill ends Thursday 31 December 2026, 8 working days after the intention notice: "
     "it cannot be set by hand to Thursday 24 December 2026"),
])
def test_bad_intention_notices_are_refused_and_nothing_is_written(db, decided, when, extra,
                                                                  message):
    response = notice(decided.secretary, decided.ref, "intention", when, **extra)
    assert response.status_code == 400
    assert message in text(response)
    assert "Error:" in text(response)
    assert 'value="https://www.find-tender.service.gov.uk/Notice/1"' in response.get_data(
        as_text=True)
    assert count(db, "decision_notices") == 0
    assert events(db, "notice_recorded") == []


def test_the_standstill_clock_across_christmas_and_the_award_that_waits_for_it(db, decided):
    ref, secretary = decided.ref, decided.secretary
    # The stated end may be given if it is the computed one.
    assert notice(secretary, ref, "intention", dt.date(2026, 12, 17),
                  **day("standstill_end", dt.date(2026, 12, 31))).status_code == 302
    page = text(secretary.get(f"/decisions/{ref}"))
    assert "Notices and standstill" in page
    assert "Standstill ends Thursday 31 December 2026, 3 working days from today" in page
    assert events(db, "notice_recorded")[0]["changes"]
    # Confirming the award before the standstill ends is refused.
    early = notice(secretary, ref, "award", dt.date(2026, 12, 24))
    assert early.status_code == 400
    assert "The award cannot be confirmed until the standstill has ended: it ends Thursday 31 " \
           "December 2026" in text(early)
    # A representation during the standstill, still open, holds the award.
    assert secretary.post(f"/decisions/{ref}/representations/new", data={
        **day("received_on", dt.date(2026, 12, 22)), "provider_name": "Hill Surgery",
        "summary": "Our bid's <b>access</b> score was added up wrongly"}).status_code == 302
    page = secretary.get(f"/decisions/{ref}").get_data(as_text=True)
    assert "Our bid&#39;s &lt;b&gt;access&lt;/b&gt; score" in page
    assert "Waiting for a response" in page


def test_representations_after_the_standstill_are_refused_and_open_ones_hold_the_award(
        db, decided, monkeypatch):
    ref, secretary = decided.ref, decided.secretary
    assert notice(secretary, ref, "intention", dt.date(2026, 12, 17)).status_code == 302
    monkeypatch.setattr(timeutil, "today_uk", lambda: dt.date(2027, 1, 6))
    late = secretary.post(f"/decisions/{ref}/representations/new", data={
        **day("received_on", dt.date(2027, 1, 4)), "provider_name": "Hill Surgery",
        "summary": "Too late"})
    assert late.status_code == 400
    assert "The standstill ended Thursday 31 December 2026: a representation received on " \
           "Monday 4 January 2027 is too late to record" in text(late)
    assert count(db, "decision_representations") == 0
    assert secretary.post(f"/decisions/{ref}/representations/new", data={
        **day("received_on", dt.date(2026, 12, 30)), "provider_name": "Hill Surgery",
        "summary": "Scored wrongly"}).status_code == 302
    held = notice(secretary, ref, "award", dt.date(2027, 1, 5))
    assert held.status_code == 400
    assert "1 representation is still waiting for a response" in text(held)
    rep_id = db.execute("SELECT id FROM decision_representations").fetchone()[0]
    assert secretary.post(f"/decisions/{ref}/representations/{rep_id}/response", data={
        "response": "The scores were checked again and stand.",
        **day("responded_on", dt.date(2027, 1, 4))}).status_code == 302
    assert notice(secretary, ref, "award", dt.date(2027, 1, 5),
                  where="https://example.org/award").status_code == 302
    assert secretary.post(f"/reviews/{ref}/publish", data={}).status_code == 302
    assert status_of(db, decided.decision) == "published"
    history = text(secretary.get(f"/decisions/{ref}"))
    history = history[history.index("History"):]
    for words in ("Intention to award notice recorded (published 17 December 2026)",
                  "Representation received", "Representation answered",
                  "Award confirmation notice recorded (published 5 January 2027)"):
        assert words in history
    row = db.execute("SELECT award_published_where, award_published_on FROM decisions").fetchone()
    assert tuple(row) == ("https://example.org/award", "2027-01-05")
    assert [e["action"] for e in events(db, "representation_answered")] == \
        ["representation_answered"]
    # Published: the notices no longer change.
    assert notice(secretary, ref, "award", dt.date(2027, 1, 6)).status_code == 409


def test_a_route_without_standstill_needs_no_intention_notice(db, world, ready, monkeypatch):  # noqa: F811
    db.execute("UPDATE decisions SET process = 'urgent_award' WHERE id = ?", [ready.decision])
    version = str(db.execute("SELECT version FROM decisions WHERE id = ?",
                             [ready.decision]).fetchone()[0])
    assert ready.secretary.post(f"/reviews/{ready.ref}/outcome",
                                data=outcome_data(world, version=version)).status_code == 302
    monkeypatch.setattr(timeutil, "today_uk", lambda: TODAY)
    refused = notice(ready.secretary, ready.ref, "intention", dt.date(2026, 3, 11))
    assert refused.status_code == 409
    assert "This route has no standstill" in text(refused)
    # Publishing without a notice still asks where the award was published.
    blank = ready.secretary.post(f"/reviews/{ready.ref}/publish", data={"published_where": " "})
    assert blank.status_code == 400
    assert "Enter where the award was published" in text(blank)
    assert notice(ready.secretary, ready.ref, "award", dt.date(2026, 3, 11)).status_code == 302
    assert "This route has no standstill" in text(ready.secretary.get(f"/decisions/{ready.ref}"))


def test_only_the_secretary_records_notices_others_read_them(db, decided, as_role, lead):  # noqa: F811
    assert notice(decided.secretary, decided.ref, "intention",
                  dt.date(2026, 12, 17)).status_code == 302
    for reader in (lead, as_role("auditor")):
        assert reader.get(f"/decisions/{decided.ref}/notices/intention").status_code == 403
        assert notice(reader, decided.ref, "intention", dt.date(2026, 12, 18)).status_code == 403
        page = text(reader.get(f"/decisions/{decided.ref}"))
        assert "Standstill ends Thursday 31 December 2026" in page
        assert "Record a representation" not in page
    assert db.execute("SELECT published_on FROM decision_notices").fetchone()[0] == "2026-12-17"


def test_the_queue_and_the_secretarys_home_show_standstills_ending_soon(db, decided, lead,  # noqa: F811
                                                                        monkeypatch):
    assert notice(decided.secretary, decided.ref, "intention",
                  dt.date(2026, 12, 17)).status_code == 302
    monkeypatch.setattr(timeutil, "today_uk", lambda: dt.date(2026, 12, 18))
    # 7 working days left: not yet "ending soon".
    assert "Standstills ending soon" not in text(decided.secretary.get("/"))
    monkeypatch.setattr(timeutil, "today_uk", lambda: TODAY)
    for client, path in ((decided.secretary, "/"), (lead, "/reviews/")):
        page = text(client.get(path))
        assert "Standstills ending soon" in page
        assert f"{decided.ref}: " in page
        assert "Standstill ends Thursday 31 December 2026, 3 working days from today" in page
    monkeypatch.setattr(timeutil, "today_uk", lambda: dt.date(2027, 1, 4))
    assert "Standstills ending soon" not in text(decided.secretary.get("/"))


def test_the_decision_record_pdf_prints_the_notices_and_representations(db, decided):
    import io

    import pypdf

    ref, secretary = decided.ref, decided.secretary
    assert notice(secretary, ref, "intention", dt.date(2026, 12, 17)).status_code == 302
    assert secretary.post(f"/decisions/{ref}/representations/new", data={
        **day("received_on", dt.date(2026, 12, 22)), "provider_name": "Hill Surgery <Ltd>",
        "summary": "Access score added up wrongly"}).status_code == 302
    response = secretary.get(f"/decisions/{ref}/record.pdf")
    assert response.status_code == 200
    reader = pypdf.PdfReader(io.BytesIO(response.data))
    words = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "Notices and standstill" in words
    assert "Intention to award notice" in words
    assert "Standstill ends Thursday 31 December 2026 (8 working days after the intention to " \
           "award notice)." in words
    assert "Hill Surgery <Ltd>" in words
    assert "Waiting for a response" in words
