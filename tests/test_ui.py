"""NHS.UK components: rendered from their parameters alone, and reused when those repeat."""
from __future__ import annotations

from markupsafe import Markup

from register.ui import nhsuk


def test_text_is_escaped_and_markup_kept_each_time_they_are_asked_for():
    typed = "<b>Riverside & Co</b>"
    as_text = nhsuk("tag", {"text": typed, "classes": "nhsuk-tag--blue"})
    as_html = nhsuk("tag", {"html": Markup(typed), "classes": "nhsuk-tag--blue"})
    assert "&lt;b&gt;Riverside &amp; Co&lt;/b&gt;" in as_text
    assert "<b>Riverside &amp; Co</b>" not in as_text
    assert "<b>Riverside & Co</b>" in as_html
    # Asked for again, each is still its own: the text escaped, the markup kept.
    assert nhsuk("tag", {"text": typed, "classes": "nhsuk-tag--blue"}) == as_text
    assert nhsuk("tag", {"html": Markup(typed), "classes": "nhsuk-tag--blue"}) == as_html


def test_the_same_parameters_give_the_same_markup_and_others_their_own():
    first = nhsuk("input", {"label": {"text": "Title"}, "id": "title", "name": "title",
                            "value": "Community anticoagulation"})
    second = nhsuk("input", {"label": {"text": "Title"}, "id": "title", "name": "title",
                             "value": "Community anticoagulation"})
    other = nhsuk("input", {"label": {"text": "Title"}, "id": "title", "name": "title",
                            "value": "Community MSK"})
    assert first == second and isinstance(first, Markup)
    assert 'value="Community anticoagulation"' in first
    assert 'value="Community MSK"' in other and "anticoagulation" not in other


def test_parameters_that_are_not_plain_data_are_still_rendered():
    class Label:
        def __str__(self) -> str:
            return "A label <made> elsewhere"

    rendered = nhsuk("tag", {"text": Label()})
    assert "A label &lt;made&gt; elsewhere" in rendered
