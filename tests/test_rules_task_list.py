"""The task list of a decision's record: which sections each route lists, and each status."""
from __future__ import annotations

import pytest

from register.rules import task_list
from register.rules.task_list import (
    CANNOT_START,
    COMPLETED,
    INCOMPLETE,
    NOT_STARTED,
    completed_count,
    ready_to_submit,
    sections_for,
    task_status,
    tasks,
)

ALWAYS = ["service", "route", "contract", "people", "providers", "options"]


@pytest.mark.parametrize(("regime", "process", "parts"), [
    ("psr", "direct_award_a", ["route_reasons", "exclusions"]),
    ("psr", "direct_award_b", ["route_reasons", "exclusions"]),
    ("psr", "direct_award_c", ["route_reasons", "key_criteria", "selection_criteria",
                               "exclusions"]),
    ("psr", "most_suitable_provider", ["route_reasons", "key_criteria", "selection_criteria",
                                       "exclusions"]),
    ("psr", "competitive_process", ["route_reasons", "key_criteria", "selection_criteria",
                                    "exclusions", "assessments"]),
    ("psr", "urgent_award", ["route_reasons"]),
    ("pcr2013", "competitive_tender", ["route_reasons", "selection_criteria", "exclusions",
                                       "assessments"]),
    ("pcr2013", "single_tender", ["route_reasons"]),
    (None, None, ["route_reasons"]),
])
def test_each_route_lists_only_the_sections_it_records(regime, process, parts):
    assert list(sections_for(regime, process)) == [*ALWAYS, *parts, "justification"]


@pytest.mark.parametrize(("started", "problems", "blocked", "status"), [
    (False, [], "", NOT_STARTED),
    (False, ["Enter a description of the service"], "", NOT_STARTED),
    (True, ["Enter a description of the service"], "", INCOMPLETE),
    (True, [], "", COMPLETED),
    (True, [], "Enter the proposed providers first", CANNOT_START),
    (False, ["x"], "Choose the procurement regime and process first", CANNOT_START),
])
def test_a_sections_status(started, problems, blocked, status):
    assert task_status(started=started, problems=problems, blocked_by=blocked) == status


def test_the_task_list_says_what_each_section_lacks_or_waits_for():
    found = tasks("psr", "competitive_process",
                  started={"service": True, "route": True, "key_criteria": True},
                  problems={"service": ["Enter a description of the service"],
                            "key_criteria": ["The key criteria weights must add up to 100"],
                            "assessments": ["Enter the top of the published scoring scale"]},
                  route_usable=True, has_providers=False)
    by_key = {task.key: task for task in found}
    assert (by_key["service"].status, by_key["service"].hint) == (
        INCOMPLETE, "Enter a description of the service")
    assert (by_key["route"].status, by_key["route"].hint) == (COMPLETED, "")
    assert by_key["contract"].status == NOT_STARTED and by_key["contract"].hint == ""
    assert (by_key["assessments"].status, by_key["assessments"].hint) == (
        CANNOT_START, "Enter the proposed providers first")
    assert by_key["key_criteria"].label == "Key criteria: weights and how each was applied"
    assert completed_count(found) == 1
    assert not ready_to_submit(found)


def test_without_a_usable_route_its_own_parts_cannot_start_yet():
    found = tasks(None, None, started={}, problems={}, route_usable=False, has_providers=True)
    reasons = next(task for task in found if task.key == "route_reasons")
    assert (reasons.status, reasons.hint) == (CANNOT_START, task_list.CHOOSE_ROUTE_FIRST)


def test_every_section_completed_is_ready_to_submit():
    keys = sections_for("psr", "urgent_award")
    found = tasks("psr", "urgent_award", started=dict.fromkeys(keys, True), problems={},
                  route_usable=True, has_providers=True)
    assert ready_to_submit(found) and completed_count(found) == len(keys)
