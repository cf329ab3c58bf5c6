"""Forms of the breaches register: recording a breach, and its investigation and closing."""
from __future__ import annotations

from typing import Any

from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import ValidationError

from ..forms import BaseForm, DateInputField, MaxLength, Required
from ..rules import breaches as rules
from ..timeutil import today_uk


class BreachForm(BaseForm):
    """A breach found: what happened, who, when it was found, and the decision it touched."""

    kind = RadioField("Kind of breach", choices=[(k, v) for k, v in rules.KINDS.items()
                                                 if k != "present_when_ruled_out"],
                      validators=[Required("Choose the kind of breach")], validate_choice=False)
    detail = TextAreaField("What happened", [Required("Describe what happened"),
                                             MaxLength(4000)])
    person_id = SelectField("Person involved (if any)", choices=[], coerce=str,
                            validate_choice=False)
    reference = StringField("Decision it touched (if any)", [MaxLength(20)])
    found_on = DateInputField("Date it was found", noun="the date it was found", required=True)

    def __init__(self, *args: Any, people: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.person_id.choices = [("", "Nobody in particular")] + people
        self.decision_id: int | None = None

    def validate_kind(self, field: RadioField) -> None:
        if field.data not in rules.KINDS:
            raise ValidationError("Choose the kind of breach")

    def validate_person_id(self, field: SelectField) -> None:
        if field.data and field.data not in {value for value, _ in field.choices}:
            raise ValidationError("Choose the person from the list")

    def validate_found_on(self, field: DateInputField) -> None:
        problem = rules.found_on_problem(field.data, today_uk())
        if problem:
            raise ValidationError(problem)


class InvestigationForm(BaseForm):
    """The investigation of a breach, its outcome, the lessons learned and the summary that is
    published; ticking "close" closes it."""

    investigation = TextAreaField("Investigation", [MaxLength(4000)])
    outcome = TextAreaField("Outcome", [MaxLength(4000)])
    lessons = TextAreaField("Lessons learned", [MaxLength(4000)])
    public_summary = TextAreaField("Summary to publish, without names", [MaxLength(2000)])
    close = BooleanField("Close the breach: the investigation is finished")
    version = HiddenField()
