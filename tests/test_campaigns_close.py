"""Declaration campaigns close: by themselves the day after the deadline (read as closed at once,
recorded and announced by the scheduled run through a real SMTP server), or early by a governance
lead (final); the deadline moves only later and only while open; a late answer is recorded as
late and leaves the published list of non-declarers."""
from __future__ import annotations

import datetime as dt

import pytest

from register import timeutil
from register.rules import campaigns as rules

from .conftest import add_person, add_user, data_version, sign_in
from .test_campaigns import TODAY, open_campaign, people, text  # noqa: F401
from .test_mail import inbox, mailing  # noqa: F401

DEADLINE = TODAY + dt.timedelta(days=28)  # 4 January 2027


@pytest.fixture
def clock(monkeypatch):
    """Today's UK date, movable: `clock.day = ...`."""

    class Clock:
        day = TODAY

    monkeypatch.setattr(timeutil, "today_uk", lambda: Clock.day)
    # The declarations pages took their own reference to it when imported.
    from register.interests import queries as interest_queries
    from register.interests import views as interest_views

    monkeypatch.setattr(interest_queries, "today_uk", lambda: Clock.day)
    monkeypatch.setattr(interest_views, "today_uk", lambda: Clock.day)
    return Clock


@pytest.mark.parametrize("closed_early, today, expected", [
    (None, DEADLINE, None),                                   # the deadline day is still open
    (None, DEADLINE + dt.timedelta(1), DEADLINE),             # closed the day after, as of it
    (TODAY + dt.timedelta(3), TODAY + dt.timedelta(5), TODAY + dt.timedelta(3)),  # early
    (TODAY + dt.timedelta(3), DEADLINE + dt.timedelta(9), TODAY + dt.timedelta(3)),
])
def test_a_campaign_is_closed_early_or_from_the_day_after_its_deadline(closed_early, today,
                                                                       expected):
    assert rules.closed_on(closed_early, DEADLINE, today) == expected


@pytest.mark.parametrize("answered_on, closed, expected", [
    (None, None, "waiting"),
    (None, DEADLINE, "did_not_declare"),
    (DEADLINE, DEADLINE, "answered"),
    (DEADLINE + dt.timedelta(1), DEADLINE, "late"),
    (DEADLINE + dt.timedelta(1), None, "answered"),
])
def test_how_a_person_stands_in_a_campaign(answered_on, closed, expected):
    assert rules.answer(answered_on, closed) == expected


@pytest.mark.parametrize("new, closed, today, message", [
    (DEADLINE + dt.timedelta(7), None, TODAY, None),
    (DEADLINE + dt.timedelta(7), DEADLINE, DEADLINE + dt.timedelta(1),
     "This campaign has closed, so its deadline can no longer be extended"),
    (None, None, TODAY, "Enter the new deadline"),
    (DEADLINE, None, TODAY, "The new deadline must be after the current one, 4 January 2027"),
    (DEADLINE - dt.timedelta(7), None, TODAY,
     "The new deadline must be after the current one, 4 January 2027"),
    (TODAY + dt.timedelta(200), None, TODAY, "The deadline must be within 120 days of today"),
])
def test_only_an_open_campaigns_deadline_moves_and_only_later(new, closed, today, message):
    assert rules.extension_problem(new, DEADLINE, closed, today) == message


def returned(db, person_id: int, day: dt.date) -> None:
    db["declaration_returns"].insert({"person_id": person_id, "kind": "complete",
                                      "returned_on": day.isoformat(),
                                      "created_at": f"{day.isoformat()}T10:00:00+00:00"})


def audit_actions(db, entity: str = "campaign") -> list[str]:
    return [r[0] for r in db.execute("SELECT action FROM audit_events WHERE entity = ?"
                                     " ORDER BY seq", [entity])]


def test_the_deadline_passing_closes_the_campaign_on_every_page_and_the_scheduled_run_tells_the_lead(  # noqa: E501
        app, db, as_role, people, clock, runner, mailing, inbox):  # noqa: F811
    lead = as_role("governance")
    member = as_role("member", person_id=people["bob"])
    url = open_campaign(lead, committees=str(people["committee"])).headers["Location"]
    returned(db, people["ada"], TODAY + dt.timedelta(2))
    assert "Still to answer Annual declarations 2027" in text(lead.get("/"))
    home = text(member.get("/"))
    assert "Campaign to answer: Annual declarations 2027 Confirm your declarations by" in home
    # The annual return falls later: what the member must answer first is the campaign.
    assert "Next return Due by 4 January 2027, for Annual declarations 2027" in home
    own = text(member.get(f"/interests/person/{people['bob']}"))
    assert ("You are asked to confirm your declarations by 4 January 2027"
            " (Annual declarations 2027)") in own
    assert ("Bob Hughes is asked to confirm their declarations by 4 January 2027"
            in text(lead.get(f"/interests/person/{people['bob']}")))
    # Ada answered after the campaign opened: nothing is asked of her.
    assert "asked to confirm" not in text(lead.get(f"/interests/person/{people['ada']}"))

    # The day after the deadline, before any scheduled run: closed everywhere, nothing written.
    clock.day = DEADLINE + dt.timedelta(days=1)
    before = data_version(db)
    show = text(lead.get(url))
    assert "Closed 4 January 2027" in show and "Close the campaign now" not in show
    assert show.count("Did not declare") == 1 and "1 of 2 have answered" in show
    assert "Closed 4 January 2027" in text(lead.get("/campaigns/"))
    assert "Annual declarations 2027" not in text(lead.get("/"))
    assert "Annual declarations 2027" not in text(member.get("/"))
    assert "asked to confirm" not in text(member.get(f"/interests/person/{people['bob']}"))
    public = text(app.test_client().get("/public/non-declarers"))
    assert "Bob Hughes" in public and "Ada Lovelace" not in public
    assert data_version(db) == before

    # The dry run prints the close message, with the address, and writes nothing.
    dry = runner.invoke(args=["send-reminders", "--dry-run"])
    assert ("campaign closed: Governance Person <governance@example.nhs.uk>: Annual "
            "declarations 2027 has closed: 1 of 2 did not declare") in dry.output, dry.output
    assert data_version(db) == before

    # The run records the close (audited) and the lead receives one message by count, with a link.
    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    to_lead = [m for m in inbox.messages if m["To"] == "governance@example.nhs.uk"
               and "has closed" in m["Subject"]]
    assert [m["Subject"] for m in to_lead] == [
        "Annual declarations 2027 has closed: 1 of 2 did not declare"]
    body = to_lead[0].get_body(("plain",)).get_content()
    assert "reached its deadline on 4 January 2027" in body
    assert "1 of 2 people asked confirmed" in body
    assert "https://register.northvale.example.nhs.uk" + url.split("localhost")[-1] in body
    assert "Bob Hughes" not in body  # names stay in the register
    assert db.execute("SELECT closed_on FROM campaigns").fetchone()[0] == "2027-01-04"
    assert audit_actions(db) == ["create", "close"]
    # Campaign members now hear about their annual return again, not about the campaign.
    assert not [m for m in inbox.messages if "confirm your declarations" in m["Subject"]]

    # The next day nothing more is sent about it.
    clock.day = DEADLINE + dt.timedelta(days=2)
    sent = len(inbox.messages)
    runner.invoke(args=["send-reminders"])
    assert not [m for m in inbox.messages[sent:] if "has closed" in m["Subject"]]


def test_a_lead_closes_early_for_good_and_a_late_answer_leaves_the_published_list(
        app, db, as_role, people, clock, runner, mailing, inbox):  # noqa: F811
    lead = as_role("governance")
    url = open_campaign(lead, committees=str(people["committee"])).headers["Location"]
    campaign_id = int(url.rsplit("/", 1)[-1])
    returned(db, people["ada"], TODAY)
    clock.day = TODAY + dt.timedelta(days=10)

    response = lead.post(url)
    assert response.status_code == 302
    assert "Closing is final" in text(lead.get(url))
    assert "Closed 17 December 2026, before its deadline" in text(lead.get(url))
    # Closing is final: a second close changes nothing; nor can the deadline move.
    lead.post(url)
    refused = lead.post(f"{url}/extend", data={"new_deadline-day": "20",
                                               "new_deadline-month": "1",
                                               "new_deadline-year": "2027"})
    assert refused.status_code == 200
    assert "This campaign has closed, so its deadline can no longer be extended" in text(refused)
    assert audit_actions(db) == ["create", "close"]

    # The close message was queued with the close; the run delivers it once, through the server.
    runner.invoke(args=["send-reminders"])
    closes = [m for m in inbox.messages if "has closed" in m["Subject"]]
    assert [(m["To"], m["Subject"]) for m in closes] == [
        ("governance@example.nhs.uk", "Annual declarations 2027 has closed: 1 of 2 did not declare")]
    assert "closed early on 17 December 2026" in closes[0].get_body(("plain",)).get_content()
    assert f"/campaigns/{campaign_id}" in closes[0].get_body(("html",)).get_content()

    # Bob confirms after the close, through the register: recorded as late, and no longer listed.
    clock.day = TODAY + dt.timedelta(days=12)
    add_user(db, role="member", username="bob", person_id=people["bob"])
    bob = app.test_client()
    sign_in(bob, "bob")
    confirmed = bob.post(f"/interests/person/{people['bob']}/confirm", follow_redirects=True)
    assert ("Recorded as late for Annual declarations 2027, which closed on 17 December 2026."
            in text(confirmed))
    assert audit_actions(db) == ["create", "close", "answer_late"]
    show = text(lead.get(url))
    assert "Late Confirmed 19 December 2026, after the close" in show
    assert "2 of 2 have answered (1 late)" in show
    public = text(app.test_client().get("/public/non-declarers"))
    assert "Annual declarations 2027" in public and "Bob Hughes" not in public
    assert "1 declared after the close and is no longer listed" in public


def test_the_deadline_is_extended_while_open_and_audited(db, as_role, people, clock):  # noqa: F811
    lead = as_role("governance")
    url = open_campaign(lead).headers["Location"]
    bad = lead.post(f"{url}/extend", data={"new_deadline-day": "1", "new_deadline-month": "12",
                                           "new_deadline-year": "2026"})
    page = text(bad)
    assert bad.status_code == 200 and "<title>Error: " in bad.get_data(as_text=True)
    assert "The new deadline must be after the current one, 4 January 2027" in page
    assert 'value="2026"' in bad.get_data(as_text=True)  # what they typed is kept
    good = lead.post(f"{url}/extend", data={"new_deadline-day": "18", "new_deadline-month": "1",
                                            "new_deadline-year": "2027"})
    assert good.status_code == 302
    assert "deadline 18 January 2027" in text(lead.get(url))
    assert db.execute("SELECT deadline FROM campaigns").fetchone()[0] == "2027-01-18"
    assert audit_actions(db) == ["create", "extend"]
    # Past the old deadline, the campaign is still open until the new one has passed.
    clock.day = DEADLINE + dt.timedelta(days=1)
    assert "Close the campaign now" in text(lead.get(url))


def test_a_closed_campaign_with_no_lead_to_tell_still_reads_closed(db, as_role, people, clock,  # noqa: F811, E501
                                                                   runner):
    lead_person = add_person(db, name="No Email Lead")
    db.execute("UPDATE people SET email = '' WHERE id = ?", [lead_person])
    lead = as_role("governance", username="quiet", person_id=lead_person)
    url = open_campaign(lead).headers["Location"]
    clock.day = DEADLINE + dt.timedelta(days=1)
    dry = runner.invoke(args=["send-reminders", "--dry-run"])
    assert "campaign closed" not in dry.output
    assert "Did not declare" in text(lead.get(url))


@pytest.mark.parametrize("kind, expected", [
    ("annual", dt.date(2027, 12, 7)), ("six_monthly", dt.date(2027, 6, 7))])
def test_a_confirmation_answers_a_campaign_for_one_period_after_it_opened(kind, expected):
    assert rules.answers_until(TODAY, kind) == expected


def test_next_years_confirmation_does_not_take_a_non_declarer_off_last_years_list(
        db, as_role, people, clock):  # noqa: F811
    from register.campaigns import queries

    lead = as_role("governance")
    url = open_campaign(lead, committees=str(people["committee"]),
                        kind="six_monthly").headers["Location"]
    returned(db, people["bob"], dt.date(2027, 6, 7))  # six months on: the next round's
    returned(db, people["ada"], dt.date(2027, 6, 6))  # late, on the last day it still counts
    clock.day = dt.date(2027, 6, 8)
    campaign = queries.get_campaign(db, int(url.rsplit("/", 1)[-1]), clock.day)
    assert {p["name"]: p["answer"] for p in queries.progress(db, campaign)} == {
        "Ada Lovelace": "late", "Bob Hughes": "did_not_declare"}
