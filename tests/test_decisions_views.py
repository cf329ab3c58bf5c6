"""Recording a make-or-buy decision: the first step, the one form, check your answers, submit,
the decision page and who may do what."""
from __future__ import annotations

import html
import re
from types import SimpleNamespace

import pytest

from register import audit
from register.db import connect
from register.decisions.queries import STALE_MESSAGE, committee_members

from .conftest import (
    PASSWORD,
    add_committee,
    add_decision,
    add_interest,
    add_member,
    add_organisation,
    add_person,
    add_user,
)
from .reading import words as text

pytestmark = pytest.mark.usefixtures("app")


@pytest.fixture
def world(db):
    """A committee with a GP partner of a member practice, a lay chair, an executive and a
    non-voting attendee; a member practice, a trust and an outside evaluator."""
    practice = add_organisation(db, "Brookside Surgery", ods_code="Y90002", is_member_practice=1)
    trust = add_organisation(db, "Northvale Hospitals NHS Foundation Trust", kind="trust",
                             ods_code="R9A")
    gp = add_person(db, "Dr Aisha Rahman", home_practice_id=practice)
    lay = add_person(db, "Hugh Pemberton")
    executive = add_person(db, "Rajesh Kapoor")
    observer = add_person(db, "Fatima Al-Sayed")
    evaluator = add_person(db, "Yusuf Demir")
    committee = add_committee(db)
    add_member(db, committee, lay, role="chair", category="lay")
    add_member(db, committee, gp)
    add_member(db, committee, executive, category="executive")
    add_member(db, committee, observer, category="other", voting=0)
    return SimpleNamespace(practice=practice, trust=trust, gp=gp, lay=lay, executive=executive,
                           observer=observer, evaluator=evaluator, committee=committee)




def start(client, world, title="Community anticoagulation service", day=("10", "3", "2026"),
          route="psr:direct_award_c"):
    """Step 1 through the page; returns the new reference."""
    response = client.post("/decisions/new", data={
        "title": title, "committee_id": str(world.committee), "meeting_date-day": day[0],
        "meeting_date-month": day[1], "meeting_date-year": day[2], "choice": "make",
        "regime_process": route})
    assert response.status_code == 302, text(response)[:2000]
    return response.headers["Location"].split("/")[2]


def decision_row(db, reference):
    return next(iter(db.query("SELECT * FROM decisions WHERE reference = ?", [reference])))


def full_form(db, world, reference, **over):
    """A complete, valid edit form for the decision, with some values replaced (None removes)."""
    row = decision_row(db, reference)
    data = {
        "title": row["title"], "description": "Anticoagulation monitoring in general practice",
        "choice": "make", "contract_kind": "new", "regime_process": "psr:direct_award_c",
        "total_value": "250,000.00", "annual_value": "125000",
        "contract_start-day": "1", "contract_start-month": "4", "contract_start-year": "2026",
        "contract_end-day": "31", "contract_end-month": "3", "contract_end-year": "2028",
        "clinical_lead_id": str(world.gp), "contract_manager_id": str(world.executive),
        "meeting_date-day": "10", "meeting_date-month": "3", "meeting_date-year": "2026",
        "decision_process": "Discussed at the meeting; decided by a vote of the members present",
        "providers-0": "Y90002", "providers-1": "", "providers-2": "", "providers-3": "",
        "providers-4": "", "awarded_provider": "Y90002",
        "options-0-description": "Member practices provide it", "options-0-outcome": "chosen",
        "options-0-reason": "Closer to patients",
        "options-1-description": "The hospital trust provides it",
        "options-1-outcome": "rejected", "options-1-reason": "Patients would travel further",
        "options-2-description": "", "options-2-outcome": "", "options-2-reason": "",
        "options-3-description": "", "options-3-outcome": "", "options-3-reason": "",
        "weight_quality_innovation": "30", "applied_quality_innovation": "Clinical audit",
        "weight_value": "30", "applied_value": "Price per test",
        "weight_integration_collaboration_sustainability": "20",
        "applied_integration_collaboration_sustainability": "Shared records",
        "weight_access_inequalities_choice": "10",
        "applied_access_inequalities_choice": "Every practice offers it",
        "weight_social_value": "10", "applied_social_value": "Local employment",
        "justification": "Care closer to home at a lower cost", "comments": "",
        "route_reasons": "The practice is meeting the contract and will go on doing so",
        "selection_criteria": "Accounts, insurance and CQC rating checked",
        "exclusions": "Declaration against the grounds for exclusion checked",
        "version": str(row["version"]), "action": "continue",
    }
    for index, member in enumerate(committee_members(db, world.committee)):
        data[f"members-{index}-person_id"] = str(member["person_id"])
        data[f"members-{index}-present"] = "y"
        data[f"members-{index}-role"] = "voting" if member["voting"] else "attendee"
    for index in range(3):
        data[f"extra_people-{index}-person_id"] = ""
        data[f"extra_people-{index}-role"] = "evaluator"
    for key, value in over.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


# ---- step 1 -----------------------------------------------------------------------------------

def test_starting_a_decision_makes_a_draft_with_the_committee_taking_part(as_role, db, world):
    client = as_role("secretary")
    reference = start(client, world)
    assert reference == "MOB-2026-0001"
    row = decision_row(db, reference)
    assert (row["status"], row["title"], row["meeting_date"]) == (
        "draft", "Community anticoagulation service", "2026-03-10")
    roles = {r["person_id"]: r["role"] for r in db.query(
        "SELECT person_id, role FROM decision_participants WHERE decision_id = ?", [row["id"]])}
    assert roles == {world.lay: "voting", world.gp: "voting", world.executive: "voting",
                     world.observer: "attendee"}
    page = text(client.get(f"/decisions/{reference}/edit"))
    assert "untick anyone who was absent" in page
    assert "Fatima Al-Sayed (non-voting)" in page
    assert [e["action"] for e in audit.history(db, "decision", row["id"])] == ["create"]


@pytest.mark.parametrize(("data", "message"), [
    ({"title": ""}, "Enter the decision title"),
    ({"committee_id": ""}, "Select the committee that decides"),
    ({"committee_id": "999"}, "Select the committee that decides"),
    ({"meeting_date-day": "31", "meeting_date-month": "2"}, "The meeting date must be a real date"),
    ({"meeting_date-day": "", "meeting_date-month": "", "meeting_date-year": ""},
     "Enter the meeting date"),
])
def test_first_step_refuses_bad_input(as_role, db, world, data, message):
    client = as_role("secretary")
    form = {"title": "A service", "committee_id": str(world.committee), "meeting_date-day": "10",
            "meeting_date-month": "3", "meeting_date-year": "2026", **data}
    response = client.post("/decisions/new", data=form)
    assert response.status_code == 200
    assert message in text(response)
    assert "<title>Error: " in response.get_data(as_text=True)
    assert db.execute("SELECT count(*) FROM decisions").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM reference_counters").fetchone()[0] == 0


def test_references_increase_per_year_and_are_never_reused(as_role, db, world):
    client = as_role("secretary")
    first = start(client, world)
    assert start(client, world) == "MOB-2026-0002"
    assert start(client, world, day=("5", "6", "2025")) == "MOB-2025-0001"
    # An abandoned draft removed from the database does not give its number back.
    decision_id = decision_row(db, first)["id"]
    db.execute("DELETE FROM decision_participants WHERE decision_id = ?", [decision_id])
    db.execute("DELETE FROM agenda_items WHERE decision_id = ?", [decision_id])
    db.execute("DELETE FROM decisions WHERE id = ?", [decision_id])
    db.conn.commit()
    assert start(client, world) == "MOB-2026-0003"
    # A number already taken by a decision loaded from elsewhere is skipped, not duplicated.
    add_decision(db, world.committee, reference="MOB-2026-0004")
    db.conn.commit()
    assert start(client, world) == "MOB-2026-0005"


# ---- the one form -----------------------------------------------------------------------------

BAD_INPUT = [
    ({"title": ""}, "Enter the decision title"),
    ({"total_value": "NaN"}, "Enter the estimated total value in pounds and pence, like 125000.50"),
    ({"total_value": "1E+30"}, "Enter the estimated total value in pounds and pence, like 125000.50"),
    ({"annual_value": "12.345"},
     "Enter the estimated annual value in pounds and pence, like 125000.50"),
    ({"meeting_date-year": "0099"},
     "The meeting date must be a real date with a year between 1900 and 2100"),
    ({"meeting_date-year": "2012"},
     "The meeting date must be on or after 1 April 2013, when the 2013 procurement regulations began"),
    ({"total_value": "-5"}, "The estimated total value must be £0 or more"),
    ({"total_value": "100000", "annual_value": "100000.01"},
     "The estimated annual value (£100,000.01) must not be more than the estimated total value "
     "(£100,000.00)"),
    ({"weight_value": "20"}, "The key criteria weights must add up to 100 (they add up to 90)"),
    ({"weight_value": "lots"},
     "The weight for value must be a whole number from 0 to 100"),
    ({"meeting_date-year": "2019"},
     "The Provider Selection Regime applies only to decisions from 1 January 2024: a decision "
     "on 10 March 2019 falls under the 2013 procurement regulations"),
    ({"regime_process": "pcr2013:single_tender", "meeting_date-year": "2025"},
     "The 2013 procurement regulations apply only to decisions before 1 January 2024"),
    ({"regime_process": "psr:single_tender"},
     "Single tender is a process under the 2013 procurement regulations"),
    ({"contract_end-year": "2025"},
     "The contract end date must be the same as or after the start date"),
    ({"contract_start-day": "31", "contract_start-month": "2"},
     "The contract start date must be a real date"),
    ({"providers-1": "Nowhere Ltd"},
     "No organisation matches 'Nowhere Ltd'. Check the name, ODS code, "
     "Companies House number or charity number"),
    ({"providers-1": "Brookside Surgery"},
     "Brookside Surgery is listed more than once: list each provider once"),
    ({"awarded_provider": "R9A"}, "The provider awarded must be one of the providers proposed"),
    ({"extra_people-0-person_id": "GP", "extra_people-0-role": "voting"},
     "Dr Aisha Rahman is listed more than once: list each person once"),
    ({"extra_people-0-person_id": "99999"}, "Select a person from the list"),
    ({"clinical_lead_id": "99999"}, "Select the clinical lead from the list"),
    ({"options-1-reason": ""}, "Give the reason option 2 was rejected"),
    ({"options-2-reason": "Too dear"}, "Describe option 3"),
    ({"title": "Bad\u202econtrol"}, "Decision title must not contain hidden control characters"),
]


@pytest.mark.parametrize("action", ["save", "continue"])
@pytest.mark.parametrize(("over", "message"), BAD_INPUT)
def test_bad_input_is_refused_and_nothing_is_written(as_role, db, world, over, message, action):
    client = as_role("secretary")
    reference = start(client, world)
    before = decision_row(db, reference)
    events = db.execute("SELECT count(*) FROM audit_events").fetchone()[0]
    over = {k: str(world.gp) if v == "GP" else v for k, v in over.items()}
    response = client.post(f"/decisions/{reference}/edit",
                           data=full_form(db, world, reference, action=action, **over))
    assert response.status_code == 200
    page = text(response)
    assert message in page
    assert "There is a problem" in page
    assert page.count(message) >= 2  # in the summary and beside the field
    after = decision_row(db, reference)
    assert after["version"] == before["version"]
    assert after == before
    assert db.execute("SELECT count(*) FROM audit_events").fetchone()[0] == events
    assert db.execute("SELECT count(*) FROM decision_providers").fetchone()[0] == 0


def test_what_was_typed_is_kept_and_shown_escaped(as_role, db, world):
    client = as_role("secretary")
    reference = start(client, world)
    response = client.post(f"/decisions/{reference}/edit", data=full_form(
        db, world, reference, title="<script>alert(1)</script>", total_value="12.345",
        providers_1=None, **{"providers-1": "Nowhere Ltd"}))
    raw = response.get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in raw
    assert "<script>alert(1)" not in raw
    assert 'value="12.345"' in raw
    assert 'value="Nowhere Ltd"' in raw


def test_script_in_a_title_is_saved_and_shown_as_text(as_role, db, world):
    client = as_role("secretary")
    reference = start(client, world, title="<script>alert(1)</script>")
    raw = client.get(f"/decisions/{reference}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in raw
    assert "<script>alert(1)" not in raw


def test_ambiguous_provider_name_asks_for_the_ods_code(as_role, db, world):
    add_organisation(db, "Riverside Surgery", ods_code="Y90010")
    add_organisation(db, "Riverside Surgery", ods_code="Y90011")
    client = as_role("secretary")
    reference = start(client, world)
    response = client.post(f"/decisions/{reference}/edit", data=full_form(
        db, world, reference, **{"providers-1": "riverside surgery"}))
    assert ("2 organisations in the register are called ‘riverside surgery’: give its ODS "
            "code, Companies House number or charity number to say which") in text(response)


@pytest.mark.parametrize("typed", ["7654321", "Harbour Care Limited (07654321)",
                                   "harbour care ltd", "The Harbour Care", "charity:nope (1190001)",
                                   "1190001"])
def test_providers_are_found_by_any_identifier_or_name_variant(as_role, db, world, typed):
    harbour = add_organisation(db, "Harbour Care Limited", kind="independent",
                               companies_house_number="07654321", charity_number="1190001")
    client = as_role("secretary")
    reference = start(client, world)
    response = client.post(f"/decisions/{reference}/edit", data=full_form(
        db, world, reference, action="save", awarded_provider="", **{"providers-0": typed}))
    assert response.status_code == 302, text(response)[:3000]
    decision_id = decision_row(db, reference)["id"]
    assert [r["organisation_id"] for r in db.query(
        "SELECT organisation_id FROM decision_providers WHERE decision_id = ?",
        [decision_id])] == [harbour]


@pytest.mark.parametrize("typed", ["Y90002", " y90002 ", "Brookside Surgery (Y90002)",
                                   "brookside surgery", "Anything at all (y90002)"])
def test_providers_are_found_by_code_name_and_code_or_exact_name(as_role, db, world, typed):
    client = as_role("secretary")
    reference = start(client, world)
    response = client.post(f"/decisions/{reference}/edit", data=full_form(
        db, world, reference, action="save", awarded_provider="", **{"providers-0": typed}))
    assert response.status_code == 302, text(response)[:3000]
    decision_id = decision_row(db, reference)["id"]
    assert [r["organisation_id"] for r in db.query(
        "SELECT organisation_id FROM decision_providers WHERE decision_id = ?",
        [decision_id])] == [world.practice]


def test_a_draft_may_be_incomplete_but_continue_needs_everything(as_role, db, world):
    client = as_role("secretary")
    reference = start(client, world)
    sparse = {key: "" for key in ("description", "regime_process", "total_value",
                                  "annual_value", "clinical_lead_id", "contract_manager_id",
                                  "decision_process", "providers-0", "awarded_provider",
                                  "options-0-description", "options-0-outcome",
                                  "options-0-reason", "options-1-description",
                                  "options-1-outcome", "options-1-reason", "justification",
                                  "contract_start-day", "contract_start-month",
                                  "contract_start-year", "contract_end-day",
                                  "contract_end-month", "contract_end-year")}
    sparse.update(choice=None, contract_kind=None)
    response = client.post(f"/decisions/{reference}/edit",
                           data=full_form(db, world, reference, **sparse))
    page = text(response)
    for message in ("Enter a description of the service", "Select make, buy or mixed",
                    "Select whether this is a new or an existing contract",
                    "Select the procurement regime and process",
                    "Enter the estimated total value", "Enter the contract start date",
                    "Select the clinical lead", "Describe how the decision was made",
                    "Enter at least one proposed provider", "Enter at least one option considered",
                    "Enter the justification for the decision"):
        assert message in page
    assert decision_row(db, reference)["version"] == 1

    response = client.post(f"/decisions/{reference}/edit",
                           data=full_form(db, world, reference, action="save", **sparse))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/decisions/{reference}/edit")
    row = decision_row(db, reference)
    assert row["version"] == 2
    assert row["total_value_pence"] is None and row["regime"] is None
    assert "saved. You can finish it later" in text(client.get(response.headers["Location"]))


def test_psr_weights_may_be_left_empty_in_a_draft_but_not_when_continuing(as_role, db, world):
    client = as_role("secretary")
    reference = start(client, world)
    empty = {"weight_value": "", "weight_social_value": ""}
    response = client.post(f"/decisions/{reference}/edit",
                           data=full_form(db, world, reference, **empty))
    assert "Enter a weight for value" in text(response)
    response = client.post(f"/decisions/{reference}/edit",
                           data=full_form(db, world, reference, action="save", **empty))
    assert response.status_code == 302
    assert db.execute("SELECT count(*) FROM decision_criteria").fetchone()[0] == 3


NO_WEIGHTS = {f"{part}_{key}": "" for part in ("weight", "applied") for key in (
    "quality_innovation", "value", "integration_collaboration_sustainability",
    "access_inequalities_choice", "social_value")}


# What a route that assesses no providers leaves empty: the selection criteria, and for an urgent
# award the exclusions too.
NOT_ASSESSING = {"direct_award_a": {"selection_criteria": ""},
                 "direct_award_b": {"selection_criteria": ""},
                 "urgent_award": {"selection_criteria": "", "exclusions": ""}}


@pytest.mark.parametrize("process", ["direct_award_a", "direct_award_b", "urgent_award"])
def test_routes_that_assess_no_key_criteria_continue_without_weights(as_role, db, world,
                                                                      process):
    client = as_role("secretary")
    reference = start(client, world)
    response = client.post(f"/decisions/{reference}/edit", data=full_form(
        db, world, reference, regime_process=f"psr:{process}", **NO_WEIGHTS,
        **NOT_ASSESSING[process]))
    assert response.status_code == 302, text(response)[:2000]
    assert response.headers["Location"].endswith(f"/decisions/{reference}/check")
    assert db.execute("SELECT count(*) FROM decision_criteria").fetchone()[0] == 0
    check = text(client.get(response.headers["Location"]))
    assert "assesses no key criteria" not in check
    assert "Not assessed: " in check and "weighs no key criteria" in check


@pytest.mark.parametrize("process", ["direct_award_c", "most_suitable_provider",
                                     "competitive_process"])
def test_routes_that_assess_the_key_criteria_still_need_the_weights(as_role, db, world, process):
    client = as_role("secretary")
    reference = start(client, world)
    response = client.post(f"/decisions/{reference}/edit", data=full_form(
        db, world, reference, regime_process=f"psr:{process}", **NO_WEIGHTS))
    assert response.status_code == 200
    assert "Enter a weight for quality and innovation" in text(response)


@pytest.mark.parametrize("action", ["save", "continue"])
def test_weights_typed_for_a_route_that_assesses_none_are_refused_and_kept(as_role, db, world,
                                                                            action):
    client = as_role("secretary")
    reference = start(client, world)
    before = decision_row(db, reference)
    response = client.post(f"/decisions/{reference}/edit", data=full_form(
        db, world, reference, action=action, regime_process="psr:direct_award_b",
        selection_criteria=""))
    assert response.status_code == 200
    page = text(response)
    message = ("Direct award process B assesses no key criteria: leave the weights empty (only "
               "direct award process C, the most suitable provider process and the competitive "
               "process record them)")
    assert page.count(message) >= 2
    assert 'value="30"' in response.get_data(as_text=True)
    assert decision_row(db, reference) == before


def test_the_form_says_which_routes_need_the_key_criteria(as_role, db, world):
    client = as_role("secretary")
    reference = start(client, world)
    page = client.get(f"/decisions/{reference}/edit").get_data(as_text=True)
    assert ("Only for direct award process C, the most suitable provider process and the "
            "competitive process") in page
    assert "Leave them empty for direct award process A or B and urgent awards" in page
    assert ('id="key-criteria" data-route-section data-routes="psr:direct_award_c '
            'psr:most_suitable_provider psr:competitive_process"') in page


def test_saving_writes_everything_and_audits_the_changes(as_role, db, world):
    client = as_role("secretary")
    reference = start(client, world)
    observer_row = [m["person_id"] for m in committee_members(db, world.committee)].index(
        world.observer)
    data = full_form(db, world, reference, **{
        f"members-{observer_row}-present": None,  # the observer was absent
        "extra_people-0-person_id": str(world.evaluator),
        "extra_people-0-role": "evaluator",
        "providers-1": "R9A", "awarded_provider": "Brookside Surgery (Y90002)"})
    response = client.post(f"/decisions/{reference}/edit", data=data)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/decisions/{reference}/check")
    row = decision_row(db, reference)
    assert (row["version"], row["total_value_pence"], row["annual_value_pence"]) == (
        2, 25_000_000, 12_500_000)
    assert (row["regime"], row["process"], row["contract_end"]) == (
        "psr", "direct_award_c", "2028-03-31")
    assert row["awarded_provider_id"] == world.practice
    roles = {r["person_id"]: r["role"] for r in db.query(
        "SELECT person_id, role FROM decision_participants WHERE decision_id = ?", [row["id"]])}
    assert world.observer not in roles
    assert roles[world.evaluator] == "evaluator"
    assert [r["outcome"] for r in db.query(
        "SELECT outcome FROM decision_options WHERE decision_id = ? ORDER BY position",
        [row["id"]])] == ["chosen", "rejected"]
    assert sum(r["weight"] for r in db.query("SELECT weight FROM decision_criteria")) == 100
    update = [e for e in audit.history(db, "decision", row["id"]) if e["action"] != "flags_changed"][-1]
    assert update["action"] == "update"
    assert {"total_value_pence", "participants", "providers", "options",
            "criteria"} <= set(update["changes"])
    assert audit.verify(db).ok
    page = text(client.get(f"/decisions/{reference}"))
    assert "£250,000.00" in page and "£125,000.00" in page
    assert "31 March 2028" in page
    assert "Direct award process C" in page
    assert "Brookside Surgery (Y90002)" in page
    assert "Yusuf Demir (not a committee member)" in page
    assert "Changed:" in page and "people taking part" in page


def test_a_stale_version_is_refused_and_nothing_overwritten(as_role, db, world):
    client = as_role("secretary")
    reference = start(client, world)
    first = full_form(db, world, reference, action="save", title="First title")
    second = full_form(db, world, reference, action="save", title="Second title")
    assert client.post(f"/decisions/{reference}/edit", data=first).status_code == 302
    response = client.post(f"/decisions/{reference}/edit", data=second)
    assert response.status_code == 200
    assert STALE_MESSAGE in text(response)
    row = decision_row(db, reference)
    assert (row["title"], row["version"]) == ("First title", 2)
    # What they typed stays on the page, with a way on: the latest version, one click away.
    page = response.get_data(as_text=True)
    assert 'value="Second title"' in page
    assert "start again from the latest version" in text(response)
    assert f'href="/decisions/{reference}/edit"' in page
    latest = client.get(f"/decisions/{reference}/edit").get_data(as_text=True)
    assert 'value="First title"' in latest and 'name="version" type="hidden" value="2"' in latest


# ---- check and submit -------------------------------------------------------------------------

def test_a_decision_awarding_to_a_gp_partners_practice_is_flagged_and_awaits_review(
        as_role, db, world):
    client = as_role("secretary")
    reference = start(client, world)
    response = client.post(f"/decisions/{reference}/edit", data=full_form(db, world, reference))
    assert response.headers["Location"].endswith("/check")

    response = client.get(f"/decisions/{reference}/check")
    # Each answer's change link opens the task list's section page that edits it.
    assert f'href="/decisions/{reference}/sections/contract#total_value"' in \
        response.get_data(as_text=True)
    page = text(response)
    assert "Check your answers" in page and "Submit decision" in page
    assert "Provider is a member practice" in page
    assert "Brookside Surgery (Y90002) is a member practice" in page
    assert "Home practice stands to gain" in page
    assert ("Dr Aisha Rahman's home practice is Brookside Surgery (Y90002)" in page)
    assert "they are conflicted whether or not they have declared it" in page
    assert "Missing declaration" in page
    assert "No conflicts found" not in page

    version = decision_row(db, reference)["version"]
    response = client.post(f"/decisions/{reference}/submit", data={"version": str(version)})
    assert response.status_code == 302
    row = decision_row(db, reference)
    assert row["status"] == "awaiting_review"
    assert row["submitted_at"] and row["flag_count"] > 0
    page = text(client.get(response.headers["Location"]))
    assert "Conflicts were found" in page
    assert "Awaiting governance review" in page
    assert "Dr Aisha Rahman's home practice is Brookside Surgery (Y90002)" in page
    assert page.index("Brookside Surgery (Y90002) is a member practice") < page.index(
        "Dr Aisha Rahman's home practice")
    assert "nhsuk-tag--red" in client.get(f"/decisions/{reference}").get_data(as_text=True)
    assert [e["action"] for e in audit.history(db, "decision", row["id"])][-1] == "submit"
    # The history names the person, not the account, and says where each step led.
    history = page[page.index("History"):]
    assert "Secretary Person" in history
    assert "Submitted (now awaiting governance review)" in history
    assert "status, submitted" not in history


def test_a_decision_with_no_conflicts_is_ready_for_decision(as_role, db, world):
    client = as_role("secretary")
    reference = start(client, world, title="Community ophthalmology")
    client.post(f"/decisions/{reference}/edit", data=full_form(
        db, world, reference, choice="buy", **{"providers-0": "R9A", "awarded_provider": "R9A"}))
    page = text(client.get(f"/decisions/{reference}/check"))
    assert "No conflicts found" in page
    version = decision_row(db, reference)["version"]
    client.post(f"/decisions/{reference}/submit", data={"version": str(version)})
    assert decision_row(db, reference)["status"] == "ready_for_decision"
    page = text(client.get(f"/decisions/{reference}"))
    assert "Ready for decision" in page and "No conflicts found" in page


def test_a_declared_interest_is_shown_with_its_sentence(as_role, db, world):
    trust_director = add_person(db, "Bernadette Nwosu")
    add_interest(db, trust_director, organisation_id=world.trust,
                 organisation_name="Northvale Hospitals NHS Foundation Trust",
                 nature="Non-executive director", date_from="2024-01-01",
                 declared_on="2024-01-10")
    db.conn.commit()
    client = as_role("secretary")
    reference = start(client, world)
    client.post(f"/decisions/{reference}/edit", data=full_form(
        db, world, reference, choice="buy", **{
            "providers-0": "R9A", "awarded_provider": "",
            "extra_people-0-person_id": str(trust_director),
            "extra_people-0-role": "evaluator"}))
    page = text(client.get(f"/decisions/{reference}"))
    assert "Bernadette Nwosu" in page
    assert "Direct interest" in page
    assert "Bernadette Nwosu holds an interest in Northvale Hospitals NHS Foundation Trust" in page


def test_submit_needs_a_complete_decision(as_role, db, world):
    client = as_role("secretary")
    reference = start(client, world)
    page = text(client.get(f"/decisions/{reference}/check"))
    assert "The decision cannot be submitted yet" in page
    assert "Submit decision" not in page
    response = client.post(f"/decisions/{reference}/submit", data={"version": "1"})
    assert "Enter a description of the service" in text(response)
    assert decision_row(db, reference)["status"] == "draft"


def test_submit_refuses_a_decision_changed_since_it_was_checked(as_role, db, world):
    client = as_role("secretary")
    reference = start(client, world)
    client.post(f"/decisions/{reference}/edit", data=full_form(db, world, reference))
    checked = decision_row(db, reference)["version"]
    client.post(f"/decisions/{reference}/edit",
                data=full_form(db, world, reference, title="Changed meanwhile"))
    response = client.post(f"/decisions/{reference}/submit", data={"version": str(checked)})
    assert response.headers["Location"].endswith("/check")
    assert decision_row(db, reference)["status"] == "draft"
    assert "has not been submitted" in text(client.get(response.headers["Location"]))


def test_a_submitted_decision_can_no_longer_be_edited_or_submitted(as_role, db, world):
    client = as_role("secretary")
    reference = start(client, world)
    client.post(f"/decisions/{reference}/edit", data=full_form(db, world, reference))
    version = decision_row(db, reference)["version"]
    client.post(f"/decisions/{reference}/submit", data={"version": str(version)})
    row = decision_row(db, reference)
    for response in (client.get(f"/decisions/{reference}/edit"),
                     client.post(f"/decisions/{reference}/edit",
                                 data=full_form(db, world, reference, title="Later")),
                     client.get(f"/decisions/{reference}/check"),
                     client.post(f"/decisions/{reference}/submit",
                                 data={"version": str(row["version"])})):
        assert response.status_code == 302
        assert response.headers["Location"].endswith(f"/decisions/{reference}")
    assert decision_row(db, reference) == row
    page = text(client.get(f"/decisions/{reference}"))
    assert "is no longer a draft" in page
    assert f"/decisions/{reference}/edit" not in page


# ---- reading and roles ------------------------------------------------------------------------

def test_the_list_links_to_each_decision_newest_first(as_role, db, world):
    client = as_role("secretary")
    older = start(client, world, title="Older", day=("1", "2", "2025"))
    newer = start(client, world, title="Newer", day=("1", "2", "2026"))
    raw = client.get("/decisions/").get_data(as_text=True)
    table = raw[raw.index("<table"):]
    assert table.index(newer) < table.index(older)
    assert f'href="/decisions/{newer}"' in table
    assert "Draft" in text(client.get("/decisions/"))


def test_the_list_is_paginated(app, as_role, db, world):
    app.config["PAGE_SIZE"] = 2
    for number in range(1, 6):
        add_decision(db, world.committee, reference=f"MOB-2026-{number:04d}",
                     meeting_date=f"2026-03-{number:02d}")
    db.conn.commit()
    client = as_role("auditor")
    response = client.get("/decisions/")
    first = text(response)
    assert "MOB-2026-0005" in first and "MOB-2026-0003" not in first
    assert 'href="?page=2"' in response.get_data(as_text=True)
    third = text(client.get("/decisions/?page=3"))
    assert "MOB-2026-0001" in third


@pytest.mark.parametrize("role", ["member", "auditor", "governance"])
def test_only_secretaries_and_admins_record_decisions(as_role, db, world, role):
    decision_id = add_decision(db, world.committee)
    db.conn.commit()
    reference = decision_row(db, "MOB-2026-0001")["reference"]
    assert decision_id
    client = as_role(role)
    assert client.get("/decisions/new").status_code == 403
    assert client.post("/decisions/new", data={"title": "x"}).status_code == 403
    assert client.get(f"/decisions/{reference}/edit").status_code == 403
    assert client.post(f"/decisions/{reference}/edit", data={"title": "x"}).status_code == 403
    assert client.get(f"/decisions/{reference}/check").status_code == 403
    assert client.post(f"/decisions/{reference}/submit").status_code == 403
    assert decision_row(db, reference)["status"] == "draft"
    assert "Record a decision" not in text(client.get("/decisions/"))


def test_an_admin_may_record_decisions(as_role, world):
    client = as_role("admin")
    assert client.get("/decisions/new").status_code == 200
    assert start(client, world) == "MOB-2026-0001"


def test_members_see_only_decisions_they_take_part_in_or_recorded(as_role, db, world):
    taking_part = add_person(db, "Dr Kofi Osei")
    outsider = add_person(db, "Dr Ewa Kowalczyk")
    add_decision(db, world.committee, reference="MOB-2026-0001", title="Theirs",
                 participants=((taking_part, "voting"),))
    add_decision(db, world.committee, reference="MOB-2026-0002", title="Someone else's",
                 participants=((world.gp, "voting"),))
    db.conn.commit()
    member = as_role("member", username="kofi", person_id=taking_part)
    assert member.get("/decisions/MOB-2026-0001").status_code == 200
    assert member.get("/decisions/MOB-2026-0002").status_code == 403
    listing = text(member.get("/decisions/"))
    assert "MOB-2026-0001" in listing and "MOB-2026-0002" not in listing
    other = as_role("member", username="ewa", person_id=outsider)
    assert other.get("/decisions/MOB-2026-0001").status_code == 403
    assert "1 decision" not in text(other.get("/decisions/"))
    for role in ("auditor", "governance"):
        assert as_role(role).get("/decisions/MOB-2026-0002").status_code == 200


def test_unknown_reference_is_not_found(as_role, world):
    client = as_role("secretary")
    assert client.get("/decisions/MOB-2026-9999").status_code == 404
    assert client.get("/decisions/MOB-2026-9999/edit").status_code == 404


def test_signed_out_users_are_sent_to_sign_in(client):
    response = client.get("/decisions/")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def test_navigation_starts_with_decisions(as_role, world):
    page = as_role("member").get("/").get_data(as_text=True)
    assert 'href="/decisions/"' in page


def test_a_post_without_a_csrf_token_is_refused(csrf_app):
    db = connect(csrf_app.config["DATABASE"])
    committee = add_committee(db)
    add_user(db, role="secretary")
    client = csrf_app.test_client()
    page = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    signed_in = client.post("/sign-in", data={"username": "secretary", "password": PASSWORD,
                                              "csrf_token": token})
    assert signed_in.status_code == 302
    response = client.post("/decisions/new", data={
        "title": "A service", "committee_id": str(committee), "meeting_date-day": "10",
        "meeting_date-month": "3", "meeting_date-year": "2026"})
    assert response.status_code == 400
    assert db.execute("SELECT count(*) FROM decisions").fetchone()[0] == 0
    db.close()


def test_many_member_practices_of_one_network_fold_into_one_line(db, as_role):
    """A network of six member practices gives six sentences; the decision page and the review
    page lead with one count and keep every sentence one click away."""
    network = add_organisation(db, "Northvale Central PCN", kind="network", ods_code="U90001")
    for number in range(1, 7):
        practice = add_organisation(db, f"Practice {number}", ods_code=f"Y9000{number}",
                                    is_member_practice=1)
        db["organisation_links"].insert({"member_id": practice, "parent_id": network,
                                         "created_at": "2026-01-01T00:00:00Z"})
    committee = add_committee(db)
    decision = add_decision(db, committee, providers=(network,), status="awaiting_review",
                            submitted_at="2026-03-11T09:00:00Z")
    reference = db["decisions"].get(decision)["reference"]
    for role, path in (("auditor", f"/decisions/{reference}"),
                       ("governance", f"/reviews/{reference}")):
        page = html.unescape(as_role(role).get(path).get_data(as_text=True))
        assert "6 member practices stand to gain from this decision." in page, role
        assert "Show all 6 reasons" in page
        for number in range(1, 7):
            assert f"Practice {number} (Y9000{number}), a member practice, belongs to" in page


def test_a_few_reasons_are_listed_without_folding(db, as_role):
    practice = add_organisation(db, "Brookside Surgery", ods_code="Y90002", is_member_practice=1)
    decision = add_decision(db, add_committee(db), providers=(practice,))
    reference = db["decisions"].get(decision)["reference"]
    page = as_role("auditor").get(f"/decisions/{reference}").get_data(as_text=True)
    assert "Brookside Surgery (Y90002) is a member practice" in page
    assert "stand to gain from this decision." not in page and "Show all" not in page


# ---- what each route records --------------------------------------------------------------------

SCORED = {"score_out_of": "100", "scores-0-score": "72.5",
          "scores-0-assessment": "Strong on access", "scores-1-score": "", "scores-2-score": "",
          "scores-3-score": "", "scores-4-score": ""}


def test_a_competitive_process_needs_each_providers_score_on_the_published_scale(as_role, db,
                                                                                 world):
    client = as_role("secretary")
    reference = start(client, world)
    missing = client.post(f"/decisions/{reference}/edit", data=full_form(
        db, world, reference, regime_process="psr:competitive_process"))
    assert missing.status_code == 200
    page = text(missing)
    assert "Enter the top of the published scoring scale, for example 100" in page
    assert "Enter the score for Y90002" in page

    outside = client.post(f"/decisions/{reference}/edit", data=full_form(
        db, world, reference, regime_process="psr:competitive_process",
        **{**SCORED, "scores-0-score": "120"}))
    assert "The score for Y90002 must be between 0 and 100, the published scale" in text(outside)
    assert 'value="120"' in outside.get_data(as_text=True)
    assert db.execute("SELECT count(*) FROM decision_scores").fetchone()[0] == 0

    scored = client.post(f"/decisions/{reference}/edit", data=full_form(
        db, world, reference, regime_process="psr:competitive_process", **SCORED))
    assert scored.status_code == 302, text(scored)[:2000]
    row = decision_row(db, reference)
    assert row["score_out_of"] == 100
    assert [tuple(r) for r in db.execute(
        "SELECT organisations.ods_code, score, assessment FROM decision_scores"
        " JOIN organisations ON organisations.id = organisation_id")] == \
        [("Y90002", 72.5, "Strong on access")]
    check = text(client.get(scored.headers["Location"]))
    assert "Each provider's assessment and score Completed" in check
    edit = client.get(f"/decisions/{reference}/edit").get_data(as_text=True)
    assert 'value="72.5"' in edit


@pytest.mark.parametrize("field, message", [
    ("route_reasons", "Say why this route was chosen"),
    ("selection_criteria", "Say how the providers met the basic selection criteria"),
    ("exclusions", "Say how the providers were checked against the grounds for exclusion"),
])
def test_each_part_the_route_records_is_needed_to_continue_but_not_to_save(as_role, db, world,
                                                                            field, message):
    client = as_role("secretary")
    reference = start(client, world)
    response = client.post(f"/decisions/{reference}/edit",
                           data=full_form(db, world, reference, **{field: ""}))
    assert response.status_code == 200 and message in text(response)
    saved = client.post(f"/decisions/{reference}/edit",
                        data=full_form(db, world, reference, action="save", **{field: ""}))
    assert saved.status_code == 302


@pytest.mark.parametrize("process, over, message", [
    ("urgent_award", {"selection_criteria": ""},
     "Urgent award checks no providers against the grounds for exclusion: leave this empty"),
    ("direct_award_a", {},
     "Direct award process A assesses no providers against the basic selection criteria: "
     "leave this empty"),
    ("direct_award_c", SCORED, "Direct award process C scores no competing providers: leave "
                               "this empty"),
])
def test_parts_a_route_does_not_record_are_refused_and_kept(as_role, db, world, process, over,
                                                           message):
    client = as_role("secretary")
    reference = start(client, world)
    before = decision_row(db, reference)
    weights = NO_WEIGHTS if process != "direct_award_c" else {}
    response = client.post(f"/decisions/{reference}/edit", data=full_form(
        db, world, reference, action="save", regime_process=f"psr:{process}", **weights,
        **over))
    assert response.status_code == 200
    assert message in text(response)
    assert decision_row(db, reference) == before


def test_the_task_list_lists_each_part_of_the_route_and_leaves_out_what_is_not_needed(
        as_role, db, world):
    client = as_role("secretary")
    reference = start(client, world)
    client.post(f"/decisions/{reference}/edit", data=full_form(
        db, world, reference, action="save", regime_process="psr:direct_award_a", **NO_WEIGHTS,
        selection_criteria="", exclusions=""))
    check = text(client.get(f"/decisions/{reference}/check"))
    assert "Direct award process A: the sections below are the ones this route records" in check
    assert "Why this route was chosen Completed" in check
    assert "Exclusions: how the providers were checked Not started" in check
    assert "You have completed 8 of 9 sections" in check
    assert "Basic selection criteria" not in check
    assert "Key criteria: weights" not in check


# ---- deleting a draft nobody wants ----------------------------------------------------------------

def test_its_author_deletes_a_draft_and_the_trail_keeps_it(as_role, db, world, app):
    from register import audit

    client = as_role("secretary")
    reference = start(client, world)
    assert "Delete this draft" in text(client.get(f"/decisions/{reference}"))
    version = decision_row(db, reference)["version"]
    response = client.post(f"/decisions/{reference}/delete", data={"version": version})
    assert response.status_code == 302
    assert db.execute("SELECT count(*) FROM decisions WHERE reference = ?",
                      [reference]).fetchone()[0] == 0
    event = dict(next(db.query("SELECT * FROM audit_events WHERE action = 'delete'")))
    assert event["content_sha256"] == "deleted" and reference in event["changes"]
    # (The tests' committee members are put in the database directly.)
    assert [p for p in audit.content_problems(db)
            if not p.startswith("committee membership")] == []
    # The reference is never issued again.
    again = start(client, world)
    assert again != reference


def test_only_the_author_deletes_and_never_after_submission(as_role, db, world):
    client = as_role("secretary")
    reference = start(client, world)
    version = decision_row(db, reference)["version"]
    other = as_role("secretary", username="other-secretary")
    refused = other.post(f"/decisions/{reference}/delete", data={"version": version})
    assert refused.status_code == 409
    assert "Only the person who started this draft can delete it" in text(refused)
    db.execute("UPDATE decisions SET status = 'returned', submitted_at = '2026-03-01T10:00:00'"
               " WHERE reference = ?", [reference])
    refused = client.post(f"/decisions/{reference}/delete", data={"version": version})
    assert "Only a draft that was never submitted can be deleted" in text(refused)
    assert decision_row(db, reference) is not None
