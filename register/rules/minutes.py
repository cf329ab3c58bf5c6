"""The words of a meeting about its conflicts: the chair's briefing before it, the minutes after.

Data in, words out, for one agenda item at a time. An `ItemFacts` holds what the record says of
the item: who is conflicted and how (one line each, the decision's own flag sentences), the ruling
on each (`rulings.RULINGS`; None while no one has ruled), who declared what in the room and when
they left and came back, the quorum after the rulings (or at the meeting, once the attendance is
recorded) and, when the meeting would be inquorate, what was done (`quorum.escalation_words`).

Before the meeting (the chair's briefing), per item:
- `chair_words(name, ruling)`: the ruling as the chair acts on it ("asks Dr A to leave for this
  item", "Dr B may discuss but not vote", "note only");
- `presiding_words(facts)`: who takes the chair when the chair is conflicted
  (`rulings.presiding_member`);
- `what_to_say(facts)`: a short script the chair can read out before the item.

After the meeting (the minutes), `minutes_paragraph(facts)`: one paragraph per item, one wording
per ruling kind, e.g. "Dr A declared an interest in the item. Dr A holds an interest in ... The
chair ruled that Dr A leave the meeting for the item; Dr A left at 10:40 and did not take part in
the discussion or the vote. The meeting remained quorate with 6 voting members."
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .rulings import RULINGS, presiding_member

NEEDS_RULING = "Needs the governance lead's ruling before the meeting"
NEEDS_GOVERNANCE = "Needs the governance lead before the meeting"
NO_DECLARATIONS = "No interests were declared for this item."
HIDDEN_ITEM = ("You may not see this item's details: only its title is shown (you are excluded "
               "from its papers, or it is not one of the decisions you read).")
NOT_A_DECISION = ("Not a make-or-buy decision: the register works out no conflicts for it in "
                  "advance; ask for declarations as usual.")


@dataclass(frozen=True)
class PersonAtItem:
    """One person with something to say about an item: conflicted, or declaring in the room."""

    person_id: int
    name: str
    conflict: str = ""            # how they are conflicted, in the record's own sentences
    conflicted: bool = True       # False: a declaration made in the room that conflicts no one
    ruling: str | None = None     # a key of RULINGS; None while not ruled on
    declared: bool = False        # declared the interest for the item at the meeting
    words: str = ""               # what was said, as the secretary recorded it
    left_at: str | None = None    # 'HH:MM'
    left_stage: str | None = None  # 'discussion' or 'vote' when recorded with the outcome
    returned_at: str | None = None  # 'HH:MM'


@dataclass(frozen=True)
class ItemFacts:
    """What the record says of one agenda item, for its briefing page and its minutes."""

    position: int
    title: str
    is_decision: bool = True
    people: tuple[PersonAtItem, ...] = ()
    # The quorum after the rulings (or on the attendance at the meeting): None while unknown.
    quorate: bool | None = None
    voting_members: int = 0
    shortfall: str = ""
    escalation: str = ""          # what was done about an inquorate meeting, in words
    chair_id: int | None = None
    vice_chair_id: int | None = None
    names: Mapping[int, str] | None = None  # the chair's and vice-chair's names, by id

    @property
    def rulings(self) -> dict[int, str]:
        """The conflicted people's rulings by person id (not yet ruled on: left out)."""
        return {p.person_id: p.ruling for p in self.people if p.conflicted and p.ruling}

    @property
    def unruled(self) -> tuple[PersonAtItem, ...]:
        """The conflicted people no one has ruled on yet."""
        return tuple(p for p in self.people if p.conflicted and p.ruling is None)

    @property
    def needs_ruling(self) -> bool:
        """Whether the item needs the governance lead before the meeting."""
        return bool(self.unruled)


def _sentence(text: str) -> str:
    text = " ".join((text or "").split())
    return text if not text or text.endswith((".", "!", "?")) else text + "."


def _members(count: int) -> str:
    return f"{count} voting member{'' if count == 1 else 's'}"


def _quoted(words: str) -> str:
    words = " ".join((words or "").split()).rstrip(".")
    return f": \u201c{words}\u201d" if words else ""


# ---- before the meeting: the chair's briefing -----------------------------------------------

def chair_words(name: str, ruling: str | None) -> str:
    """The ruling on one person as the chair acts on it in the room."""
    if ruling is None:
        return NEEDS_RULING
    if ruling not in RULINGS:
        raise ValueError(f"'{ruling}' is not a ruling")
    return {
        "note_only": "Note only: the interest is noted and they may take part and vote",
        "no_vote": f"{name} may discuss but not vote",
        "leave_item": f"Asks {name} to leave for this item",
        "exclude_all": (f"Asks {name} to leave for this item: they are excluded from the papers "
                        f"and the discussion"),
        "remove_from_process": (f"Asks {name} to leave for this item: they are removed from the "
                                f"procurement process"),
    }[ruling]


def presiding(facts: ItemFacts) -> tuple[int | None, str]:
    """Who takes the item (the chair, or the vice-chair when the chair is conflicted), with why."""
    return presiding_member(facts.chair_id, facts.vice_chair_id, facts.rulings)


def chair_is_conflicted(facts: ItemFacts) -> bool:
    """Whether the meeting's chair may not take the item."""
    return facts.chair_id is not None and presiding(facts)[0] != facts.chair_id


def presiding_words(facts: ItemFacts) -> str:
    """Who takes the chair for the item, by name where the record knows it."""
    person_id, why = presiding(facts)
    names = facts.names or {}
    if person_id is None or person_id not in names:
        return why
    if person_id == facts.chair_id:
        return f"{names[person_id]} (the chair) takes the item"
    return f"{why}: {names[person_id]}"


def quorum_words(facts: ItemFacts) -> str:
    """The quorum after the rulings for the item, in a sentence."""
    if not facts.is_decision:
        return ""
    if facts.needs_ruling or facts.quorate is None:
        return "Not known until every conflicted person has a ruling"
    if facts.quorate:
        return f"Quorate with {_members(facts.voting_members)} after the rulings"
    text = "Inquorate after the rulings" + (f": {facts.shortfall}" if facts.shortfall else "")
    return text + (f". {_sentence(facts.escalation)}" if facts.escalation else
                   ". The governance lead must record how the decision will be taken")


_WILL = {
    "note_only": "has an interest in it, which is noted, and may take part and vote",
    "no_vote": "has an interest in it and may take part in the discussion but will not vote",
    "leave_item": "has an interest in it and will leave the meeting for this item",
    "exclude_all": ("has an interest in it, has been excluded from the papers and the "
                    "discussion, and will leave the meeting for this item"),
    "remove_from_process": ("has an interest in it, has been removed from the procurement "
                            "process, and will leave the meeting for this item"),
}


def what_to_say(facts: ItemFacts) -> str:
    """What the chair says before taking the item, in a few sentences."""
    opening = f"Before we take item {facts.position}"
    conflicted = [p for p in facts.people if p.conflicted]
    if not facts.is_decision:
        return f"{opening}, does anyone have an interest to declare in it?"
    if facts.needs_ruling:
        return NEEDS_RULING + "."
    if not conflicted:
        return (f"{opening}, the register shows no conflicts of interest for it. Does anyone "
                f"have an interest to declare?")
    parts = [f"{p.name} {_WILL[p.ruling]}" for p in conflicted]
    text = f"{opening}, " + "; ".join(parts) + "."
    if chair_is_conflicted(facts):
        person_id, _why = presiding(facts)
        names = facts.names or {}
        if person_id is not None and person_id in names:
            text += f" As I am conflicted, {names[person_id]} will take the chair for this item."
        else:
            text += (" As I am conflicted, the committee must choose a member who is not "
                     "conflicted to take the chair for this item.")
    if facts.quorate:
        text += f" With these rulings we remain quorate with {_members(facts.voting_members)}."
    elif facts.quorate is False:
        text += " With these rulings we would not be quorate" + (
            f": {facts.escalation[:1].lower()}{facts.escalation[1:].rstrip('.')}."
            if facts.escalation else ", and the decision cannot be taken at this meeting.")
    return text


# ---- after the meeting: the minutes ---------------------------------------------------------

def _left(person: PersonAtItem, whole_item: bool) -> str:
    """When they left and came back, as the minutes say it."""
    name = person.name
    if not person.left_at:
        return f"the record does not say when {name} left"
    text = f"{name} left at {person.left_at}"
    if person.left_stage == "vote" and whole_item:
        text += (", before the vote, and so was present for the discussion, which the ruling "
                 "did not allow")
    elif whole_item:
        text += " and did not take part in the discussion or the vote"
    else:
        text += ", before the vote"
    if person.returned_at:
        text += f", returning at {person.returned_at}"
    return text


def _ruling_sentence(person: PersonAtItem) -> str:
    name, ruling = person.name, person.ruling
    if ruling is None:
        return (f"No ruling on {name}'s interest had been recorded; it needs the governance "
                f"lead's ruling.")
    if ruling == "note_only":
        return (f"The chair noted the interest and ruled that no further action was needed; "
                f"{name} took part in the discussion and the vote.")
    if ruling == "no_vote":
        return (f"The chair ruled that {name} could take part in the discussion but not the "
                f"vote; {name} did not vote.")
    if ruling == "leave_item":
        return (f"The chair ruled that {name} leave the meeting for the item; "
                f"{_left(person, True)}.")
    if ruling == "exclude_all":
        return (f"The chair ruled that {name} be excluded from the papers and the discussion; "
                f"{name} did not receive the papers for the item, and {_left(person, True)}.")
    if ruling == "remove_from_process":
        return (f"{name} was removed from the procurement process and took no part in the "
                f"evaluation; {_left(person, True)}.")
    raise ValueError(f"'{ruling}' is not a ruling")


def _person_sentences(person: PersonAtItem) -> list[str]:
    out: list[str] = []
    if person.declared:
        out.append(f"{person.name} declared an interest in the item{_quoted(person.words)}.")
    if not person.conflicted:
        return out  # the record holds no conflict or ruling to minute beside the declaration
    if person.conflict:
        out.append(_sentence(person.conflict))
    out.append(_ruling_sentence(person))
    return out


def minutes_paragraph(facts: ItemFacts) -> str:
    """The paragraph the minutes need for one item: each declaration and how it was managed,
    who took the chair if the chair was conflicted, and the quorum after the rulings."""
    if not facts.people:
        return NO_DECLARATIONS
    sentences: list[str] = []
    for person in facts.people:
        sentences.extend(_person_sentences(person))
    if facts.is_decision and any(p.conflicted for p in facts.people):
        if chair_is_conflicted(facts):
            person_id, why = presiding(facts)
            names = facts.names or {}
            if person_id is not None and person_id in names:
                sentences.append(f"As the chair was conflicted, {names[person_id]} took the "
                                 f"chair for the item.")
            else:
                sentences.append(_sentence(why))
        if facts.needs_ruling or facts.quorate is None:
            sentences.append("The quorum after the rulings is not known until every conflict "
                             "has a ruling.")
        elif facts.quorate:
            sentences.append(f"The meeting remained quorate with "
                             f"{_members(facts.voting_members)}.")
        else:
            text = "With these rulings the meeting was not quorate" + (
                f" ({facts.shortfall})" if facts.shortfall else "")
            if facts.escalation:
                text += f": {facts.escalation[:1].lower()}{facts.escalation[1:].rstrip('.')}."
            else:
                text += ", and the decision could not be taken at the meeting."
            sentences.append(text)
    return " ".join(sentences)
