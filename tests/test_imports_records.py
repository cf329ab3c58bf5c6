"""The kinds of import for what follows the decisions (register/imports/records_kind.py): each row
checked with the pages' rules, a problem given with its line, and nothing written when any row
fails."""
from __future__ import annotations

import pytest

from register.imports.parsers import FORMATS
from register.imports.writers import import_file

BEFORE = ("organisations", "people", "committees", "interests", "decisions")
TABLES = ("decision_notices", "decision_representations", "contract_modifications", "gifts",
          "breaches", "interests", "audit_events")


@pytest.fixture
def examples(db):
    """The documented examples up to the decisions (MOB-2026-0001: direct award C, meeting
    15 September 2026, £250,000)."""
    for kind in BEFORE:
        plan = import_file(db, kind, FORMATS[kind].example, actor="tester")
        assert plan.ok, [str(p) for p in plan.problems]
    return db


def _header(kind: str) -> str:
    return FORMATS[kind].example.splitlines()[0] + "\n"


def _counts(db) -> list[int]:
    return [db[table].count for table in TABLES]


NOTICE = "MOB-2026-0001,intention_notice,2026-09-21,https://example.org/1,N1,,,,,\n"

CASES = [
    ("notices", "MOB-2026-0001,intention_notice,2026-09-14,https://example.org/1,,,,,,\n",
     "Line 2: The intention to award notice cannot be published before the decision was taken "
     "at the meeting on Tuesday 15 September 2026"),
    ("notices", "MOB-2026-0001,intention_notice,2026-09-21,https://example.org/1,,2026-09-25,,,,\n",
     "Line 2: The standstill ends Thursday 1 October 2026, 8 working days after the intention "
     "notice: it cannot be set by hand to Friday 25 September 2026"),
    ("notices", NOTICE + "MOB-2026-0001,representation,2026-10-05,,,,Hill Surgery,Late,,\n",
     "Line 3: date: The standstill ended Thursday 1 October 2026: a representation received on "
     "Monday 5 October 2026 is too late to record"),
    ("notices", NOTICE + "MOB-2026-0001,representation,2026-09-24,,,,Hill Surgery,Open,,\n"
     "MOB-2026-0001,award_notice,2026-10-09,https://example.org/2,,,,,,\n",
     "Line 4: 1 representation is still waiting for a response: answer it before confirming "
     "the award"),
    ("notices", "MOB-2099-0001,award_notice,2026-10-09,https://example.org/2,,,,,,\n",
     "Line 2: decision_reference: no decision in the register has the reference MOB-2099-0001"),
    ("modifications", "MOB-2026-0001,2026-11-02,More sessions,250000.00,280000.00,,,,\n",
     "Line 2: Choose the permitted ground for a modification that changes the value"),
    ("modifications", "MOB-2026-0001,2026-11-02,More sessions,200000.00,210000.00,,e,,\n",
     "Line 2: The value before must be the contract's current value, £250,000.00"),
    ("modifications", "MOB-2026-0001,2026-09-01,Earlier than the meeting,,,,,,\n",
     "Line 2: The date of the modification must be on or after the decision's meeting, "
     "15 September 2026"),
    ("gifts", "tom.hughes@example.nhs.uk,gift,Pen,,A supplier,no,-5,2026-04-01,no,,2026-04-03\n",
     "Line 2: value '-5': The estimated value must be £0 or more"),
    ("gifts", "tom.hughes@example.nhs.uk,hospitality,Dinner,,A company,no,120,2026-04-01,yes,,"
     "2026-04-03\n",
     "Line 2: approved_by: Hospitality of this value may be accepted only with approval"),
    ("breaches", "other,Something,,,2099-01-01,,,,,\n",
     "Line 2: found_on: The date the breach was found must be today or in the past"),
    ("breaches", "other,Something,,,2026-01-01,,,,,2026-02-01\n",
     "Line 2: Enter the outcome, the lessons learned and the summary to publish before closing "
     "the breach"),
    ("meeting_declarations", "MOB-2026-0009,sam.lee@example.nhs.uk,,,,Club,,non_financial_personal"
     ",direct,,Treasurer,2020-01-01,,,2026-09-15,yes,,yes\n",
     "Line 2: decision_reference: no decision in the register has the reference MOB-2026-0009"),
]


@pytest.mark.parametrize(("kind", "rows", "message"), CASES)
def test_a_bad_row_is_refused_with_its_line_and_nothing_is_written(examples, kind, rows,
                                                                   message):
    before = _counts(examples)
    plan = import_file(examples, kind, _header(kind) + rows, actor="tester")
    problems = [str(p) for p in plan.problems]
    assert any(p.startswith(message) for p in problems), problems
    assert _counts(examples) == before


def test_a_good_file_is_written_through_the_pages_store_with_its_audit_events(examples):
    db = examples
    plan = import_file(db, "notices", FORMATS["notices"].example, actor="tester")
    assert plan.ok and plan.summary(done=True) == ["2 notices created",
                                                   "1 representation created"]
    actions = [r[0] for r in db.execute(
        "SELECT action FROM audit_events WHERE entity = 'decision' AND action LIKE '%notice%'"
        " OR action LIKE 'representation%' ORDER BY seq")]
    assert actions == ["notice_recorded", "representation_recorded", "representation_answered",
                       "notice_recorded"]
    # A second copy of the same notices is refused: a decision has one notice of each kind.
    again = import_file(db, "notices", FORMATS["notices"].example, actor="tester")
    assert [str(p) for p in again.problems][0] == \
        "Line 2: MOB-2026-0001 already has its award confirmation notice"
    plan = import_file(db, "modifications", FORMATS["modifications"].example, actor="tester")
    assert plan.ok
    assert db.execute("SELECT action, entity FROM audit_events ORDER BY seq DESC LIMIT 1"
                      ).fetchone() == ("create", "contract_modification")
    # A later modification starts from the value the earlier one left.
    follow = _header("modifications") + \
        "MOB-2026-0001,2026-11-20,Fewer sessions,280000.00,270000.00,,e,,\n"
    assert import_file(db, "modifications", follow, actor="tester").ok
    assert db["contract_modifications"].count == 2
