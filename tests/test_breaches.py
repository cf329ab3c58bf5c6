"""The breaches register: recorded by a governance lead, investigated, closed with lessons and an
anonymised summary that is published; the breaches the register finds itself arrive here too."""
from __future__ import annotations

import datetime as dt

import pytest

from register.timeutil import today_uk

from .conftest import add_committee, add_decision, add_person, count
from .reading import words as text


def found(days_ago: int = 2) -> dict[str, str]:
    day = today_uk() - dt.timedelta(days=days_ago)
    return {"found_on-day": str(day.day), "found_on-month": str(day.month),
            "found_on-year": str(day.year)}


@pytest.fixture
def case(db):
    committee = add_committee(db)
    decision = add_decision(db, committee, reference="MOB-2026-0042")
    person = add_person(db, name="Dr Sam Whitfield", email="sam@example.nhs.uk")
    return {"decision": decision, "person": person}


def record(client, case, **over):
    data = {"kind": "undeclared_interest", "person_id": str(case["person"]),
            "reference": "mob-2026-0042",
            "detail": "Dr Whitfield's share in the provider came to light after the vote.",
            **found(), **over}
    return client.post("/breaches/new", data=data)


def test_a_breach_is_recorded_investigated_closed_and_published_without_names(as_role, db, app,
                                                                            case):
    lead = as_role("governance")
    response = record(lead, case)
    assert response.status_code == 302, text(response)[:800]
    breach = dict(next(db.query("SELECT * FROM breaches")))
    assert breach["decision_id"] == case["decision"] and breach["person_id"] == case["person"]
    assert "Open" in text(lead.get("/breaches/"))
    url = response.headers["Location"]

    closing = {"investigation": "The governance lead spoke to the member and the chair.",
               "outcome": "The decision was reviewed again without the member.",
               "lessons": "Ask for declarations at the start of every item.",
               "public_summary": "Dr Whitfield did not declare a shareholding.",
               "close": "y", "version": str(breach["version"])}
    named = lead.post(url, data=closing)
    assert named.status_code == 200
    assert "The summary to publish names Dr Sam Whitfield" in text(named)
    assert "Ask for declarations at the start of every item." in named.get_data(as_text=True)
    assert db.execute("SELECT closed_on FROM breaches").fetchone()[0] is None

    missing = lead.post(url, data={**closing, "lessons": "",
                                   "public_summary": "A member did not declare a shareholding."})
    assert "Enter the lessons learned before closing the breach" in text(missing)

    closed = lead.post(url, data={**closing,
                                  "public_summary": "A member did not declare a shareholding "
                                                    "in a provider before the vote."})
    assert closed.status_code == 302
    assert db.execute("SELECT closed_on FROM breaches").fetchone()[0] == today_uk().isoformat()
    public = text(app.test_client().get("/public/breaches"))
    assert "A member did not declare a shareholding" in public
    assert "Whitfield" not in public and "MOB-2026-0042" not in public
    assert "Ask for declarations at the start of every item." in public
    assert count(db, "audit_events") >= 2


@pytest.mark.parametrize("over, message", [
    ({"reference": "MOB-2026-9999"}, "No decision has the reference MOB-2026-9999"),
    (found(-3), "The date the breach was found must be today or in the past"),
    ({"detail": ""}, "Describe what happened"),
    ({"kind": "nonsense"}, "Choose the kind of breach"),
])
def test_bad_input_is_refused_and_kept(as_role, db, case, over, message):
    lead = as_role("governance")
    response = record(lead, case, **over)
    assert response.status_code == 200 and message in text(response)
    assert count(db, "breaches") == 0


def test_who_may_read_and_who_may_record(as_role, case):
    assert as_role("auditor").get("/breaches/").status_code == 200
    assert as_role("secretary").get("/breaches/").status_code == 403
    assert as_role("member").get("/breaches/").status_code == 403
    assert record(as_role("admin"), case).status_code == 403
