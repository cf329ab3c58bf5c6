"""The one spreadsheet formula guard, and the imports' undoing of it."""
from __future__ import annotations

import pytest

from register.rules.text import neutralise, unneutralise


@pytest.mark.parametrize("typed", ["=SUM(A1:A9)", "+44 20 7946 0000", "-1", "@home", "\tHidden",
                                   "\rHidden"])
def test_a_formula_character_first_gets_an_apostrophe_that_the_import_takes_off(typed):
    assert neutralise(typed) == "'" + typed
    assert unneutralise(neutralise(typed)) == typed


@pytest.mark.parametrize("typed", ["Riverside Surgery", "", "'quoted on purpose", "O'Brien"])
def test_other_text_is_left_alone_both_ways(typed):
    assert neutralise(typed) == typed
    assert unneutralise(typed) == typed


def test_nothing_reads_as_empty_text():
    assert neutralise(None) == ""
