"""The review form (rulings, name matches, escalation, sign-off) and the outcome form.

Both carry fields per person, so their classes are built for each decision. Which fields must be
filled depends on the button pressed, so the checks live in `check_review` and `check_outcome`,
which append messages to the fields (and so to the error summary).
"""
from __future__ import annotations

from typing import Any

from wtforms import (
    BooleanField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)

from ..forms import BaseForm, DateInputField, MaxLength
from ..rules import departures
from ..rules.decisions import CHOICES
from ..rules.quorum import ESCALATIONS
from ..rules.rulings import (
    MATCH_OUTCOMES,
    RULINGS,
    attendance_breach,
    exception_problem,
    match_problem,
    proxy_vote_problem,
    ruling_problem,
    vote_problem,
)

CO_OPT_ROWS = 3
# Rows for the proxy votes the chair refused at the meeting (rarely more than one).
REFUSED_PROXY_ROWS = 2
INTENTS = {"sign_off", "save", "return", "escalate", "confirm_identity"}
VOTES = {"": "Did not vote", "for": "For", "against": "Against", "abstain": "Abstained"}


class OrderedErrorsForm(BaseForm):
    """A form whose error summary follows the order fields appear on the page."""

    page_order: list[str] = []

    @property
    def error_list(self) -> list[tuple[str, str]]:
        pairs = [("", message) for message in self.form_errors]
        rank = {name: index for index, name in enumerate(self.page_order)}
        fields = sorted(self, key=lambda f: rank.get(f.name, len(rank)))
        for field in fields:
            for message in field.errors:
                anchor = field.id + ("-day" if isinstance(field, DateInputField) else "")
                pairs.append((anchor, message))
        return pairs


class ReviewForm(OrderedErrorsForm):
    """Everything a governance lead sends from the review page."""

    version = HiddenField()
    statement_digest = HiddenField()
    # The conflicts the page was built for: a form sent after they changed is refused whole.
    conflicts_digest = HiddenField()
    escalation = RadioField("How will the decision be taken now?",
                            choices=list(ESCALATIONS.items()), validate_choice=False)
    new_meeting_date = DateInputField("Date of the later meeting",
                                      noun="the date of the later meeting")
    referred_to = StringField("Committee or partner organisation it is referred to",
                              [MaxLength(200)])
    chair_person = SelectField("Chair taking the action", validate_choice=False)
    officer_person = SelectField("Accountable officer taking the action", validate_choice=False)
    return_reason = TextAreaField("What more information is needed", [MaxLength(2000)])
    password = PasswordField("Re-enter your password")
    # Asked for only when the account has a second factor (auth/second_factor.py).
    security_code = StringField("Code from your authenticator app", [MaxLength(40)])
    confirm = BooleanField("I confirm the statement above")


def review_form_class(person_ids: list[int], match_keys: list[tuple[int, int]],
                      names: dict[int, str]) -> type:
    """A ReviewForm with a ruling group per person and a confirm-or-dismiss per name match."""

    class Form(ReviewForm):
        pass

    order = []
    for person_id in person_ids:
        name = names.get(person_id, "this person")
        setattr(Form, f"ruling_{person_id}", RadioField(
            f"Ruling for {name}", choices=list(RULINGS.items()), validate_choice=False))
        setattr(Form, f"exception_{person_id}", BooleanField(
            f"Sole-expertise exception: {name} takes part because no one else has the expertise "
            f"(with ‘note the interest’ or ‘may take part in the discussion but not "
            f"the vote’)"))
        setattr(Form, f"exception_reason_{person_id}", TextAreaField(
            f"Why {name} is the only person with the expertise", [MaxLength(2000)]))
        setattr(Form, f"exception_mitigation_{person_id}", TextAreaField(
            "Steps taken so that no provider gains an unfair advantage", [MaxLength(2000)]))
        order += [f"ruling_{person_id}", f"exception_{person_id}",
                  f"exception_reason_{person_id}", f"exception_mitigation_{person_id}"]
    for person_id, interest_id in match_keys:
        name = names.get(person_id, "this person")
        # A negative key is a person with significant control (Companies House), not an interest:
        # the question is whether they are the same person.
        setattr(Form, f"match_{person_id}_{interest_id}", RadioField(
            f"Is {name} the person Companies House records?" if interest_id < 0 else
            f"Is {name}\u2019s interest in the same organisation?",
            choices=list(MATCH_OUTCOMES.items()), validate_choice=False))
        setattr(Form, f"match_reason_{person_id}_{interest_id}", TextAreaField(
            "Why it is not the same person" if interest_id < 0 else
            "Why it is not the same organisation", [MaxLength(1000)]))
        order += [f"match_{person_id}_{interest_id}", f"match_reason_{person_id}_{interest_id}"]
    for index in range(1, CO_OPT_ROWS + 1):
        setattr(Form, f"co_opt_person_{index}", SelectField(f"Member to co-opt {index}",
                                                            validate_choice=False))
        setattr(Form, f"co_opt_category_{index}", SelectField(
            f"Their category {index}", validate_choice=False,
            choices=[("", "Choose a category"), ("gp", "GP"), ("lay", "Lay member"),
                     ("executive", "Executive"), ("other", "Other")]))
    Form.page_order = [*order, "escalation", "new_meeting_date", "referred_to",
                       *[f"co_opt_{kind}_{i}" for i in range(1, CO_OPT_ROWS + 1)
                         for kind in ("person", "category")],
                       "chair_person", "officer_person", "return_reason", "password", "security_code",
                       "confirm"]
    return Form


def selections_from(form: ReviewForm, person_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The ruling chosen for each person, with any exception, as the form holds them."""
    chosen = {}
    for person_id in person_ids:
        ruling = getattr(form, f"ruling_{person_id}").data
        chosen[person_id] = {
            "ruling": ruling if ruling in RULINGS else None,
            "is_exception": bool(getattr(form, f"exception_{person_id}").data),
            "exception_reason": getattr(form, f"exception_reason_{person_id}").data or "",
            "exception_mitigation": getattr(form, f"exception_mitigation_{person_id}").data or "",
        }
    return chosen


def matches_from(form: ReviewForm, match_keys: list[tuple[int, int]]) -> dict[tuple[int, int],
                                                                             dict[str, str]]:
    """The confirm-or-dismiss chosen for each name match (only those answered)."""
    chosen = {}
    for person_id, interest_id in match_keys:
        outcome = getattr(form, f"match_{person_id}_{interest_id}").data
        if outcome in MATCH_OUTCOMES:
            chosen[(person_id, interest_id)] = {
                "outcome": outcome,
                "reason": getattr(form, f"match_reason_{person_id}_{interest_id}").data or ""}
    return chosen


def check_rulings(form: ReviewForm, people: list[dict[str, Any]],
                  match_groups: list[dict[str, Any]], newly_conflicted: set[int]) -> None:
    """Append a message to each ruling, exception and match field that is not complete."""
    for group in match_groups:
        key = f"{group['person_id']}_{group['interest_id']}"
        outcome_field = getattr(form, f"match_{key}")
        reason_field = getattr(form, f"match_reason_{key}")
        problem = match_problem(outcome_field.data, reason_field.data)
        if problem:
            where = reason_field if outcome_field.data == "dismiss" else outcome_field
            where.errors.append(problem if where is reason_field else
                                f"Select whether {group['name']}\u2019s interest is in the same "
                                f"organisation")
    for person in people:
        person_id = person["person_id"]
        field = getattr(form, f"ruling_{person_id}")
        if person_id in newly_conflicted:
            field.data = field.data or person["proposal"]
            field.errors.append(f"Check the ruling for {person['name']}: confirming the name "
                                f"match makes them conflicted")
            continue
        problem = ruling_problem(field.data, person["name"])
        if problem:
            field.errors.append(problem)
        if getattr(form, f"exception_{person_id}").data:
            reason = getattr(form, f"exception_reason_{person_id}")
            mitigation = getattr(form, f"exception_mitigation_{person_id}")
            problem = exception_problem(reason.data, mitigation.data, field.data, person["name"])
            if problem and problem.startswith("The sole-expertise exception"):
                getattr(form, f"exception_{person_id}").errors.append(problem)
            elif problem:
                target = reason if not (reason.data or "").strip() else mitigation
                suffix = "" if person["name"] in problem else f" for {person['name']}"
                target.errors.append(problem + suffix)


def check_sign_off(form: ReviewForm, digest: str, *, password: bool = True) -> None:
    """Append messages for a missing password (when the account signs off with one), an
    unconfirmed or out-of-date statement."""
    if password and not form.password.data:
        form.password.errors.append("Enter your password to sign off")
    if not form.confirm.data:
        form.confirm.errors.append("Confirm the statement to sign off")
    elif form.statement_digest.data != digest:
        form.confirm.errors.append("The statement changed with the rulings you chose: read it "
                                   "again and confirm it")


class RatifyForm(BaseForm):
    """The quorate meeting that ratified a chair and accountable officer action."""

    meeting_date = DateInputField("Date of the meeting that ratified it",
                                  noun="the date of the meeting that ratified it", required=True)
    quorate = BooleanField("The meeting was quorate for the item")


class WithdrawForm(BaseForm):
    """Withdrawing a decision, with the reason."""

    version = HiddenField()
    reason = TextAreaField("Why is the decision being withdrawn?", [MaxLength(2000)])


class OutcomeForm(OrderedErrorsForm):
    """The outcome of the item: make or buy, provider, votes, and who was in the room."""

    version = HiddenField()
    outcome = RadioField("What was decided?", choices=list(CHOICES.items()),
                         validate_choice=False)
    awarded_provider = SelectField("Provider awarded", validate_choice=False)
    votes_for = StringField("Votes for", [MaxLength(4)])
    votes_against = StringField("Votes against", [MaxLength(4)])
    votes_abstaining = StringField("Abstentions", [MaxLength(4)])
    notes = TextAreaField("Notes (optional)", [MaxLength(2000)])
    confirm_breach = BooleanField("Record it as a breach: they were in the room although ruled "
                                  "out of it")


def outcome_form_class(participants: list[dict[str, Any]]) -> type:
    """An OutcomeForm with presence, vote and proxy fields for each person taking part."""

    class Form(OutcomeForm):
        pass

    voters = [p for p in participants if p["role"] == "voting"]
    order = ["outcome", "awarded_provider"]
    for person in participants:
        person_id = person["person_id"]
        setattr(Form, f"present_{person_id}", BooleanField(
            f"{person['name']} was present for the item"))
        order.append(f"present_{person_id}")
        if person["role"] == "voting":
            setattr(Form, f"vote_{person_id}", SelectField(
                f"How {person['name']} voted", choices=list(VOTES.items()),
                validate_choice=False))
            setattr(Form, f"proxy_{person_id}", SelectField(
                f"{person['name']} also voted on behalf of", validate_choice=False,
                choices=[("", "No one")] + [(str(v["person_id"]), v["name"]) for v in voters
                                            if v["person_id"] != person_id]))
            order += [f"vote_{person_id}", f"proxy_{person_id}"]
        setattr(Form, f"left_at_{person_id}", StringField(
            f"Time {person['name']} left the room (optional)", [MaxLength(20)]))
        setattr(Form, f"left_stage_{person_id}", RadioField(
            f"When in the item did {person['name']} leave?",
            choices=list(departures.STAGES.items()), validate_choice=False))
        setattr(Form, f"returned_at_{person_id}", StringField(
            f"Time {person['name']} came back in (optional)", [MaxLength(20)]))
        order += [f"left_at_{person_id}", f"left_stage_{person_id}", f"returned_at_{person_id}"]
    members = [("", "Choose a member")] + [(str(v["person_id"]), v["name"]) for v in voters]
    refused = []
    for index in range(1, REFUSED_PROXY_ROWS + 1):
        setattr(Form, f"refused_for_{index}", SelectField(
            "Whose vote was offered", choices=members, validate_choice=False))
        setattr(Form, f"refused_to_{index}", SelectField(
            "Who offered to hold it", choices=members, validate_choice=False))
        setattr(Form, f"refused_reason_{index}", TextAreaField(
            "Why the chair refused it", [MaxLength(1000)]))
        refused += [f"refused_for_{index}", f"refused_to_{index}", f"refused_reason_{index}"]
    Form.page_order = [*order, *refused, "votes_for", "votes_against", "votes_abstaining",
                       "notes", "confirm_breach"]
    return Form


def _count(field: Any, noun: str) -> int | None:
    text = (field.data or "").strip()
    if not text:
        field.errors.append(f"Enter the number of {noun}, or 0")
        return None
    if not text.isdecimal():
        field.errors.append(f"The number of {noun} must be a whole number, like 3")
        return None
    return int(text)


def check_outcome(form: OutcomeForm, participants: list[dict[str, Any]],
                  rulings: dict[int, str], names: dict[int, str],
                  provider_ids: set[int]) -> dict[str, Any] | None:
    """Check the outcome against the rulings; returns what to store, or None with messages added.

    Returned: values for decision_outcomes, attendance rows, and breaches (person, detail).
    """
    if form.outcome.data not in CHOICES:
        form.outcome.errors.append("Select whether the service is made, bought or mixed")
    provider = form.awarded_provider.data or ""
    if provider and (not provider.isdecimal() or int(provider) not in provider_ids):
        form.awarded_provider.errors.append("Select one of the providers proposed")
    totals = {"for": _count(form.votes_for, "votes for"),
              "against": _count(form.votes_against, "votes against"),
              "abstain": _count(form.votes_abstaining, "abstentions")}
    attendance, breaches = [], []
    cast = {"for": 0, "against": 0, "abstain": 0}
    any_individual = False
    proxies_for: dict[int, int] = {}
    for person in participants:
        person_id = person["person_id"]
        present = bool(getattr(form, f"present_{person_id}").data)
        vote_field = getattr(form, f"vote_{person_id}", None)
        proxy_field = getattr(form, f"proxy_{person_id}", None)
        vote = (vote_field.data or "") if vote_field else ""
        proxy_text = (proxy_field.data or "") if proxy_field else ""
        proxy_for = int(proxy_text) if proxy_text.isdecimal() else None
        departure = _departure(form, person_id, person["name"])
        if vote and vote not in VOTES:
            vote_field.errors.append(f"Select how {person['name']} voted")
            continue
        if present and departure is not None:
            getattr(form, f"present_{person_id}").errors.append(
                departures.present_after_leaving_problem(person["name"], departure))
        if vote:
            problem = vote_problem(person_id, rulings, names)
            left_problem = departures.voted_after_leaving_problem(person["name"], departure)
            if problem:
                vote_field.errors.append(problem)
            elif left_problem:
                vote_field.errors.append(left_problem)
            elif not present:
                vote_field.errors.append(f"{person['name']} is not recorded as present for the "
                                         f"item, so cannot have voted: tick present or choose "
                                         f"\u2018Did not vote\u2019")
        if proxy_for is not None:
            problem = proxy_vote_problem(person_id, proxy_for, rulings, names)
            if problem:
                proxy_field.errors.append(problem)
            elif not vote:
                proxy_field.errors.append(f"Choose how {person['name']} voted: a vote on "
                                          f"behalf of someone else goes the same way")
            elif proxy_for in proxies_for:
                proxy_field.errors.append(f"Someone else already voted on behalf of "
                                          f"{names.get(proxy_for, 'that member')}")
            else:
                proxies_for[proxy_for] = person_id
        if present:
            detail = attendance_breach(person_id, rulings, names)
            if detail:
                breaches.append((person_id, detail))
        if vote:
            any_individual = True
            cast[vote] += 2 if proxy_for is not None else 1
        attendance.append({"person_id": person_id, "present": int(present),
                           "vote": vote or None, "proxy_for_person_id": proxy_for,
                           "left_at": departures.time_text(departure.left_at)
                           if departure else None,
                           "returned_at": departures.time_text(departure.returned_at)
                           if departure else None,
                           "left_stage": departure.stage if departure else None})
    if breaches and not form.confirm_breach.data:
        # A breach stays in the record for good: a mis-ticked box must not make one silently.
        who = [names.get(person_id, "Someone") for person_id, _detail in breaches]
        listed = " and ".join(who) if len(who) < 3 else ", ".join(who[:-1]) + " and " + who[-1]
        form.confirm_breach.errors.append(
            f"{listed} {'was' if len(who) == 1 else 'were'} ruled out of the room but "
            f"{'is' if len(who) == 1 else 'are'} ticked as present. If that is what happened, "
            f"tick the box to record it as a breach; if not, untick present")
    for proxy_for, voter in proxies_for.items():
        own = next((a for a in attendance if a["person_id"] == proxy_for), None)
        if own and own["vote"]:
            getattr(form, f"proxy_{voter}").errors.append(
                f"{names.get(proxy_for, 'That member')} voted in person, so no one can vote on "
                f"their behalf")
    refused = _refused_proxies(form, participants, rulings, names, proxies_for)
    if any_individual and None not in totals.values():
        labels = {"for": (form.votes_for, "votes for"),
                  "against": (form.votes_against, "votes against"),
                  "abstain": (form.votes_abstaining, "abstentions")}
        for key, (field, noun) in labels.items():
            if totals[key] != cast[key] and not field.errors:
                field.errors.append(f"The {noun} ({totals[key]}) must equal the individual "
                                    f"votes recorded ({cast[key]})")
    if form.errors or form.form_errors:
        return None
    return {"values": {"outcome": form.outcome.data,
                       "awarded_provider_id": int(provider) if provider else None,
                       "votes_for": totals["for"], "votes_against": totals["against"],
                       "votes_abstaining": totals["abstain"], "notes": form.notes.data or ""},
            "attendance": attendance, "breaches": breaches, "refused_proxies": refused}


def _departure(form: OutcomeForm, person_id: int, name: str) -> departures.Departure | None:
    """The departure typed for one person, with a message on each field that is wrong."""
    left, stage, returned = (getattr(form, f"{kind}_{person_id}")
                             for kind in ("left_at", "left_stage", "returned_at"))
    problems = departures.departure_problems(name, left.data, stage.data, returned.data)
    for field, problem in ((left, problems.left_at), (stage, problems.stage),
                           (returned, problems.returned_at)):
        if problem:
            field.errors.append(problem)
    if problems:
        return None
    return departures.departure_from(left.data, stage.data, returned.data)


def _person_choice(field: Any, voter_ids: set[int]) -> int | None:
    text = field.data or ""
    if text and (not text.isdecimal() or int(text) not in voter_ids):
        field.errors.append("Select one of the voting members")
        return None
    return int(text) if text else None


def _refused_proxies(form: OutcomeForm, participants: list[dict[str, Any]],
                     rulings: dict[int, str], names: dict[int, str],
                     proxies_used: dict[int, int]) -> list[dict[str, Any]]:
    """The proxy votes the chair refused, as rows to store, with messages on the fields that
    are wrong. A blank reason takes the rules' reason where they give one (shown in the field,
    so it can be changed), and a refused proxy cannot also be recorded as used."""
    voter_ids = {p["person_id"] for p in participants if p["role"] == "voting"}
    rows: list[dict[str, Any]] = []
    seen: set[tuple[int, int]] = set()
    for index in range(1, REFUSED_PROXY_ROWS + 1):
        for_field = getattr(form, f"refused_for_{index}")
        to_field = getattr(form, f"refused_to_{index}")
        reason_field = getattr(form, f"refused_reason_{index}")
        for_id = _person_choice(for_field, voter_ids)
        to_id = _person_choice(to_field, voter_ids)
        if for_field.errors or to_field.errors:
            continue
        rule_reason = None
        if for_id is not None and to_id is not None and for_id != to_id:
            rule_reason = proxy_vote_problem(to_id, for_id, rulings, names)
        reason = (reason_field.data or "").strip()
        if not reason and rule_reason:
            reason_field.data = reason = rule_reason
        problems = departures.refused_proxy_problems(for_id, to_id, reason, rule_reason,
                                                     number=index)
        for field, problem in ((for_field, problems.for_person),
                               (to_field, problems.offered_to),
                               (reason_field, problems.reason)):
            if problem:
                field.errors.append(problem)
        if problems or for_id is None or to_id is None:
            continue
        if (for_id, to_id) in seen:
            to_field.errors.append(f"Refused proxy {index} is already recorded above")
            continue
        seen.add((for_id, to_id))
        if proxies_used.get(for_id) == to_id:
            to_field.errors.append(
                f"The chair refused to let {names.get(to_id, 'this member')} hold "
                f"{names.get(for_id, 'the member')}\u2019s vote, but above they are recorded as "
                f"voting on behalf of {names.get(for_id, 'them')}: change one of them")
            continue
        rows.append({"for_person_id": for_id, "offered_to_person_id": to_id, "reason": reason})
    return rows


