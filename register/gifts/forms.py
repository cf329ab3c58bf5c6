"""The form for declaring a gift, hospitality or sponsorship offered."""
from __future__ import annotations

from typing import Any

from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import ValidationError

from ..forms import BaseForm, DateInputField, MaxLength, Required
from ..rules import gifts as rules
from ..rules.decisions import MONEY_FORMAT_MESSAGE, parse_money
from ..timeutil import today_uk

OUTCOMES = [("accepted", "Accepted"), ("declined", "Declined")]


class GiftForm(BaseForm):
    """One offer of a gift, hospitality or sponsorship, accepted or declined."""

    person_id = SelectField("Person it was offered to", choices=[], coerce=str,
                            validate_choice=False)
    kind = RadioField("What was offered", choices=list(rules.KINDS.items()),
                      validators=[Required("Choose whether it was a gift, hospitality or "
                                           "sponsorship")], validate_choice=False)
    description = TextAreaField("Description", [Required("Describe what was offered"),
                                                 MaxLength(1000)])
    organisation_id = SelectField("Offered by (an organisation in the register)", choices=[],
                                  coerce=str, validate_choice=False)
    offered_by = StringField("Offered by, if not in the list", [MaxLength(200)])
    from_supplier = BooleanField("The giver is a supplier or contractor that does, or may do, "
                                 "business with the organisation")
    value = StringField("Estimated value", [Required("Enter the estimated value in pounds and "
                                                     "pence, like 45.00")])
    offered_on = DateInputField("Date it was offered", noun="the date it was offered",
                                required=True)
    outcome = RadioField("Accepted or declined", choices=OUTCOMES,
                         validators=[Required("Choose whether it was accepted or declined")],
                         validate_choice=False)
    approved_by = StringField("Who approved accepting it", [MaxLength(200)])

    def __init__(self, *args: Any, organisations: list[tuple[str, str]],
                 people: list[tuple[str, str]] | None = None,
                 limits: dict[str, int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation_id.choices = [("", "Not in the list")] + organisations
        if people is None:
            del self.person_id
        else:
            self.person_id.choices = [("", "Choose a person")] + people
        self.limits = limits
        self.pence: int | None = None

    def validate_person_id(self, field: SelectField) -> None:
        if field.data not in {value for value, _ in field.choices if value}:
            raise ValidationError("Choose the person it was offered to")

    def validate_kind(self, field: RadioField) -> None:
        if field.data not in rules.KINDS:
            raise ValidationError("Choose whether it was a gift, hospitality or sponsorship")

    def validate_outcome(self, field: RadioField) -> None:
        if field.data not in dict(OUTCOMES):
            raise ValidationError("Choose whether it was accepted or declined")

    def validate_organisation_id(self, field: SelectField) -> None:
        chosen = bool(field.data)
        typed = bool((self.offered_by.data or "").strip())
        if chosen and field.data not in {value for value, _ in field.choices if value}:
            raise ValidationError("Choose the organisation from the list")
        if not chosen and not typed:
            raise ValidationError("Choose who offered it from the list or enter their name")
        if chosen and typed:
            raise ValidationError("Choose who offered it from the list or enter their name, "
                                  "not both")

    def validate_value(self, field: StringField) -> None:
        try:
            self.pence = parse_money(field.data, "the estimated value")
        except ValueError as error:
            message = str(error)
            if message == MONEY_FORMAT_MESSAGE:
                message = "Enter the estimated value in pounds and pence, like 45.00"
            raise ValidationError(message) from error

    def validate_offered_on(self, field: DateInputField) -> None:
        problem = rules.offered_on_problem(field.data, today_uk())
        if problem:
            raise ValidationError(problem)

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        if ok:
            assessment = self.assessment()
            problem = rules.approval_problem(assessment, self.approved_by.data)
            if problem:
                self.approved_by.errors = [*self.approved_by.errors, problem]
                ok = False
        return ok

    def assessment(self) -> rules.Assessment:
        """The guidance applied to what the form says."""
        return rules.assess(self.kind.data, bool(self.from_supplier.data), self.pence or 0,
                            self.outcome.data == "accepted", self.limits)

    def values(self) -> dict[str, Any]:
        """The row's columns, as validated."""
        return {
            "kind": self.kind.data, "description": self.description.data,
            "organisation_id": int(self.organisation_id.data) if self.organisation_id.data
            else None,
            "offered_by": (self.offered_by.data or "").strip(),
            "from_supplier": int(bool(self.from_supplier.data)), "value_pence": self.pence,
            "offered_on": self.offered_on.data.isoformat(),
            "accepted": int(self.outcome.data == "accepted"),
            "approved_by": (self.approved_by.data or "").strip()
            if self.outcome.data == "accepted" else "",
        }
