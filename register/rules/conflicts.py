"""Who and what stands to gain from a make-or-buy decision, and why, as it stood on the meeting date.

`conflicts_for(decision, participants, organisations, links, interests)` takes plain facts (no
database, no web request) and returns a list of `Flag`s. Each flag names a rule, the person and/or
organisation, the evidence (which interest entry, which practice link) and one sentence a board
member can read. The rules:

Decision-level (no person):
- PROVIDER_IS_MEMBER_PRACTICE: a proposed or awarded provider is a member practice.
- PROVIDER_OWNED_BY_MEMBERS: a member practice belongs to (or owns) a proposed or awarded network,
  federation or company, through the organisation links in force on the meeting date (followed
  through networks that themselves belong to a federation). One flag per member practice.
- COMMON_INTEREST (no person): the scheme is offered to every member practice, so each stands to gain.

Per participant (voting members, other attendees and evaluators alike):
- DIRECT_INTEREST: a direct interest in a proposed or awarded provider.
- INDIRECT_INTEREST: the same held by a close associate; the sentence names the relationship.
- INTEREST_IN_MEMBER_OF_PROVIDER: a direct or indirect interest in an organisation (usually a
  practice) that is a member of a proposed or awarded network or federation.
- HOME_PRACTICE_PROVIDER: the person's home practice (the one they worked in on the meeting date)
  is a provider or a member of one; conflicted whether or not it was declared.
- UNDECLARED_PRACTICE_LINK (breach): that home practice stands to gain (as a provider, a member of
  one, or through a scheme offered to all) and the person has no interest in it held on the
  meeting date. An interest declared after the meeting counts as declared here; its lateness is
  flagged by LATE_DECLARATION instead.
- COMMON_INTEREST: the scheme is offered to every member practice and the person's home practice
  is a member practice; the sentence says what the committee's common-interest policy requires.
- POSSIBLE_NAME_MATCH (possible): an interest not identified as a provider, whose organisation's
  name closely matches a provider or a member of one (see `names.names_match`); a governance lead
  confirms or dismisses it. Only free-text interests (no organisation link) are matched by name:
  an interest linked to an organisation is identified by it.
- POSSIBLE_UNDECLARED_INTEREST (possible): the person may be a person with significant control of a
  proposed or awarded provider, as Companies House records it and as it stood on the meeting date
  (names compared by `person_names`, month and year of birth where both sides record them), and has
  declared no interest in that provider held on the meeting date; a governance lead confirms or
  dismisses it. Its evidence's `interest_id` is minus the PSC record's id, the key a match
  resolution is stored under.
- LATE_DECLARATION (breach): an interest behind a conflict was declared more than 28 days after it
  arose, or after the meeting.
- ENDED_INTEREST (context): an interest that would be relevant but ended before the meeting date;
  shown, not a conflict.

Interests count as they stood on the meeting date: one that ended the day before does not conflict,
one ending on the day does; one that began after the meeting is ignored; withdrawn entries (entered
in error) are ignored.

A flag's `organisation_id` is the organisation its sentence names first (the provider, the member
practice that stands to gain, or the organisation the person's interest or home practice is in);
whenever a provider is involved, `evidence["provider_id"]` names it.
"""
from __future__ import annotations

import datetime as dt
import functools
import json
from collections import defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from register.rules.companies_house import natures_words
from register.rules.interests import DECLARE_WITHIN_DAYS, INTEREST_TYPES, days_late, is_late
from register.rules.names import names_match
from register.rules.periods import Period, in_force
from register.rules.person_names import (
    PersonName,
    births_agree,
    names_may_be_same_person,
    parse_person_name,
    person_name_from_elements,
)

RULES = {
    "PROVIDER_IS_MEMBER_PRACTICE": "Provider is a member practice",
    "PROVIDER_OWNED_BY_MEMBERS": "Provider has member practices",
    "COMMON_INTEREST": "Common interest",
    "HOME_PRACTICE_PROVIDER": "Home practice stands to gain",
    "DIRECT_INTEREST": "Direct interest",
    "INDIRECT_INTEREST": "Indirect interest",
    "INTEREST_IN_MEMBER_OF_PROVIDER": "Interest in a member of a provider",
    "POSSIBLE_NAME_MATCH": "Possible match by name",
    "POSSIBLE_UNDECLARED_INTEREST": "Possible undeclared interest",
    "UNDECLARED_PRACTICE_LINK": "Missing declaration",
    "LATE_DECLARATION": "Late declaration",
    "ENDED_INTEREST": "Past interest",
}
_RULE_ORDER = {rule: index for index, rule in enumerate(RULES)}

SEVERITIES = ("conflict", "breach", "possible", "context")

COMMON_INTEREST_POLICIES = {
    "discuss_not_vote": "may take part in the discussion but not vote",
    "leave": "must leave the meeting for the item",
}


@dataclass(frozen=True)
class Organisation:
    """An organisation as the rules need it."""

    id: int
    name: str
    kind: str = "other"
    ods_code: str | None = None
    is_member_practice: bool = False


@dataclass(frozen=True)
class OrgLink:
    """A practice's membership of a network or federation (or share in a company), with dates."""

    member_id: int
    parent_id: int
    date_from: dt.date | None = None
    date_to: dt.date | None = None


@dataclass(frozen=True)
class Interest:
    """A declared interest, identified by organisation where possible, by typed name otherwise."""

    id: int
    person_id: int
    organisation_id: int | None = None
    organisation_name: str = ""
    interest_type: str = "financial"
    is_indirect: bool = False
    associate_relationship: str = ""
    nature: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    declared_on: dt.date | None = None
    withdrawn: bool = False


@dataclass(frozen=True)
class Participant:
    """A person taking part in a decision: a voting member present, an attendee or an evaluator."""

    person_id: int
    name: str
    role_in_decision: str = "voting"
    # Undated home practice, used only when no dated periods are given.
    home_practice_id: int | None = None
    birth_month: int | None = None
    birth_year: int | None = None
    # The person's home practices through time; the one in force on the meeting date counts.
    home_practices: tuple[Period, ...] = ()


@dataclass(frozen=True)
class Controller:
    """A person with significant control of a company, as the Companies House snapshot gives it."""

    id: int
    organisation_id: int
    name: str
    forename: str = ""
    middle_name: str = ""
    surname: str = ""
    birth_month: int | None = None
    birth_year: int | None = None
    natures_of_control: tuple[str, ...] = ()
    notified_on: dt.date | None = None
    ceased_on: dt.date | None = None

    def person_name(self) -> PersonName:
        """The name as the rules compare it."""
        return person_name_from_elements(self.forename, self.middle_name, self.surname, self.name)


def home_practice_on(person: Participant, day: dt.date | None) -> int | None:
    """The practice a person worked in on the day (today when there is no day): the dated period
    in force then, or the undated home practice when no periods are known."""
    if not person.home_practices:
        return person.home_practice_id
    period = in_force(person.home_practices, day or dt.date.today())
    return period.organisation_id if period else None


@dataclass(frozen=True)
class DecisionFacts:
    """What the rules need to know about a decision."""

    id: int | None
    meeting_date: dt.date
    proposed_provider_ids: Sequence[int] = ()
    awarded_provider_id: int | None = None
    offered_to_all_member_practices: bool = False
    common_interest_policy: str = "discuss_not_vote"


@dataclass(frozen=True)
class Flag:
    """One reason a decision or a person is conflicted, with its evidence and a sentence."""

    rule: str
    person_id: int | None
    organisation_id: int | None
    evidence: dict[str, Any] = field(default_factory=dict)
    sentence: str = ""
    severity: str = "conflict"


# --- Small helpers -------------------------------------------------------------------------------


def _day(value: dt.date | str | None) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def long_date(day: dt.date | str | None) -> str:
    """A date as people write it, e.g. '3 March 2025'."""
    value = _day(day)
    return _long(value) if value else ""


@functools.lru_cache(maxsize=4096)
def _long(value: dt.date) -> str:
    # Every flag's sentence names dates, and a register's dates repeat: format each once.
    return f"{value.day} {value:%B %Y}"


def _label(org: Organisation) -> str:
    return f"{org.name} ({org.ods_code})" if org.ods_code else org.name


def _lower_first(text: str) -> str:
    # Keep acronyms ("GP partner") as typed; lower "Spouse" to "spouse".
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def _type_words(interest: Interest) -> str:
    return INTEREST_TYPES.get(interest.interest_type, interest.interest_type or "").lower()


def _holder(name: str, interest: Interest) -> str:
    """Who holds the interest: the person, or their close associate."""
    if not interest.is_indirect:
        return name
    relationship = " ".join((interest.associate_relationship or "").split())
    if relationship:
        return f"{name}'s {_lower_first(relationship)}"
    return f"A close associate of {name}"


def _kind_words(interest: Interest, past: bool = False) -> str:
    direct = "indirect" if interest.is_indirect else "direct"
    if past:
        article = f"a past {direct}"
    else:
        article = f"an {direct}" if interest.is_indirect else f"a {direct}"
    words = f"{article} {_type_words(interest)} interest"
    nature = " ".join((interest.nature or "").split()).rstrip(".")
    if nature:
        words += f" (\u201c{nature}\u201d)"
    return words


def _declared(interest: Interest) -> str:
    return f" declared on {long_date(interest.declared_on)}" if interest.declared_on else ""


def _held_on(interest: Interest, day: dt.date) -> bool:
    start, end = _day(interest.date_from), _day(interest.date_to)
    return (start is None or start <= day) and (end is None or end >= day)


def _link_in_force(link: OrgLink, day: dt.date) -> bool:
    start, end = _day(link.date_from), _day(link.date_to)
    return (start is None or start <= day) and (end is None or end >= day)


class _Context:
    """The facts of one decision, with the lookups every rule shares."""

    def __init__(self, decision: DecisionFacts, organisations: dict[int, Organisation],
                 links: Iterable[OrgLink]) -> None:
        self.decision = decision
        self.on = _day(decision.meeting_date)
        self.organisations = organisations
        providers: list[int] = []
        for provider_id in [*decision.proposed_provider_ids, decision.awarded_provider_id]:
            if provider_id is not None and provider_id not in providers:
                providers.append(provider_id)
        self.providers = providers
        self.awarded = decision.awarded_provider_id
        # stakes[org_id] = [(provider_id, path)], path running from org_id up to the provider.
        self.stakes: dict[int, list[tuple[int, tuple[int, ...]]]] = defaultdict(list)
        members_of: dict[int, list[int]] = defaultdict(list)
        for link in links:
            if link.member_id != link.parent_id and _link_in_force(link, self.on):
                members_of[link.parent_id].append(link.member_id)
        for provider_id in providers:
            self.stakes[provider_id].append((provider_id, (provider_id,)))
            queue: deque[tuple[int, ...]] = deque([(provider_id,)])
            reached = {provider_id}
            while queue:
                path = queue.popleft()
                for member_id in sorted(set(members_of.get(path[0], ()))):
                    if member_id in reached:
                        continue
                    reached.add(member_id)
                    longer = (member_id, *path)
                    self.stakes[member_id].append((provider_id, longer))
                    queue.append(longer)

    def org(self, org_id: int) -> Organisation:
        found = self.organisations.get(org_id)
        return found if found else Organisation(org_id, f"organisation {org_id}")

    def provider_verb(self, provider_id: int) -> str:
        """'is proposed to provide the service', or 'was awarded the contract'."""
        if provider_id == self.awarded:
            return "was awarded the contract"
        return "is proposed to provide the service"

    def provider_role(self, provider_id: int, which: bool = True) -> str:
        verb = self.provider_verb(provider_id)
        return f"which {verb}" if which else verb.split(" ", 1)[1]

    def stake_phrase(self, path: tuple[int, ...], which: bool = True) -> str:
        """'Riverside Surgery (A81001), a member of North Federation, which is proposed ...'."""
        provider_id = path[-1]
        text = _label(self.org(path[0]))
        if len(path) > 1:
            text += f", a member of {_label(self.org(path[1]))}"
            for parent_id in path[2:]:
                text += f", which belongs to {_label(self.org(parent_id))}"
        return f"{text}, {self.provider_role(provider_id, which)}"

    def policy_words(self) -> str:
        policy = self.decision.common_interest_policy
        return COMMON_INTEREST_POLICIES.get(policy, COMMON_INTEREST_POLICIES["discuss_not_vote"])


def _path_evidence(path: tuple[int, ...]) -> dict[str, Any]:
    evidence: dict[str, Any] = {"provider_id": path[-1]}
    if len(path) > 1:
        evidence["link"] = [path[0], path[1]]
    if len(path) > 2:
        evidence["path"] = list(path)
    return evidence


# --- Decision-level rules ------------------------------------------------------------------------


def _decision_flags(ctx: _Context) -> list[Flag]:
    flags: list[Flag] = []
    for provider_id in ctx.providers:
        provider = ctx.org(provider_id)
        if provider.is_member_practice:
            flags.append(Flag(
                "PROVIDER_IS_MEMBER_PRACTICE", None, provider_id, {"provider_id": provider_id},
                f"{_label(provider)} is a member practice and {ctx.provider_verb(provider_id)}, "
                f"so a member practice stands to gain.",
                "conflict"))
        for member_id, path in _members_of(ctx, provider_id):
            member = ctx.org(member_id)
            if not member.is_member_practice:
                continue
            chain = "".join(f", which belongs to {_label(ctx.org(p))}" for p in path[2:])
            flags.append(Flag(
                "PROVIDER_OWNED_BY_MEMBERS", None, member_id, _path_evidence(path),
                f"{_label(member)}, a member practice, belongs to {_label(ctx.org(path[1]))}"
                f"{chain}, {ctx.provider_role(provider_id)}, so the practice stands to gain.",
                "conflict"))
    if ctx.decision.offered_to_all_member_practices:
        flags.append(Flag(
            "COMMON_INTEREST", None, None, {"offered_to_all_member_practices": True},
            "The scheme is offered to every member practice, so each member practice stands to "
            "gain: participants from member practices share a common interest, and under the "
            f"committee's policy they {ctx.policy_words()}.",
            "conflict"))
    return flags


def _members_of(ctx: _Context, provider_id: int) -> list[tuple[int, tuple[int, ...]]]:
    found = [(org_id, path) for org_id, stakes in ctx.stakes.items()
             for pid, path in stakes if pid == provider_id and len(path) > 1]
    return sorted(found, key=lambda item: (len(item[1]), item[1]))


# --- Per-person rules ----------------------------------------------------------------------------


def _interest_flags(ctx: _Context, person: Participant, interest: Interest) -> list[Flag]:
    on = ctx.on
    ended = _day(interest.date_to) is not None and _day(interest.date_to) < on
    holder = _holder(person.name, interest)
    flags: list[Flag] = []
    stakes = ctx.stakes.get(interest.organisation_id, []) if interest.organisation_id else []
    if stakes:
        for _provider_id, path in stakes:
            evidence = {"interest_id": interest.id, **_path_evidence(path)}
            if ended:
                flags.append(_ended(ctx, person, interest, holder, path[0], evidence,
                                    ctx.stake_phrase(path)))
                continue
            if len(path) == 1:
                rule = "INDIRECT_INTEREST" if interest.is_indirect else "DIRECT_INTEREST"
            else:
                rule = "INTEREST_IN_MEMBER_OF_PROVIDER"
            flags.append(Flag(
                rule, person.person_id, path[0], evidence,
                f"{holder} holds an interest in {ctx.stake_phrase(path)}: "
                f"{_kind_words(interest)}{_declared(interest)}.",
                "conflict"))
        if not ended:
            late = _late_flag(ctx, person, interest, stakes[0][1])
            if late:
                flags.append(late)
        return flags
    return _name_match_flags(ctx, person, interest, holder, ended)


def _name_match_flags(ctx: _Context, person: Participant, interest: Interest, holder: str,
                      ended: bool) -> list[Flag]:
    """Possible conflicts: the interest's organisation is typed as free text under a name close
    to a provider's or a member's. An interest linked to an organisation is identified, never
    matched by name: it is a conflict through that organisation or none."""
    if interest.organisation_id is not None:
        return []
    shown = interest.organisation_name or ""
    if not shown.strip():
        return []
    flags: list[Flag] = []
    for org_id in sorted(ctx.stakes):
        target = ctx.org(org_id)
        if not names_match(shown, target.name):
            continue
        for _provider_id, path in ctx.stakes[org_id]:
            evidence = {"interest_id": interest.id, "matched_organisation_id": org_id,
                        **_path_evidence(path)}
            maybe = f"\u201c{shown}\u201d, which may be {ctx.stake_phrase(path, which=False)}"
            if ended:
                flags.append(_ended(ctx, person, interest, holder, org_id, evidence, maybe))
                continue
            flags.append(Flag(
                "POSSIBLE_NAME_MATCH", person.person_id, org_id, evidence,
                f"{holder} holds an interest in {maybe}: a possible conflict for a governance "
                f"lead to confirm or dismiss.",
                "possible"))
    return flags


def _ended(ctx: _Context, person: Participant, interest: Interest, holder: str,
           org_id: int, evidence: dict[str, Any], what: str) -> Flag:
    return Flag(
        "ENDED_INTEREST", person.person_id, org_id,
        {**evidence, "date_to": _day(interest.date_to).isoformat()},
        f"{holder} held an interest in {what}, until {long_date(interest.date_to)}, before the "
        f"meeting on {long_date(ctx.on)}: {_kind_words(interest, past=True)}, shown for context "
        f"and not a conflict.",
        "context")


def _late_flag(ctx: _Context, person: Participant, interest: Interest,
               path: tuple[int, ...]) -> Flag | None:
    declared_on = _day(interest.declared_on)
    if declared_on is None:
        return None
    start = _day(interest.date_from)
    late = start is not None and is_late(start, declared_on)
    after_meeting = declared_on > ctx.on
    if not (late or after_meeting):
        return None
    reasons = []
    if after_meeting:
        reasons.append(f"after the meeting on {long_date(ctx.on)}")
    if late:
        reasons.append(f"{(declared_on - start).days} days after it arose on {long_date(start)} "
                       f"(the limit is {DECLARE_WITHIN_DAYS} days)")
    relationship = " ".join((interest.associate_relationship or "").split())
    if not interest.is_indirect:
        whose = "their"
    elif relationship:
        whose = f"their {_lower_first(relationship)}'s"
    else:
        whose = "a close associate's"
    evidence = {
        "interest_id": interest.id,
        "provider_id": path[-1],
        "declared_on": declared_on.isoformat(),
        "date_from": start.isoformat() if start else None,
        "after_meeting": after_meeting,
        "days_late": days_late(start, declared_on) if start else 0,
    }
    return Flag(
        "LATE_DECLARATION", person.person_id, path[0], evidence,
        f"{person.name} declared {whose} interest in {_label(ctx.org(path[0]))} on "
        f"{long_date(declared_on)}, {' and '.join(reasons)}: a late declaration, which is a "
        f"breach.",
        "breach")


def _home_practice_flags(ctx: _Context, person: Participant,
                         interests: list[Interest]) -> list[Flag]:
    home_id = home_practice_on(person, ctx.on)
    if home_id is None:
        return []
    home = ctx.org(home_id)
    flags: list[Flag] = []
    stakes = ctx.stakes.get(home_id, [])
    for _provider_id, path in stakes:
        flags.append(Flag(
            "HOME_PRACTICE_PROVIDER", person.person_id, home_id,
            {"home_practice_id": home_id, **_path_evidence(path)},
            f"{person.name}'s home practice is {ctx.stake_phrase(path)}: they are conflicted "
            f"whether or not they have declared it.",
            "conflict"))
    common = ctx.decision.offered_to_all_member_practices and home.is_member_practice
    if common:
        flags.append(Flag(
            "COMMON_INTEREST", person.person_id, home_id, {"home_practice_id": home_id},
            f"{person.name}'s home practice, {_label(home)}, is a member practice and the scheme "
            f"is offered to every member practice: a common interest, so under the committee's "
            f"policy they {ctx.policy_words()}.",
            "conflict"))
    if (stakes or common) and not _declares(home, interests, ctx.on):
        evidence: dict[str, Any] = {"home_practice_id": home_id}
        if stakes:
            evidence["provider_id"] = stakes[0][0]
        flags.append(Flag(
            "UNDECLARED_PRACTICE_LINK", person.person_id, home_id, evidence,
            f"{person.name} has not declared an interest in their home practice, {_label(home)}, "
            f"which stands to gain from this decision: a missing declaration.",
            "breach"))
    return flags


def _declares(home: Organisation, interests: list[Interest], on: dt.date) -> bool:
    """Whether the person has an interest in their home practice held on the meeting date."""
    for interest in interests:
        if not _held_on(interest, on):
            continue
        if interest.organisation_id == home.id:
            return True
        if interest.organisation_id is None and names_match(interest.organisation_name, home.name):
            return True
    return False


def _controls_on(controller: Controller, day: dt.date) -> bool:
    start, end = _day(controller.notified_on), _day(controller.ceased_on)
    return (start is None or start <= day) and (end is None or end >= day)


def _undeclared_control_flags(ctx: _Context, person: Participant, interests: list[Interest],
                              controllers: dict[int, list[Controller]]) -> list[Flag]:
    """Possible undeclared interests: the person may control a provider they declared nothing in."""
    flags: list[Flag] = []
    own_name = parse_person_name(person.name)
    for provider_id in ctx.providers:
        provider = ctx.org(provider_id)
        for controller in controllers.get(provider_id, ()):
            if not _controls_on(controller, ctx.on):
                continue
            if not births_agree(person.birth_month, person.birth_year, controller.birth_month,
                                controller.birth_year):
                continue
            if not names_may_be_same_person(own_name, controller.person_name()):
                continue
            if _declares(provider, interests, ctx.on):
                continue
            natures = natures_words(controller.natures_of_control)
            notified = (f", notified {long_date(controller.notified_on)}"
                        if controller.notified_on else "")
            source = (f"Companies House: person with significant control of {provider.name}"
                      f"{notified}" + (f", {natures}" if natures else ""))
            evidence = {"interest_id": -controller.id, "psc_id": controller.id,
                        "provider_id": provider_id, "psc_name": controller.name,
                        "notified_on": _day(controller.notified_on).isoformat()
                        if controller.notified_on else None,
                        "natures_of_control": list(controller.natures_of_control)}
            flags.append(Flag(
                "POSSIBLE_UNDECLARED_INTEREST", person.person_id, provider_id, evidence,
                f"{person.name} may be {controller.name} ({source}). {_label(provider)} "
                f"{ctx.provider_verb(provider_id)} and {person.name} has declared no interest in "
                f"it: a possible undeclared interest for a governance lead to confirm or dismiss.",
                "possible"))
    return flags


# --- The public API ------------------------------------------------------------------------------


def conflicts_for(decision: DecisionFacts, participants: Iterable[Participant],
                  organisations: dict[int, Organisation], links: Iterable[OrgLink],
                  interests: Iterable[Interest], controllers: Iterable[Controller] = ()
                  ) -> list[Flag]:
    """Every flag on a decision as things stood on its meeting date, in a stable order.
    `controllers` are the persons with significant control of its providers (Companies House)."""
    ctx = _Context(decision, organisations, links)
    controllers_of: dict[int, list[Controller]] = defaultdict(list)
    for controller in controllers:
        controllers_of[controller.organisation_id].append(controller)
    by_person: dict[int, list[Interest]] = defaultdict(list)
    for interest in interests:
        start = _day(interest.date_from)
        if interest.withdrawn or (start is not None and start > ctx.on):
            continue
        by_person[interest.person_id].append(interest)

    flags = _decision_flags(ctx)
    names: dict[int, str] = {}
    for person in participants:
        if person.person_id in names:
            continue
        names[person.person_id] = person.name
        own = sorted(by_person.get(person.person_id, []), key=lambda i: i.id)
        flags.extend(_home_practice_flags(ctx, person, own))
        for interest in own:
            flags.extend(_interest_flags(ctx, person, interest))
        if controllers_of:
            flags.extend(_undeclared_control_flags(ctx, person, own, controllers_of))
    return _ordered(flags, names, organisations)


def _ordered(flags: list[Flag], names: dict[int, str],
             organisations: dict[int, Organisation]) -> list[Flag]:
    def key(item: tuple[str, Flag]) -> tuple:
        evidence, flag = item
        org = organisations.get(flag.organisation_id) if flag.organisation_id is not None else None
        return (
            flag.person_id is not None,
            names.get(flag.person_id, "").casefold() if flag.person_id is not None else "",
            flag.person_id or 0,
            _RULE_ORDER.get(flag.rule, len(_RULE_ORDER)),
            org.name.casefold() if org else "",
            flag.organisation_id or 0,
            evidence,
        )

    # Each flag's evidence written out once: it both tells duplicates apart and orders the rest.
    unique: dict[tuple, tuple[str, Flag]] = {}
    for flag in flags:
        evidence = json.dumps(flag.evidence, sort_keys=True, default=str)
        unique.setdefault((flag.rule, flag.person_id, flag.organisation_id, evidence),
                          (evidence, flag))
    return [flag for _evidence, flag in sorted(unique.values(), key=key)]


def decision_is_flagged(flags: Iterable[Flag]) -> bool:
    """Whether a decision needs governance review: any flag other than context."""
    return any(flag.severity != "context" for flag in flags)


def conflicted_people(flags: Iterable[Flag]) -> dict[int, list[Flag]]:
    """Each conflicted person with their conflict and breach flags (possible matches excluded)."""
    flags = list(flags)
    conflicted = {f.person_id for f in flags if f.person_id is not None and f.severity == "conflict"}
    people: dict[int, list[Flag]] = {}
    for flag in flags:
        if flag.person_id in conflicted and flag.severity in ("conflict", "breach"):
            people.setdefault(flag.person_id, []).append(flag)
    return people


def possible_conflicts(flags: Iterable[Flag]) -> dict[int, list[Flag]]:
    """Each person with possible conflicts (close name matches) awaiting confirmation."""
    people: dict[int, list[Flag]] = {}
    for flag in flags:
        if flag.person_id is not None and flag.severity == "possible":
            people.setdefault(flag.person_id, []).append(flag)
    return people
