"""Importing decisions from CSV: a good file, bad rows with their line numbers and nothing written,
the upload preview, the command, and the JSON and CSV exports round-tripping through the import."""
from __future__ import annotations

import csv
import io
import json
import re

import pytest

from register import create_app
from register.db import connect, migrate
from register.decisions import serialise
from register.imports.decisions_kind import DECISIONS_FORMAT, import_csv
from register.imports.parsers import check_file
from register.imports.writers import import_file

from .conftest import add_committee, add_decision, add_interest, add_organisation, add_person

TABLES = ("decisions", "decision_participants", "decision_providers", "decision_criteria",
          "decision_flags", "reference_counters", "audit_events")
COLUMNS = [column.name for column in DECISIONS_FORMAT.columns]
WEIGHTS = ("quality_innovation=40; value=30; integration_collaboration_sustainability=10; "
           "access_inequalities_choice=10; social_value=10")


def base(db) -> dict[str, int]:
    """The same organisations, people, committee and interests, in the same order, in any register."""
    ids = {}
    ids["network"] = add_organisation(db, "Northvale Central Network", kind="network",
                                      ods_code="U90090")
    ids["riverside"] = add_organisation(db, "Riverside Surgery", ods_code="Y90001",
                                        is_member_practice=1, registered_address="2 River Street",
                                        postcode="NV1 2BB")
    ids["hilltop"] = add_organisation(db, "Hilltop Medical Centre", ods_code="Y90002",
                                      is_member_practice=1)
    ids["gotodoc"] = add_organisation(db, "Go-To-Doc Ltd", kind="independent",
                                      companies_house_number="09990002",
                                      registered_address="4 Market Place, Northvale")
    ids["trust"] = add_organisation(db, "Northvale Hospitals NHS Trust", kind="trust",
                                    ods_code="RX1")
    db["organisation_links"].insert({"member_id": ids["riverside"], "parent_id": ids["network"],
                                     "date_from": None, "date_to": None,
                                     "created_at": "2026-01-01T00:00:00+00:00"})
    ids["committee"] = add_committee(db, "Primary Care Committee")
    ids["asha"] = add_person(db, "Asha Patel", email="asha@example.nhs.uk",
                             home_practice_id=ids["riverside"])
    ids["tom"] = add_person(db, "Tom Hughes", email="tom@example.nhs.uk")
    ids["grace"] = add_person(db, "Grace Okafor", email="grace@example.nhs.uk")
    ids["ben"] = add_person(db, "Ben Carter", email="ben@example.nhs.uk")
    add_interest(db, ids["ben"], organisation_id=None, organisation_name="GoToDoc Limited",
                 is_indirect=1, associate_relationship="spouse", nature="Spouse is a director")
    # Providers known only by a charity number, and only by name.
    ids["carers"] = add_organisation(db, "Seaside Carers Trust", kind="voluntary",
                                     charity_number="SC012345")
    ids["transport"] = add_organisation(db, "Bayview Community Transport CIC", kind="other")
    return ids


@pytest.fixture
def known(db):
    return base(db)


def counts(db) -> dict[str, int]:
    return {table: db[table].count for table in TABLES}


def row(**over: str) -> dict[str, str]:
    """A good submitted decision row; any column overridable."""
    values = {name: "" for name in COLUMNS}
    values.update({
        "title": "Community anticoagulation service", "description": "Warfarin monitoring",
        "choice": "make", "contract_kind": "new", "regime": "psr", "process": "direct_award_c",
        "total_value": "250,000.50", "annual_value": "50000", "contract_start": "2026-04-01",
        "contract_end": "31/03/2029", "clinical_lead_email": "asha@example.nhs.uk",
        "contract_manager_email": "grace@example.nhs.uk", "committee": "primary care committee",
        "meeting_date": "2026-03-10", "decision_process": "Vote of the committee",
        "offered_to_all": "no", "voting_emails": "asha@example.nhs.uk; tom@example.nhs.uk",
        "attendee_emails": "grace@example.nhs.uk", "evaluator_emails": "ben@example.nhs.uk",
        "provider_ods": "Y90001", "awarded_provider_ods": "y90001",
        "key_criteria_weights": WEIGHTS, "justification": "Care closer to home",
        "route_reasons": "The practice is meeting the contract and will go on doing so",
        "selection_criteria": "Accounts, insurance and CQC rating checked",
        "exclusions": "Declaration against the grounds for exclusion checked",
        "comments": "", "status": "submitted",
    })
    values.update(over)
    return values


def csv_text(*rows: dict[str, str]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for values in rows:
        writer.writerow(values)
    return out.getvalue()


def run(db, text: str, **options):
    return import_file(db, "decisions", text.encode("utf-8"), actor="tester", **options)


def messages(plan) -> list[str]:
    return [str(problem) for problem in plan.problems]


# ---- a good file --------------------------------------------------------------------------------

def test_good_file_creates_decisions_with_references_people_providers_and_flags(db, known):
    text = csv_text(
        row(),
        row(title="Hospital physiotherapy", choice="buy", provider_ods="RX1",
            awarded_provider_ods="", voting_emails="tom@example.nhs.uk", attendee_emails="",
            evaluator_emails="", clinical_lead_email="", contract_manager_email="",
            meeting_date="2026-05-01"),
        row(title="Online consultations", status="draft", choice="", contract_kind="",
            regime="", process="", total_value="", annual_value="", key_criteria_weights="",
            provider_ods="go-to-doc ltd", awarded_provider_ods="", voting_emails="",
            attendee_emails="ben@example.nhs.uk", evaluator_emails="", contract_start="",
            contract_end="", meeting_date="2025-11-30"),
    )
    plan = run(db, text)
    assert plan.ok, messages(plan)
    assert plan.summary(done=True) == ["3 decisions created", "6 people taking part created",
                                       "3 proposed providers created",
                                       "10 key criteria weights created"]
    assert plan.notes[0] == ("New references will be given: MOB-2026-0001, MOB-2026-0002 and "
                             "MOB-2025-0001. They are final once the import is confirmed.")
    decisions = {d["title"]: d for d in db.query("SELECT * FROM decisions")}
    first = decisions["Community anticoagulation service"]
    assert first["reference"] == "MOB-2026-0001"
    assert first["total_value_pence"] == 25_000_050 and first["annual_value_pence"] == 5_000_000
    assert first["contract_end"] == "2029-03-31" and first["committee_id"] == known["committee"]
    assert first["clinical_lead_id"] == known["asha"]
    assert first["awarded_provider_id"] == known["riverside"]
    # Asha's home practice is the provider: flagged, so it waits for governance review.
    assert first["status"] == "awaiting_review" and first["submitted_at"]
    assert first["flags_computed_at"] and first["flag_count"] > 0
    second = decisions["Hospital physiotherapy"]
    assert second["reference"] == "MOB-2026-0002"
    assert second["status"] == "ready_for_decision" and second["flag_count"] == 0
    draft = decisions["Online consultations"]
    assert draft["reference"] == "MOB-2025-0001" and draft["status"] == "draft"
    assert draft["submitted_at"] is None and draft["regime"] is None
    # Found by exact name; Ben's spouse's "GoToDoc Limited" is a possible match.
    rules = {f["rule"] for f in db.query("SELECT rule FROM decision_flags WHERE decision_id = ?",
                                         [draft["id"]])}
    assert "POSSIBLE_NAME_MATCH" in rules
    roles = dict(db.execute("SELECT person_id, role FROM decision_participants "
                            "WHERE decision_id = ?", [first["id"]]).fetchall())
    assert roles == {known["asha"]: "voting", known["tom"]: "voting",
                     known["grace"]: "attendee", known["ben"]: "evaluator"}
    weights = dict(db.execute("SELECT criterion, weight FROM decision_criteria "
                              "WHERE decision_id = ?", [first["id"]]).fetchall())
    assert weights["quality_innovation"] == 40 and sum(weights.values()) == 100
    assert dict(db.execute("SELECT year, last_number FROM reference_counters").fetchall()) == \
        {2026: 2, 2025: 1}
    actions = {(e["entity"], e["action"]) for e in db.query("SELECT * FROM audit_events")}
    assert {("decision", "create"), ("decision", "submit"), ("decision", "flags_changed"),
            ("decision_participant", "create")} <= actions


def test_references_follow_the_counter_and_a_new_reference_is_kept(db, known):
    db["reference_counters"].insert({"year": 2026, "last_number": 6})
    plan = run(db, csv_text(row(reference="mob-2026-0042"), row(title="Second")))
    assert plan.ok, messages(plan)
    assert sorted(r["reference"] for r in db.query("SELECT reference FROM decisions")) == \
        ["MOB-2026-0007", "MOB-2026-0042"]
    assert db.execute("SELECT last_number FROM reference_counters WHERE year = 2026"
                      ).fetchone()[0] == 42


def test_a_formula_apostrophe_from_the_export_is_taken_off(db, known):
    plan = run(db, csv_text(row(title="'=1+1", comments="'Just a quote", status="draft")))
    assert plan.ok, messages(plan)
    decision = next(db.query("SELECT title, comments FROM decisions"))
    assert decision == {"title": "=1+1", "comments": "'Just a quote"}


def test_a_file_imported_twice_does_not_double_the_register(db, known):
    assert run(db, csv_text(row())).ok
    plan = run(db, csv_text(row()))
    assert messages(plan) == ["Line 2: this decision is already in the register as "
                              "MOB-2026-0001 (same title, committee and meeting date)"]
    assert db["decisions"].count == 1


# ---- bad rows -----------------------------------------------------------------------------------

@pytest.mark.parametrize("over, message", [
    ({"total_value": "NaN"}, "total_value 'NaN': must be in pounds and pence, like 125000.50"),
    ({"total_value": "1E+30"}, "total_value '1E+30': must be in pounds and pence, like 125000.50"),
    ({"annual_value": "12.345"},
     "annual_value '12.345': must be in pounds and pence, like 125000.50"),
    ({"total_value": "-5"}, "total_value '-5': The total value must be £0 or more"),
    ({"meeting_date": "2012-06-30", "regime": "pcr2013", "process": "single_tender",
      "key_criteria_weights": ""},
     "The meeting date must be on or after 1 April 2013, when the 2013 procurement regulations "
     "began"),
    ({"total_value": ""}, "Enter the total_value to submit the decision"),
    ({"key_criteria_weights": WEIGHTS.replace("40", "30")},
     "key_criteria_weights: The key criteria weights must add up to 100 (they add up to 90)"),
    ({"key_criteria_weights": "quality_innovation 100"},
     "key_criteria_weights: 'quality_innovation 100' must be a criterion, '=' and a weight"),
    ({"key_criteria_weights": ""},
     "Enter the key_criteria_weights to submit a decision under the Provider Selection Regime"),
    ({"regime": "pcr2013", "process": "direct_award_a", "meeting_date": "2023-05-01",
      "key_criteria_weights": ""},
     "regime and process: Direct award process A is a process under the Provider Selection "
     "Regime, not the 2013 procurement regulations"),
    ({"regime": "psr", "process": "direct_award_a", "meeting_date": "2023-05-01"},
     "regime and process: The Provider Selection Regime applies only to decisions from "
     "1 January 2024"),
    ({"regime": "pcr2013", "process": "single_tender"},
     "key_criteria_weights are only for decisions under the Provider Selection Regime"),
    ({"regime": "nhs", "process": ""}, "regime 'nhs' is not one of: pcr2013, psr"),
    ({"contract_start": "2027-01-01", "contract_end": "2026-12-31"},
     "contract_end must be the same as or after contract_start"),
    ({"provider_ods": "Y99999", "awarded_provider_ods": ""},
     "provider_ods: no organisation in the register has the ODS code or the name Y99999"),
    ({"provider_ods": "Y90001;Y90001"}, "provider_ods lists Y90001 more than once"),
    ({"awarded_provider_ods": "Y90002"},
     "awarded_provider_ods Y90002 must also be one of the provider_ods"),
    ({"provider_ods": ""}, "Enter at least one of the provider_ods to submit the decision"),
    ({"voting_emails": "nobody@example.nhs.uk"},
     "voting_emails: no person in the register has the email nobody@example.nhs.uk: import or "
     "add them first"),
    ({"voting_emails": "not-an-email"},
     "voting_emails: 'not-an-email' must be an email address, like name@example.nhs.uk"),
    ({"attendee_emails": "tom@example.nhs.uk"},
     "tom@example.nhs.uk is listed more than once (voting_emails and attendee_emails): list "
     "each person once"),
    ({"voting_emails": "", "attendee_emails": "tom@example.nhs.uk"},
     "Enter at least one of the voting_emails to submit the decision"),
    ({"clinical_lead_email": "ghost@example.nhs.uk"},
     "clinical_lead_email: no person in the register has the email ghost@example.nhs.uk"),
    ({"committee": "Nope"}, "no committee in the register is called Nope"),
    ({"committee": ""}, "Enter the committee that decided"),
    ({"title": ""}, "Enter the decision's title"),
    ({"meeting_date": "31/02/2026"}, "meeting_date '31/02/2026' is not a real date"),
    ({"meeting_date": ""}, "Enter the meeting_date, like 2025-03-31 or 31/03/2025"),
    ({"status": "approved"}, "status 'approved' is not one of: draft, submitted"),
    ({"choice": "rent"}, "choice 'rent' is not one of: make, buy, mixed"),
    ({"choice": ""}, "Enter the choice: one of make, buy, mixed"),
    ({"offered_to_all": "maybe"}, "offered_to_all must be yes or no, not 'maybe'"),
    ({"reference": "MOB-26-1"}, "reference 'MOB-26-1' must look like MOB-2026-0007"),
    ({"reference": "MOB-2026-0001"}, "reference MOB-2026-0001 has already been issued"),
    ({"title": "Bad\u202etitle"}, "title must not contain hidden control characters"),
])
def test_a_bad_row_is_reported_with_its_line_and_nothing_is_written(db, known, over, message):
    db["reference_counters"].insert({"year": 2026, "last_number": 1})
    before = counts(db)
    plan = run(db, csv_text(row(title="A good one"), row(**over)))
    assert not plan.ok
    assert any(m.startswith("Line 3: " + message) for m in messages(plan)), messages(plan)
    assert not any(m.startswith("Line 2") for m in messages(plan))
    assert counts(db) == before


@pytest.mark.parametrize("process", ["direct_award_a", "direct_award_b", "urgent_award"])
def test_a_route_that_assesses_no_key_criteria_imports_without_weights(db, known, process):
    # None of them assesses providers against the basic selection criteria, and an urgent award
    # checks none against the grounds for exclusion: those columns stay empty.
    plan = run(db, csv_text(row(process=process, key_criteria_weights="", offered_to_all="yes",
                                selection_criteria="",
                                **({"exclusions": ""} if process == "urgent_award" else {}))))
    assert plan.ok, messages(plan)
    decision = next(iter(db.query("SELECT * FROM decisions")))
    assert (decision["process"], decision["status"]) != (process, "draft")
    assert decision["process"] == process
    assert db["decision_criteria"].count == 0


def test_weights_given_for_direct_award_b_are_refused(db, known):
    before = counts(db)
    plan = run(db, csv_text(row(process="direct_award_b", selection_criteria="")))
    assert messages(plan) == [
        "Line 2: key_criteria_weights: Direct award process B assesses no key criteria: leave "
        "the weights empty (only direct award process C, the most suitable provider process and "
        "the competitive process record them)"]
    assert counts(db) == before


def test_a_reference_already_in_the_register_is_refused(db, known):
    add_decision(db, known["committee"], reference="MOB-2026-0009", title="Existing")
    plan = run(db, csv_text(row(reference="MOB-2026-0009")))
    # Its title is not given: whoever imports may be excluded from that decision's papers.
    assert messages(plan) == ["Line 2: reference MOB-2026-0009 is already in the register: an "
                              "import adds decisions and never changes one"]


def test_a_name_shared_by_two_organisations_must_be_given_by_code(db, known):
    add_organisation(db, "Go-To-Doc Ltd", kind="independent", companies_house_number="09990003")
    plan = run(db, csv_text(row(status="draft", provider_ods="Go-To-Doc Ltd",
                                awarded_provider_ods="")))
    assert messages(plan) == ["Line 2: provider_ods: 2 organisations in the register are "
                              "called ‘Go-To-Doc Ltd’: give its ODS code, Companies House number "
                              "or charity number to say which"]
    # Named by its number, the second one is found, even with the number written short.
    plan = run(db, csv_text(row(status="draft", provider_ods="companies_house:9990003",
                                awarded_provider_ods="")))
    assert plan.ok, messages(plan)
    decision = next(db["decisions"].rows_where(order_by="id desc"))
    providers = [r["organisation_id"] for r in db["decision_providers"].rows_where(
        "decision_id = ?", [decision["id"]])]
    assert [db["organisations"].get(p)["companies_house_number"] for p in providers] \
        == ["09990003"]


def test_every_bad_row_is_reported_and_the_same_decision_twice_is_caught(db, known):
    before = counts(db)
    plan = run(db, csv_text(row(), row(total_value="abc"), row(committee="Nope"), row()))
    found = messages(plan)
    assert any(m.startswith("Line 3: total_value 'abc'") for m in found)
    assert any(m.startswith("Line 4: no committee") for m in found)
    assert "Line 5: this decision is the same as the one on line 2 (same title, committee and " \
           "meeting date)" in found
    assert counts(db) == before


def test_header_problems_refuse_the_file(db, known):
    plan = check_file("decisions", b"title,committee\nA,Primary Care Committee\n", db)
    assert messages(plan) == ["The header row is missing the column meeting_date"]
    assert plan.file_problem


# ---- the page and the command -------------------------------------------------------------------

def test_upload_preview_names_the_references_then_confirm_imports(as_role, app, db, known,
                                                                  tmp_path):
    app.config["IMPORT_FOLDER"] = str(tmp_path / "imports")
    client = as_role("secretary")
    formats = client.get("/import/formats").get_data(as_text=True)
    assert 'id="format-decisions"' in formats and "<code>key_criteria_weights</code>" in formats
    response = client.post("/import/", data={
        "kind": "decisions", "file": (io.BytesIO(csv_text(row()).encode()), "decisions.csv")},
        content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert "1 decision will be created" in page
    assert "New reference will be given: MOB-2026-0001." in page
    assert db["decisions"].count == 0
    token = re.search(r'name="upload" type="hidden" value="([^"]+)"', page) or \
        re.search(r'id="upload" name="upload" type="hidden" value="([^"]+)"', page)
    assert client.post("/import/confirm", data={"upload": token.group(1)}).status_code == 302
    decision = next(db.query("SELECT * FROM decisions"))
    user_id = db.execute("SELECT id FROM users WHERE username = 'secretary'").fetchone()[0]
    assert decision["author_user_id"] == user_id and decision["status"] == "awaiting_review"


def test_cli_imports_decisions(runner, db, known, tmp_path):
    path = tmp_path / "decisions.csv"
    path.write_text(csv_text(row(), row(title="Bad", total_value="NaN")), encoding="utf-8")
    result = runner.invoke(args=["import", "decisions", str(path)])
    assert result.exit_code == 1 and "Line 3: total_value 'NaN'" in result.output
    assert db["decisions"].count == 0
    path.write_text(csv_text(row()), encoding="utf-8")
    result = runner.invoke(args=["import", "decisions", str(path)])
    assert result.exit_code == 0, result.output
    assert "1 decision created" in result.output
    assert db["decisions"].count == 1


# ---- round trip ---------------------------------------------------------------------------------

def source_decisions(db, ids: dict[str, int]) -> None:
    """Decisions of every sort, with statuses as their flags make them."""
    committee = ids["committee"]
    add_decision(
        db, committee, reference="MOB-2026-0003", title="Anticoagulation in practices",
        description="Warfarin monitoring, every practice", choice="make", contract_kind="new",
        regime="psr", process="direct_award_c", total_value_pence=25_000_050,
        annual_value_pence=5_000_010, contract_start="2026-04-01", contract_end="2029-03-31",
        clinical_lead_id=ids["asha"], contract_manager_id=ids["grace"],
        meeting_date="2026-03-10", decision_process="Vote", offered_to_all_member_practices=1,
        awarded_provider_id=ids["network"], justification="Care closer to home",
        route_reasons="The network is meeting the contract", selection_criteria="Accounts checked",
        exclusions="Declaration checked",
        comments="=SUM(A1)", status="awaiting_review", submitted_at="2026-03-11T10:00:00+00:00",
        providers=(ids["network"],),
        participants=((ids["asha"], "voting"), (ids["tom"], "voting"),
                      (ids["grace"], "attendee"), (ids["ben"], "evaluator")))
    decision_id = db.execute("SELECT id FROM decisions WHERE reference = 'MOB-2026-0003'"
                             ).fetchone()[0]
    for criterion, weight in (("quality_innovation", 40), ("value", 30),
                              ("integration_collaboration_sustainability", 10),
                              ("access_inequalities_choice", 10), ("social_value", 10)):
        db["decision_criteria"].insert({"decision_id": decision_id, "criterion": criterion,
                                        "weight": weight, "how_applied": ""})
    add_decision(
        db, committee, reference="MOB-2023-0001", title="+ Physiotherapy, hospital clinic",
        choice="buy", contract_kind="existing", regime="pcr2013", process="extension",
        total_value_pence=900_000, annual_value_pence=300_000, meeting_date="2023-06-01",
        route_reasons="The contract allowed a one-year extension",
        awarded_provider_id=ids["trust"], status="ready_for_decision",
        submitted_at="2023-06-02T10:00:00+00:00", providers=(ids["trust"],),
        participants=((ids["tom"], "voting"),))
    add_decision(
        db, committee, reference="MOB-2026-0004", title="Online consultations", choice=None,
        contract_kind=None, regime=None, process=None, total_value_pence=None,
        annual_value_pence=None, meeting_date="2026-10-20", status="draft",
        providers=(ids["gotodoc"],), participants=((ids["ben"], "attendee"),))
    add_decision(
        db, committee, reference="MOB-2026-0005", title="Carers' transport", choice="buy",
        contract_kind="new", regime="psr", process="direct_award_a", total_value_pence=600_000,
        annual_value_pence=200_000, meeting_date="2026-05-12", status="draft",
        awarded_provider_id=ids["carers"], providers=(ids["carers"], ids["transport"]),
        participants=((ids["tom"], "voting"),))


def comparable(document: dict) -> dict:
    """A decision document without what differs between registers: ids and timestamps."""
    document = json.loads(json.dumps(document))
    for key in ("id", "submitted_at"):
        document.pop(key)
    document["committee"].pop("id")
    return document


def test_json_and_csv_exports_round_trip_through_the_import(runner, app, db, tmp_path):
    source_decisions(db, base(db))
    exported = tmp_path / "decisions.json"
    moved = tmp_path / "decisions-import.csv"
    assert runner.invoke(args=["export", "decisions", "-o", str(exported)]).exit_code == 0
    result = runner.invoke(args=["export", "decisions", "--format", "import-csv", "-o",
                                 str(moved)])
    assert result.exit_code == 0, result.output
    register_csv = runner.invoke(args=["export", "decisions", "--format", "csv"]).output
    assert moved.read_bytes().startswith("\ufeff".encode())
    assert "'=SUM(A1)" in moved.read_text(encoding="utf-8")
    original = json.loads(exported.read_text(encoding="utf-8"))["decisions"]
    assert len(original) == 4 and any(d["flags"] for d in original)
    # Providers without an ODS code are written by the identifier that finds them again.
    written = moved.read_text(encoding="utf-8")
    assert "companies_house:09990002" in written
    assert "Bayview Community Transport CIC;charity:SC012345,charity:SC012345" in written
    carers = next(d for d in original if d["reference"] == "MOB-2026-0005")
    assert carers["awarded_provider"]["identifiers"] == [{"scheme": "GB-CHC", "id": "SC012345"}]

    # A fresh register with the same people, organisations and committee.
    other_path = tmp_path / "other.sqlite3"
    other_app = create_app({"TESTING": True, "SECRET_KEY": "test-secret-key-not-for-production",
                            "DATABASE": str(other_path)})
    other = connect(str(other_path), foreign_keys=False)
    migrate(other)
    other.close()
    other = connect(str(other_path))
    try:
        base(other)
        plan = import_file(other, "decisions", moved.read_bytes(), actor="tester")
        assert plan.ok, messages(plan)
        other_runner = other_app.test_cli_runner()
        again = json.loads(other_runner.invoke(args=["export", "decisions"]).output)["decisions"]
        for got, want in zip(again, original, strict=True):
            got, want = comparable(got), comparable(want)
            assert {k: v for k, v in got.items() if v != want[k]} == {}, want["reference"]
        assert other_runner.invoke(args=["export", "decisions", "--format", "csv"]).output == \
            register_csv
        # The import file written from the fresh register is the same file again.
        assert import_csv(serialise.decision_document(other, d["id"]) for d in again) == \
            moved.read_bytes().decode("utf-8")
    finally:
        other.close()


# ---- what each route records --------------------------------------------------------------------

COMPETITIVE = {"process": "competitive_process", "provider_ods": "Y90001; Go-To-Doc Ltd",
               "awarded_provider_ods": "Y90001", "score_out_of": "100",
               "provider_scores": "Y90001=72.5; Go-To-Doc Ltd=64"}


def test_a_competitive_process_imports_each_providers_score(db, known):
    plan = run(db, csv_text(row(**COMPETITIVE)))
    assert plan.ok, messages(plan)
    decision = db.execute("SELECT id, score_out_of, route_reasons, exclusions FROM decisions"
                          ).fetchone()
    assert decision[1] == 100 and decision[2].startswith("The practice is meeting")
    assert sorted(tuple(r) for r in db.execute(
        "SELECT organisation_id, score FROM decision_scores WHERE decision_id = ?",
        [decision[0]])) == sorted([(known["riverside"], 72.5), (known["gotodoc"], 64.0)])


@pytest.mark.parametrize("over, message", [
    ({**COMPETITIVE, "provider_scores": "Y90001=120; Go-To-Doc Ltd=64"},
     "provider_scores: The score for Y90001 must be between 0 and 100, the published scale"),
    ({**COMPETITIVE, "provider_scores": "Y90001=72; RX1=50"},
     "provider_scores: RX1 must also be one of the provider_ods"),
    ({**COMPETITIVE, "provider_scores": "Y90001=72"},
     "Enter the provider_scores of every proposed provider to submit a decision by "
     "competitive_process"),
    ({**COMPETITIVE, "score_out_of": "ten"},
     "score_out_of: The top of the scoring scale must be a whole number from 1 to 1000"),
    ({"score_out_of": "100", "provider_scores": "Y90001=70"},
     "score_out_of: Direct award process C scores no competing providers: leave this empty"),
    ({"process": "direct_award_a", "key_criteria_weights": ""},
     "selection_criteria: Direct award process A assesses no providers against the basic "
     "selection criteria: leave this empty"),
    ({"exclusions": ""}, "Enter the exclusions to submit a decision by direct_award_c"),
    ({"route_reasons": ""}, "Enter the route_reasons to submit the decision"),
])
def test_route_parts_are_checked_line_by_line_and_nothing_is_written(db, known, over, message):
    before = counts(db)
    plan = run(db, csv_text(row(**over)))
    assert not plan.ok
    assert any(message in text for text in messages(plan)), messages(plan)
    assert counts(db) == before
    assert db["decision_scores"].count == 0


# ---- the meeting's start time and place ---------------------------------------------------------

def _meeting(db, committee, day="2026-03-10"):
    return db.execute("SELECT starts_at, place FROM meetings WHERE committee_id = ?"
                      " AND meeting_date = ?", [committee, day]).fetchone()


def test_a_new_meeting_gets_the_start_time_and_place_of_its_first_row(db, known):
    plan = run(db, csv_text(row(meeting_starts_at="9.30", meeting_place="Board room,  Riverside"),
                            row(title="Podiatry", meeting_starts_at="", meeting_place="")))
    assert plan.ok, messages(plan)
    assert _meeting(db, known["committee"]) == ("09:30", "Board room, Riverside")
    assert db["meetings"].count == 1 and db["agenda_items"].count == 2


@pytest.mark.parametrize("over, message", [
    ({"meeting_starts_at": "half ten"},
     "meeting_starts_at: the start time must be a time of day, like 09:30, 14:05 or 2:05pm"),
    ({"meeting_starts_at": "14:00"},
     "meeting_starts_at: the Primary Care Committee meeting on 10 March 2026 already starts at "
     "10:00 in the register; an import does not change a meeting"),
    ({"meeting_place": "Town hall"},
     "meeting_place: the Primary Care Committee meeting on 10 March 2026 is already held at "
     "Board room in the register; an import does not change a meeting"),
])
def test_an_existing_meeting_is_not_changed_and_the_line_says_so(db, known, over, message):
    from register.meetings import store
    store.create_meeting(db, {"committee_id": known["committee"], "meeting_date": "2026-03-10",
                              "starts_at": "10:00", "ends_at": None, "place": "Board room",
                              "link": ""}, actor="test")
    before = counts(db)
    plan = run(db, csv_text(row(title="A good one"), row(**over)))
    assert any(m.startswith("Line 3: " + message) for m in messages(plan)), messages(plan)
    assert not any(m.startswith("Line 2") for m in messages(plan))
    assert counts(db) == before
    assert _meeting(db, known["committee"]) == ("10:00", "Board room")
    # The same time and place, or none, go on that meeting's agenda.
    assert run(db, csv_text(row(meeting_starts_at="10:00", meeting_place="Board room"),
                            row(title="Podiatry"))).ok
    assert db["meetings"].count == 1 and db["agenda_items"].count == 2


def test_two_rows_of_one_new_meeting_must_agree(db, known):
    plan = run(db, csv_text(row(meeting_starts_at="10:00"),
                            row(title="Podiatry", meeting_starts_at="11:00")))
    assert messages(plan) == [
        "Line 3: meeting_starts_at: the Primary Care Committee meeting on 10 March 2026 already "
        "starts at 10:00 in line 2; an import does not change a meeting: leave "
        "meeting_starts_at blank or give 10:00, and change the meeting on its page"]
    assert db["meetings"].count == 0
