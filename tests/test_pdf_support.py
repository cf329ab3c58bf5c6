"""Shared data and readers for the PDF tests: a small consortium with awkward names and text, and
helpers that read a PDF back (text per page, outline targets, link targets, metadata)."""
from __future__ import annotations

import datetime as dt
import functools
import io
import os
import shutil
import subprocess
from typing import Any

import pytest
from pypdf import PdfReader

from register import audit
from register.db import ConnectionSettings
from register.decisions import access
from register.reports import pack_jobs
from register.timeutil import utcnow_iso

from .conftest import (
    add_committee,
    add_decision,
    add_interest,
    add_member,
    add_organisation,
    add_person,
    add_user,
)

NAMES = {
    "chair": "Siân Prŷs",
    "gp1": "Dr Łukasz Wójcik",
    "gp2": "Dr Dafydd Gŵyn",
    "lay": "Mary O'Connor",
    "exec": "Zofia Żabińska-Kąt",
    "governance": "Gwen Ap-Rhys",
}
SCRIPT_TITLE = "Anticoagulation <script>alert(1)</script> service"
EVIL_DESCRIPTION = 'Shown <img src="/etc/passwd"> and <a href="javascript:alert(1)">a link</a> & more'
PRINTED_AT = "2026-04-02T10:00:00+00:00"


def build_consortium(db, *, extra_decisions: int = 40) -> dict[str, Any]:
    """A committee with five members, one flagged decision with rulings, sign-off, outcome and a
    breach, and `extra_decisions` plain ones so the register runs over several pages."""
    practice_a = add_organisation(db, "Riverside Surgery", ods_code="Y00001", is_member_practice=1)
    practice_b = add_organisation(db, "Hill Surgery", ods_code="Y00002", is_member_practice=1)
    trust = add_organisation(db, "Northvale Hospitals NHS Trust", kind="trust", ods_code="RX1",
                             registered_address="1 Hospital Road, Northvale", postcode="NV1 1AA")
    people = {
        "chair": add_person(db, NAMES["chair"], email="sian@example.nhs.uk",
                            positions="Lay chair"),
        "gp1": add_person(db, NAMES["gp1"], email="lukasz@example.nhs.uk",
                          positions="GP partner", home_practice_id=practice_a),
        "gp2": add_person(db, NAMES["gp2"], email="dafydd@example.nhs.uk",
                          positions="GP partner", home_practice_id=practice_b),
        "lay": add_person(db, NAMES["lay"], email="mary@example.nhs.uk", positions="Lay member"),
        "exec": add_person(db, NAMES["exec"], email="zofia@example.nhs.uk",
                           positions="Director of finance"),
        "governance": add_person(db, NAMES["governance"], email="gwen@example.nhs.uk",
                                 positions="Conflicts of interest guardian", is_decision_maker=0),
        "staff": add_person(db, "Ola Nordmann", email="ola@example.nhs.uk",
                            positions="Analyst", is_decision_maker=0),
    }
    committee = add_committee(db, "Primary Care Committee", quorum_min_voting=3,
                              quorum_min_lay=1)
    add_member(db, committee, people["chair"], role="chair", category="lay")
    add_member(db, committee, people["lay"], role="vice_chair", category="lay")
    add_member(db, committee, people["gp1"], category="gp")
    add_member(db, committee, people["gp2"], category="gp")
    add_member(db, committee, people["exec"], category="executive")
    governance_user = add_user(db, role="governance", username="gwen",
                               person_id=people["governance"])
    interests = {
        "current": add_interest(db, people["gp1"], organisation_id=practice_a,
                                organisation_name="Riverside Surgery", nature="Partner <b>bold</b>",
                                date_from="2020-01-01", declared_on="2020-01-05"),
        "ended_long_ago": add_interest(db, people["gp2"], organisation_name="Old Federation Ltd",
                                       nature="Director", date_from="2018-01-01",
                                       date_to="2025-06-30", declared_on="2018-01-10"),
        "ended_recently": add_interest(db, people["gp2"], organisation_name="Recent Federation Ltd",
                                       nature="Adviser", date_from="2019-01-01",
                                       date_to="2026-01-31", declared_on="2019-01-10"),
        "withheld": add_interest(db, people["lay"], organisation_name="Secret Clinic Ltd",
                                 nature="Spouse is a director", is_indirect=1,
                                 associate_relationship="spouse", consent_to_publish=0,
                                 withheld_reason="Safety of a family member",
                                 date_from="2024-05-01", declared_on="2024-05-10"),
        "withdrawn": add_interest(db, people["exec"], organisation_name="Mistake Ltd",
                                  nature="Entered in error", withdrawn=1,
                                  withdrawn_reason="Typed against the wrong person",
                                  date_from="2024-01-01", declared_on="2024-01-05"),
        "late": add_interest(db, people["exec"], organisation_name="=HYPERLINK(\"x\")",
                             organisation_business="+Consulting", nature="-Shareholder",
                             date_from="2026-01-05", declared_on="2026-03-20"),
        "staff": add_interest(db, people["staff"], organisation_name="Staff Only Ltd",
                              nature="Owner", date_from="2024-01-01", declared_on="2024-01-02"),
    }
    voting = tuple((people[k], "voting") for k in ("chair", "lay", "gp1", "gp2", "exec"))
    flagged = add_decision(
        db, committee, reference="MOB-2026-0001", title=SCRIPT_TITLE,
        description=EVIL_DESCRIPTION, offered_to_all_member_practices=1,
        meeting_date="2026-03-10", status="decided", submitted_at="2026-03-02T09:00:00+00:00",
        providers=(practice_a, practice_b), participants=voting, awarded_provider_id=trust,
        justification="Best value & quality", comments="Agreed by the committee",
        decision_process="Committee vote")
    db["decision_options"].insert_all([
        {"decision_id": flagged, "position": 1, "description": "Offer to every practice",
         "outcome": "chosen", "reason": "Closest to patients"},
        {"decision_id": flagged, "position": 2, "description": "Hospital clinic",
         "outcome": "rejected", "reason": "Travel for patients"},
    ])
    now = utcnow_iso()
    for key in ("gp1", "gp2"):
        db["decision_rulings"].insert({
            "decision_id": flagged, "person_id": people[key], "ruling": "no_vote",
            "reason": "Common interest: may discuss, not vote", "ruled_by_user_id": governance_user,
            "ruled_at": "2026-03-04T10:00:00+00:00"})
    db["decision_rulings"].update(
        next(db.query("SELECT id FROM decision_rulings WHERE person_id = ?", [people["gp2"]]))["id"],
        {"ruling": "leave_item", "reason": "Home practice is the largest provider"})
    db["sign_offs"].insert({
        "decision_id": flagged, "signer_user_id": governance_user,
        "signer_name": NAMES["governance"], "signer_role": "Conflicts of interest guardian",
        "statement": "I confirm the conflicts were managed as recorded.",
        "content_hash": "ab" * 32, "signed_at": "2026-03-06T15:30:00+00:00"})
    db["decision_outcomes"].insert({
        "decision_id": flagged, "outcome": "make", "awarded_provider_id": trust, "votes_for": 3,
        "votes_against": 0, "votes_abstaining": 0, "notes": "Carried", "recorded_at": now})
    for key, present, vote in (("chair", 1, "for"), ("lay", 1, "for"), ("exec", 1, "for"),
                               ("gp1", 1, None), ("gp2", 1, None)):
        db["outcome_attendance"].insert({"decision_id": flagged, "person_id": people[key],
                                         "present": present, "vote": vote})
    db["breaches"].insert({"decision_id": flagged, "person_id": people["gp2"],
                           "kind": "present_when_ruled_out",
                           "detail": "Stayed in the room for the item", "recorded_at": now})
    audit.record(db, actor="secretary", action="create", entity="decision", entity_id=flagged,
                 after={"title": SCRIPT_TITLE, "status": "draft"})
    audit.record(db, actor="secretary", action="submit", entity="decision", entity_id=flagged,
                 changes={"status": ["draft", "awaiting_review"]})
    for number in range(2, extra_decisions + 2):
        add_decision(db, committee, reference=f"MOB-2026-{number:04d}",
                     title=f"Routine service {number}: " + "community physiotherapy " * 3,
                     description="A longer description of the service that wraps in its cell. "
                                 * 2, meeting_date=f"2026-0{1 + number % 3}-{1 + number % 27:02d}",
                     status="ready_for_decision", choice="buy" if number % 2 else "make",
                     submitted_at="2026-01-05T09:00:00+00:00", providers=(trust,))
    return {"committee": committee, "people": people, "flagged": flagged,
            "governance_user": governance_user, "interests": interests}


# ---- reading PDFs back ----------------------------------------------------------------------

def flat(text: str) -> str:
    """Text with every run of white space as one space."""
    return " ".join(text.split())


def reader(data: bytes) -> PdfReader:
    """A pypdf reader over PDF bytes."""
    return PdfReader(io.BytesIO(data))


@functools.lru_cache(maxsize=8)
def page_texts(data: bytes) -> tuple[str, ...]:
    """The extracted text of every page (remembered: several tests read the same document)."""
    return tuple(page.extract_text() or "" for page in reader(data).pages)


def outline_targets(data: bytes) -> dict[str, int]:
    """Every bookmark's title and the page number (1-based) it opens."""
    pdf = reader(data)
    found: dict[str, int] = {}

    def walk(items: list) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                found[item.title] = pdf.get_destination_page_number(item) + 1

    walk(pdf.outline)
    return found


def link_targets(data: bytes, page_number: int) -> list[int]:
    """The pages (1-based) that the internal links on one page (1-based) go to."""
    pdf = reader(data)
    named = pdf.named_destinations
    targets = []
    for annotation in pdf.pages[page_number - 1].get("/Annots", []) or []:
        annotation = annotation.get_object()
        if annotation.get("/Subtype") != "/Link":
            continue
        dest = annotation.get("/Dest")
        if dest is None and "/A" in annotation:
            dest = annotation["/A"].get("/D")
        if isinstance(dest, str) or hasattr(dest, "startswith"):
            dest = named[str(dest)]
            targets.append(pdf.get_destination_page_number(dest) + 1)
        elif dest is not None:
            targets.append(pdf.get_page_number(dest[0].get_object()) + 1
                           if hasattr(dest[0], "get_object") else int(dest[0]) + 1)
    return targets


def require_pdftoppm() -> str:
    """The pdftoppm program; under CI it must exist, elsewhere the test is skipped with advice."""
    path = shutil.which("pdftoppm")
    if path:
        return path
    if os.environ.get("CI"):
        pytest.fail("pdftoppm is missing: install poppler-utils (apt-get install poppler-utils)")
    pytest.skip("pdftoppm not installed: apt-get install poppler-utils (or brew install poppler)")
    return ""


def render_page_png(data: bytes, page: int, tmp_path) -> bytes:
    """One page rendered to PNG by pdftoppm, as bytes."""
    program = require_pdftoppm()
    source = tmp_path / "doc.pdf"
    source.write_bytes(data)
    subprocess.run([program, "-png", "-r", "50", "-f", str(page), "-l", str(page),
                    "-singlefile", str(source), str(tmp_path / "page")], check=True,
                   timeout=60)
    return (tmp_path / "page.png").read_bytes()


def png_is_not_blank(png: bytes) -> bool:
    """Whether a PNG has both dark and light pixels (something was drawn on a white page)."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("L")
    low, high = image.getextrema()
    dark = sum(image.histogram()[:128])
    return low < 100 and high > 200 and dark > 50


def job_id_of(location: str) -> str:
    """The job id in a pack job page's address."""
    return location.rstrip("/").rsplit("/", 1)[-1]


def print_pack(client, form: dict[str, str]):
    """Ask for a board audit pack as the form does, wait for the background build, and fetch the
    file: the response of the download."""
    asked = client.post("/reports/pack", data=form)
    assert asked.status_code == 302 and "/reports/pack/jobs/" in asked.location, asked.data[:300]
    pack_jobs.wait(job_id_of(asked.location), timeout=600)
    return client.get(asked.location + "/file")


def pack_order(app, **over: Any) -> pack_jobs.PackOrder:
    """What the pack form asks the worker to print, for the consortium's committee in the first
    quarter of 2026, as a reader of every decision with no person behind the account."""
    values: dict[str, Any] = {
        "connection": ConnectionSettings.of(app.config), "committee_id": 1,
        "committee_name": "Primary Care Committee", "date_from": dt.date(2026, 1, 1),
        "date_to": dt.date(2026, 3, 31), "organisation": app.config["ORGANISATION_NAME"],
        "prepared_by": "Ann O'Hara", "purpose": "Assurance", "recommendation": "Note it",
        "marking": "OFFICIAL", "review_target_days": app.config["REVIEW_TARGET_WORKING_DAYS"],
        "viewer": access.Viewer(sees_all=True)}
    values.update(over)
    return pack_jobs.PackOrder(**values)
