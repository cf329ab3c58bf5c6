"""The form for adding and editing a person."""
from __future__ import annotations

from typing import Any

from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import ValidationError

from ..db import get_db
from ..forms import BaseForm, DateInputField, MaxLength, Required
from ..organisations.queries import get_organisation
from ..rules.person_names import EARLIEST_BIRTH_YEAR, birth_year_ok
from ..rules.text import is_email
from ..timeutil import today_uk
from . import queries

BIRTH_MONTHS = [("", "Not recorded")] + [
    (str(number), month) for number, month in enumerate(
        ("January", "February", "March", "April", "May", "June", "July", "August",
         "September", "October", "November", "December"), 1)]


class PersonForm(BaseForm):
    """Add or edit a person."""

    name = StringField("Full name", [Required("Enter the person's full name"),
                                     MaxLength(200, "Full name must be 200 characters or fewer")])
    email = StringField("Email address", [
        Required("Enter the email address"),
        MaxLength(254, "Email address must be 254 characters or fewer")])
    positions = TextAreaField("Positions (optional)", [
        MaxLength(1000, "Positions must be 1000 characters or fewer")])
    is_decision_maker = BooleanField("A decision-maker")
    home_practice_id = SelectField("Home practice (optional)", choices=[],
                                   validate_choice=False)
    birth_month = SelectField("Month of birth (optional)", choices=BIRTH_MONTHS,
                              validate_choice=False)
    birth_year = StringField("Year of birth (optional)", [
        MaxLength(4, "Year of birth must be 4 numbers, like 1975")])
    same_name_confirmed = BooleanField("This is a different person with the same name")
    version = HiddenField()

    def __init__(self, *args: Any, person_id: int | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.person_id = person_id

    def validate_email(self, field: Any) -> None:
        if not is_email(field.data):
            raise ValidationError(
                "Enter an email address in the correct format, like name@example.nhs.uk")
        other = queries.find_by_email(get_db(), field.data)
        if other and other["id"] != self.person_id:
            raise ValidationError(f"{other['name']} already has the email address {field.data}")

    def validate_name(self, field: Any) -> None:
        # Two records for one person split their interests and their conflicts: ask first.
        if self.person_id is not None or self.same_name_confirmed.data:
            return
        other = queries.find_by_name(get_db(), field.data or "")
        if other:
            raise ValidationError(
                f"{other['name']} ({other['email']}) is already in the register. Open that record instead, "
                f"or tick ‘This is a different person with the same name’")

    def validate_birth_month(self, field: Any) -> None:
        if field.data not in (None, "") and str(field.data) not in dict(BIRTH_MONTHS):
            raise ValidationError("Choose the month of birth from the list")

    def validate_birth_year(self, field: Any) -> None:
        text = (field.data or "").strip() if isinstance(field.data, str) else field.data
        if text in (None, ""):
            return
        if not str(text).isdecimal() or not birth_year_ok(int(text), today_uk().year):
            raise ValidationError(f"Year of birth must be a year from {EARLIEST_BIRTH_YEAR} to "
                                  f"{today_uk().year}, like 1975")

    def validate_home_practice_id(self, field: Any) -> None:
        if not field.data:
            return
        practice = (get_organisation(get_db(), int(field.data))
                    if str(field.data).isdecimal() else None)
        if practice is None or practice["kind"] != "practice":
            raise ValidationError("Choose a GP practice from the list")

    def values(self) -> dict[str, Any]:
        """The typed values as stored."""
        return {
            "name": self.name.data,
            "email": self.email.data,
            "positions": self.positions.data or "",
            "is_decision_maker": 1 if self.is_decision_maker.data else 0,
            "home_practice_id": int(self.home_practice_id.data) if self.home_practice_id.data
            else None,
            "birth_month": int(self.birth_month.data) if self.birth_month.data else None,
            "birth_year": int(str(self.birth_year.data).strip())
            if str(self.birth_year.data or "").strip() else None,
        }


class _PracticePicked(BaseForm):
    """A form naming a GP practice from the list."""

    practice_id = SelectField("Practice", choices=[], validate_choice=False,
                              validators=[Required("Choose the practice")])

    def validate_practice_id(self, field: Any) -> None:
        practice = (get_organisation(get_db(), int(field.data))
                    if str(field.data).isdecimal() else None)
        if practice is None or practice["kind"] != "practice":
            raise ValidationError("Choose a GP practice from the list")


class MovedPracticeForm(_PracticePicked):
    """A GP moved practice: the new practice and the day they started there."""

    practice_id = SelectField("New home practice", choices=[], validate_choice=False,
                              validators=[Required("Choose the practice they moved to")])
    date_from = DateInputField("Date they started at the new practice",
                               noun="the date they started at the new practice", required=True)


class HomePracticePeriodForm(_PracticePicked):
    """A past (or present) home practice period with its dates, for a history recorded late."""

    date_from = DateInputField("Date they started (optional)", noun="the date they started")
    date_to = DateInputField("Date they left (optional)", noun="the date they left")

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        if ok and self.date_from.data and self.date_to.data \
                and self.date_to.data < self.date_from.data:
            self.date_to.errors.append(
                "The date they left must be the same as or after the date they started")
            ok = False
        return ok


class LeftPracticeForm(BaseForm):
    """They left their home practice (and work in none now): the last day they worked there."""

    date_to = DateInputField("Last day at the practice", noun="the last day at the practice",
                             required=True)
