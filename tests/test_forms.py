"""The shared form pieces: the date input round-trips through the rendered NHS markup."""
from __future__ import annotations

import re

import pytest
from flask import render_template_string

from register.forms import BaseForm, DateInputField


class DateForm(BaseForm):
    day = DateInputField("Date started", noun="the date the interest started", required=True)


def rendered_names(app, form) -> list[str]:
    html = render_template_string('{% import "_macros.html" as f %}{{ f.date(form.day) }}',
                                  form=form)
    return re.findall(r'name="([^"]+)"', html)


def test_the_names_the_macro_renders_are_the_names_the_field_reads(app):
    with app.test_request_context():
        names = rendered_names(app, DateForm())
    assert len(names) == 3
    data = dict(zip(names, ["3", "4", "2025"], strict=True))
    with app.test_request_context(method="POST", data=data):
        form = DateForm()
        assert form.validate()
        assert form.day.data.isoformat() == "2025-04-03"


@pytest.mark.parametrize("parts, message", [
    (("", "", ""), "Enter the date the interest started"),
    (("31", "2", "2025"), "The date the interest started must be a real date"),
    (("3", "", "2025"), "The date the interest started must include a month"),
    (("3", "4", "25"), "The date the interest started must be a real date"),
    (("x", "4", "2025"), "The date the interest started must be a real date"),
    (("1", "1", "0099"),
     "The date the interest started must be a real date with a year between 1900 and 2100"),
    (("1", "1", "2206"),
     "The date the interest started must be a real date with a year between 1900 and 2100"),
])
def test_date_errors_keep_what_was_typed(app, parts, message):
    data = {f"day[{k}]": v for k, v in zip(("day", "month", "year"), parts, strict=True)}
    with app.test_request_context(method="POST", data=data):
        form = DateForm()
        assert not form.validate()
        assert form.day.errors == [message]
        html = render_template_string('{% import "_macros.html" as f %}{{ f.date(form.day) }}',
                                      form=form)
        for value in parts:
            if value:
                assert f'value="{value}"' in html
