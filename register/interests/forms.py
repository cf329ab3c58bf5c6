"""Forms for declaring, editing and withdrawing interests."""
from __future__ import annotations

from typing import Any

from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields import Field
from wtforms.validators import ValidationError

from ..db import get_db
from ..forms import BaseForm, DateInputField, MaxLength, Required
from ..organisations import identity
from ..rules.interests import INTEREST_TYPES, far_future_start
from ..timeutil import today_uk

DIRECT_CHOICES = [
    ("direct", "Direct: I hold the interest myself"),
    ("indirect", "Indirect: a close associate holds it, for example a spouse or partner"),
]
CONSENT_CHOICES = [
    ("yes", "Yes, it may be published"),
    ("no", "No, withhold it from the published register"),
]

ORGANISATION_MISSING = "Choose the organisation from the list or enter its name"
ORGANISATION_BOTH = "Choose the organisation from the list or enter its name, not both"
END_BEFORE_START = "The end date must be the same as or after the start date"


class ApprovalForm(BaseForm):
    """A governance lead's decision on a declaration waiting for approval."""

    decision = RadioField("Your decision", choices=[
        ("approve", "Approve it for publication"),
        ("approve_with_note", "Approve it, noting the action taken"),
        ("return", "Return it to the person for changes"),
    ], validators=[Required("Choose whether to approve or return the declaration")],
        validate_choice=False)
    note = TextAreaField("Note of the action taken, or why it is returned", [MaxLength(2000)])
    version = HiddenField()

    def validate_decision(self, field: RadioField) -> None:
        if field.data not in ("approve", "approve_with_note", "return"):
            raise ValidationError("Choose whether to approve or return the declaration")

    def validate_note(self, field: TextAreaField) -> None:
        if self.decision.data == "return" and not (field.data or "").strip():
            raise ValidationError("Say why the declaration is returned, so the person can put "
                                  "it right")
        if self.decision.data == "approve_with_note" and not (field.data or "").strip():
            raise ValidationError("Enter the note of the action taken")


class InterestForm(BaseForm):
    """The NHS register-of-interests template: one declared interest."""

    person_id = SelectField("Person declaring the interest", choices=[], coerce=str,
                            validate_choice=False)
    organisation_id = SelectField("Organisation", choices=[], coerce=str, validate_choice=False)
    organisation_name = StringField("Organisation name, if it is not in the list",
                                    [MaxLength(200)])
    organisation_business = TextAreaField("Nature of the organisation's business",
                                          [MaxLength(500)])
    interest_type = RadioField("Type of interest", choices=list(INTEREST_TYPES.items()),
                               validators=[Required("Choose the type of interest")],
                               validate_choice=False)
    directness = RadioField("Direct or indirect", choices=DIRECT_CHOICES,
                            validators=[Required("Choose whether the interest is direct or "
                                                 "indirect")],
                            validate_choice=False)
    associate_relationship = StringField("Relationship of the person who holds the interest",
                                         [MaxLength(100)])
    nature = TextAreaField("Nature of the interest",
                           [Required("Enter the nature of the interest"), MaxLength(2000)])
    date_from = DateInputField("Date the interest started", noun="the date the interest started",
                               required=True)
    date_to = DateInputField("Date the interest ended (if it has)",
                             noun="the date the interest ended")
    mitigation = TextAreaField("Action taken to mitigate the risk", [MaxLength(2000)])
    consent = RadioField("May this interest be published?", choices=CONSENT_CHOICES,
                         validators=[Required("Choose whether the interest may be published")],
                         validate_choice=False)
    withheld_reason = TextAreaField("Reason it is withheld from publication", [MaxLength(1000)])
    declared_on = DateInputField("Date it was declared to you", noun="the date it was declared")
    confirm_future_start = BooleanField("Yes, the interest starts on this date")
    version = HiddenField()

    def __init__(self, *args: Any, organisations: list[tuple[str, str]],
                 people: list[tuple[str, str]] | None = None, declared_date: bool = False,
                 **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.organisation_id.choices = [("", "Not in the list")] + organisations
        # Only those who record on someone's behalf choose the person and the declared date.
        if people is None:
            del self.person_id
        else:
            self.person_id.choices = [("", "Choose a person")] + people
        self.declared_date = declared_date
        self.matched_organisation_id: int | None = None
        if not declared_date:
            del self.declared_on

    def validate_person_id(self, field: SelectField) -> None:
        if field.data not in {value for value, _ in field.choices if value}:
            raise ValidationError("Choose the person declaring the interest")

    def validate_organisation_id(self, field: SelectField) -> None:
        if field.data and field.data not in {value for value, _ in field.choices}:
            raise ValidationError("Choose the organisation from the list")
        if not field.data and not self.organisation_name.data:
            raise ValidationError(ORGANISATION_MISSING)

    def validate_organisation_name(self, field: StringField) -> None:
        if field.data and self.organisation_id.data:
            raise ValidationError(ORGANISATION_BOTH)
        if field.data:
            # A name or number that is a registered organisation's links the interest to it;
            # anything else stays free text, for a governance lead to match later.
            found = identity.find_typed(get_db(), field.data)
            if found.problem:
                raise ValidationError(found.problem)
            self.matched_organisation_id = found.organisation_id

    def validate_interest_type(self, field: RadioField) -> None:
        if field.data not in INTEREST_TYPES:
            raise ValidationError("Choose the type of interest")

    def validate_directness(self, field: RadioField) -> None:
        if field.data not in dict(DIRECT_CHOICES):
            raise ValidationError("Choose whether the interest is direct or indirect")

    def validate_associate_relationship(self, field: StringField) -> None:
        if self.directness.data == "indirect" and not field.data:
            raise ValidationError("Enter the relationship of the person who holds the interest, "
                                  "for example spouse")

    def validate_date_from(self, field: DateInputField) -> None:
        if far_future_start(field.data, today_uk()) and not self.confirm_future_start.data:
            raise ValidationError("The start date is more than a year away: check the year, or "
                                  "tick that the interest starts on this date")

    @property
    def asks_about_start(self) -> bool:
        """Whether the form shows the question about a start date more than a year away."""
        return far_future_start(self.date_from.data, today_uk())

    def validate_date_to(self, field: DateInputField) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(END_BEFORE_START)

    def validate_consent(self, field: RadioField) -> None:
        if field.data not in dict(CONSENT_CHOICES):
            raise ValidationError("Choose whether the interest may be published")

    def validate_withheld_reason(self, field: TextAreaField) -> None:
        if self.consent.data == "no" and not field.data:
            raise ValidationError("Enter the reason the interest is withheld from publication")

    def validate_declared_on(self, field: DateInputField) -> None:
        if field.data and field.data > today_uk():
            raise ValidationError("The date it was declared must be today or in the past")

    def values(self) -> dict[str, Any]:
        """The interest's columns as the form gives them."""
        indirect = self.directness.data == "indirect"
        withheld = self.consent.data == "no"
        organisation_id = (int(self.organisation_id.data) if self.organisation_id.data
                           else self.matched_organisation_id)
        return {
            "organisation_id": organisation_id,
            "organisation_name": "" if organisation_id else self.organisation_name.data,
            "organisation_business": self.organisation_business.data or "",
            "interest_type": self.interest_type.data,
            "is_indirect": int(indirect),
            "associate_relationship": self.associate_relationship.data if indirect else "",
            "nature": self.nature.data,
            "date_from": self.date_from.data.isoformat(),
            "date_to": self.date_to.data.isoformat() if self.date_to.data else None,
            "mitigation": self.mitigation.data or "",
            "consent_to_publish": int(not withheld),
            "withheld_reason": self.withheld_reason.data if withheld else "",
        }

    def fill_from(self, row: dict[str, Any]) -> None:
        """Show a stored interest in the form (for the first view of the edit page)."""
        # A start date already saved far ahead was confirmed when it was saved.
        self.confirm_future_start.data = True
        self.organisation_id.data = str(row["organisation_id"]) if row["organisation_id"] else ""
        # A linked interest shows its organisation in the list; the name as a file typed it
        # beside the link is not offered again, or saving would ask for one or the other.
        self.organisation_name.data = "" if row["organisation_id"] else row["organisation_name"]
        self.organisation_business.data = row["organisation_business"]
        self.interest_type.data = row["interest_type"]
        self.directness.data = "indirect" if row["is_indirect"] else "direct"
        self.associate_relationship.data = row["associate_relationship"]
        self.nature.data = row["nature"]
        self.date_from.process(None, row["date_from"])
        self.date_to.process(None, row["date_to"])
        self.mitigation.data = row["mitigation"]
        self.consent.data = "yes" if row["consent_to_publish"] else "no"
        self.withheld_reason.data = row["withheld_reason"]
        if self.declared_date:
            self.declared_on.process(None, row["declared_on"])
        self.version.data = str(row["version"])


class NilReturnForm(BaseForm):
    """A nil return: the person (or the secretary for them) confirms there is nothing to declare."""

    confirm = BooleanField("I confirm there is nothing to declare")

    def validate_confirm(self, field: Field) -> None:
        """The nil return is made only once its declaration is confirmed."""
        if not field.data:
            raise ValidationError("Confirm that there are no interests to declare, "
                                  "or go back and declare them")


class WithdrawForm(BaseForm):
    """Withdraw a declaration, saying why; it is kept, never deleted."""

    reason = TextAreaField("Why is this declaration being withdrawn?",
                           [Required("Enter the reason for withdrawing the declaration"),
                            MaxLength(1000)])
    version = HiddenField()
