"""The fictional demo consortium: practices, providers, people, committees, interests, accounts,
and two years of make-or-buy decisions (written by `demo_decisions`).

Every name, code and address here is invented. Dates are counted back from the day the data is
loaded, so the register looks current whenever it is set up and is the same for a given day.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from . import audit
from .auth.models import create_user
from .db import write_transaction
from .organisations.identity import keyed
from .rules.interests import add_months
from .timeutil import today_uk, utcnow_iso

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - the only default password, for the demo
DEMO_ACCOUNTS = [
    ("admin", "Administrator"),
    ("secretary", "Board secretary"),
    ("governance", "Governance lead"),
    ("member", "Board member"),
    ("auditor", "Auditor"),
    ("reviewer", "Board member: the Governing Body's independent reviewer"),
]
# An account's role is its username, except these.
DEMO_ROLES = {"reviewer": "member"}
# The Governing Body's independent reviewer: she sits on the Primary Care Committee only, so takes
# no part in the Governing Body's decisions, and reviews one when its only governance lead votes.
INDEPENDENT_REVIEWERS = {"gb": "reviewer"}

ACTOR = "demo"

# ---- organisations --------------------------------------------------------------------------
# Practice codes Y90001-Y90012 are taken from the Y9 range, which no real GP practice uses; the
# network (U90001) and the trusts (R9A, R9B) are likewise invented, and the Companies House numbers
# start 990000, so nothing here can be mistaken for (or matched against) a real organisation.
# Postcodes use the invented area "NV".

PRACTICES = [
    # key, name, ODS code, address, postcode
    ("abbeyfield", "Abbeyfield Medical Centre", "Y90001", "2 Abbey Road, Northvale", "NV1 2AB"),
    ("brookside", "Brookside Surgery", "Y90002", "41 Brook Street, Northvale", "NV1 4BS"),
    ("castlegate", "Castlegate Health Centre", "Y90003", "Castlegate, Northvale", "NV2 1CG"),
    ("dunmore", "Dunmore Road Practice", "Y90004", "118 Dunmore Road, Easterby", "NV3 6DR"),
    ("elmwood", "Elmwood Family Practice", "Y90005", "7 Elmwood Avenue, Northvale", "NV2 8EW"),
    ("fernhill", "Fernhill Surgery", "Y90006", "Fernhill Lane, Upper Fernhill", "NV4 3FH"),
    ("greystone", "Greystone Medical Group", "Y90007", "The Old Mill, Greystone", "NV5 1GM"),
    ("harbour", "Harbour View Surgery", "Y90008", "3 Quay Street, Saltmouth", "NV6 2HV"),
    ("ivylane", "Ivy Lane Surgery", "Y90009", "22 Ivy Lane, Easterby", "NV3 9IL"),
    ("juniper", "Juniper House Surgery", "Y90010", "Juniper House, Market Square, Northvale",
     "NV1 7JH"),
    ("kingsmead", "Kingsmead Practice", "Y90011", "90 Kingsmead Way, Saltmouth", "NV6 5KM"),
    ("larchfield", "Larchfield Medical Practice", "Y90012", "Larchfield Road, Westholme",
     "NV7 2LF"),
]

# The network takes ten of the twelve practices; the federation six. Castlegate Health Centre
# left the federation eight months ago, when Dr Adeyemi stood down as its director (worked
# example 3: a federation bid after that no longer touches him).
NETWORK_MEMBERS = ["abbeyfield", "brookside", "castlegate", "dunmore", "elmwood", "fernhill",
                   "greystone", "harbour", "ivylane", "juniper"]
FEDERATION_MEMBERS = ["abbeyfield", "brookside", "castlegate", "elmwood", "greystone", "juniper"]
LEFT = {("federation", "castlegate"): ("months", 8)}

OTHER_ORGANISATIONS = [
    # key, name, kind, ODS code, Companies House number, address, postcode
    ("pcn", "Northvale Central Primary Care Network", "network", "U90001", None,
     "c/o Elmwood Family Practice, 7 Elmwood Avenue, Northvale", "NV2 8EW"),
    ("federation", "Northvale GP Federation Ltd", "federation", None, "99000001",
     "Unit 4, Riverside Business Park, Northvale", "NV1 9RB"),
    ("hospitals", "Northvale Hospitals NHS Foundation Trust", "trust", "R9A", None,
     "Northvale General Hospital, Infirmary Road, Northvale", "NV1 3NH"),
    ("community", "Northvale Community Health NHS Trust", "trust", "R9B", None,
     "Vale House, 10 Station Road, Easterby", "NV3 1VH"),
    ("physio", "Vale Physio Partners Ltd", "independent", None, "99000002",
     "15 Mill Street, Northvale", "NV2 4MS"),
    ("gotodoc", "Go-To-Doc Ltd", "independent", None, "99000003",
     "Suite 2, The Exchange, Saltmouth", "NV6 1EX"),
    ("clearscan", "ClearScan Diagnostics Ltd", "independent", None, "99000004",
     "Imaging Centre, Westholme Retail Park, Westholme", "NV7 8CD"),
]

# Providers with no ODS code, known to the register only by their Companies House number or
# their charity number, and the declarations that name them that way. They are loaded through
# the documented imports, as a secretary would load them from files, so the demo also shows
# those files finding each organisation by its number or its exact name: the interests are
# linked to the providers, and the decision buying from them finds real conflicts (one declared
# late), never possible matches. The numbers are invented: Companies House numbers start 990000
# like the others, and the charity number 999001 is outside the ranges the charity registers use.
IDENTIFIED_ORGANISATIONS = (
    "name,kind,companies_house_number,charity_number,registered_address,postcode\n"
    "Saltmouth Home Care Ltd,independent,99000005,,\"8 Harbour Row, Saltmouth\",NV6 3HR\n"
    "Easterby Wellbeing CIC,independent,99000006,,\"The Old Library, Church Street, Easterby\","
    "NV3 2OL\n"
    "Saltmouth Carers Network,voluntary,,999001,\"12 Quay Street, Saltmouth\",NV6 2QS\n"
)
# The same three, by the keys the demo's decisions use.
IDENTIFIED_KEYS = {"homecare": ("companies_house_number", "99000005"),
                   "wellbeing": ("companies_house_number", "99000006"),
                   "carers": ("charity_number", "999001")}
# (person, Companies House number, charity number, name as typed, business, type, nature,
#  relationship, days ago it arose, days ago it was declared)
IDENTIFIED_INTERESTS = [
    ("mensah", "99000005", "", "", "Home care", "financial",
     "Daughter is a care coordinator employed by the company", "Daughter", 500, 495),
    # Named only as the declaring member wrote it: the exact name once "Community Interest
    # Company" and "CIC" are read alike. Declared 100 days after it arose: late.
    ("adeyemi", "", "", "Easterby Wellbeing Community Interest Company", "Social prescribing "
     "and wellbeing services", "financial", "Holds 10% of the shares", "", 300, 200),
    ("pemberton", "", "999001", "", "Support for unpaid carers", "non_financial_personal",
     "Trustee of the charity", "", 1200, 1195),
]


def _identified_files(day: Any, emails: dict[str, str]) -> tuple[str, str]:
    """The organisations and interests files for the providers known only by a number."""
    header = ("person_email,organisation_companies_house_number,organisation_charity_number,"
              "organisation_name,organisation_business,interest_type,direct_or_indirect,"
              "relationship,nature,date_from,declared_on,consent_to_publish\n")
    rows = "".join(
        f"{emails[person]},{number},{charity},{name},{business},{kind},"
        f"{'indirect' if relationship else 'direct'},{relationship},{nature},"
        f"{day(arose)},{day(declared)},yes\n"
        for person, number, charity, name, business, kind, nature, relationship, arose, declared
        in IDENTIFIED_INTERESTS)
    return IDENTIFIED_ORGANISATIONS, header + rows


# ---- people ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoPerson:
    """One person of the demo consortium."""

    key: str
    name: str
    email: str
    positions: str
    decision_maker: bool
    practice: str | None = None


def _p(key: str, name: str, email: str, positions: str, dm: bool = True,
       practice: str | None = None) -> DemoPerson:
    return DemoPerson(key, name, email + "@northvale-consortium.example", positions, dm, practice)


# A GP who moved practice: the practice they were in before, and how many months ago they moved
# (long before any demo meeting, so no decision is judged by the earlier practice).
MOVED_PRACTICE = {"rahman": ("castlegate", 108)}

PEOPLE = [
    # The governing body.
    _p("rahman", "Dr Aisha Rahman", "aisha.rahman",
       "Clinical Chair of the Governing Body; GP partner, Abbeyfield Medical Centre",
       practice="abbeyfield"),
    _p("pemberton", "Hugh Pemberton-Clarke", "hugh.pemberton-clarke",
       "Lay member for patient and public involvement; Vice-chair of the Governing Body; "
       "Chair of the Primary Care Committee"),
    _p("okafor", "Margaret Okafor", "margaret.okafor",
       "Lay member for governance; Chair of the Audit Committee; "
       "Conflicts of Interest Guardian"),
    _p("llewelyn", "Siân Llewelyn", "sian.llewelyn", "Accountable Officer"),
    _p("kapoor", "Rajesh Kapoor", "rajesh.kapoor", "Chief Finance Officer"),
    _p("oconnor", "Dr Niamh O'Connor", "niamh.oconnor",
       "GP partner, Brookside Surgery; GP member of the Governing Body", practice="brookside"),
    _p("adeyemi", "Dr Oluwaseun Adeyemi", "oluwaseun.adeyemi",
       "GP partner, Castlegate Health Centre; GP member of the Governing Body",
       practice="castlegate"),
    _p("wojcik", "Dr Zofia Wójcik", "zofia.wojcik",
       "GP partner, Elmwood Family Practice; Clinical Director, Northvale Central Primary Care "
       "Network", practice="elmwood"),
    _p("macleod", "Dr Callum MacLeod", "callum.macleod",
       "GP partner, Greystone Medical Group; GP member of the Governing Body",
       practice="greystone"),
    _p("chen", "Dr Mei-Ling Chen", "mei-ling.chen",
       "GP partner, Juniper House Surgery; GP member of the Governing Body", practice="juniper"),
    _p("nwosu", "Bernadette Nwosu", "bernadette.nwosu",
       "Registered nurse member of the Governing Body"),
    _p("ashworth", "Dr Jonathan Ashworth-Hale", "jonathan.ashworth-hale",
       "Secondary care specialist doctor member of the Governing Body"),
    _p("byrne", "Dr Ciarán Byrne", "ciaran.byrne",
       "Director of Public Health, Northvale Council (attends the Governing Body, non-voting)"),
    # The primary care committee's own members.
    _p("fairweather", "Eleanor Fairweather", "eleanor.fairweather",
       "Lay member and Vice-chair, Primary Care Committee"),
    _p("mensah", "Kwame Mensah", "kwame.mensah", "Lay member, Primary Care Committee"),
    _p("nowak", "Tomasz Nowak", "tomasz.nowak", "Director of Primary Care"),
    _p("alsayed", "Fatima Al-Sayed", "fatima.al-sayed",
       "Healthwatch Northvale representative (attends the Primary Care Committee, non-voting)"),
    # Staff and clinical leads who take part in decisions.
    _p("sharma", "Priya Sharma", "priya.sharma",
       "Board Secretary and Head of Corporate Governance", dm=False),
    _p("mcallister", "Fiona McAllister", "fiona.mcallister",
       "Head of Contracting and Procurement"),
    _p("siddiqui", "Dr Ahmed Siddiqui", "ahmed.siddiqui",
       "GP partner, Fernhill Surgery; Clinical lead for musculoskeletal services",
       practice="fernhill"),
    _p("price", "Dr Rhiannon Price", "rhiannon.price",
       "GP partner, Harbour View Surgery; Clinical lead for diabetes", practice="harbour"),
    _p("obrien", "Dr Seán O'Brien", "sean.obrien",
       "Salaried GP, Kingsmead Practice; Clinical lead for urgent care", practice="kingsmead"),
    _p("thompson", "Marcus Thompson-Reid", "marcus.thompson-reid",
       "Deputy Chief Finance Officer"),
    _p("demir", "Yusuf Demir", "yusuf.demir", "Head of Medicines Optimisation (pharmacist)"),
    _p("martin", "Chloé Martin", "chloe.martin", "Director of Quality and Nursing"),
    # GP partners who are not decision-makers.
    _p("fischer", "Dr Hannah Fischer", "hannah.fischer", "GP partner, Dunmore Road Practice",
       dm=False, practice="dunmore"),
    _p("osei", "Dr Kofi Osei", "kofi.osei", "GP partner, Ivy Lane Surgery", dm=False,
       practice="ivylane"),
    _p("kowalczyk", "Dr Ewa Kowalczyk", "ewa.kowalczyk",
       "GP partner, Larchfield Medical Practice", dm=False, practice="larchfield"),
    _p("patel", "Dr Anjali Patel", "anjali.patel", "GP partner, Abbeyfield Medical Centre",
       dm=False, practice="abbeyfield"),
    _p("campbell", "Dr Rory Campbell", "rory.campbell", "GP partner, Fernhill Surgery",
       dm=False, practice="fernhill"),
    _p("ferreira", "Dr Imogen Ferreira", "imogen.ferreira", "GP partner, Kingsmead Practice",
       dm=False, practice="kingsmead"),
    # Practice managers.
    _p("doyle", "Karen Doyle", "karen.doyle", "Practice manager, Brookside Surgery", dm=False,
       practice="brookside"),
    _p("zhang", "Wei Zhang", "wei.zhang", "Practice manager, Castlegate Health Centre",
       dm=False, practice="castlegate"),
    _p("whitfield", "Deborah Whitfield", "deborah.whitfield",
       "Practice manager, Greystone Medical Group", dm=False, practice="greystone"),
    _p("herrera", "Joaquín Herrera", "joaquin.herrera",
       "Practice manager, Elmwood Family Practice", dm=False, practice="elmwood"),
    _p("abernethy", "Ruth Abernethy", "ruth.abernethy",
       "Practice manager, Juniper House Surgery", dm=False, practice="juniper"),
    # Other staff.
    _p("gallagher", "Aoife Gallagher", "aoife.gallagher", "Contract manager, community services",
       dm=False),
    _p("lindqvist", "Björn Lindqvist", "bjorn.lindqvist",
       "Head of Communications and Engagement", dm=False),
    _p("roberts", "Gwen Roberts", "gwen.roberts",
       "Information governance and systems officer", dm=False),
    _p("varma", "Deepak Varma", "deepak.varma",
       "Internal audit manager, Northvale Audit Partnership", dm=False),
]

# Which person each demo account belongs to.
ACCOUNT_PEOPLE = {
    "admin": "roberts",
    "secretary": "sharma",
    "governance": "okafor",  # a lay member of the governing body, not on the primary care committee
    "member": "oconnor",     # a GP partner on both committees
    "auditor": "varma",
    "reviewer": "fairweather",
}

# ---- committees -----------------------------------------------------------------------------

COMMITTEES = [
    {
        "key": "gb", "name": "Governing Body", "quorum_min_voting": 7, "quorum_min_gp": 2,
        "quorum_min_lay": 1, "quorum_min_executive": 1, "quorum_min_other": 0,
        "common_interest_policy": "discuss_not_vote",
        "members": [
            # person, role, category, voting
            ("rahman", "chair", "gp", True),
            ("pemberton", "vice_chair", "lay", True),
            ("okafor", "member", "lay", True),
            ("llewelyn", "member", "executive", True),
            ("kapoor", "member", "executive", True),
            ("oconnor", "member", "gp", True),
            ("adeyemi", "member", "gp", True),
            ("wojcik", "member", "gp", True),
            ("macleod", "member", "gp", True),
            ("chen", "member", "gp", True),
            ("nwosu", "member", "other", True),
            ("ashworth", "member", "other", True),
            ("byrne", "member", "other", False),
        ],
    },
    {
        # Worked example 1: lay chair, 2 lay, 2 executives, 2 GP partners; quorum 4 with a lay
        # member; members with an interest common to all practices may discuss but not vote.
        "key": "pcc", "name": "Primary Care Committee", "quorum_min_voting": 4,
        "quorum_min_gp": 0, "quorum_min_lay": 1, "quorum_min_executive": 0, "quorum_min_other": 0,
        "common_interest_policy": "discuss_not_vote",
        "members": [
            ("pemberton", "chair", "lay", True),
            ("fairweather", "vice_chair", "lay", True),
            ("mensah", "member", "lay", True),
            ("llewelyn", "member", "executive", True),
            ("kapoor", "member", "executive", True),
            ("oconnor", "member", "gp", True),
            ("adeyemi", "member", "gp", True),
            ("nowak", "member", "executive", False),
            ("alsayed", "member", "other", False),
        ],
    },
]

# ---- interests ------------------------------------------------------------------------------
# Dates are given as days before the load date (or ("months", n) for calendar months), so that
# "ended eight months ago" stays true whenever the demo is loaded.

FIN, NFP, NFPERS = "financial", "non_financial_professional", "non_financial_personal"
GMS = "General practice (GMS contract holder)"
PARTNER = "GP partner with a share of the practice's profits"

Ago = int | tuple[str, int]


@dataclass(frozen=True)
class DemoInterest:
    """One declared interest; organisation is a demo key, or None with a typed name."""

    person: str
    organisation: str | None
    organisation_name: str
    business: str
    interest_type: str
    nature: str
    date_from: Ago
    declared_on: Ago
    date_to: Ago | None = None
    associate: str = ""
    mitigation: str = ""
    withheld_reason: str = ""
    recorded_by: str | None = None  # account that typed it; a secretary's typing is on behalf
    withdrawn_reason: str = ""


def _i(person: str, organisation: str | None, nature: str, date_from: Ago, declared_on: Ago,
       *, kind: str = FIN, name: str = "", business: str = "", **rest: Any) -> DemoInterest:
    return DemoInterest(person, organisation, name, business, kind, nature, date_from,
                        declared_on, **rest)


INTERESTS = [
    # Partners in member practices (Dr MacLeod never declared Greystone: worked example 4).
    _i("rahman", "abbeyfield", PARTNER, 4100, 4095, business=GMS,
       mitigation="Does not vote on decisions that would award a service to the practice alone"),
    _i("oconnor", "brookside", PARTNER, 3300, 3290, business=GMS, recorded_by="member"),
    _i("adeyemi", "castlegate", PARTNER, 2900, 2880, business=GMS),
    _i("wojcik", "elmwood", PARTNER, 2500, 2490, business=GMS),
    _i("chen", "juniper", PARTNER, 3700, 3699, business=GMS),
    _i("siddiqui", "fernhill", PARTNER, 2200, 2150, business=GMS, recorded_by="secretary"),
    _i("price", "harbour", PARTNER, 1900, 1880, business=GMS),
    _i("obrien", "kingsmead", "Salaried GP (employee), four sessions a week", 1300, 1290,
       business=GMS),
    _i("fischer", "dunmore", PARTNER, 3100, 3090, business=GMS),
    _i("osei", "ivylane", PARTNER, 1500, 1470, business=GMS),
    _i("kowalczyk", "larchfield", PARTNER, 2700, 2650, business=GMS),
    _i("patel", "abbeyfield", PARTNER, 1200, 1195, business=GMS),
    _i("campbell", "fernhill", PARTNER, 800, 790, business=GMS),
    _i("ferreira", "kingsmead", PARTNER, 2000, 1990, business=GMS),
    # The primary care network.
    _i("wojcik", "pcn", "Clinical Director of the network (paid, two sessions a week)", 1000, 990,
       business="Primary care network of ten member practices",
       mitigation="Leaves the meeting for decisions about network contracts"),
    _i("rahman", "pcn", "Abbeyfield Medical Centre is a member practice and receives network "
       "payments", 2400, 2390, business="Primary care network of ten member practices"),
    _i("oconnor", "pcn", "Brookside Surgery is a member practice and receives network payments",
       2400, 2385, business="Primary care network of ten member practices", recorded_by="member"),
    _i("adeyemi", "pcn", "Castlegate Health Centre is a member practice and receives network "
       "payments", 2400, 2370, business="Primary care network of ten member practices"),
    # The GP federation (Dr Adeyemi resigned as a director eight months ago: worked example 3).
    _i("chen", "federation", "Director of the federation", 1500, 1490,
       business="GP federation providing extended-access and community services",
       mitigation="Leaves the meeting for any item where the federation may bid"),
    _i("adeyemi", "federation", "Director of the federation (resigned)", 1800, 1790,
       date_to=("months", 8),
       business="GP federation providing extended-access and community services"),
    _i("oconnor", "federation", "Brookside Surgery holds one share in the federation", 1700, 1690,
       business="GP federation providing extended-access and community services",
       recorded_by="member"),
    _i("patel", "federation", "Sessional GP at the federation's extended-access hub", 600, 560,
       business="GP federation providing extended-access and community services"),
    _i("doyle", "federation", "Company secretary of the federation (unpaid)", 900, 880,
       business="GP federation providing extended-access and community services"),
    # Go-To-Doc, recorded under the names people actually typed.
    _i("obrien", None, "Sessional GP for out-of-hours video consultations", 400, 300,
       name="GoToDoc Limited", business="Online GP consultations",
       mitigation="Will not take part in decisions about out-of-hours or online services"),
    _i("kowalczyk", None, "Holds shares in the company", 1100, 1090, name="GoToDoc Limited",
       business="Online GP consultations"),
    _i("price", "gotodoc", "Brother is operations manager at the company", 500, 495,
       associate="Brother", business="Online GP consultations"),
    _i("patel", "gotodoc", "Locum GP sessions", 700, 690, date_to=90,
       business="Online GP consultations"),
    _i("mensah", "gotodoc", "Son is employed by the company", 500, 490, associate="Son",
       business="Online GP consultations",
       withheld_reason="A court protection order covers the family member; naming the employer "
       "could disclose where they can be found.", recorded_by="governance"),
    # The physiotherapy company (worked example 2: a lay member's spouse owns it).
    _i("fairweather", "physio", "Spouse (Daniel Fairweather) owns the company and is its "
       "managing director", 700, 695, associate="Spouse",
       business="Musculoskeletal physiotherapy services",
       mitigation="Will leave the meeting for any item on musculoskeletal or physiotherapy "
       "services"),
    _i("siddiqui", None, "Paid clinical supervision sessions for the company's physiotherapists",
       450, 440, name="Vale Physio Partners Limited",
       business="Musculoskeletal physiotherapy services", recorded_by="secretary"),
    # The diagnostics company.
    _i("ashworth", "clearscan", "Paid reporting sessions (radiology)", 450, 330,
       business="Diagnostic imaging and ultrasound", recorded_by="secretary"),
    _i("demir", None, "Wife is a pharmacist employed by the company", 600, 590,
       name="Clear Scan Diagnostics", associate="Spouse",
       business="Diagnostic imaging and ultrasound"),
    _i("mcallister", "clearscan", "Employed as bid manager", 2600, 2590, date_to=820,
       business="Diagnostic imaging and ultrasound"),
    # The trusts.
    _i("ashworth", "hospitals", "Consultant radiologist (employee)", 5000, 4990,
       business="Acute hospital services"),
    _i("nwosu", "community", "Bank nurse shifts in district nursing", 1400, 1380,
       business="Community health services", recorded_by="secretary"),
    _i("llewelyn", "hospitals", "Husband is a consultant cardiologist at the trust", 1600, 1590,
       associate="Spouse", business="Acute hospital services"),
    _i("martin", "hospitals", "Honorary nurse consultant contract (unpaid)", 1000, 995, kind=NFP,
       business="Acute hospital services"),
    _i("nowak", "ivylane", "Wife is the practice's business manager", 900, 895,
       associate="Spouse", business=GMS),
    _i("fischer", "hospitals", "Clinical adviser to the trust's frailty service", 2000, 1990,
       date_to=900, business="Acute hospital services"),
    _i("pemberton", "hospitals", "Member of the trust's patient experience panel", 1200, 1190,
       kind=NFPERS, business="Acute hospital services"),
    # Other roles and memberships.
    _i("byrne", None, "Employed as Director of Public Health", 2300, 2290,
       name="Northvale Council", business="Local authority",
       mitigation="Does not vote; attends to advise on population health"),
    _i("llewelyn", None, "Trustee of the charity", 2100, 2095, kind=NFPERS,
       name="Northvale Carers' Trust", business="Support for unpaid carers"),
    _i("rahman", None, "Member of the regional faculty board", 1600, 1590, kind=NFP,
       name="Royal College of General Practitioners", business="Professional body"),
    _i("rahman", "federation", "Director of the federation", 3000, 2990, date_to=2200,
       business="GP federation providing extended-access and community services"),
    _i("oconnor", None, "Elected member of the committee", 1300, 1250, kind=NFP,
       name="Northvale Local Medical Committee", business="Statutory representative body for GPs",
       recorded_by="member"),
    _i("wojcik", None, "GP trainer (paid training grant)", 1800, 1795,
       name="Northvale GP Specialty Training Programme", business="GP training"),
    _i("pemberton", None, "Non-executive director (paid)", 1500, 1480,
       name="Vale Homes Group", business="Housing association"),
    _i("okafor", None, "Trustee of a refuge charity", 1300, 1290, kind=NFPERS,
       name="Northvale Women's Refuge Trust", business="Domestic abuse refuge",
       withheld_reason="Publishing the charity's name could reveal where the refuge is; withheld "
       "for the safety of its residents.", recorded_by="governance"),
    _i("okafor", None, "Independent member of the audit committee (paid)", 900, 895,
       name="Northvale University", business="Higher education", recorded_by="governance"),
    _i("kapoor", None, "Member", 3000, 2990, kind=NFP,
       name="Healthcare Financial Management Association", business="Professional body"),
    _i("kapoor", None, "Member", 3000, 2500, kind=NFP,
       name="Healthcare Financial Management Association", business="Professional body",
       withdrawn_reason="Duplicate of an earlier entry", recorded_by="secretary"),
    _i("mensah", None, "Governor (unpaid)", 800, 790, kind=NFPERS,
       name="Northvale Primary School", business="Primary school"),
    _i("alsayed", None, "Part-time paid officer and volunteer", 1100, 1050,
       name="Healthwatch Northvale", business="Independent health and care champion",
       recorded_by="secretary"),
    _i("macleod", None, "Member", 6000, 400, kind=NFP,
       name="British Medical Association", business="Trade union and professional body",
       recorded_by="secretary"),
    _i("adeyemi", None, "Holds 20% of the shares in the pharmacy next to the practice", 200, 100,
       name="Castlegate Pharmacy Ltd", business="Community pharmacy",
       mitigation="Will leave the meeting for items on pharmacy services"),
    _i("chen", "larchfield", "Husband is a GP partner at the practice", 1000, 940,
       associate="Spouse", business=GMS),
    _i("price", None, "Clinical adviser (paid, ad hoc)", 250, 245, kind=FIN,
       name="Northvale Diabetes Support Group", business="Charity", date_to=60),
    # Practice managers are employees of their practices.
    _i("doyle", "brookside", "Practice manager (employee)", 2100, 2090, business=GMS),
    _i("zhang", "castlegate", "Practice manager (employee)", 1200, 1190, business=GMS),
    _i("whitfield", "greystone", "Practice manager (employee)", 3300, 3280, business=GMS),
    _i("herrera", "elmwood", "Practice manager (employee)", 700, 690, business=GMS),
    _i("abernethy", "juniper", "Practice manager (employee)", 1600, 1590, business=GMS),
]

# Two interests that were edited after they were first declared: (person, organisation, days ago
# the edit was made, account that made it, how the first version differed).
EDITS = [
    ("fairweather", "physio", 400, "governance", {"mitigation": ""}),
    ("chen", "federation", 200, "secretary", {"nature": "Director", "mitigation": ""}),
]

# Annual returns: days before the load date. Dr MacLeod, Dr Siddiqui and Kwame Mensah have made
# no declaration or return in the last 12 months: the missing-returns page should list them.
RETURNS = {
    "rahman": [40, 410], "pemberton": [65, 430], "okafor": [12, 377], "llewelyn": [90, 455],
    "kapoor": [120], "oconnor": [30, 395], "adeyemi": [75, 440], "wojcik": [150],
    "macleod": [425], "chen": [200, 560], "nwosu": [33], "ashworth": [180],
    "byrne": [240], "fairweather": [60], "nowak": [110], "alsayed": [300],
    "mcallister": [45], "siddiqui": [400], "price": [210], "obrien": [20],
    "thompson": [130, 500], "demir": [95], "martin": [160],
    # mensah: no return at all. Non-decision-makers who returned anyway:
    "gallagher": [70], "lindqvist": [85], "doyle": [140],
}


def _count(label: str, counts: dict[str, int]) -> None:
    counts[label] = counts.get(label, 0) + 1


# A Companies House PSC snapshot of the demo's companies, in the published layout.
DEMO_PSC_SNAPSHOT = Path(__file__).resolve().parent / "demo_files" / "psc_snapshot.txt"


# (person, organisation key or None, offered by, kind, description, pounds, days ago offered,
#  days ago declared, accepted, approved by)
DEMO_GIFTS = [
    ("oconnor", "gotodoc", "", "hospitality", "Dinner after the company's digital primary care "
     "showcase", 85, 120, 110, True, "Hugh Pemberton, chair of the Governing Body"),
    ("patel", "gotodoc", "", "gift", "Tablet computer offered after a demonstration", 250, 95,
     92, False, ""),
    ("fairweather", None, "Northvale Diabetes Research Fund", "sponsorship", "Registration and "
     "travel for the national diabetes conference", 640, 200, 190, True, ""),
    ("mcallister", "clearscan", "", "hospitality", "Lunch at a supplier day at the imaging "
     "centre", 30, 80, 20, True, ""),
    ("price", "physio", "", "gift", "Hamper at Christmas", 45, 340, 335, True, ""),
]


# (person, kind, what happened, days ago found, investigation and closing or None)
DEMO_BREACHES = [
    ("price", "gift_not_declared", "A Christmas hamper from Vale Physio Partners Ltd, a provider, "
     "was accepted and declared only after the physiotherapy decision.", 300, {
         "investigation": "The governance lead met Dr Price, who had not known the hamper came "
                          "from a provider.",
         "outcome": "The hamper's value was given to the practice's patient fund; the decision "
                    "was checked and the gift did not affect it.",
         "lessons": "Remind members each December that gifts from providers are declined.",
         "public_summary": "A member accepted a Christmas gift from a provider and declared it "
                           "late. The gift was passed to a patient fund and the decision it "
                           "might have touched was checked."}),
    ("mensah", "undeclared_interest", "His son's job at Go-To-Doc Ltd was declared after he "
     "had taken part in the online consultations decision's discussion.", 12, None),
]


def load_demo(db: Database, today: dt.date | None = None) -> dict[str, int]:
    """Load the demo consortium into an empty database; returns counts of what was added."""
    base = today or today_uk()

    def day(ago: Ago | None) -> str | None:
        if ago is None:
            return None
        if isinstance(ago, tuple):
            return add_months(base, -ago[1]).isoformat()
        return (base - dt.timedelta(days=ago)).isoformat()

    now = utcnow_iso()
    counts: dict[str, int] = {}
    with write_transaction(db):

        def add(table: str, entity: str, row: dict[str, Any]) -> int:
            pk = db[table].insert(row).last_pk
            audit.record(db, actor=ACTOR, action="create", entity=entity, entity_id=pk,
                         after=row)
            return pk

        orgs: dict[str, int] = {}
        stamp = {"created_at": now, "updated_at": now, "version": 1}
        for key, name, code, address, postcode in PRACTICES:
            orgs[key] = add("organisations", "organisation", keyed({
                "name": name, "kind": "practice", "ods_code": code,
                "companies_house_number": None, "registered_address": address,
                "postcode": postcode, "is_member_practice": 1, "ods_status": "A",
                "prescribing_setting": 4, **stamp}))
            _count("organisations", counts)
        for key, name, kind, code, number, address, postcode in OTHER_ORGANISATIONS:
            orgs[key] = add("organisations", "organisation", keyed({
                "name": name, "kind": kind, "ods_code": code, "companies_house_number": number,
                "registered_address": address, "postcode": postcode, "is_member_practice": 0,
                "ods_status": None, "prescribing_setting": None, **stamp}))
            _count("organisations", counts)
        for parent, members, years in (("pcn", NETWORK_MEMBERS, 6), ("federation",
                                                                     FEDERATION_MEMBERS, 8)):
            for member in members:
                add("organisation_links", "organisation_link", {
                    "member_id": orgs[member], "parent_id": orgs[parent],
                    "date_from": add_months(base, -12 * years).isoformat(),
                    "date_to": day(LEFT.get((parent, member))), "created_at": now})
                _count("network and federation memberships", counts)

        people: dict[str, int] = {}
        for person in PEOPLE:
            people[person.key] = add("people", "person", {
                "name": person.name, "email": person.email, "positions": person.positions,
                "is_decision_maker": int(person.decision_maker),
                "home_practice_id": orgs[person.practice] if person.practice else None,
                **stamp})
            _count("people", counts)
            if person.practice:
                moved = None
                if person.key in MOVED_PRACTICE:
                    earlier, months = MOVED_PRACTICE[person.key]
                    moved = add_months(base, -months)
                    add("home_practices", "home_practice", {
                        "person_id": people[person.key], "organisation_id": orgs[earlier],
                        "date_from": None,
                        "date_to": (moved - dt.timedelta(days=1)).isoformat(),
                        "created_at": now})
                add("home_practices", "home_practice", {
                    "person_id": people[person.key], "organisation_id": orgs[person.practice],
                    "date_from": moved.isoformat() if moved else None, "date_to": None,
                    "created_at": now})

        for committee in COMMITTEES:
            committee_id = add("committees", "committee", {
                **{k: v for k, v in committee.items() if k not in ("key", "members")}, **stamp})
            _count("committees", counts)
            for person_key, role, category, voting in committee["members"]:
                add("committee_members", "committee_member", {
                    "committee_id": committee_id, "person_id": people[person_key],
                    "role": role, "category": category, "voting": int(voting),
                    "created_at": now})
                _count("committee memberships", counts)

        users: dict[str, int] = {}
        for username, _label in DEMO_ACCOUNTS:
            users[username] = create_user(
                db, username=username, password=DEMO_PASSWORD,
                role=DEMO_ROLES.get(username, username),
                person_id=people[ACCOUNT_PEOPLE[username]], actor=ACTOR)
            _count("accounts", counts)
        for committee in COMMITTEES:
            if committee["key"] in INDEPENDENT_REVIEWERS:
                committee_id = db.execute("SELECT id FROM committees WHERE name = ?",
                                          [committee["name"]]).fetchone()[0]
                reviewer = users[INDEPENDENT_REVIEWERS[committee["key"]]]
                db.execute("UPDATE committees SET independent_reviewer_user_id = ? WHERE id = ?",
                           [reviewer, committee_id])
                audit.record(db, actor=ACTOR, action="update", entity="committee",
                             entity_id=committee_id,
                             changes={"independent_reviewer_user_id": [None, reviewer]})

        def add_interest(interest: DemoInterest, created_at: str = now) -> int:
            name = interest.organisation_name
            if interest.organisation:
                name = next(o[1] for o in PRACTICES + OTHER_ORGANISATIONS
                            if o[0] == interest.organisation)
            user_id = users[interest.recorded_by] if interest.recorded_by else None
            _count("interests", counts)
            return add("interests", "interest", {
                "person_id": people[interest.person],
                "organisation_id": orgs[interest.organisation] if interest.organisation else None,
                "organisation_name": name, "organisation_business": interest.business,
                "interest_type": interest.interest_type,
                "is_indirect": int(bool(interest.associate)),
                "associate_relationship": interest.associate, "nature": interest.nature,
                "date_from": day(interest.date_from), "date_to": day(interest.date_to),
                "mitigation": interest.mitigation, "declared_on": day(interest.declared_on),
                "consent_to_publish": int(not interest.withheld_reason),
                "withheld_reason": interest.withheld_reason,
                "recorded_by_user_id": user_id,
                "on_behalf": int(user_id is not None
                                 and ACCOUNT_PEOPLE[interest.recorded_by] != interest.person),
                "withdrawn": int(bool(interest.withdrawn_reason)),
                "withdrawn_reason": interest.withdrawn_reason, "created_at": created_at,
                "updated_at": created_at, "version": 1})

        interest_ids = [add_interest(interest) for interest in INTERESTS]

        # Edits: the first version is kept in interest_versions, as the interests pages do.
        for person_key, organisation_key, days_ago, username, first in EDITS:
            interest_id = next(
                interest_ids[n] for n, i in enumerate(INTERESTS)
                if (i.person, i.organisation) == (person_key, organisation_key))
            current = next(iter(db.query("SELECT * FROM interests WHERE id = ?",
                                         [interest_id])))
            earlier = {**current, **first}
            db["interest_versions"].insert({
                "interest_id": interest_id, "version": 1, "data": audit.canonical(earlier),
                "replaced_at": f"{day(days_ago)}T10:00:00+00:00",
                "replaced_by_user_id": users[username]})
            db.execute("UPDATE interests SET version = 2 WHERE id = ?", [interest_id])
            audit.record(db, actor=ACTOR, action="update", entity="interest",
                         entity_id=interest_id, before=earlier, after={**current, "version": 2})
            _count("interest edits", counts)

        # The providers known only by a number, and the interests declared in them, through
        # the imports a secretary would use.
        from .imports.parsers import check_file
        from .imports.writers import write_plan

        emails = {person.key: person.email for person in PEOPLE}
        for kind, text in zip(("organisations", "interests"), _identified_files(day, emails),
                              strict=True):
            plan = check_file(kind, text, db)
            if not plan.ok:
                raise RuntimeError(f"The demo's {kind} file is refused: {plan.problems[0]}")
            write_plan(db, plan, actor=ACTOR, user_id=users["secretary"])
            for _change in plan.changes:
                _count(kind, counts)
        for key, (column, value) in IDENTIFIED_KEYS.items():
            # The column is one of the two fixed names above, never data.
            orgs[key] = db.execute(f"SELECT id FROM organisations WHERE {column} = ?",
                                   [value]).fetchone()[0]

        with_interests = {i.person for i in INTERESTS if not i.withdrawn_reason}
        with_interests |= {interest[0] for interest in IDENTIFIED_INTERESTS}
        for person_key, days in RETURNS.items():
            for days_ago in days:
                add("declaration_returns", "declaration_return", {
                    "person_id": people[person_key],
                    "kind": "complete" if person_key in with_interests else "nil",
                    "returned_on": day(days_ago), "recorded_by_user_id": None, "on_behalf": 0,
                    "created_at": now})
                _count("declaration returns", counts)

        # Two years of decisions, through the app's own write path (late import: that module
        # reads this one's people and interests).
        from .demo_decisions import load_decisions

        load_decisions(db, base, orgs=orgs, people=people, users=users,
                       add_interest=add_interest, counts=counts)

        # Gifts, hospitality and sponsorship offered to the committees' members: some declared,
        # one declined, one declared late, one a supplier's gift that should have been declined.
        from .gifts.queries import create_gift

        for person, org, offered_by, kind, description, pounds, offered, declared, accepted, \
                approved_by in DEMO_GIFTS:
            create_gift(db, {
                "kind": kind, "description": description,
                "organisation_id": orgs[org] if org else None, "offered_by": offered_by,
                "from_supplier": int(bool(org)), "value_pence": pounds * 100,
                "offered_on": day(offered), "accepted": int(accepted),
                "approved_by": approved_by}, person_id=people[person],
                declared_on=dt.date.fromisoformat(day(declared)), actor=ACTOR)
            _count("gifts and hospitality", counts)

        # The breaches register: one investigated and closed, with its published summary, and
        # one still open (with any the decisions' outcomes recorded themselves).
        from .breaches.queries import create_breach, update_breach

        for person, kind, detail, found_days, closing in DEMO_BREACHES:
            breach_id = create_breach(db, {
                "kind": kind, "detail": detail, "person_id": people[person],
                "decision_id": None, "found_on": day(found_days)},
                user_id=users["governance"], actor=ACTOR)
            if closing:
                update_breach(db, breach_id, 1, {**closing, "closed_on": day(found_days - 21)},
                              actor=ACTOR)
            _count("breaches recorded", counts)

        # A declaration campaign running now for the Governing Body, opened two weeks ago (so
        # today is a reminder day), with the deadline in two weeks; those who confirmed since it
        # opened have answered it. Everyone else hears about their annual return as usual.
        from .campaigns.queries import open_campaign

        governing_body = db.execute("SELECT id FROM committees WHERE name = 'Governing Body'"
                                    ).fetchone()[0]
        open_campaign(db, {"title": f"Governing Body declarations {base.year}",
                           "kind": "six_monthly",
                           "deadline": (base + dt.timedelta(days=14)).isoformat(),
                           "reminder_every_days": 7, "publish_non_declarers": 1},
                      [governing_body], user_id=users["governance"], actor=ACTOR,
                      today=base - dt.timedelta(days=14))
        _count("declaration campaigns", counts)
        # Last year's campaign for every decision-maker, closed at its deadline, its non-declarers
        # published; those who confirmed after the close (Margaret Okafor among them) are recorded as
        # late and not listed.
        from .campaigns.queries import record_close

        last_year = open_campaign(
            db, {"title": f"Declarations {base.year - 1}", "kind": "annual",
                 "deadline": (base - dt.timedelta(days=392)).isoformat(),
                 "reminder_every_days": 7, "publish_non_declarers": 1},
            [], user_id=users["governance"], actor=ACTOR, today=base - dt.timedelta(days=420))
        record_close(db, last_year, base - dt.timedelta(days=392), actor=ACTOR)
        _count("declaration campaigns", counts)

        # Companies House's persons with significant control of Go-To-Doc Ltd, read through the
        # documented import: one may be a Governing Body GP who has declared nothing about it.
        from .imports.writers import import_file

        plan = import_file(db, "psc", DEMO_PSC_SNAPSHOT.read_text(encoding="utf-8"),
                           actor=ACTOR)
        if not plan.ok:
            raise RuntimeError("The demo PSC snapshot does not import: "
                               + "; ".join(str(p) for p in plan.problems))
        counts["persons with significant control"] = len(plan.changes)
        from .demo_meetings import load_meetings  # times, places, items, declarations

        load_meetings(db, base, now=now, counts=counts)
    return counts
