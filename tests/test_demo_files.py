"""The demo's data files (decisions.toml, history.toml): what they hold, and the messages a
malformed one gives, naming the file and the entry."""
from __future__ import annotations

import re

import pytest

from register.demo import DEMO_FILES, DemoDataError, read_history
from register.demo_decisions import read_decisions


def _copy(tmp_path, name, change):
    """A copy of a demo data file, under the same name, with `change` applied to its text."""
    text = (DEMO_FILES / name).read_text(encoding="utf-8")
    changed = change(text)
    assert changed != text
    path = tmp_path / name
    path.write_text(changed, encoding="utf-8")
    return path


def _drop_in_entry(header, number, line_start):
    """A change that removes the first line starting `line_start` in the numbered entry."""
    def change(text):
        parts = text.split(header)
        entry = parts[number]
        lines = entry.split("\n")
        index = next(i for i, line in enumerate(lines) if line.startswith(line_start))
        parts[number] = "\n".join(lines[:index] + lines[index + 1:])
        return header.join(parts)
    return change


def test_the_shipped_files_hold_the_whole_demo():
    data = read_decisions()
    assert len(data.decisions) == 28
    assert len({spec.title for spec in data.decisions}) == 28
    assert len(data.modifications) == 2 and len(data.late_interests) == 2
    # Amounts are read as pounds and kept in pence, pence included.
    assert 11_875_050 in {spec.total for spec in data.decisions}
    # A standard text named at the start of a decision_process is written out in full.
    assert all("{" not in spec.decision_process for spec in data.decisions)
    assert any(spec.decision_process.startswith(data.texts["pcc_process"] + " Eleanor")
               for spec in data.decisions)
    history = read_history()
    assert [a.username for a in history.accounts] == [
        "admin", "secretary", "governance", "member", "auditor", "reviewer"]
    assert len(history.typed_interests) == 2 and len(history.edits) == 2
    assert len(history.campaigns) == 2 and history.returns["rahman"] == [40, 410]


def test_a_decision_without_its_meeting_is_named_with_the_file_and_entry(tmp_path):
    path = _copy(tmp_path, "decisions.toml", _drop_in_entry("[[decision]]", 7, "meeting = "))
    title = read_decisions().decisions[6].title
    with pytest.raises(DemoDataError) as error:
        read_decisions(path)
    assert str(error.value) == (f"decisions.toml, decision 7 ({title[:30].rstrip()}…): "
                                "'meeting' is missing")


def test_an_option_without_its_outcome_is_named(tmp_path):
    path = _copy(tmp_path, "decisions.toml", _drop_in_entry("[[decision]]", 1, "outcome = "))
    with pytest.raises(DemoDataError, match=re.escape(
            "decisions.toml, decision 1 (Community phlebotomy service:…), option 1: "
            "'outcome' is missing")):
        read_decisions(path)


def test_a_misspelt_field_and_a_wrong_amount_are_named(tmp_path):
    path = _copy(tmp_path, "decisions.toml",
                 lambda text: text.replace("clinical_lead = ", "clinical_led = ", 1))
    with pytest.raises(DemoDataError, match=re.escape(
            "decisions.toml, decision 1 (Community phlebotomy service:…): 'clinical_led' is "
            "not a field it can have")):
        read_decisions(path)
    path = _copy(tmp_path, "decisions.toml",
                 lambda text: text.replace("total = 186_400", 'total = "lots"', 1))
    with pytest.raises(DemoDataError, match=re.escape(
            "decision 1 (Community phlebotomy service:…): 'total' should be an amount in "
            "pounds, not 'lots'")):
        read_decisions(path)


def test_a_file_that_is_not_toml_names_the_file_and_line(tmp_path):
    path = _copy(tmp_path, "decisions.toml",
                 lambda text: text.replace('committee = "pcc"', "committee = pcc", 1))
    with pytest.raises(DemoDataError, match=r"^decisions\.toml: .*line \d+"):
        read_decisions(path)


def test_history_entries_are_named(tmp_path):
    path = _copy(tmp_path, "history.toml", _drop_in_entry("[[account]]", 2, "person = "))
    with pytest.raises(DemoDataError, match=re.escape(
            "history.toml, account 2 (secretary): 'person' is missing")):
        read_history(path)
    path = _copy(tmp_path, "history.toml",
                 lambda text: text.replace("opened = 14", 'opened = "a fortnight ago"', 1))
    with pytest.raises(DemoDataError, match=re.escape(
            "history.toml, campaign 1 (Governing Body declarations {y…): 'opened' should be "
            "int, not 'a fortnight ago'")):
        read_history(path)
    path = _copy(tmp_path, "history.toml",
                 lambda text: text.replace("declared_on = 440", "", 1))
    with pytest.raises(DemoDataError, match=re.escape(
            "history.toml, typed interest 1 (Vale Physio Partners Limited): 'declared_on' is "
            "missing")):
        read_history(path)
