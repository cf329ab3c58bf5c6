"""Gifts, hospitality and sponsorship: the guidance's limits, the form's refusals, the signed-in
list, and the public register with its CSV."""
from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from register.rules import gifts as rules
from register.timeutil import today_uk

from .conftest import add_organisation, count
from .reading import words as text

# ---- the guidance (pure rules) --------------------------------------------------------------------

@pytest.mark.parametrize("kind, supplier, pence, accepted, declare, decline, approval", [
    ("gift", True, 500, True, False, False, False),  # a pen under £6
    ("gift", True, 2000, True, True, True, False),  # a supplier's £20 gift: declined
    ("gift", False, 5000, True, False, False, False),  # £50 from a patient: not declared
    ("gift", False, 5001, False, True, False, False),
    ("hospitality", True, 2500, True, False, False, False),
    ("hospitality", True, 6000, True, True, False, False),
    ("hospitality", True, 9000, True, True, False, True),
    ("hospitality", True, 9000, False, True, False, False),  # declined: nothing to approve
    ("sponsorship", False, 0, True, True, False, False),
])
def test_the_guidance_on_what_is_declared_declined_or_approved(kind, supplier, pence, accepted,
                                                              declare, decline, approval):
    found = rules.assess(kind, supplier, pence, accepted)
    assert (found.must_declare, found.should_decline, found.needs_approval) == \
        (declare, decline, approval)


def test_the_organisation_sets_its_own_limits():
    assert not rules.assess("hospitality", False, 6000, True,
                            {"hospitality_declare": 10000}).must_declare


def test_dates_and_lateness():
    today = dt.date(2026, 12, 6)
    assert rules.offered_on_problem(today + dt.timedelta(days=1), today) == \
        "The date it was offered must be today or in the past"
    assert "within the last 6 years" in rules.offered_on_problem(dt.date(2019, 1, 1), today)
    assert rules.days_late(dt.date(2026, 11, 1), dt.date(2026, 11, 29)) == 0
    assert rules.days_late(dt.date(2026, 11, 1), dt.date(2026, 12, 6)) == 7


# ---- declaring ----------------------------------------------------------------------------------

def form(**over):
    offered = today_uk() - dt.timedelta(days=3)
    data = {"kind": "hospitality", "description": "Dinner after the diabetes conference",
            "organisation_id": "", "offered_by": "Acme Pharma Ltd", "from_supplier": "y",
            "value": "60.00", "offered_on-day": str(offered.day),
            "offered_on-month": str(offered.month), "offered_on-year": str(offered.year),
            "outcome": "accepted", "approved_by": ""}
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def test_a_member_declares_hospitality_and_it_is_published(as_role, db, app):
    member = as_role("member")
    response = member.post("/gifts/declare", data=form())
    assert response.status_code == 302, text(response)[:1000]
    row = dict(next(db.query("SELECT * FROM gifts")))
    assert row["person_id"] == member.person_id and row["value_pence"] == 6000
    assert row["declared_on"] == today_uk().isoformat()
    assert "Hospitality declared. Hospitality over £25 is declared." in text(member.get("/gifts/"))
    public = text(app.test_client().get("/public/gifts-and-hospitality"))
    assert "Dinner after the diabetes conference" in public and "Acme Pharma Ltd" in public
    assert count(db, "audit_events") >= 1


def test_what_need_not_be_declared_is_kept_but_not_published(as_role, app):
    member = as_role("member")
    member.post("/gifts/declare", data=form(kind="gift", value="20.00", from_supplier=None,
                                            description="Box of chocolates from a patient"))
    assert "Box of chocolates" in text(member.get("/gifts/"))
    assert "Box of chocolates" not in text(app.test_client().get("/public/gifts-and-hospitality"))


@pytest.mark.parametrize("over, message", [
    ({"value": "-5"}, "The estimated value must be £0 or more"),
    ({"value": "lots"}, "Enter the estimated value in pounds and pence, like 45.00"),
    ({"offered_on-year": str(today_uk().year + 1)},
     "The date it was offered must be today or in the past"),
    ({"value": "120.00"}, "Hospitality of this value may be accepted only with approval"),
    ({"offered_by": ""}, "Choose who offered it from the list or enter their name"),
    ({"kind": None}, "Choose whether it was a gift, hospitality or sponsorship"),
])
def test_bad_input_is_refused_kept_and_nothing_written(as_role, db, over, message):
    member = as_role("member")
    response = member.post("/gifts/declare", data=form(**over))
    assert response.status_code == 200
    page = text(response)
    assert message in page and "Error: Declare a gift, hospitality or sponsorship" in page
    assert "Dinner after the diabetes conference" in response.get_data(as_text=True)
    assert count(db, "gifts") == 0


def test_accepted_with_approval_and_declared_late(as_role, db, app):
    member = as_role("member")
    offered = today_uk() - dt.timedelta(days=40)
    response = member.post("/gifts/declare", data=form(
        value="120.00", approved_by="Dr Helen Price, chair",
        **{"offered_on-day": str(offered.day), "offered_on-month": str(offered.month),
           "offered_on-year": str(offered.year)}))
    assert response.status_code == 302
    page = text(member.get("/gifts/"))
    assert "declared 12 days after the 28 days allowed" in page
    assert "Declared 12 days late" in page and "Approved by Dr Helen Price, chair" in page


def test_a_suppliers_gift_accepted_over_the_limit_is_marked(as_role, db):
    provider = add_organisation(db, "Go-To-Doc Ltd", kind="independent",
                                companies_house_number="09990002")
    member = as_role("member")
    member.post("/gifts/declare", data=form(kind="gift", value="40", offered_by="",
                                            organisation_id=str(provider),
                                            description="Hamper"))
    page = text(as_role("governance").get("/gifts/"))
    assert "Should have been declined" in page and "Go-To-Doc Ltd" in page


def test_a_secretary_records_for_someone_else_and_members_see_only_their_own(as_role, db):
    secretary = as_role("secretary")
    member = as_role("member")
    response = secretary.post("/gifts/declare", data=form(person_id=str(member.person_id)))
    assert response.status_code == 302, text(response)[:800]
    assert "Dinner after the diabetes conference" in text(member.get("/gifts/"))
    other = as_role("member", username="other")
    assert "Dinner after the diabetes conference" not in text(other.get("/gifts/"))
    assert as_role("auditor").get("/gifts/declare").status_code == 403


def test_the_public_csv_neutralises_formulas_and_types_money(as_role, app):
    as_role("member").post("/gifts/declare", data=form(description="=HYPERLINK(\"x\")"))
    response = app.test_client().get("/public/gifts-and-hospitality.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True)[1:])))
    row = dict(zip(rows[0], rows[1]))
    assert row["Description"] == "'=HYPERLINK(\"x\")" and row["Estimated value (£)"] == "60.00"
    assert row["Declared late"] == "no"


def test_a_providers_gift_to_someone_taking_part_shows_on_the_decision_and_review(as_role, db):
    from register.gifts.queries import create_gift

    from .test_reviews import reference, submitted, world

    facts = world.__wrapped__(db)
    decision = submitted(db, facts)
    create_gift(db, {"kind": "hospitality", "description": "Practice summer party",
                     "organisation_id": facts.practice, "offered_by": "", "from_supplier": 1,
                     "value_pence": 4000, "offered_on": "2026-01-10", "accepted": 1,
                     "approved_by": ""}, person_id=facts.gp2,
                declared_on=dt.date(2026, 1, 12), actor="tester")
    ref = reference(db, decision)
    for page in (as_role("secretary").get(f"/decisions/{ref}"),
                 as_role("governance").get(f"/reviews/{ref}")):
        words = text(page)
        assert "Gifts and hospitality from the providers" in words
        assert "hospitality from Riverside Surgery, Practice summer party (£40.00" in words


def test_the_public_pdf_and_the_board_pack_print_the_declared_offers(as_role, app, db, runner,
                                                                    tmp_path):
    from pypdf import PdfReader

    from .conftest import add_committee, add_member

    member = as_role("member")
    committee = add_committee(db, "Primary Care Committee")
    add_member(db, committee, member.person_id)
    member.post("/gifts/declare", data=form())
    response = app.test_client().get("/public/gifts-and-hospitality.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    words = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "Register of gifts, hospitality and sponsorship" in words
    assert "Acme Pharma Ltd" in words and "£60.00" in words
    today = today_uk()
    pack = tmp_path / "pack.pdf"
    result = runner.invoke(args=["pdf", "pack", "--committee", "Primary Care Committee",
                                 "--from", (today - dt.timedelta(days=30)).isoformat(),
                                 "--to", today.isoformat(), "-o", str(pack)])
    assert result.exit_code == 0, result.output
    text_ = " ".join(page.extract_text() for page in PdfReader(str(pack)).pages)
    assert "Gifts, hospitality and sponsorship" in text_ and "Acme Pharma Ltd" in text_


def test_the_audit_trail_vouches_for_each_gift(as_role, db):
    from register import audit

    as_role("member").post("/gifts/declare", data=form())
    assert audit.content_problems(db) == []
    db.execute("UPDATE gifts SET value_pence = 100")
    problems = audit.content_problems(db)
    assert len(problems) == 1 and problems[0].startswith("gift 1 (Member Person)")
    assert "changed outside the app" in problems[0]
