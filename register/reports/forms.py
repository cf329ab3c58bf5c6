"""The form that asks what goes into a board audit pack."""
from __future__ import annotations

from wtforms import RadioField, SelectField, StringField, TextAreaField

from ..forms import BaseForm, DateInputField, MaxLength, Required
from ..pdf.markings import MARKINGS

DEFAULT_PURPOSE = ("To give the board assurance that conflicts of interest in the committee's "
                   "make-or-buy decisions were identified and managed, and that the record can be "
                   "checked.")
DEFAULT_RECOMMENDATION = "The board is asked to note the pack and the breaches found."


class PackForm(BaseForm):
    """Which committee and period, how it is marked, and what the cover sheet says."""

    committee_id = SelectField("Committee", choices=[], validate_choice=False,
                               validators=[Required("Select the committee")])
    date_from = DateInputField("From", noun="the start of the period", required=True)
    date_to = DateInputField("To", noun="the end of the period", required=True)
    marking = RadioField("Security marking", choices=[(m, m) for m in MARKINGS],
                         default="OFFICIAL",
                         validators=[Required("Select the security marking")])
    prepared_by = StringField("Prepared by", validators=[
        Required("Enter who prepared the pack"), MaxLength(200)])
    purpose = TextAreaField("Purpose", default=DEFAULT_PURPOSE, validators=[
        Required("Enter the purpose of the pack"), MaxLength(2000)])
    recommendation = TextAreaField("Recommendation", default=DEFAULT_RECOMMENDATION, validators=[
        Required("Enter the recommendation to the board"), MaxLength(2000)])

    def validate(self, extra_validators=None) -> bool:  # noqa: ANN001
        ok = super().validate(extra_validators)
        if self.committee_id.data and self.committee_id.data not in {
                str(value) for value, _ in self.committee_id.choices}:
            self.committee_id.errors.append("Select the committee")
            ok = False
        start, end = self.date_from.data, self.date_to.data
        if start and end and end < start:
            self.date_to.errors.append("The end of the period must be the same as or after "
                                       "the start")
            ok = False
        return ok
