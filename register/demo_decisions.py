"""The demo consortium's make-or-buy decisions: two years of them, in every state of their life.

Each decision is written through the app's own functions, in the order things happened: a draft
with a fresh reference, the record saved, submitted (flags computed), the governance lead's rulings,
escalation and sign-off, the outcome, publication, return or withdrawal. So references come from
the same counter the app uses, every step is in the audit trail, and each sign-off's content hash is
the one the app would have computed. Two interests declared late come last: one shows a conflict on
a published decision that nobody knew about at the time, the other voids a sign-off.

Between them the decisions exercise every conflict rule, and the worked examples in
docs/domain.md: (1) an anticoagulation scheme offered to every member practice, (2) a lay member's
spouse's physiotherapy company, (3) a federation director who resigned eight months before the
meeting, (4) a GP who never declared the practice a service is awarded to.

Dates are counted from the load day. Committees meet on Thursdays; decisions still on their way to
a meeting have it in the next few weeks. Two decisions were taken in 2023, under the 2013
procurement regulations; the rest fall under the Provider Selection Regime.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from sqlite_utils import Database

from .auth.roles import ROLE_LABELS
from .decisions import lifecycle, record
from .decisions import modifications as contract_modifications
from .decisions import queries as decision_queries
from .demo import ACCOUNT_PEOPLE, ACTOR, COMMITTEES, FIN, PEOPLE, DemoInterest
from .notices import store as notice_store
from .reviews import queries as review_queries
from .reviews import records, signoff
from .rules import modifications as modification_rules
from .rules import routes, standstill
from .rules.decisions import KEY_CRITERIA, assesses_key_criteria, regime_for
from .rules.interests import add_months
from .rules.quorum import escalation_problem
from .rules.rulings import (
    attendance_breach,
    exception_problem,
    may_be_present,
    may_vote,
    proxy_vote_problem,
    vote_problem,
)
from .rules.working_days import add_working_days, is_working_day

# The governance lead signs off every decision here, so she takes no part in the Governing Body's
# procurement items (a lead who took part may not sign off).
GUARDIAN = ACCOUNT_PEOPLE["governance"]

# How the PSR key criteria were applied, unless a decision says otherwise.
APPLIED = {
    "quality_innovation": "Scored from each option's clinical model, outcomes data and the "
                          "provider's CQC rating",
    "value": "Price per patient and total cost over the contract, against the current service",
    "integration_collaboration_sustainability": "Links with practices, the network and community "
                                                "teams, and a workforce plan that lasts the term",
    "access_inequalities_choice": "Waiting times, travel, evening and weekend opening, and uptake "
                                  "in the most deprived neighbourhoods",
    "social_value": "Local jobs, travel and carbon, and work with voluntary groups",
}

# What a PSR process is called under the 2013 regulations, for a decision that falls before 2024
# when the demo is loaded on an early day.
# Why each route was chosen, and what the routes that assess providers record about them.
ROUTE_REASONS = {
    "direct_award_a": "Only the existing provider can deliver the service, because of where it "
                      "is provided and the patients it serves.",
    "direct_award_b": "Patients choose among every provider able to deliver it, and the service "
                      "is offered to every provider that meets the requirements.",
    "direct_award_c": "The existing provider is meeting the contract and is likely to go on "
                      "doing so, and the service is not changing considerably.",
    "most_suitable_provider": "The committee could identify the most suitable provider without a "
                              "competition, having looked at every provider likely to deliver "
                              "it.",
    "competitive_process": "Several providers could deliver the service and the most suitable "
                           "could not be identified without a competition.",
    "urgent_award": "The service had to start at once to keep patients safe: there was no time "
                    "for any other process.",
    "competitive_tender": "Several providers could deliver the service; a tender tested value.",
    "single_tender": "Only one provider could deliver the service in time.",
    "any_qualified_provider": "Patients choose among every qualified provider.",
    "extension": "The existing contract allowed an extension, and the provider was meeting it.",
}
SELECTION_CRITERIA_TEXT = (
    "Each provider's legal and financial standing (accounts for the last two years, insurance) "
    "and technical and professional ability (CQC registration and rating, staffing) were "
    "checked: each met the basic selection criteria.")
EXCLUSIONS_TEXT = (
    "Each provider declared against the mandatory and discretionary grounds for exclusion, "
    "checked against Companies House and the CQC register: none was excluded.")

PCR2013_PROCESS = {
    "competitive_process": "competitive_tender",
    "most_suitable_provider": "single_tender",
    "direct_award_a": "single_tender",
    "direct_award_b": "any_qualified_provider",
    "direct_award_c": "extension",
    "urgent_award": "single_tender",
}

GB_PROCESS = ("Decided by the Governing Body in the part of its meeting held in public, by a vote "
              "of the voting members present for the item. Margaret Okafor, the Conflicts of "
              "Interest Guardian, took no part in the item.")
# The Conflicts of Interest Guardian votes on this item, so she may not review it: the Governing
# Body's independent reviewer does.
GB_INDEPENDENT_PROCESS = (
    "Decided by the Governing Body in the part of its meeting held in public, by a vote of the "
    "voting members present for the item, Margaret Okafor among them. As the Conflicts of "
    "Interest Guardian takes part, the conflicts are reviewed by the Governing Body's independent "
    "reviewer, Eleanor Fairweather.")
PCC_PROCESS = ("Decided by the Primary Care Committee under the authority delegated to it by the "
               "Governing Body, by a vote of the voting members present for the item.")


@dataclass(frozen=True)
class Review:
    """What the governance lead did: rulings that differ from the proposals, sole-expertise
    exceptions, possible name matches settled, the escalation of an inquorate meeting."""

    rulings: dict[str, str] = field(default_factory=dict)
    exceptions: dict[str, tuple[str, str]] = field(default_factory=dict)
    matches: dict[str, str] = field(default_factory=dict)  # "confirm", or why it is dismissed
    escalation: tuple[Any, ...] | None = None  # ("co_opt", (person, category), ...) or
    #                                            ("chair_action", chair, accountable officer)


@dataclass(frozen=True)
class Outcome:
    """How the vote went and who was in the room, beyond what the rulings imply."""

    against: tuple[str, ...] = ()
    abstain: tuple[str, ...] = ()
    present_anyway: tuple[str, ...] = ()  # ruled out of the room, recorded present: a breach
    notes: str = ""
    # (person, left at HH:MM, "discussion" | "vote", came back at HH:MM or "")
    left: tuple[tuple[str, str, str, str], ...] = ()
    # (whose vote, offered to, reason; "" for the rules' reason): proxies the chair refused
    refused_proxies: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class DemoDecision:
    """One decision and how far it got; `status` is where the history ends."""

    committee: str
    meeting: int  # days before the load day (negative: a meeting still to come)
    title: str
    description: str
    status: str
    choice: str | None = None
    contract_kind: str | None = None
    process: str | None = None  # a PSR process; older decisions use PCR2013_PROCESS or their own
    total: int | None = None  # pence
    annual: int | None = None  # pence
    months: int = 36  # contract length
    clinical_lead: str | None = None
    contract_manager: str | None = None
    providers: tuple[str, ...] = ()
    awarded: str | None = None
    offered_to_all: bool = False
    absent: tuple[str, ...] = ()
    extra: tuple[tuple[str, str], ...] = ()  # (person, "attendee" | "evaluator" | "voting")
    options: tuple[tuple[str, str, str], ...] = ()  # description, chosen | rejected, reason
    weights: tuple[int, int, int, int, int] | None = None  # in the order of KEY_CRITERIA
    justification: str = ""
    comments: str = ""
    decision_process: str = ""
    before_psr: dt.date | None = None  # taken on this date or `meeting` days ago, if earlier
    notice: int = 12  # days between submission and a meeting already held
    submitted: int | None = None  # days before the load day, for a meeting still to come
    reviewed: int | None = None  # days before the load day; otherwise a few days after submission
    review: Review = field(default_factory=Review)
    outcome: Outcome = field(default_factory=Outcome)
    reason: str = ""  # why it was returned or withdrawn
    guardian_votes: bool = False  # the governance lead votes: the independent reviewer reviews


def _pounds(amount: float) -> int:
    return round(amount * 100)


DECISIONS = [
    DemoDecision(
        committee="pcc", meeting=900, title="Community phlebotomy service: 12-month extension",
        description="Blood-taking clinics in six community venues, and home visits for housebound "
                    "patients, under the community services contract.",
        status="published", choice="buy", contract_kind="existing", process="extension",
        total=_pounds(186_400), annual=_pounds(186_400), months=12, clinical_lead="martin",
        contract_manager="gallagher", providers=("community",), awarded="community",
        options=(
            ("Extend the trust's contract for 12 months", "chosen",
             "Keeps the service running while the review of phlebotomy in primary care finishes"),
            ("Run a competitive tender now", "rejected",
             "Not enough time before the contract ends for a fair tender, and the review may "
             "change what is bought"),
            ("Member practices take blood for their own patients", "rejected",
             "Practices have neither the capacity nor the clinical waste arrangements yet: part "
             "of the review"),
        ),
        justification="The contract allows a 12-month extension at the same price, and the "
                      "trust meets the waiting-time standard.",
        before_psr=dt.date(2023, 6, 15),
    ),
    DemoDecision(
        committee="gb", meeting=850, title="Non-obstetric ultrasound: any qualified provider",
        description="Accreditation of providers of community non-obstetric ultrasound (abdominal, "
                    "pelvic, renal and musculoskeletal scans) at the local price, so patients can "
                    "choose where they are scanned.",
        status="published", choice="buy", contract_kind="new", process="any_qualified_provider",
        total=_pounds(1_350_000), annual=_pounds(450_000), months=36, clinical_lead="martin",
        contract_manager="thompson", providers=("clearscan",), awarded="clearscan",
        options=(
            ("Accredit every provider that meets the standard, at the local price", "chosen",
             "Gives patients a choice of where to be scanned and brings waits down"),
            ("Leave scanning with the hospital trust's radiology department", "rejected",
             "Waits of 9 weeks against a 6-week standard, and every scan means a trip to the "
             "hospital"),
            ("A competitive tender for a single community provider", "rejected",
             "Would remove patients' choice and take longer to put in place"),
        ),
        justification="ClearScan Diagnostics Ltd met the accreditation standard (qualified "
                      "sonographers, consultant radiologists reporting, reports within 5 days); "
                      "the hospital trust chose not to apply.",
        before_psr=dt.date(2023, 11, 16),
    ),
    DemoDecision(
        committee="pcc", meeting=690,
        title="Minor surgery (joint injections and excisions) at Fernhill Surgery",
        description="Joint injections, excision of skin lesions and incision of cysts for patients "
                    "in the Upper Fernhill villages, at Fernhill Surgery instead of the "
                    "hospital's minor operations list.",
        status="published", choice="make", contract_kind="new", process="most_suitable_provider",
        total=_pounds(96_000), annual=_pounds(32_000), months=36, clinical_lead="martin",
        contract_manager="gallagher", providers=("fernhill",), awarded="fernhill",
        options=(
            ("Fernhill Surgery runs the clinics for the villages", "chosen",
             "The only practice there with a treatment room that meets the infection control "
             "standard, and two GPs accredited for minor surgery"),
            ("Keep the hospital trust's minor operations list", "rejected",
             "A 40-mile round trip for most of these patients and a 14-week wait"),
            ("A network-wide minor surgery hub", "rejected",
             "Too few procedures from the villages to justify a hub; to be looked at again with "
             "the network's estates plan"),
        ),
        weights=(35, 20, 15, 25, 5),
        justification="Fernhill Surgery was the most suitable provider: no other practice or "
                      "provider can offer the procedures in the villages.",
        comments="No member of the committee works at Fernhill Surgery; the flag is the "
                 "practice's own gain.",
    ),
    # Worked example 2: a lay member's spouse owns a bidder. The clinical lead on the evaluation
    # panel supervises that bidder's physiotherapists, typed under a slightly different name.
    DemoDecision(
        committee="pcc", meeting=400, title="Community musculoskeletal (MSK) physiotherapy service",
        description="Assessment and treatment of adults with back, neck and joint problems, "
                    "referred by GPs or referring themselves, in community clinics across "
                    "Northvale.",
        status="published", choice="buy", contract_kind="new", process="competitive_process",
        total=_pounds(4_200_000), annual=_pounds(840_000), months=60, clinical_lead="siddiqui",
        contract_manager="mcallister", providers=("physio", "community"), awarded="physio",
        extra=(("siddiqui", "evaluator"),),
        options=(
            ("A competitive process open to any provider", "chosen",
             "Two credible bidders and a new service model: competition shows which gives the "
             "best value"),
            ("Direct award to the community trust, the current provider", "rejected",
             "Its service misses the 4-week wait standard and has no self-referral"),
            ("Member practices employ their own physiotherapists", "rejected",
             "Practices could not recruit enough physiotherapists, and small teams cannot cover "
             "leave"),
        ),
        weights=(40, 25, 15, 15, 5),
        justification="Vale Physio Partners Ltd scored highest on quality (self-referral, "
                      "3-week waits, evening clinics) and on value; the trust's bid cost 11% "
                      "more.",
        decision_process=PCC_PROCESS + " Eleanor Fairweather left the meeting for the item; "
                                       "Dr Siddiqui's scores were removed from the evaluation.",
        review=Review(matches={"siddiqui": "confirm"}),
    ),
    DemoDecision(
        committee="pcc", meeting=330,
        title="Community dermatology clinics led by GPs with an extended role",
        description="Clinics for adults with eczema, psoriasis, acne and benign skin lesions, run "
                    "by GPs with an extended role in dermatology and supported by photo triage.",
        status="published", choice="make", contract_kind="new", process="most_suitable_provider",
        total=_pounds(1_140_000), annual=_pounds(380_000), months=36, clinical_lead="martin",
        contract_manager="mcallister", providers=("federation",), awarded="federation",
        options=(
            ("Northvale GP Federation Ltd runs the clinics from its hubs", "chosen",
             "Employs four of the five accredited GPs with an extended role in Northvale"),
            ("Keep all routine dermatology at the hospital", "rejected",
             "Routine waits of 38 weeks; the consultants asked for routine work to move out"),
            ("Each practice runs its own clinic", "rejected",
             "Too few accredited GPs to cover every practice"),
        ),
        weights=(35, 25, 20, 15, 5),
        justification="The federation was the most suitable provider: it already runs the hub "
                      "sites and employs the accredited GPs.",
    ),
    DemoDecision(
        committee="gb", meeting=300, title="Community echocardiography and cardiac diagnostics",
        description="Echocardiograms, 24-hour ECGs and blood pressure monitoring for patients with "
                    "suspected heart failure or arrhythmia, in community clinics, reported within "
                    "10 working days.",
        status="published", choice="buy", contract_kind="new", process="competitive_process",
        total=_pounds(2_250_000), annual=_pounds(450_000), months=60, clinical_lead="martin",
        contract_manager="thompson", providers=("hospitals", "clearscan"), awarded="clearscan",
        options=(
            ("A competitive process between the hospital trust and independent providers",
             "chosen", "Tests whether a community provider can cut the wait"),
            ("Direct award to the hospital trust's cardiology department", "rejected",
             "Its offer kept the 13-week wait for echocardiograms"),
            ("Network diagnostic hubs", "rejected",
             "The network has no cardiac physiologists and could not recruit them in time"),
        ),
        weights=(35, 30, 15, 15, 5),
        justification="ClearScan Diagnostics Ltd offered echocardiograms within 4 weeks at three "
                      "community sites, at a lower price per test; the trust's bid kept all "
                      "testing at the hospital.",
        decision_process=GB_PROCESS + " Dr Ashworth-Hale and Siân Llewelyn left the meeting for "
                                      "the item.",
        review=Review(rulings={"pemberton": "note_only"}),
    ),
    # Worked example 1: a scheme offered to every member practice.
    DemoDecision(
        committee="pcc", meeting=250,
        title="Anticoagulation monitoring (INR testing and dosing) in general practice",
        description="Point-of-care INR testing and warfarin dosing in patients' own practices, "
                    "offered to every member practice as a local enhanced service, replacing the "
                    "hospital clinic for stable patients.",
        status="published", choice="make", contract_kind="new", process="direct_award_b",
        total=_pounds(615_000), annual=_pounds(205_000), months=36, clinical_lead="demir",
        contract_manager="gallagher", offered_to_all=True,
        options=(
            ("Offer the service to every member practice at the same price per patient",
             "chosen", "Patients are tested where they are registered; any practice that meets "
                       "the specification may sign up"),
            ("Keep the hospital anticoagulation clinic", "rejected",
             "Patients travel for a 5-minute test; the hospital wants to see only unstable "
             "patients"),
            ("One network clinic for every practice", "rejected",
             "Still means travel for most patients, and leaves practices out of their patients' "
             "care"),
        ),
        justification="Every practice that meets the specification is paid the same price per "
                      "patient, so no practice is favoured over another.",
        comments="Offered to all twelve member practices; eleven signed up before the start "
                 "date.",
        decision_process=PCC_PROCESS + " Both GP members took part in the discussion but not "
                                       "the vote.",
    ),
    # The Governing Body is inquorate on a network contract: two GPs from the practices outside
    # the network are co-opted, and one conflicted GP speaks under a sole-expertise exception.
    DemoDecision(
        committee="gb", meeting=230, title="Social prescribing link workers across the network",
        description="Link workers who connect patients with community groups, welfare advice and "
                    "activities, employed by the network and based in its ten practices.",
        status="decided", choice="make", contract_kind="new", process="most_suitable_provider",
        total=_pounds(1_560_000), annual=_pounds(520_000), months=36, clinical_lead="martin",
        contract_manager="mcallister", providers=("pcn",), awarded="pcn",
        options=(
            ("Northvale Central Primary Care Network employs the link workers", "chosen",
             "Already employs two under the national additional roles scheme"),
            ("Voluntary organisations provide them", "rejected",
             "No single organisation could cover all ten practices and work from their records"),
            ("Extend the council's community connectors service", "rejected",
             "The council is closing the service at the end of the year"),
        ),
        weights=(30, 20, 30, 15, 5),
        justification="Link workers need access to practice records and to work inside the "
                      "practice teams: the network is the most suitable provider.",
        decision_process="Taken by the Governing Body with two co-opted GP members. With its six "
                         "GP members conflicted the meeting was inquorate; Dr Ewa Kowalczyk and "
                         "Dr Imogen Ferreira, partners in the two practices outside the network, "
                         "were co-opted for the item and the vice-chair took it. Margaret Okafor, "
                         "the Conflicts of Interest Guardian, took no part in the item.",
        review=Review(
            rulings={"wojcik": "no_vote"},
            exceptions={"wojcik": (
                "Dr Wójcik is the network's clinical director and the only member who can "
                "explain how link workers would be deployed across the ten practices.",
                "She answered questions on the workforce model only, left before the discussion "
                "of price, did not vote, and took no part in scoring the options.")},
            escalation=("co_opt", ("kowalczyk", "gp"), ("ferreira", "gp"))),
    ),
    DemoDecision(
        committee="pcc", meeting=150, title="Community vasectomy service",
        description="No-scalpel vasectomy under local anaesthetic in a community clinic instead of "
                    "the hospital's day surgery unit.",
        status="withdrawn", choice="buy", contract_kind="new", process="competitive_process",
        total=_pounds(168_000), annual=_pounds(84_000), months=24, clinical_lead="martin",
        contract_manager="mcallister", providers=("hospitals",),
        options=(
            ("A competitive process for a community clinic", "chosen", ""),
            ("Keep the service in the hospital's day surgery unit", "rejected",
             "Waits of 30 weeks"),
        ),
        weights=(35, 30, 15, 15, 5),
        justification="A community clinic would halve the wait; the market engagement found two "
                      "interested providers besides the trust.",
        reason="The hospital trust will run a community clinic within its urology contract from "
               "April, so no new contract is needed.",
    ),
    # Worked example 4: Dr MacLeod never declared his practice, and stayed in the room.
    DemoDecision(
        committee="gb", meeting=120,
        title="Enhanced health in care homes: weekly ward rounds for the Greystone homes",
        description="A named GP and a weekly multidisciplinary ward round for residents of the "
                    "four care homes around Greystone, with anticipatory care plans and medication "
                    "reviews.",
        status="decided", choice="make", contract_kind="new", process="most_suitable_provider",
        total=_pounds(148_500), annual=_pounds(99_000), months=18, clinical_lead="martin",
        contract_manager="gallagher", providers=("greystone",), awarded="greystone",
        options=(
            ("Greystone Medical Group, which already looks after most residents, runs the ward "
             "rounds", "chosen", "83% of the residents are registered with the practice"),
            ("Residents stay with their own practices", "rejected",
             "Residents are registered with seven practices, so no GP knows any home well"),
            ("The community trust's care home team", "rejected",
             "Covers nursing care only and has no GP sessions"),
        ),
        weights=(40, 20, 25, 10, 5),
        justification="Greystone Medical Group is next door to two of the homes and already "
                      "cares for most residents: the most suitable provider for the pilot.",
        decision_process=GB_PROCESS,
        outcome=Outcome(present_anyway=("macleod",),
                        notes="The minutes record that Dr MacLeod stayed in the room for the "
                              "vote, though he did not vote. Referred to the Conflicts of "
                              "Interest Guardian."),
    ),
    DemoDecision(
        committee="pcc", meeting=75, title="Ear wax removal (microsuction) clinics in the network",
        description="Microsuction for adults whose ear wax has not cleared with drops, in three "
                    "network clinics, now that hospital audiology no longer takes GP referrals for "
                    "wax.",
        status="decided", choice="make", contract_kind="new", process="most_suitable_provider",
        total=_pounds(210_000), annual=_pounds(70_000), months=36, clinical_lead="martin",
        contract_manager="gallagher", providers=("pcn",), awarded="pcn",
        options=(
            ("Northvale Central Primary Care Network runs three clinics", "chosen", ""),
            ("An independent audiology provider", "rejected",
             "No provider offers the service within 20 miles"),
            ("Patients pay privately", "rejected",
             "The service is clinically needed; paying would leave the poorest untreated"),
        ),
        weights=(30, 25, 20, 20, 5),
        justification="The network has trained healthcare assistants and the rooms; no other "
                      "provider offers the service locally.",
        decision_process=PCC_PROCESS,
        outcome=Outcome(abstain=("kapoor",),
                        notes="Rajesh Kapoor abstained: he wanted the price per ear reviewed "
                              "after a year.",
                        left=(("oconnor", "14:20", "discussion", "14:45"),),
                        refused_proxies=(("oconnor", "kapoor", ""),)),
    ),
    DemoDecision(
        committee="pcc", meeting=45, title="Community leg ulcer and wound care clinics",
        description="Nurse-led leg ulcer clinics with compression therapy in four community "
                    "venues, instead of home visits for patients who can travel.",
        status="decided", choice="buy", contract_kind="existing", process="direct_award_c",
        total=_pounds(1_020_000), annual=_pounds(340_000), months=36, clinical_lead="martin",
        contract_manager="gallagher", providers=("community",), awarded="community",
        options=(
            ("Direct award to the community trust under process C", "chosen",
             "Its district nurses already treat these patients: the clinics change how, not "
             "who"),
            ("A competitive process", "rejected",
             "No other provider runs tissue viability services here; a competition would delay "
             "the clinics by a year"),
            ("Practice nurses treat leg ulcers in each practice", "rejected",
             "Few practice nurses are trained in compression therapy"),
        ),
        weights=(40, 25, 20, 10, 5),
        justification="The trust meets the contract's standards and the change is a new way of "
                      "delivering a service it already provides.",
        decision_process=PCC_PROCESS,
    ),
    # Inquorate at four days' notice: chair and accountable officer action, not yet ratified.
    DemoDecision(
        committee="pcc", meeting=25, title="Urgent award: out-of-hours video GP consultations",
        description="GP video and telephone consultations from 18:30 to 08:00 and at weekends for "
                    "patients referred by NHS 111, for six months, after the previous provider "
                    "left at four weeks' notice.",
        status="awaiting_ratification", choice="buy", contract_kind="new", process="urgent_award",
        total=_pounds(118_750.50), annual=_pounds(237_501), months=6, clinical_lead="obrien",
        contract_manager="mcallister", providers=("gotodoc",), awarded="gotodoc",
        absent=("fairweather", "oconnor", "adeyemi"), extra=(("obrien", "attendee"),),
        options=(
            ("Urgent award to Go-To-Doc Ltd for six months", "chosen",
             "The only provider able to start within four weeks, with GPs already on the "
             "performers list"),
            ("Member practices cover the rota", "rejected",
             "Practices could fill fewer than half of the shifts"),
            ("Leave patients to go to the emergency department", "rejected",
             "Unsafe, and about 40 more attendances a night"),
        ),
        justification="Patients would be at risk with no out-of-hours GP; there was no time for "
                      "another process. A competitive process for the long-term service has "
                      "started.",
        comments="The committee was called at four days' notice and three members could not "
                 "attend.",
        decision_process="Kwame Mensah left the meeting for the item, leaving three voting "
                         "members against a quorum of four, so the chair and the accountable "
                         "officer took the decision, to be ratified at the next quorate meeting.",
        notice=2,
        review=Review(matches={"obrien": "confirm"},
                      escalation=("chair_action", "pemberton", "llewelyn")),
    ),
    # Worked example 3: Dr Adeyemi resigned as a director of the federation eight months ago.
    DemoDecision(
        committee="pcc", meeting=-6, title="Extended access: evening and weekend GP appointments",
        description="Evening (18:30 to 20:00) and Saturday GP and nurse appointments at two hubs, "
                    "bookable by every practice for its patients.",
        status="signed_off", choice="buy", contract_kind="new", process="competitive_process",
        total=_pounds(5_760_000), annual=_pounds(1_440_000), months=48, clinical_lead="obrien",
        contract_manager="mcallister", providers=("federation", "gotodoc"),
        options=(
            ("A competitive process between the GP federation and Go-To-Doc Ltd", "chosen",
             "Market engagement found two credible providers"),
            ("Direct award to the federation, the current provider", "rejected",
             "A second credible provider came forward, so process C does not apply"),
            ("Each network provides its own appointments", "rejected",
             "The two practices outside the network would be left without a service"),
        ),
        weights=(35, 25, 20, 15, 5),
        justification="Both bids were scored by officers against the published criteria; the "
                      "committee decides between them.",
        decision_process=PCC_PROCESS, submitted=6, reviewed=2,
    ),
    DemoDecision(
        committee="gb", meeting=-10,
        title="Community diabetes specialist nursing and insulin starts",
        description="Diabetes specialist nurses who start insulin and support practices with "
                    "patients whose diabetes is poorly controlled, in community clinics rather "
                    "than the hospital's diabetes centre.",
        status="signed_off", choice="buy", contract_kind="existing", process="direct_award_c",
        total=_pounds(2_700_000), annual=_pounds(900_000), months=36, clinical_lead="price",
        contract_manager="gallagher", providers=("hospitals",),
        options=(
            ("Direct award to the hospital trust under process C, moving the nurses into "
             "community clinics", "chosen", "The trust employs the only diabetes specialist "
                                            "nurses in Northvale"),
            ("A competitive process", "rejected",
             "No other provider could employ specialist nurses in time"),
            ("Practice nurses start insulin themselves", "rejected",
             "Practice nurses asked for specialist support first: this service gives it"),
        ),
        weights=(40, 25, 20, 10, 5),
        justification="The trust is the current provider, meets the contract's standards, and "
                      "the change moves where the service is given, not who gives it.",
        decision_process=GB_PROCESS, submitted=8, reviewed=3,
        review=Review(rulings={"pemberton": "note_only"}),
    ),
    # Signed off, then Rajesh Kapoor declares his wife's new post at the trust: the sign-off is
    # void and the decision is back in the queue (see LATE_INTERESTS).
    DemoDecision(
        committee="pcc", meeting=-5,
        title="Diabetes foot care: community podiatry and foot checks in practices",
        description="The community trust's podiatrists treat high-risk feet and ulcers, and the "
                    "network's healthcare assistants do the annual foot checks in practices, with "
                    "one referral route between them.",
        status="signed_off", choice="mixed", contract_kind="new", process="most_suitable_provider",
        total=_pounds(1_290_000), annual=_pounds(430_000), months=36, clinical_lead="price",
        contract_manager="gallagher", providers=("community", "pcn"),
        options=(
            ("Mixed: trust podiatry for high-risk feet, network foot checks in practices",
             "chosen", "Each part goes to the provider with the staff for it"),
            ("Everything from the community trust", "rejected",
             "Checks at trust clinics miss patients who do not travel; uptake was 61%"),
            ("Everything from the network", "rejected", "The network has no podiatrists"),
        ),
        weights=(40, 20, 25, 10, 5),
        justification="The most suitable provider for each part of the pathway.",
        decision_process=PCC_PROCESS, submitted=24, reviewed=16,
    ),
    # Still waiting for the governance lead: one overdue, one with a name to confirm.
    DemoDecision(
        committee="pcc", meeting=-3, title="Phlebotomy in primary care: network blood-taking hub",
        description="A blood-taking hub run by the network at Elmwood Family Practice, open 07:30 "
                    "to 18:30, replacing the trust's clinics in the north of the area.",
        status="awaiting_review", choice="make", contract_kind="new",
        process="most_suitable_provider", total=_pounds(465_000), annual=_pounds(155_000),
        months=36, clinical_lead="martin", contract_manager="gallagher", providers=("pcn",),
        options=(
            ("The network runs a hub at Elmwood Family Practice", "chosen",
             "Recommended by the phlebotomy review: longer hours, results straight into the "
             "practice record"),
            ("Keep the trust's community clinics", "rejected",
             "Open three mornings a week in the north of the area"),
            ("Each practice takes its own patients' blood", "rejected",
             "Six of the ten practices have no spare clinic room"),
        ),
        weights=(30, 25, 20, 20, 5),
        justification="The network is the most suitable provider: it has the rooms, the staff "
                      "and access to the practices' records.",
        decision_process=PCC_PROCESS, submitted=17,
    ),
    DemoDecision(
        committee="gb", meeting=-8, title="Online GP consultations for NHS 111 referrals",
        description="The long-term service after the six-month urgent award: out-of-hours GP video "
                    "and telephone consultations for patients referred by NHS 111, for three "
                    "years.",
        status="awaiting_review", choice="buy", contract_kind="new", process="competitive_process",
        total=_pounds(1_800_000), annual=_pounds(600_000), months=36, clinical_lead="obrien",
        contract_manager="mcallister", providers=("gotodoc",),
        extra=(("obrien", "attendee"), ("kowalczyk", "attendee")),
        options=(
            ("A competitive process", "chosen",
             "Required for a long-term contract of this value; one compliant bid was received"),
            ("Extend the urgent award", "rejected",
             "An urgent award lasts only as long as it takes to run a proper process"),
            ("The GP federation runs an out-of-hours rota", "rejected",
             "The federation declined to bid: it cannot staff overnight shifts"),
        ),
        weights=(35, 30, 15, 15, 5),
        justification="Go-To-Doc Ltd's bid met every quality threshold and is 8% below the "
                      "budget; the evaluation panel recommends it.",
        decision_process=GB_INDEPENDENT_PROCESS, submitted=2, guardian_votes=True,
    ),
    # Buying from providers with no ODS code, known only by their Companies House numbers and
    # a charity number: the interests declared in them are found as conflicts, one of them late.
    DemoDecision(
        committee="pcc", meeting=-20, title="Home from hospital: home care and carers' support",
        description="Short-term home care for patients leaving hospital, a social prescribing link "
                    "for each network practice, and support for the unpaid carers looking after "
                    "them.",
        status="awaiting_review", choice="buy", contract_kind="new",
        process="most_suitable_provider", total=_pounds(720_000), annual=_pounds(240_000),
        months=36, clinical_lead="martin", contract_manager="gallagher",
        providers=("homecare", "wellbeing", "carers"),
        options=(
            ("Saltmouth Home Care, Easterby Wellbeing and Saltmouth Carers Network together",
             "chosen", "Each already works in the area, and together they cover the whole "
                       "pathway from discharge to settled at home"),
            ("The community trust's discharge team, extended", "rejected",
             "The trust cannot recruit home care workers at the pace needed"),
            ("Spot-purchase home care package by package", "rejected",
             "Slower to arrange and dearer per hour, with no carers' support"),
        ),
        weights=(35, 25, 20, 15, 5),
        justification="The three local providers are the most suitable: established in the area, "
                      "rated good, and already working with the practices.",
        decision_process=PCC_PROCESS, submitted=3,
    ),
    # Inquorate on the Governing Body: co-opting two GPs is recorded, sign-off still to come.
    DemoDecision(
        committee="gb", meeting=-13,
        title="Enhanced health in care homes: network-wide ward rounds",
        description="Extending the Greystone pilot to all 23 care homes in the network's area: a "
                    "named GP, weekly multidisciplinary ward rounds and anticipatory care plans "
                    "for every resident.",
        status="escalated", choice="make", contract_kind="new", process="most_suitable_provider",
        total=_pounds(3_150_000), annual=_pounds(1_050_000), months=36, clinical_lead="martin",
        contract_manager="gallagher", providers=("pcn",),
        options=(
            ("The network provides the ward rounds for every home", "chosen",
             "The pilot cut emergency admissions from the Greystone homes by a fifth"),
            ("The community trust's care home team, buying in GP sessions", "rejected",
             "The trust could not secure GP sessions without the practices"),
            ("Residents stay with their own practices", "rejected",
             "Residents of one home are registered with up to seven practices"),
        ),
        weights=(40, 20, 25, 10, 5),
        justification="Care home residents need GPs who know them and their homes; only the "
                      "practices, working as a network, can provide that in every home.",
        decision_process=GB_PROCESS, submitted=4, reviewed=1,
        review=Review(escalation=("co_opt", ("kowalczyk", "gp"), ("ferreira", "gp"))),
    ),
    DemoDecision(
        committee="pcc", meeting=-13,
        title="Community non-obstetric ultrasound: renewal with the current provider",
        description="Renewal of the community ultrasound service for three years when the "
                    "accreditation ends, with reports due within 3 working days.",
        status="ready_for_decision", choice="buy", contract_kind="existing",
        process="direct_award_c", total=_pounds(1_650_000), annual=_pounds(550_000), months=36,
        clinical_lead="martin", contract_manager="thompson", providers=("clearscan",),
        options=(
            ("Direct award to ClearScan Diagnostics Ltd under process C", "chosen",
             "The current provider meets the standards, and the service changes only modestly"),
            ("A competitive process", "rejected",
             "The market review found no other provider of community ultrasound in Northvale"),
            ("Return the scans to the hospital trust", "rejected",
             "The trust's waits are still over 6 weeks"),
        ),
        weights=(35, 30, 15, 15, 5),
        justification="The current provider meets the contract's standards and patients rate it "
                      "highly; process C applies to a renewal with modest changes.",
        decision_process=PCC_PROCESS, submitted=3,
    ),
    DemoDecision(
        committee="gb", meeting=-20, title="First contact physiotherapy in practices (pilot)",
        description="Physiotherapists in four practices who see patients with joint and back pain "
                    "at their first appointment, without seeing a GP first, for a one-year pilot.",
        status="ready_for_decision", choice="buy", contract_kind="new",
        process="most_suitable_provider", total=_pounds(195_000), annual=_pounds(195_000),
        months=12, clinical_lead="siddiqui", contract_manager="mcallister", providers=("physio",),
        options=(
            ("Vale Physio Partners Ltd provides the physiotherapists", "chosen",
             "Runs the community MSK service, so patients move between the two without a new "
             "referral"),
            ("The network recruits its own physiotherapists", "rejected",
             "The network has tried twice and could not recruit"),
            ("Do nothing", "rejected", "Joint pain takes a fifth of GP appointments"),
        ),
        weights=(35, 25, 25, 10, 5),
        justification="A one-year pilot with the provider already running community MSK "
                      "services, to be evaluated before any longer contract.",
        decision_process=GB_PROCESS, submitted=5,
    ),
    DemoDecision(
        committee="gb", meeting=-27,
        title="Spirometry and FeNO testing hub for asthma and COPD diagnosis",
        description="Quality-assured spirometry and FeNO tests at a network hub, so asthma and "
                    "COPD are diagnosed on objective tests as national guidance requires.",
        status="returned", choice="make", contract_kind="new", process="most_suitable_provider",
        total=_pounds(330_000), annual=_pounds(110_000), months=36, clinical_lead="martin",
        contract_manager="gallagher", providers=("pcn",),
        options=(
            ("The network runs a testing hub", "chosen", ""),
            ("The hospital's lung function unit", "rejected", "Waits of 20 weeks"),
        ),
        weights=(30, 30, 20, 15, 5),
        justification="The network can run quality-assured tests near patients' homes.",
        decision_process=GB_PROCESS, submitted=9, reviewed=5,
        reason="Six of the Governing Body's GP members are conflicted on a network contract, so "
               "the meeting would be inquorate: take it to the Primary Care Committee, which "
               "holds the delegated authority for network services, and add the scores behind "
               "choosing the most suitable provider.",
    ),
    # Three routes the rest of the demo does not publish: direct awards A and C and an urgent
    # award, all in 2024 (their references are 2024's own, so no other decision's moves).
    DemoDecision(
        committee="pcc", meeting=400, title="Latent tuberculosis screening for new entrants",
        description="Testing and treatment of latent tuberculosis for people newly arrived from "
                    "countries with a high incidence, referred by their practice.",
        status="published", choice="buy", contract_kind="existing", process="direct_award_a",
        total=_pounds(84_000), annual=_pounds(28_000), months=36, clinical_lead="martin",
        contract_manager="gallagher", providers=("hospitals",), awarded="hospitals",
        options=(
            ("Direct award to the hospital trust under process A", "chosen",
             "The trust's TB service is the only one in the area with the specialist nurses and "
             "the laboratory the pathway needs"),
            ("Member practices test and refer", "rejected",
             "Practices cannot start or supervise the treatment"),
        ),
        justification="Only the trust can provide the service, because of the specialist team "
                      "and laboratory it needs.",
        before_psr=dt.date(2024, 7, 11),
    ),
    DemoDecision(
        committee="pcc", meeting=400,
        title="Community podiatry: direct award to the existing provider",
        description="Foot care for people with diabetes and high-risk feet in five community "
                    "clinics, under a new three-year contract with the provider that runs it now.",
        status="published", choice="buy", contract_kind="existing", process="direct_award_c",
        total=_pounds(540_000), annual=_pounds(180_000), months=36, clinical_lead="martin",
        contract_manager="gallagher", providers=("community",), awarded="community",
        options=(
            ("Direct award to the community trust under process C", "chosen",
             "It meets the contract's standards and the service is not changing considerably"),
            ("The most suitable provider process", "rejected",
             "Nothing suggests another provider would do better; the cost of changing is high"),
        ),
        weights=(40, 25, 20, 10, 5),
        justification="The trust is meeting the current contract and is likely to go on doing "
                      "so; the new contract changes little.",
        before_psr=dt.date(2024, 9, 12),
    ),
    DemoDecision(
        committee="pcc", meeting=400,
        title="Urgent award: caretaker GP service at Larchfield Medical Practice",
        description="GP and nursing appointments for Larchfield's 6,200 patients for six months "
                    "after the practice's partners handed back their contract at short notice.",
        status="published", choice="buy", contract_kind="new", process="urgent_award",
        total=_pounds(410_000), annual=_pounds(820_000), months=6, clinical_lead="martin",
        contract_manager="gallagher", providers=("physio",), awarded="physio",
        options=(
            ("An urgent award to a provider that can start within two weeks", "chosen",
             "Patients would otherwise lose their practice when the contract ends"),
            ("Disperse the list to neighbouring practices", "rejected",
             "The neighbouring practices are full; patients would travel much further"),
        ),
        justification="The only provider able to staff the practice from the date the contract "
                      "ended; a procurement for the longer term follows.",
        before_psr=dt.date(2024, 8, 1),
    ),
    DemoDecision(
        committee="gb", meeting=-27, title="GP streaming at the emergency department",
        description="GPs at the front door of the emergency department who see patients with "
                    "primary care problems.",
        status="draft", choice="buy", contract_kind=None, process="competitive_process",
        providers=("hospitals", "gotodoc"), clinical_lead="obrien", submitted=3,
    ),
    DemoDecision(
        committee="pcc", meeting=-34,
        title="Long-acting reversible contraception (coil and implant) clinics", description="",
        status="new", submitted=1,
    ),
]

# Interests declared after the decisions above: (days before the load day it was declared,
# the interest). Bernadette Nwosu's son worked for ClearScan when the Governing Body chose it for
# echocardiography: a conflict nobody knew of, now flagged with its late declaration. Rajesh
# Kapoor's wife joined the community trust's board after the foot care sign-off: it is void.
LATE_INTERESTS = [
    (40, DemoInterest(
        person="nwosu", organisation="clearscan", organisation_name="",
        business="Diagnostic imaging and ultrasound", interest_type=FIN,
        nature="Son is a cardiac physiologist employed by the company", date_from=400,
        declared_on=40, associate="Son")),
    (6, DemoInterest(
        person="kapoor", organisation="community", organisation_name="",
        business="Community health services", interest_type=FIN,
        nature="Wife appointed a non-executive director of the trust (paid)", date_from=12,
        declared_on=6, associate="Spouse",
        mitigation="Will leave the meeting for items where the trust may be awarded a contract")),
]


# ---- the clock ------------------------------------------------------------------------------

# The app's write functions stamp rows with the time they run, unless given the time as `now`. The
# demo's history happened in the past, so each step passes the demo's time for it; the audit trail
# keeps the real time at which each event was appended.


@dataclass(frozen=True)
class DemoModification:
    """A change to a demo decision's contract after its award (regulation 13)."""

    title: str  # the decision's title
    days_ago: int
    what_changed: str
    ground: str
    value_after: int | None = None  # pence; None when the value does not change
    ends_in_months: int | None = None  # the new end: the last day of the month before this


MODIFICATIONS = [
    DemoModification(
        title="Community dermatology clinics led by GPs with an extended role", days_ago=40,
        what_changed="An extra Saturday clinic each month at Fernhill Surgery until the waiting "
                     "list for first appointments is under 6 weeks.",
        ground="e", value_after=_pounds(1_240_000)),
    DemoModification(
        title="Minor surgery (joint injections and excisions) at Fernhill Surgery", days_ago=30,
        what_changed="The contract's break clause used by agreement with the practice: the "
                     "service ends when the new local enhanced service for minor surgery "
                     "starts, and the price falls pro rata.",
        ground="a", value_after=_pounds(76_000), ends_in_months=9),
]


def spec_notice(spec: DemoDecision) -> str:
    """A made-up notice number for a demo decision's published award (no real notice)."""
    return "DEMO-" + "".join(ch for ch in spec.title.upper() if ch.isalnum())[:12]


def _stamp(day: dt.date, time: str) -> str:
    hour, minute = (int(part) for part in time.split(":"))
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=dt.UTC).isoformat()


def _thursday(day: dt.date, forward: bool) -> dt.date:
    """The Thursday on or after (or on or before) a day: committees meet on Thursdays."""
    if forward:
        return day + dt.timedelta(days=(3 - day.weekday()) % 7)
    return day - dt.timedelta(days=(day.weekday() - 3) % 7)


# ---- loading --------------------------------------------------------------------------------

class _Loader:
    """Writes one decision's history after another, in the app's own steps."""

    def __init__(self, db: Database, base: dt.date, orgs: dict[str, int],
                 people: dict[str, int], users: dict[str, int]) -> None:
        self.db, self.base, self.orgs, self.people, self.users = db, base, orgs, people, users
        self.names = {p.key: p.name for p in PEOPLE}
        self.lead = SimpleNamespace(id=users["governance"], person_id=people[GUARDIAN],
                                    role="governance", display_name=self.names[GUARDIAN],
                                    actor=ACTOR)
        self.committees = {c["key"]: c for c in COMMITTEES}
        self.committee_ids = {c["key"]: self._committee_id(c["name"]) for c in COMMITTEES}

    def _committee_id(self, name: str) -> int:
        return self.db.execute("SELECT id FROM committees WHERE name = ?", [name]).fetchone()[0]

    # -- dates --

    def meeting_day(self, spec: DemoDecision) -> dt.date:
        day = self.base - dt.timedelta(days=spec.meeting)
        if spec.before_psr is not None:
            day = min(day, spec.before_psr)
        return _thursday(day, forward=spec.meeting < 0)

    def ago(self, days: int) -> dt.date:
        return self.base - dt.timedelta(days=days)

    def past(self, day: dt.date) -> dt.date:
        """No step of the history happens on or after the load day."""
        return min(day, self.base - dt.timedelta(days=1))

    # -- helpers --

    def participants(self, spec: DemoDecision) -> list[dict[str, Any]]:
        rows = []
        for person, _role, _category, voting in self.committees[spec.committee]["members"]:
            if (person == GUARDIAN and not spec.guardian_votes) or person in spec.absent:
                continue
            rows.append({"person_id": self.people[person],
                         "role": "voting" if voting else "attendee"})
        listed = {row["person_id"] for row in rows}
        for person, role in spec.extra:
            if self.people[person] not in listed:
                rows.append({"person_id": self.people[person], "role": role})
        return rows

    def values(self, spec: DemoDecision, meeting: dt.date) -> dict[str, Any]:
        regime = regime_for(meeting)
        process = spec.process
        if regime == "pcr2013" and process in PCR2013_PROCESS:
            process = PCR2013_PROCESS[process]
        start = end = None
        if spec.total is not None:
            start = meeting + dt.timedelta(days=60)
            start = start.replace(day=1)
            end = add_months(start, spec.months) - dt.timedelta(days=1)
        return {
            "title": spec.title, "description": spec.description, "choice": spec.choice,
            "contract_kind": spec.contract_kind, "regime": regime if process else None,
            "process": process, "total_value_pence": spec.total,
            "annual_value_pence": spec.annual,
            "contract_start": start.isoformat() if start else None,
            "contract_end": end.isoformat() if end else None,
            "clinical_lead_id": self.people[spec.clinical_lead] if spec.clinical_lead else None,
            "contract_manager_id": self.people[spec.contract_manager]
            if spec.contract_manager else None,
            "meeting_date": meeting.isoformat(),
            "decision_process": spec.decision_process or (
                (GB_PROCESS if spec.committee == "gb" else PCC_PROCESS) if spec.total else ""),
            "offered_to_all_member_practices": int(spec.offered_to_all),
            "awarded_provider_id": self.orgs[spec.awarded]
            if spec.awarded and spec.status in ("decided", "published") else None,
            "justification": spec.justification, "comments": spec.comments,
            **self.route_parts(regime if process else None, process),
        }

    @staticmethod
    def route_parts(regime: str | None, process: str | None) -> dict[str, Any]:
        """What the decision's route records besides the key criteria (rules/routes.py)."""
        parts = routes.parts_for(regime, process) if process else ()
        return {
            "route_reasons": ROUTE_REASONS.get(process or "", "") if parts else "",
            "selection_criteria": SELECTION_CRITERIA_TEXT
            if routes.SELECTION_CRITERIA in parts else "",
            "exclusions": EXCLUSIONS_TEXT if routes.EXCLUSIONS in parts else "",
            "score_out_of": 100 if routes.ASSESSMENTS in parts else None,
        }

    def scores(self, spec: DemoDecision, meeting: dt.date) -> list[dict[str, Any]]:
        """Each proposed provider's score where the route scores competing providers: the one
        awarded (or to be) highest."""
        regime = regime_for(meeting)
        process = PCR2013_PROCESS.get(spec.process, spec.process) if regime == "pcr2013" \
            else spec.process
        if not process or routes.ASSESSMENTS not in routes.parts_for(regime, process):
            return []
        order = sorted(spec.providers, key=lambda key: key != spec.awarded)
        return [{"organisation_id": self.orgs[key], "score": float(78 - 7 * n),
                 "assessment": "Strongest on quality and access; best value." if n == 0 else
                 "Met the requirements; weaker on integration with local services."}
                for n, key in enumerate(order)]

    def children(self, spec: DemoDecision, meeting: dt.date) -> dict[str, list[dict[str, Any]]]:
        criteria = []
        if spec.weights and assesses_key_criteria(regime_for(meeting), spec.process):
            criteria = [{"criterion": key, "weight": weight, "how_applied": APPLIED[key]}
                        for key, weight in zip(KEY_CRITERIA, spec.weights, strict=True)]
        return {
            "participants": self.participants(spec),
            "providers": [{"organisation_id": self.orgs[key]} for key in spec.providers],
            "options": [{"position": n, "description": text, "outcome": outcome,
                         "reason": reason}
                        for n, (text, outcome, reason) in enumerate(spec.options, start=1)],
            "criteria": criteria,
            "scores": self.scores(spec, meeting),
        }

    # -- the life of one decision --

    def load(self, spec: DemoDecision) -> int:
        db = self.db
        meeting = self.meeting_day(spec)
        submitted = self.past(self.ago(spec.submitted) if spec.submitted is not None
                              else meeting - dt.timedelta(days=spec.notice))
        created = submitted - dt.timedelta(days=6)
        if spec.status in ("draft", "new"):
            created = submitted
        reviewed = self.past(self.ago(spec.reviewed) if spec.reviewed is not None
                             else submitted + dt.timedelta(days=min(4, spec.notice // 2)))

        reference = decision_queries.create_draft(
            db, title=spec.title, committee_id=self.committee_ids[spec.committee],
            meeting_date=meeting, user_id=self.users["secretary"], actor=ACTOR,
            now=_stamp(created, "09:15"))
        decision_id = decision_queries.get_decision(db, reference)["id"]
        if spec.status != "new":
            version = decision_queries.get_decision(db, reference)["version"]
            saved = decision_queries.save_decision(
                db, decision_id, version, self.values(spec, meeting),
                self.children(spec, meeting), ACTOR, now=_stamp(created, "09:40"))
            if not saved:
                raise RuntimeError(f"Demo decision {spec.title!r} was not saved")
        if spec.status in ("draft", "new"):
            return decision_id

        version = decision_queries.get_decision(db, reference)["version"]
        status = lifecycle.submit(db, decision_id, version, ACTOR,
                                  now=_stamp(submitted, "14:05"))
        flagged = status == "awaiting_review"
        if spec.status in ("awaiting_review", "ready_for_decision") and \
                flagged != (spec.status == "awaiting_review"):
            raise RuntimeError(f"{reference} went to {status}, not {spec.status}")

        if spec.status == "returned":
            lifecycle.move(db, lifecycle.fresh(db, decision_id), "return", "governance",
                           ACTOR, changes={"reason": spec.reason}, now=_stamp(reviewed, "16:30"))
            return decision_id
        if spec.status == "withdrawn":
            lifecycle.move(db, lifecycle.fresh(db, decision_id), "withdraw", "secretary",
                           ACTOR, changes={"reason": spec.reason}, now=_stamp(reviewed, "16:30"))
            return decision_id
        if spec.status in ("awaiting_review", "ready_for_decision"):
            return decision_id

        if flagged:
            self.review(spec, decision_id, reviewed)
        if spec.status in ("decided", "published"):
            self.decide(spec, decision_id, self.past(meeting + dt.timedelta(days=1)))
        if spec.status in ("decided", "published"):
            from_notice = self.notices(spec, decision_id, meeting)
        if spec.status == "published":
            published = self.past(meeting + dt.timedelta(days=15))
            where = f"https://www.find-tender.service.gov.uk/Notice/{spec_notice(spec)}"
            if from_notice is not None:
                # The award confirmation notice says where and when the award was published.
                where, published = from_notice
            lifecycle.move(db, lifecycle.fresh(db, decision_id), "publish", "secretary",
                           ACTOR, changes={"award_published_where": where},
                           extra={"award_published_where": where,
                                  "award_published_on": published.isoformat()},
                           now=_stamp(published, "10:10"))
        return decision_id

    def modify(self, change: DemoModification) -> None:
        """Record a contract modification, as the modification form would after its checks."""
        db = self.db
        row = db.execute("SELECT id, total_value_pence, contract_end FROM decisions"
                         " WHERE title = ?", [change.title]).fetchone()
        decision_id, original, _end = row
        before = modification_rules.current_value(original, contract_modifications.load_for(
            db, [decision_id])[decision_id])
        new_end = None
        if change.ends_in_months is not None:
            new_end = add_months(self.base, change.ends_in_months).replace(day=1) \
                - dt.timedelta(days=1)
        problem = modification_rules.ground_problem(change.ground, original, before,
                                                    change.value_after, new_end is not None)
        if problem:
            raise ValueError(f"Demo modification of {change.title}: {problem}")
        day = self.ago(change.days_ago)
        contract_modifications.add(db, decision_id, modification_rules.Modification(
            day, change.what_changed, before, change.value_after, new_end, change.ground),
            ACTOR, now=_stamp(day, "14:00"))
    def notices(self, spec: DemoDecision, decision_id: int,
                meeting: dt.date) -> tuple[str, dt.date] | None:
        """A PSR decision's notices: the intention to award and its standstill (one competitive
        process with a representation answered), then the award confirmation notice; a decided
        decision's notice published three working days ago is still in its standstill. Returns
        where and when the award was published, or None."""
        db = self.db
        rec = record.load_record(db, decision_id)
        if rec is None or rec.regime != "psr" or not notice_store.has_award(rec):
            return None
        if spec.status == "decided" and spec.process != "direct_award_c":
            return None  # decided, its intention to award notice not yet published
        where = f"https://www.find-tender.service.gov.uk/Notice/{spec_notice(spec)}"
        if rec.has_standstill:
            intention_on = add_working_days(meeting, 1)
            if spec.status == "decided":
                intention_on = self.base
                for _ in range(5):
                    intention_on -= dt.timedelta(days=1)
                    while not is_working_day(intention_on):
                        intention_on -= dt.timedelta(days=1)
            notice_store.record_notice(
                db, rec, "intention", published_on=intention_on,
                published_where=where + "-INTENT", reference=spec_notice(spec) + "-I",
                today=self.base, actor=ACTOR, now=_stamp(intention_on, "09:30"))
            if spec.status == "decided":
                return None
            rec = record.load_record(db, decision_id)
            assert rec is not None
            if spec.process == "competitive_process" and spec.meeting == 400:
                received = add_working_days(intention_on, 3)
                rep_id = notice_store.record_representation(
                    db, rec, received_on=received, provider_name="Medway Physio Partners Ltd",
                    summary="Asked how the access, inequalities and choice criterion was "
                            "scored against our bid.", today=self.base, actor=ACTOR,
                    now=_stamp(received, "16:00"))
                responded = add_working_days(received, 2)
                rec = record.load_record(db, decision_id)
                assert rec is not None
                notice_store.respond(
                    db, rec, rep_id, response="Sent the evaluation panel's scores and notes "
                    "for that criterion; the scoring stands.", responded_on=responded,
                    today=self.base, actor=ACTOR)
                rec = record.load_record(db, decision_id)
                assert rec is not None
            award_on = add_working_days(standstill.standstill_end(intention_on), 1)
        else:
            award_on = add_working_days(meeting, 1)
        notice_store.record_notice(db, rec, "award", published_on=award_on,
                                   published_where=where, reference=spec_notice(spec),
                                   today=self.base, actor=ACTOR, now=_stamp(award_on, "09:30"))
        return where, award_on

    def review(self, spec: DemoDecision, decision_id: int, day: dt.date) -> None:
        """Rule on each conflicted person, escalate if the meeting is inquorate, sign off."""
        db = self.db
        wanted = {self.people[key]: ruling for key, ruling in spec.review.rulings.items()}
        exceptions = {self.people[key]: words for key, words in spec.review.exceptions.items()}
        wanted_matches = {self.people[key]: what for key, what in spec.review.matches.items()}
        review = review_queries.load_review(db, lifecycle.fresh(db, decision_id))
        matches = {}
        for group in review.match_groups():
            what = wanted_matches[group["person_id"]]
            matches[(group["person_id"], group["interest_id"])] = (
                {"outcome": "confirm", "reason": ""} if what == "confirm"
                else {"outcome": "dismiss", "reason": what})
        confirmed = {key for key, chosen in matches.items() if chosen["outcome"] == "confirm"}
        selections = {}
        for person in review.people(confirmed):
            person_id = person["person_id"]
            chosen = {"ruling": wanted.get(person_id, person["proposal"])}
            if person_id in exceptions:
                reason, mitigation = exceptions[person_id]
                if exception_problem(reason, mitigation):
                    raise RuntimeError(exception_problem(reason, mitigation))
                chosen.update(is_exception=True, exception_reason=reason,
                              exception_mitigation=mitigation)
            selections[person_id] = chosen
        records.save_rulings(db, review, selections, matches, self.lead.id, ACTOR,
                             now=_stamp(day, "11:20"))

        if spec.review.escalation:
            self.escalate(spec, decision_id, _stamp(day, "11:25"))
            if spec.status == "escalated":
                return
        self.sign_off(decision_id, _stamp(day, "11:30"))

    def escalate(self, spec: DemoDecision, decision_id: int, now: str) -> None:
        db = self.db
        current = lifecycle.fresh(db, decision_id)
        review = review_queries.load_review(db, current)
        rulings = {pid: row["ruling"] for pid, row in review.rulings.items()}
        if review.quorum(rulings).quorate:
            raise RuntimeError(f"Demo decision {spec.title!r} is quorate: nothing to escalate")
        kind, *rest = spec.review.escalation
        chosen = [self.people[key] for key in
                  ([person for person, _ in rest] if kind == "co_opt" else rest)]
        outsiders = review_queries.conflicts_for_people(
            db, decision_id, [p for p in chosen if p not in review.participants])
        if kind == "co_opt":
            pairs = [(self.people[person], category) for person, category in rest]
            details: dict[str, Any] = {"co_opted": [
                {"person_id": self.people[person], "name": self.names[person],
                 "category": category, "category_label": dict(review_queries.CATEGORY_CHOICES)[
                     category]} for person, category in rest]}
            problem = escalation_problem(
                kind, {"co_opted": pairs}, rule=review.rule,
                voting_members=review.voting_members(), rulings=rulings,
                present=review.present(), conflicted_ids=set(rulings) | set(outsiders),
                names=self.names_by_id())
        else:
            chair, officer = rest
            details = {"chair_id": self.people[chair], "chair_name": self.names[chair],
                       "accountable_officer_id": self.people[officer],
                       "accountable_officer_name": self.names[officer]}
            problem = escalation_problem(kind, details,
                                         conflicted_ids=set(rulings) | set(outsiders),
                                         names=self.names_by_id())
        if problem:
            raise RuntimeError(f"Demo decision {spec.title!r}: {problem}")
        lifecycle.move(db, current, "escalate", "governance", ACTOR, quorate=False,
                       escalation=kind, changes={"escalation": kind}, now=now)
        records.record_escalation(db, lifecycle.fresh(db, decision_id), kind, details,
                                  self.lead.id, ACTOR, now=now)

    def names_by_id(self) -> dict[int, str]:
        return {self.people[key]: name for key, name in self.names.items()}

    def sign_off(self, decision_id: int, now: str) -> None:
        """Sign off as the view does: the statement is built from the rulings just saved."""
        db = self.db
        current = lifecycle.fresh(db, decision_id)
        review = review_queries.load_review(db, current)
        problem = signoff.signer_problem(review, self.lead, db)
        if problem:
            raise RuntimeError(f"{current['reference']}: {problem}")
        statement, quorum, _people = signoff.stored_statement(review, self.lead.display_name,
                                                              self.lead.role)
        lifecycle.sign_off(db, current, user=self.lead, role=self.lead.role,
                           role_label=ROLE_LABELS[self.lead.role], statement=statement,
                           quorate=quorum.quorate, escalation=review.escalation, now=now)

    def decide(self, spec: DemoDecision, decision_id: int, day: dt.date) -> None:
        """Record the outcome: who was in the room, the votes (within the rulings), breaches."""
        db = self.db
        current = lifecycle.fresh(db, decision_id)
        rulings = {r["person_id"]: r["ruling"] for r in db.query(
            "SELECT person_id, ruling FROM decision_rulings WHERE decision_id = ?",
            [decision_id])}
        escalation = review_queries.current_escalation(db, decision_id)
        co_opted = review_queries.co_opted(escalation)
        names = self.names_by_id()
        against = {self.people[key] for key in spec.outcome.against}
        abstain = {self.people[key] for key in spec.outcome.abstain}
        anyway = {self.people[key] for key in spec.outcome.present_anyway}
        attendance, breaches = [], []
        left = {self.people[key]: (at, stage, back or None)
                for key, at, stage, back in spec.outcome.left}
        totals = {"for": len(co_opted), "against": 0, "abstain": 0}
        for row in db.query("SELECT person_id, role FROM decision_participants"
                            " WHERE decision_id = ? ORDER BY person_id", [decision_id]):
            person_id = row["person_id"]
            ruling = rulings.get(person_id)
            present = may_be_present(ruling) or person_id in anyway
            vote = None
            if row["role"] == "voting" and present and may_vote(ruling):
                vote = ("against" if person_id in against
                        else "abstain" if person_id in abstain else "for")
                if vote_problem(person_id, rulings, names):
                    raise RuntimeError(vote_problem(person_id, rulings, names))
                totals[vote] += 1
            if present:
                detail = attendance_breach(person_id, rulings, names)
                if detail:
                    breaches.append((person_id, detail))
            # Co-opted members are not participants, so their votes are counted in the
            # totals and no one's vote is recorded one by one.
            at, stage, back = left.get(person_id, (None, None, None))
            if at and (present or vote):
                raise RuntimeError(f"{names.get(person_id)} left before the vote but is "
                                   f"recorded as present or voting")
            attendance.append({"person_id": person_id, "present": int(present),
                               "vote": None if co_opted else vote,
                               "proxy_for_person_id": None, "left_at": at,
                               "left_stage": stage, "returned_at": back})
        refused = []
        for whose, offered_to, reason in spec.outcome.refused_proxies:
            for_id, to_id = self.people[whose], self.people[offered_to]
            reason = reason or proxy_vote_problem(to_id, for_id, rulings, names)
            if not reason:
                raise RuntimeError(f"{whose}: a refused proxy needs a reason")
            refused.append({"for_person_id": for_id, "offered_to_person_id": to_id,
                            "reason": reason})
        values = {"outcome": spec.choice,
                  "awarded_provider_id": self.orgs[spec.awarded] if spec.awarded else None,
                  "votes_for": totals["for"], "votes_against": totals["against"],
                  "votes_abstaining": totals["abstain"], "notes": spec.outcome.notes}
        lifecycle.record_outcome(db, current, values, attendance, breaches,
                                 self.users["secretary"], ACTOR, refused_proxies=refused,
                                 now=_stamp(day, "15:45"))


def load_decisions(db: Database, base: dt.date, *, orgs: dict[str, int],
                   people: dict[str, int], users: dict[str, int],
                   add_interest: Callable[[DemoInterest, str | None], int],
                   counts: dict[str, int]) -> None:
    """Write the demo decisions and their histories, then the interests declared after them.

    Runs inside the demo's write transaction; flags are stored current when it returns.
    """
    loader = _Loader(db, base, orgs, people, users)
    for spec in sorted(DECISIONS, key=lambda s: (loader.meeting_day(s), s.title)):
        loader.load(spec)
        counts["decisions"] = counts.get("decisions", 0) + 1
    for change in MODIFICATIONS:
        loader.modify(change)
        counts["contract modifications"] = counts.get("contract modifications", 0) + 1
    for days_ago, interest in LATE_INTERESTS:
        stamp = _stamp(loader.ago(days_ago), "12:00")
        # Through the interests pages' store function, which brings the decisions its holder
        # takes part in up to date: any sign-off whose conflicts it changes is void at that moment.
        add_interest(interest, stamp)

