"""Declaration campaigns: opened by a governance lead for a scope and deadline, answered only by a
confirmation or nil return (not a new declaration), reminded through a real SMTP server, closed
with its non-declarers, published where chosen."""
from __future__ import annotations

import datetime as dt

import pytest

from register import timeutil
from register.rules import campaigns as rules

from .conftest import add_committee, add_interest, add_member, add_person, count
from .reading import words as text
from .test_mail import inbox, mailing  # noqa: F401

TODAY = dt.date(2026, 12, 7)  # a Monday


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr(timeutil, "today_uk", lambda: TODAY)
    return TODAY


def deadline(days: int) -> dict[str, str]:
    day = TODAY + dt.timedelta(days=days)
    return {"deadline-day": str(day.day), "deadline-month": str(day.month),
            "deadline-year": str(day.year)}


@pytest.fixture
def people(db):
    committee = add_committee(db, "Primary Care Committee")
    ada = add_person(db, "Ada Lovelace", email="ada@example.nhs.uk", is_decision_maker=1)
    bob = add_person(db, "Bob Hughes", email="bob@example.nhs.uk", is_decision_maker=1)
    cat = add_person(db, "Cat Jones", email="cat@example.nhs.uk", is_decision_maker=1)
    add_member(db, committee, ada)
    add_member(db, committee, bob)
    return {"committee": committee, "ada": ada, "bob": bob, "cat": cat}


def open_campaign(client, **over):
    data = {"title": "Annual declarations 2027", "kind": "annual", "reminder_every_days": "7",
            "publish_non_declarers": "y", **deadline(28), **over}
    return client.post("/campaigns/new", data=data)


def test_rules_for_answers_reminders_and_deadlines():
    opened = dt.date(2026, 12, 7)
    assert rules.answered(opened, opened) and not rules.answered(opened - dt.timedelta(1), opened)
    assert rules.reminder_due(opened, opened, opened + dt.timedelta(28), 7) == "opened"
    assert rules.reminder_due(opened + dt.timedelta(14), opened, opened + dt.timedelta(28),
                              7) == "reminder"
    assert rules.reminder_due(opened + dt.timedelta(15), opened, opened + dt.timedelta(28),
                              7) is None
    assert rules.reminder_due(opened + dt.timedelta(27), opened, opened + dt.timedelta(27),
                              7) == "deadline"
    assert rules.deadline_problem(opened, opened) == "The deadline must be after today"


def test_a_campaign_for_a_committee_is_answered_by_a_confirmation_not_a_declaration(
        app, db, as_role, people, today, runner, mailing, inbox):  # noqa: F811
    lead = as_role("governance")
    response = open_campaign(lead, committees=str(people["committee"]))
    assert response.status_code == 302, text(response)[:600]
    url = response.headers["Location"]
    assert "0 of 2 have answered" in text(lead.get(url))

    # The invitation goes on the opening day to both members; Cat, not in scope, hears only
    # that her annual declaration is due.
    runner.invoke(args=["send-reminders"])
    subjects = {m["To"]: m["Subject"] for m in inbox.messages}
    invitation = "Confirm your declarations of interests by 4 January 2027"
    assert subjects["ada@example.nhs.uk"] == subjects["bob@example.nhs.uk"] == invitation
    assert subjects["cat@example.nhs.uk"] == "Your annual declaration of interests is due"

    # Bob declares a new interest: that alone does not answer the campaign.
    add_interest(db, people["bob"], declared_on=TODAY.isoformat())
    db["declaration_returns"].insert({"person_id": people["ada"], "kind": "complete",
                                      "returned_on": TODAY.isoformat(),
                                      "created_at": "2026-12-07T10:00:00+00:00"})
    page = text(lead.get(url))
    assert "1 of 2 have answered" in page and "Confirmed 7 December 2026" in page

    lead.post(url)
    closed = text(lead.get(url))
    assert "Did not declare" in closed
    public = text(app.test_client().get("/public/non-declarers"))
    assert "Bob Hughes" in public and "Ada Lovelace" not in public


@pytest.mark.parametrize("over, message", [
    (deadline(-1), "The deadline must be after today"),
    ({"reminder_every_days": "0"}, "Enter how often reminders go as a whole number of days"),
    ({"title": ""}, "Enter a title"),
    ({"committees": "9999"}, "Choose committees from the list"),
])
def test_bad_campaigns_are_refused_and_kept(db, as_role, people, today, over, message):
    response = open_campaign(as_role("governance"), **over)
    assert response.status_code == 200 and message in text(response)
    assert count(db, "campaigns") == 0


def test_only_governance_leads_run_campaigns(as_role, people, today):
    assert as_role("secretary").get("/campaigns/").status_code == 403
    assert open_campaign(as_role("member")).status_code == 403


def test_confirming_says_which_campaign_it_answers(db, as_role, people, today):
    lead = as_role("governance")
    open_campaign(lead, committees=str(people["committee"]), title="<b>Annual</b> 2027")
    bob = as_role("member", person_id=people["bob"])
    response = bob.get(f"/interests/person/{people['bob']}")
    page = response.get_data(as_text=True)
    assert "asked to confirm your declarations by 4 January 2027" in text(response)
    assert "&lt;b&gt;Annual&lt;/b&gt; 2027" in page and "<b>Annual</b>" not in page

    confirmed = bob.post(f"/interests/person/{people['bob']}/confirm", follow_redirects=True)
    assert ("Thank you: your declarations are confirmed as complete. This answers"
            " <b>Annual</b> 2027." in text(confirmed))
    assert "<b>Annual</b>" not in confirmed.get_data(as_text=True)
    assert "asked to confirm" not in text(confirmed)
    # Confirming again the same day answers nothing new and says so.
    again = text(bob.post(f"/interests/person/{people['bob']}/confirm", follow_redirects=True))
    assert "Already recorded today: nothing more to do." in again and "This answers" not in again


def test_the_audit_trail_vouches_for_each_return_and_campaign(db, as_role, people, today,
                                                              runner):
    """Who is published as not having declared rests on the campaign's people and the returns:
    a change made to either outside the app is named by `verify-audit`."""
    from register import audit

    # The fixture put the committee's members in directly: vouch for them as the app would.
    for (member_id,) in db.execute("SELECT id FROM committee_members").fetchall():
        audit.record(db, actor="secretary", action="create", entity="committee_member",
                     entity_id=member_id, after={})
    lead = as_role("governance")
    open_campaign(lead, committees=str(people["committee"]))
    bob = as_role("member", person_id=people["bob"])
    bob.post(f"/interests/person/{people['bob']}/confirm")
    assert audit.content_problems(db) == []
    assert runner.invoke(args=["anchor-audit"]).exit_code == 0  # as the nightly run would
    first = runner.invoke(args=["verify-audit"])
    assert first.exit_code == 0, first.output

    # A return moved to another day, one added by hand, a person taken out of the campaign.
    db.execute("UPDATE declaration_returns SET returned_on = '2026-12-01'")
    db["declaration_returns"].insert({"person_id": people["ada"], "kind": "nil",
                                      "returned_on": TODAY.isoformat(),
                                      "created_at": "2026-12-07T10:00:00+00:00"})
    db.execute("DELETE FROM campaign_people WHERE person_id = ?", [people["bob"]])
    problems = audit.content_problems(db)
    assert sorted(problems) == sorted([
        "declaration return 1 (Bob Hughes, 2026-12-01) does not match its last audit event: it"
        " was changed outside the app",
        "nil return 2 (Ada Lovelace, 2026-12-07) has no audit event: it was added outside the app",
        "campaign 1 (Annual declarations 2027) does not match its last audit event: it was"
        " changed outside the app",
    ])
    checked = runner.invoke(args=["verify-audit"])
    assert checked.exit_code != 0 and "nil return 2 (Ada Lovelace" in checked.output
