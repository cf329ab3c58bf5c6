"""The sections of a decision's record as the NHS task list shows them, and where each stands.

A draft is recorded a section at a time. Every route has the sections that identify and describe
the decision (the service, the meeting date and route, the contract, who decided, the providers,
the options and the justification); the route adds only the parts it records
(`rules.routes.parts_for`), so a section the route does not need is never listed.

Each listed section has one of the NHS task-list statuses: Completed (something is recorded and
nothing is missing), Incomplete (started, but something is missing or wrong), Not started
(nothing recorded yet) or Cannot start yet (it depends on another section first).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from register.rules import routes

SERVICE = "service"
ROUTE = "route"
CONTRACT = "contract"
PEOPLE = "people"
PROVIDERS = "providers"
OPTIONS = "options"
JUSTIFICATION = "justification"

# Every section in task-list order, with the words the list and the section page use for it.
SECTIONS: dict[str, str] = {
    SERVICE: "The service",
    ROUTE: "Meeting date and procurement route",
    CONTRACT: "Value, contract dates and leads",
    PEOPLE: "How the decision was made and who took part",
    PROVIDERS: "Providers proposed and awarded",
    OPTIONS: "Options considered and rejected",
    **routes.PARTS,
    JUSTIFICATION: "Justification and comments",
}

# The sections every route records; the route-dependent ones sit between options and justification.
ALWAYS = (SERVICE, ROUTE, CONTRACT, PEOPLE, PROVIDERS, OPTIONS)

COMPLETED = "Completed"
INCOMPLETE = "Incomplete"
NOT_STARTED = "Not started"
CANNOT_START = "Cannot start yet"

CHOOSE_ROUTE_FIRST = "Choose the procurement regime and process first"
ENTER_PROVIDERS_FIRST = "Enter the proposed providers first"


def sections_for(regime: str | None, process: str | None) -> tuple[str, ...]:
    """The sections a decision under this regime and process records, in task-list order."""
    return (*ALWAYS, *routes.parts_for(regime, process), JUSTIFICATION)


def task_status(*, started: bool, problems: Sequence[str], blocked_by: str = "") -> str:
    """One section's NHS task-list status: Cannot start yet while it waits for another section,
    Not started with nothing recorded, Incomplete while anything is missing, else Completed."""
    if blocked_by:
        return CANNOT_START
    if not started:
        return NOT_STARTED
    return INCOMPLETE if problems else COMPLETED


@dataclass(frozen=True)
class Task:
    """One row of the task list: the section, its status and, unless it is completed, a hint
    saying what is missing or what it waits for."""

    key: str
    label: str
    status: str
    hint: str = ""


def tasks(regime: str | None, process: str | None, *, started: Mapping[str, bool],
          problems: Mapping[str, Sequence[str]], route_usable: bool,
          has_providers: bool) -> list[Task]:
    """The task list of a decision: each section its route records, with its status.

    `started` says which sections hold anything; `problems` holds, per section, what a complete
    record still lacks there (the form's messages); `route_usable` is False while no valid regime
    and process is chosen (the route's own parts cannot start yet), and `has_providers` is False
    while no provider is proposed (nobody can be scored yet)."""
    out = []
    for key in sections_for(regime, process):
        blocked = ""
        if key in routes.PARTS and not route_usable:
            blocked = CHOOSE_ROUTE_FIRST
        elif key == routes.ASSESSMENTS and not has_providers:
            blocked = ENTER_PROVIDERS_FIRST
        found = list(problems.get(key, ()))
        status = task_status(started=started.get(key, False), problems=found, blocked_by=blocked)
        hint = blocked or (found[0] if found and status == INCOMPLETE else "")
        out.append(Task(key, SECTIONS[key], status, hint))
    return out


def ready_to_submit(task_list: Sequence[Task]) -> bool:
    """Whether every listed section is completed, so the decision may be submitted."""
    return all(task.status == COMPLETED for task in task_list)


def completed_count(task_list: Sequence[Task]) -> int:
    """How many listed sections are completed."""
    return sum(task.status == COMPLETED for task in task_list)
