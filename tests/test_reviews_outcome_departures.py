"""The outcome holds who left the room for the item and when, and the proxy votes the chair
refused: the form's checks, what is stored and audited, and the one record every output shows."""
from __future__ import annotations

import datetime as dt
import io
from types import SimpleNamespace

import pytest
from pypdf import PdfReader

from register import audit
from register.decisions import record as record_model
from register.decisions import serialise
from register.pdf import builders, loaders
from register.rules import departures

from . import test_reviews
from .test_reviews import _signed, _version, outcome_data, status_of, text

CONFLICTED_PROXY = ("Dr Asha Patel is conflicted on this decision, and a conflicted member may "
                    "not hand their vote to anyone")


@pytest.fixture
def world(db):
    """The review tests' Primary Care Committee (worked example 1, conflicted)."""
    return test_reviews.world.__wrapped__(db)


@pytest.fixture
def ready(db, world, as_role):
    """A signed-off decision (both GPs must leave) and the secretary to record its outcome."""
    decision, ref = _signed(db, world, as_role("governance"))
    return SimpleNamespace(decision=decision, ref=ref, secretary=as_role("secretary"))


def data_for(db, world, ready, **over) -> dict:
    return outcome_data(world, version=_version(db, ready.decision), **over)


def nothing_written(db, ready) -> None:
    assert status_of(db, ready.decision) == "signed_off"
    for table in ("decision_outcomes", "outcome_attendance", "outcome_refused_proxies"):
        assert db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table


# ---- the rules ---------------------------------------------------------------------------------

@pytest.mark.parametrize("typed, expected", [
    ("10:40", dt.time(10, 40)), ("9:05", dt.time(9, 5)), (" 14.30 ", dt.time(14, 30)),
    ("1040", dt.time(10, 40)), ("0905", dt.time(9, 5)),
    ("2pm", dt.time(14, 0)), ("2:30 PM", dt.time(14, 30)), ("9.15a.m.", dt.time(9, 15)),
    ("10:40am", dt.time(10, 40)), ("12pm", dt.time(12, 0)), ("12:10am", dt.time(0, 10)),
    ("Noon", dt.time(12, 0)), ("midnight", dt.time(0, 0)),
    ("24:00", None), ("10:60", None), ("13pm", None), ("0am", None), ("2:60pm", None),
    ("940", None), ("10400", None), ("ten past ten", None), ("", None),
])
def test_a_time_of_day_is_read_in_24_or_12_hours(typed, expected):
    assert departures.parse_time_of_day(typed) == expected


def test_a_ruling_to_leave_is_carried_out_only_by_leaving_before_the_discussion():
    before = departures.Departure(dt.time(10, 40), "discussion")
    only_vote = departures.Departure(dt.time(10, 55), "vote")
    assert departures.ruling_carried_out("leave_item", False, before) == \
        "Carried out: left the room at 10:40, before the discussion"
    assert departures.ruling_carried_out("leave_item", False, only_vote).startswith(
        "Partly carried out: left the room at 10:55, only before the vote")
    assert departures.ruling_carried_out("leave_item", True, None).startswith("Not carried out")
    assert departures.ruling_carried_out("no_vote", False, before) is None
    assert departures.ruling_carried_out(None, False, before) is None


# ---- the form ----------------------------------------------------------------------------------

def test_the_form_offers_a_departure_per_person_and_refused_proxy_rows(db, world, ready):
    page = ready.secretary.get(f"/reviews/{ready.ref}/outcome").get_data(as_text=True)
    for person in (world.gp1, world.lay):
        assert f'name="left_at_{person}"' in page and f'name="returned_at_{person}"' in page
        assert f'name="left_stage_{person}"' in page
    assert "Proxy votes the chair refused" in page
    assert 'name="refused_for_1"' in page and 'name="refused_reason_2"' in page


@pytest.mark.parametrize("typed, field, message", [
    ({"left_at": "25:10", "left_stage": "discussion"}, "left_at",
     "Enter the time Dr Asha Patel left the room as a time of day, like 14:30 or 2:30pm"),
    ({"left_at": "", "left_stage": "discussion"}, "left_at",
     "Enter the time Dr Asha Patel left the room, like 14:30"),
    ({"left_at": "10:40"}, "left_stage",
     "Select whether Dr Asha Patel left before the discussion or before the vote"),
    ({"left_at": "10:40", "left_stage": "discussion", "returned_at": "10:15"}, "returned_at",
     "The time Dr Asha Patel came back (10:15) must be after the time they left (10:40)"),
    ({"left_at": "10:40", "left_stage": "discussion", "returned_at": "10:40"}, "returned_at",
     "The time Dr Asha Patel came back (10:40) must be after the time they left (10:40)"),
    ({"left_at": "10:40", "left_stage": "discussion", "returned_at": "half eleven"},
     "returned_at", "Enter the time Dr Asha Patel came back into the room as a time of day, "
                    "like 15:10 or 3:10pm"),
])
def test_a_bad_departure_is_refused_on_its_field_keeping_what_was_typed(db, world, ready, typed,
                                                                        field, message):
    data = data_for(db, world, ready, **{f"{key}_{world.gp1}": value
                                         for key, value in typed.items()})
    response = ready.secretary.post(f"/reviews/{ready.ref}/outcome", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in text(response)
    # The message is on the field (linked from the summary), and what was typed is kept.
    assert f'href="#{field}_{world.gp1}"' in html
    assert f'id="{field}_{world.gp1}--error-message"' in html or \
        f'id="{field}_{world.gp1}-error"' in html
    for key, value in typed.items():
        if value and key != "left_stage":
            assert f'value="{value}"' in html
    nothing_written(db, ready)


def test_someone_who_left_before_the_vote_cannot_have_voted(db, world, ready):
    data = data_for(db, world, ready, votes_for="4", votes_against="0", **{
        f"vote_{world.lay}": "for", f"vote_{world.chair}": "for", f"vote_{world.vice}": "for",
        f"vote_{world.exec1}": "for",
        f"left_at_{world.lay}": "11:02", f"left_stage_{world.lay}": "vote"})
    data.pop(f"present_{world.lay}")
    words = text(ready.secretary.post(f"/reviews/{ready.ref}/outcome", data=data))
    assert ("Kwame Mensah left the room at 11:02, before the vote, so cannot have voted: choose "
            "‘Did not vote’, or clear the time they left") in words
    nothing_written(db, ready)


def test_someone_who_left_cannot_be_ticked_present_for_the_vote(db, world, ready):
    data = data_for(db, world, ready, **{f"left_at_{world.lay}": "11:02",
                                         f"left_stage_{world.lay}": "vote"})
    words = text(ready.secretary.post(f"/reviews/{ready.ref}/outcome", data=data))
    assert ("Kwame Mensah left the room at 11:02, before the vote, so was not present for the "
            "vote: untick present, or clear the time they left") in words
    nothing_written(db, ready)


@pytest.mark.parametrize("row, message", [
    ({"refused_to_1": "LAY"}, "Select whose vote was offered in refused proxy 1"),
    ({"refused_for_1": "GP1"}, "Select who offered to hold the vote in refused proxy 1"),
    ({"refused_for_1": "LAY", "refused_to_1": "LAY"},
     "Refused proxy 1: a member cannot offer their vote to themselves"),
    ({"refused_for_1": "LAY", "refused_to_1": "CHAIR"}, "Enter why the chair refused proxy 1"),
    ({"refused_for_1": "999", "refused_to_1": "LAY"}, "Select one of the voting members"),
    ({"refused_for_1": "GP1", "refused_to_1": "LAY", "refused_for_2": "GP1",
      "refused_to_2": "LAY"}, "Refused proxy 2 is already recorded above"),
])
def test_a_bad_refused_proxy_is_refused_with_a_clear_message(db, world, ready, row, message):
    ids = {"LAY": world.lay, "GP1": world.gp1, "CHAIR": world.chair}
    data = data_for(db, world, ready, **{k: str(ids.get(v, v)) for k, v in row.items()})
    words = text(ready.secretary.post(f"/reviews/{ready.ref}/outcome", data=data))
    assert message in words
    nothing_written(db, ready)


def test_a_blank_reason_is_filled_from_the_rules_and_shown_when_the_form_comes_back(db, world,
                                                                                     ready):
    data = data_for(db, world, ready, votes_for="", **{
        "refused_for_1": str(world.gp1), "refused_to_1": str(world.lay)})
    response = ready.secretary.post(f"/reviews/{ready.ref}/outcome", data=data)
    assert "Enter the number of votes for, or 0" in text(response)
    # Back with another error: the reason the rules give is now in the box, to keep or change.
    assert CONFLICTED_PROXY in response.get_data(as_text=True).replace("&#39;", "'")
    nothing_written(db, ready)


def test_a_refused_proxy_cannot_also_be_recorded_as_used(db, world, ready):
    data = data_for(db, world, ready, votes_for="2", votes_against="0", **{
        f"vote_{world.lay}": "for", f"proxy_{world.lay}": str(world.chair),
        "refused_for_1": str(world.chair), "refused_to_1": str(world.lay),
        "refused_reason_1": "Not in the standing orders"})
    words = text(ready.secretary.post(f"/reviews/{ready.ref}/outcome", data=data))
    assert ("The chair refused to let Kwame Mensah hold Hugh Pemberton’s vote, but above they are "
            "recorded as voting on behalf of Hugh Pemberton: change one of them") in words
    nothing_written(db, ready)


def test_a_proxy_actually_used_for_a_conflicted_member_is_still_blocked(db, world, ready):
    data = data_for(db, world, ready, **{f"vote_{world.lay}": "for",
                                         f"proxy_{world.lay}": str(world.gp1)})
    assert CONFLICTED_PROXY in text(ready.secretary.post(f"/reviews/{ready.ref}/outcome",
                                                         data=data))
    nothing_written(db, ready)


# ---- stored, audited, and shown everywhere -----------------------------------------------------

def recorded(db, world, ready) -> None:
    """Dr Patel (ruled to leave) left before the discussion and came back after the vote; Dr
    O'Connor (ruled to leave) left only before the vote; the chair refused Dr Patel's vote to
    Kwame Mensah, with the rules' reason."""
    data = data_for(db, world, ready, **{
        f"left_at_{world.gp1}": "10:40", f"left_stage_{world.gp1}": "discussion",
        f"returned_at_{world.gp1}": "11:05",
        f"left_at_{world.gp2}": "10.52", f"left_stage_{world.gp2}": "vote",
        "refused_for_1": str(world.gp1), "refused_to_1": str(world.lay)})
    response = ready.secretary.post(f"/reviews/{ready.ref}/outcome", data=data)
    assert response.status_code == 302, text(response)


def test_departures_and_refused_proxies_are_stored_and_audited(db, world, ready):
    recorded(db, world, ready)
    assert status_of(db, ready.decision) == "decided"
    rows = {r["person_id"]: r for r in db.query(
        "SELECT person_id, present, left_at, returned_at, left_stage FROM outcome_attendance")}
    assert (rows[world.gp1]["left_at"], rows[world.gp1]["returned_at"],
            rows[world.gp1]["left_stage"]) == ("10:40", "11:05", "discussion")
    assert (rows[world.gp2]["left_at"], rows[world.gp2]["left_stage"]) == ("10:52", "vote")
    assert rows[world.lay]["left_at"] is None and rows[world.lay]["present"] == 1
    refused = list(db.query("SELECT for_person_id, offered_to_person_id, reason"
                            " FROM outcome_refused_proxies"))
    assert refused == [{"for_person_id": world.gp1, "offered_to_person_id": world.lay,
                        "reason": CONFLICTED_PROXY}]
    event = [e for e in audit.history(db, "outcome", ready.decision)
             if e["action"] == "create"][-1]
    after = {key: new for key, (_old, new) in event["changes"].items()}
    assert after["proxies_refused"] == [{"for_person_id": world.gp1,
                                         "offered_to_person_id": world.lay,
                                         "reason": CONFLICTED_PROXY}]
    left = {a["person_id"]: a["left_at"] for a in after["attendance"]}
    assert left[world.gp1] == "10:40" and left[world.gp2] == "10:52"


def test_the_audit_trail_vouches_for_the_outcome(db, world, ready):
    """Who was in the room, who left and when, and how each voted: a change made to any of it
    outside the app is named, as a change to the decision itself would be."""
    def about_the_outcome() -> list[str]:
        # (The tests' people and interests are put in the database directly.)
        return [p for p in audit.content_problems(db) if "outcome" in p]

    recorded(db, world, ready)
    assert about_the_outcome() == []
    # Dr Patel's departure before the discussion wiped from the record by hand.
    db.execute("UPDATE outcome_attendance SET left_at = NULL, returned_at = NULL,"
               " left_stage = NULL WHERE person_id = ?", [world.gp1])
    assert about_the_outcome() == [
        f"the outcome of {ready.ref} does not match its last audit event: it was changed"
        " outside the app"]
    db.execute("UPDATE outcome_attendance SET left_at = '10:40', returned_at = '11:05',"
               " left_stage = 'discussion' WHERE person_id = ?", [world.gp1])
    assert about_the_outcome() == []
    db.execute("DELETE FROM outcome_refused_proxies")
    assert len(about_the_outcome()) == 1
    db.execute("DELETE FROM outcome_attendance")
    db.execute("DELETE FROM decision_outcomes")
    assert about_the_outcome() == [
        f"the outcome of {ready.ref} is in the audit trail but missing from the database: it"
        " was deleted outside the app"]


def test_the_record_and_its_json_carry_both(db, world, ready):
    recorded(db, world, ready)
    rec = record_model.load_record(db, ready.decision)
    assert [a.name for a in rec.outcome.departures] == ["Dr Asha Patel", "Dr Niamh O'Connor"]
    patel = rec.outcome.departures[0]
    assert patel.departure.words == "Left at 10:40, before the discussion; came back at 11:05"
    assert patel.ruling_carried_out == \
        "Carried out: left the room at 10:40, before the discussion"
    document = serialise.decision_document(db, ready.decision)
    assert document["schema_version"] == 1
    assert document["outcome"]["departures"] == [
        {"person": "Dr Asha Patel", "email": "dr.asha.patel@example.nhs.uk", "left_at": "10:40",
         "returned_at": "11:05", "stage": "discussion",
         "ruling_carried_out": "Carried out: left the room at 10:40, before the discussion"},
        {"person": "Dr Niamh O'Connor", "email": "dr.niamh.o.connor@example.nhs.uk",
         "left_at": "10:52", "returned_at": None, "stage": "vote",
         "ruling_carried_out": "Partly carried out: left the room at 10:52, only before the "
                               "vote, so was in the room for the discussion"}]
    assert document["outcome"]["proxies_refused"] == [{
        "for_person": {"name": "Dr Asha Patel", "email": "dr.asha.patel@example.nhs.uk"},
        "offered_to": {"name": "Kwame Mensah", "email": "kwame.mensah@example.nhs.uk"},
        "reason": CONFLICTED_PROXY}]


def test_the_decision_page_and_the_outcome_page_show_both(db, world, ready):
    recorded(db, world, ready)
    for url in (f"/decisions/{ready.ref}", f"/reviews/{ready.ref}/outcome"):
        words = text(ready.secretary.get(url))
        assert "Left at 10:40, before the discussion; came back at 11:05" in words, url
        assert "Carried out: left the room at 10:40, before the discussion" in words, url
        assert "Proxy votes the chair refused" in words, url
        assert CONFLICTED_PROXY in words, url


def test_the_review_page_shows_both(db, world, ready, as_role):
    recorded(db, world, ready)
    words = text(as_role("governance", username="lead2").get(f"/reviews/{ready.ref}"))
    assert "Left at 10:40, before the discussion; came back at 11:05" in words
    assert CONFLICTED_PROXY in words


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def test_the_decision_pdf_and_the_board_pack_show_both(db, world, ready, as_role):
    recorded(db, world, ready)
    auditor = as_role("auditor")
    record_pdf = auditor.get(f"/decisions/{ready.ref}/record.pdf")
    assert record_pdf.status_code == 200
    words = pdf_text(record_pdf.data)
    assert "Left at 10:40, before the discussion; came back at 11:05" in words
    assert "Carried out: left the room at 10:40, before the discussion" in words
    assert "Proxy votes the chair refused" in words
    assert "Kwame Mensah" in words and "a conflicted member may not hand their vote" in words
    name = db.execute("SELECT name FROM committees WHERE id = ?",
                      [world.committee]).fetchone()[0]
    pack = loaders.audit_pack(db, loaders.committee_by_name(db, name), dt.date(2026, 1, 1),
                              dt.date(2026, 12, 31), organisation="Northvale",
                              prepared_by="Ann Secretary", purpose="Assurance",
                              recommendation="Note the pack", marking="OFFICIAL")
    pack_words = pdf_text(builders.build_audit_pack(pack, builders.PrintOptions(
        marking="OFFICIAL", invariant=True, author="Ann Secretary")))
    assert ready.ref in pack_words
    assert "Left at 10:40, before the discussion; came back at 11:05" in pack_words
    assert "Proxy votes the chair refused" in pack_words
    assert "Partly carried out: left the room at 10:52, only before the vote" in pack_words


# ---- the demo ----------------------------------------------------------------------------------

def test_the_demo_shows_a_conflicted_member_leaving_and_a_refused_proxy(tmp_path):
    from register.db import connect, migrate
    from register.demo import load_demo

    handle = connect(str(tmp_path / "demo.sqlite3"))
    migrate(handle)
    load_demo(handle, today=dt.date(2026, 3, 15))
    decision_id = handle.execute("SELECT id FROM decisions WHERE title LIKE 'Ear wax removal%'"
                                 ).fetchone()[0]
    outcome = serialise.decision_document(handle, decision_id)["outcome"]
    assert outcome["departures"] == [{
        "person": "Dr Niamh O'Connor", "email": outcome["departures"][0]["email"],
        "left_at": "14:20", "returned_at": "14:45", "stage": "discussion",
        "ruling_carried_out": "Carried out: left the room at 14:20, before the discussion"}]
    assert [(p["for_person"]["name"], p["offered_to"]["name"], p["reason"])
            for p in outcome["proxies_refused"]] == [(
                "Dr Niamh O'Connor", "Rajesh Kapoor",
                "Dr Niamh O'Connor is conflicted on this decision, and a conflicted member may "
                "not hand their vote to anyone")]
    assert audit.verify(handle).ok and audit.content_problems(handle) == []
    handle.close()


def test_the_register_csv_says_when_a_ruled_out_person_left_and_the_refused_proxy(db, world,
                                                                                   ready):
    recorded(db, world, ready)
    csv_text = serialise.register_csv(db, [ready.decision])
    assert ("Dr Asha Patel: Must leave the meeting for the item (left at 10:40, before the "
            "discussion; came back at 11:05)") in csv_text
    assert "Proxy vote refused: Dr Asha Patel's vote offered to Kwame Mensah" in csv_text
