# ruff: noqa: F811 (the world fixture is imported from the decision form tests)
"""Recording a decision through the task list: the first step, the list's sections and their
statuses for each route, each section's page (saving and returning, or refusing bad input and
keeping it), and submitting from the list."""
from __future__ import annotations

import re

import pytest

from register.db import connect
from register.decisions.queries import committee_members

from .conftest import PASSWORD, add_committee, add_member, add_person, add_user
from .test_decisions_views import decision_row, start, text, world  # noqa: F401

pytestmark = pytest.mark.usefixtures("app")

WEIGHTS = {"weight_quality_innovation": "30", "applied_quality_innovation": "Clinical audit",
           "weight_value": "30", "applied_value": "Price per test",
           "weight_integration_collaboration_sustainability": "20",
           "applied_integration_collaboration_sustainability": "Shared records",
           "weight_access_inequalities_choice": "10",
           "applied_access_inequalities_choice": "Every practice offers it",
           "weight_social_value": "10", "applied_social_value": "Local employment"}


def members(db, world, present=True):
    """The committee's member rows as the people section posts them."""
    data = {}
    for index, member in enumerate(committee_members(db, world.committee)):
        data[f"members-{index}-person_id"] = str(member["person_id"])
        if present:
            data[f"members-{index}-present"] = "y"
        data[f"members-{index}-role"] = "voting" if member["voting"] else "attendee"
    return data


def good(db, world, section):
    """What a person types on each section's page to complete it (direct award C)."""
    return {
        "service": {"title": "Community anticoagulation service",
                    "description": "Anticoagulation monitoring in general practice",
                    "choice": "make", "contract_kind": "new"},
        "route": {"meeting_date-day": "10", "meeting_date-month": "3",
                  "meeting_date-year": "2026", "regime_process": "psr:direct_award_c"},
        "contract": {"total_value": "250,000.00", "annual_value": "125000",
                     "contract_start-day": "1", "contract_start-month": "4",
                     "contract_start-year": "2026", "contract_end-day": "31",
                     "contract_end-month": "3", "contract_end-year": "2028",
                     "clinical_lead_id": str(world.gp),
                     "contract_manager_id": str(world.executive)},
        "people": {"decision_process": "Decided by a vote of the members present",
                   **members(db, world)},
        "providers": {"providers-0": "Y90002", "awarded_provider": "Y90002"},
        "options": {"options-0-description": "Member practices provide it",
                    "options-0-outcome": "chosen", "options-0-reason": "Closer to patients",
                    "options-1-description": "The hospital trust provides it",
                    "options-1-outcome": "rejected",
                    "options-1-reason": "Patients would travel further"},
        "route_reasons": {"route_reasons": "The practice is meeting the contract"},
        "key_criteria": dict(WEIGHTS),
        "selection_criteria": {"selection_criteria": "Accounts and CQC rating checked"},
        "exclusions": {"exclusions": "Declaration against the grounds checked"},
        "justification": {"justification": "Care closer to home", "comments": "None"},
    }[section]


def post_section(client, db, reference, section, data):
    version = decision_row(db, reference)["version"]
    return client.post(f"/decisions/{reference}/sections/{section}",
                       data={"version": str(version), **data})


def task_statuses(client, reference) -> dict[str, str]:
    """Each task on the list and its status, as a reader sees them."""
    page = client.get(f"/decisions/{reference}/check").get_data(as_text=True)
    return {key: re.sub(r"<[^>]+>", "", status).strip() for key, status in re.findall(
        r'id="task-([a-z_]+)-status">(.*?)</div>', page, re.S)}


# ---- the first step ------------------------------------------------------------------------------

def test_the_first_step_asks_for_the_choice_and_route_and_opens_the_task_list(as_role, db,
                                                                               world):
    client = as_role("secretary")
    page = text(client.get("/decisions/new"))
    assert "Make or buy" in page and "Procurement regime and process" in page
    response = client.post("/decisions/new", data={
        "title": "Community ophthalmology", "committee_id": str(world.committee),
        "meeting_date-day": "10", "meeting_date-month": "3", "meeting_date-year": "2026",
        "choice": "buy", "regime_process": "psr:urgent_award"})
    assert response.headers["Location"].endswith("/decisions/MOB-2026-0001/check")
    row = decision_row(db, "MOB-2026-0001")
    assert (row["choice"], row["regime"], row["process"]) == ("buy", "psr", "urgent_award")
    page = text(client.get(response.headers["Location"]))
    assert "Complete each section below" in page
    assert "Urgent award: the sections below are the ones this route records" in page
    # The draft's own page leads back to its task list.
    shown = client.get("/decisions/MOB-2026-0001").get_data(as_text=True)
    assert 'href="/decisions/MOB-2026-0001/check">Continue recording' in shown


@pytest.mark.parametrize(("over", "message"), [
    ({"choice": ""}, "Select make, buy or mixed"),
    ({"regime_process": ""}, "Select the procurement regime and process"),
    ({"regime_process": "pcr2013:single_tender"},
     "The 2013 procurement regulations apply only to decisions before 1 January 2024"),
])
def test_the_first_step_refuses_a_missing_choice_or_route_and_keeps_what_was_typed(
        as_role, db, world, over, message):
    client = as_role("secretary")
    response = client.post("/decisions/new", data={
        "title": "Typed <title>", "committee_id": str(world.committee),
        "meeting_date-day": "10", "meeting_date-month": "3", "meeting_date-year": "2026",
        "choice": "make", "regime_process": "psr:direct_award_c", **over})
    assert response.status_code == 200
    assert text(response).count(message) >= 2
    assert 'value="Typed &lt;title&gt;"' in response.get_data(as_text=True)
    assert db.execute("SELECT count(*) FROM decisions").fetchone()[0] == 0


# ---- the task list for each route ----------------------------------------------------------------

@pytest.mark.parametrize(("route", "route_tasks"), [
    ("psr:direct_award_a", {"route_reasons": "Not started", "exclusions": "Not started"}),
    ("psr:urgent_award", {"route_reasons": "Not started"}),
    ("psr:competitive_process", {"route_reasons": "Not started", "key_criteria": "Not started",
                                 "selection_criteria": "Not started",
                                 "exclusions": "Not started",
                                 "assessments": "Cannot start yet"}),
    ("pcr2013:single_tender", {"route_reasons": "Not started"}),
])
def test_a_new_draft_lists_only_the_sections_its_route_needs(as_role, db, world, route,
                                                            route_tasks):
    client = as_role("secretary")
    day = ("10", "3", "2023") if route.startswith("pcr2013") else ("10", "3", "2026")
    reference = start(client, world, route=route, day=day)
    assert task_statuses(client, reference) == {
        "service": "Incomplete", "route": "Completed", "contract": "Not started",
        "people": "Incomplete", "providers": "Not started", "options": "Not started",
        **route_tasks, "justification": "Not started"}
    page = text(client.get(f"/decisions/{reference}/check"))
    assert "Enter a description of the service" in page  # the hint of an incomplete section
    assert "The decision cannot be submitted yet" in page and "Submit decision" not in page


def test_completing_each_section_through_its_page_lets_the_decision_be_submitted(as_role, db,
                                                                                 world):
    client = as_role("secretary")
    reference = start(client, world)
    sections = ["service", "contract", "people", "providers", "options", "route_reasons",
                "key_criteria", "selection_criteria", "exclusions", "justification"]
    for section in sections:
        assert client.get(f"/decisions/{reference}/sections/{section}").status_code == 200
        response = post_section(client, db, reference, section, good(db, world, section))
        assert response.status_code == 302, (section, text(response)[:1500])
        assert response.headers["Location"].endswith(f"/decisions/{reference}/check")
        assert task_statuses(client, reference)[section] == "Completed", section
    assert set(task_statuses(client, reference).values()) == {"Completed"}
    page = text(client.get(f"/decisions/{reference}/check"))
    assert "You have completed all 11 sections" in page and "Submit decision" in page
    row = decision_row(db, reference)
    assert (row["total_value_pence"], row["justification"]) == (25000000, "Care closer to home")
    response = client.post(f"/decisions/{reference}/submit", data={"version": str(row["version"])})
    assert response.status_code == 302
    assert decision_row(db, reference)["status"] == "awaiting_review"


def test_saving_a_section_keeps_every_other_section_as_it_was(as_role, db, world):
    client = as_role("secretary")
    reference = start(client, world)
    post_section(client, db, reference, "contract", good(db, world, "contract"))
    post_section(client, db, reference, "providers", good(db, world, "providers"))
    before = decision_row(db, reference)
    participants = list(db.query("SELECT person_id, role FROM decision_participants"
                                 " ORDER BY person_id"))
    response = post_section(client, db, reference, "service", good(db, world, "service"))
    assert response.status_code == 302
    after = decision_row(db, reference)
    assert after["description"] == "Anticoagulation monitoring in general practice"
    for column in ("total_value_pence", "contract_start", "clinical_lead_id",
                   "awarded_provider_id", "regime", "process", "meeting_date"):
        assert after[column] == before[column], column
    assert list(db.query("SELECT person_id, role FROM decision_participants"
                         " ORDER BY person_id")) == participants
    assert db.execute("SELECT count(*) FROM decision_providers").fetchone()[0] == 1


def test_a_section_left_partly_done_is_saved_and_listed_as_incomplete(as_role, db, world):
    client = as_role("secretary")
    reference = start(client, world)
    response = post_section(client, db, reference, "contract", {"total_value": "1000"})
    assert response.status_code == 302
    statuses = task_statuses(client, reference)
    assert statuses["contract"] == "Incomplete"
    assert "Enter the estimated annual value" in text(client.get(f"/decisions/{reference}/check"))
    # Submitting anyway lists what is missing, each linked to the page of its section.
    response = client.post(f"/decisions/{reference}/submit", data={"version": "2"})
    body = response.get_data(as_text=True)
    assert "<title>Error: " in body
    assert (f'href="/decisions/{reference}/sections/contract#annual_value">Enter the estimated '
            f'annual value') in body
    assert f'href="/decisions/{reference}/sections/service#description"' in body
    assert decision_row(db, reference)["status"] == "draft"


@pytest.mark.parametrize(("section", "over", "message", "kept"), [
    ("service", {"title": ""}, "Enter the decision title", 'value="make" checked'),
    ("service", {"title": "Bad\u202econtrol"},
     "Decision title must not contain hidden control characters", "Anticoagulation monitoring"),
    ("route", {"meeting_date-year": "2019"},
     "The Provider Selection Regime applies only to decisions from 1 January 2024: a decision "
     "on 10 March 2019 falls under the 2013 procurement regulations", 'value="2019"'),
    ("route", {"meeting_date-day": "31", "meeting_date-month": "2"},
     "The meeting date must be a real date", 'value="31"'),
    ("contract", {"total_value": "NaN"},
     "Enter the estimated total value in pounds and pence, like 125000.50", 'value="NaN"'),
    ("contract", {"contract_end-year": "2025"},
     "The contract end date must be the same as or after the start date", 'value="2025"'),
    ("contract", {"clinical_lead_id": "99999"}, "Select the clinical lead from the list",
     'value="250,000.00"'),
    ("people", {"extra_people-0-person_id": "99999", "extra_people-0-role": "evaluator"},
     "Select a person from the list", "Decided by a vote of the members present"),
    ("providers", {"providers-1": "Nowhere Ltd"},
     "No organisation matches 'Nowhere Ltd'. Check the name, ODS code, Companies House number "
     "or charity number", 'value="Nowhere Ltd"'),
    ("providers", {"awarded_provider": "R9A"},
     "The provider awarded must be one of the providers proposed", 'value="Y90002"'),
    ("options", {"options-1-reason": ""}, "Give the reason option 2 was rejected",
     'value="The hospital trust provides it"'),
    ("key_criteria", {"weight_value": "lots"},
     "The weight for value must be a whole number from 0 to 100", 'value="lots"'),
    ("key_criteria", {"weight_value": "20"},
     "The key criteria weights must add up to 100 (they add up to 90)", 'value="20"'),
])
def test_bad_input_on_a_section_page_is_refused_kept_and_nothing_written(as_role, db, world,
                                                                         section, over,
                                                                         message, kept):
    client = as_role("secretary")
    reference = start(client, world)
    before = decision_row(db, reference)
    events = db.execute("SELECT count(*) FROM audit_events").fetchone()[0]
    response = post_section(client, db, reference, section, {**good(db, world, section), **over})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<title>Error: " in body
    page = text(response)
    assert page.count(message) >= 2  # in the summary and beside the field
    assert "Save and return" in page
    assert kept in body  # what was typed is still there
    assert decision_row(db, reference) == before
    assert db.execute("SELECT count(*) FROM audit_events").fetchone()[0] == events


def test_the_scores_page_waits_for_providers_and_checks_the_published_scale(as_role, db, world):
    client = as_role("secretary")
    reference = start(client, world, route="psr:competitive_process")
    assert task_statuses(client, reference)["assessments"] == "Cannot start yet"
    post_section(client, db, reference, "providers", good(db, world, "providers"))
    assert task_statuses(client, reference)["assessments"] == "Not started"
    page = text(client.get(f"/decisions/{reference}/sections/assessments"))
    assert "Proposed provider 1 : Brookside Surgery (Y90002)" in page
    assert "Proposed provider 2" not in page
    response = post_section(client, db, reference, "assessments", {
        "score_out_of": "100", "scores-0-score": "120", "scores-0-assessment": "Strong"})
    assert response.status_code == 200
    assert ("The score for Brookside Surgery (Y90002) must be between 0 and 100, the published "
            "scale") in text(response)
    assert 'value="120"' in response.get_data(as_text=True)
    response = post_section(client, db, reference, "assessments", {
        "score_out_of": "100", "scores-0-score": "72.5", "scores-0-assessment": "Strong"})
    assert response.status_code == 302
    assert task_statuses(client, reference)["assessments"] == "Completed"
    assert [tuple(r) for r in db.execute("SELECT score, assessment FROM decision_scores")] == [
        (72.5, "Strong")]


def test_changing_the_route_lists_its_sections_and_drops_parts_it_does_not_record(as_role, db,
                                                                                  world):
    client = as_role("secretary")
    reference = start(client, world)
    post_section(client, db, reference, "key_criteria", good(db, world, "key_criteria"))
    post_section(client, db, reference, "selection_criteria",
                 good(db, world, "selection_criteria"))
    response = post_section(client, db, reference, "route", {
        **good(db, world, "route"), "regime_process": "psr:urgent_award"})
    assert response.status_code == 302, text(response)[:1500]
    row = decision_row(db, reference)
    assert (row["process"], row["selection_criteria"]) == ("urgent_award", "")
    assert db.execute("SELECT count(*) FROM decision_criteria").fetchone()[0] == 0
    statuses = task_statuses(client, reference)
    assert "key_criteria" not in statuses and "exclusions" not in statuses
    # A section the route does not record is not offered.
    response = client.get(f"/decisions/{reference}/sections/key_criteria")
    assert response.headers["Location"].endswith(f"/decisions/{reference}/check")
    assert "Urgent award does not record this section" in text(
        client.get(response.headers["Location"]))


def test_an_unknown_section_is_not_found_and_a_submitted_decision_is_not_edited(as_role, db,
                                                                                world):
    client = as_role("secretary")
    reference = start(client, world)
    assert client.get(f"/decisions/{reference}/sections/nonsense").status_code == 404
    db.execute("UPDATE decisions SET status = 'awaiting_review' WHERE reference = ?", [reference])
    db.conn.commit()
    response = post_section(client, db, reference, "service", good(db, world, "service"))
    assert response.headers["Location"].endswith(f"/decisions/{reference}")
    assert decision_row(db, reference)["description"] == ""


def test_a_member_may_not_open_a_section_page(as_role, world):
    client = as_role("secretary")
    reference = start(client, world)
    member = as_role("member")
    assert member.get(f"/decisions/{reference}/sections/service").status_code == 403
    assert member.post(f"/decisions/{reference}/sections/service",
                       data={"title": "x"}).status_code == 403


def _token(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_with_csrf_on_a_section_saves_with_its_token_and_refuses_a_post_without(csrf_app):
    db = connect(csrf_app.config["DATABASE"])
    committee = add_committee(db)
    add_member(db, committee, add_person(db, "Hugh Pemberton"), role="chair", category="lay")
    add_user(db, role="secretary")
    client = csrf_app.test_client()
    client.post("/sign-in", data={"username": "secretary", "password": PASSWORD,
                                  "csrf_token": _token(client.get("/sign-in").get_data(True))})
    response = client.post("/decisions/new", data={
        "title": "A service", "committee_id": str(committee), "meeting_date-day": "10",
        "meeting_date-month": "3", "meeting_date-year": "2026", "choice": "make",
        "regime_process": "psr:urgent_award",
        "csrf_token": _token(client.get("/decisions/new").get_data(True))})
    assert response.status_code == 302
    url = "/decisions/MOB-2026-0001/sections/service"
    refused = client.post(url, data={"title": "A service", "description": "Tokenless",
                                     "version": "1"})
    assert refused.status_code == 400
    page = client.get(url).get_data(as_text=True)
    saved = client.post(url, data={"title": "A service", "description": "With its token",
                                   "choice": "make", "contract_kind": "new", "version": "1",
                                   "csrf_token": _token(page)})
    assert saved.status_code == 302
    assert db["decisions"].get(1)["description"] == "With its token"
    db.close()


def test_a_problem_another_section_causes_links_to_that_sections_page(as_role, db, world):
    client = as_role("secretary")
    reference = start(client, world, route="psr:competitive_process")
    post_section(client, db, reference, "providers", good(db, world, "providers"))
    post_section(client, db, reference, "assessments", {"score_out_of": "100",
                                                        "scores-0-score": "72"})
    before = decision_row(db, reference)
    # Taking the scored provider away would leave its score with nobody beside it.
    response = post_section(client, db, reference, "providers", {"providers-0": "",
                                                                 "awarded_provider": ""})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Enter proposed provider 1 first, or leave its score empty" in text(response)
    assert f'href="/decisions/{reference}/sections/assessments#scores-0-score"' in body
    assert decision_row(db, reference) == before
