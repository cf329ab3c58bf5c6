"""Forms for organisations and their network/federation links."""
from __future__ import annotations

import re
from typing import Any

from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import ValidationError

from ..db import get_db
from ..forms import BaseForm, DateInputField, MaxLength, Required
from ..rules import identifiers
from ..rules.text import is_ods_code, is_practice_code, normalise_code
from . import identity, queries
from .queries import KINDS, PARENT_KINDS

# The outward and inward parts of a UK postcode, as typed with or without the space.
POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")

PRACTICE_CODE_MESSAGE = "ODS code must be a letter followed by 5 numbers, like A81001"


class CodeField(StringField):
    """An identifier, trimmed and upper-cased as typed ('a81001 ' becomes 'A81001')."""

    # Done here rather than as a filter: the base form's field binding sets the filters itself.
    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        if isinstance(self.data, str):
            self.data = normalise_code(self.data)


class OrganisationForm(BaseForm):
    """Add or edit an organisation."""

    name = StringField("Name", [Required("Enter the organisation name"), MaxLength(200)])
    kind = RadioField("Kind of organisation", choices=list(KINDS.items()),
                      validators=[Required("Choose the kind of organisation")],
                      validate_choice=False)
    # The format checks below also bound the length of the identifiers.
    ods_code = CodeField("ODS code")
    companies_house_number = CodeField("Companies House number (optional)")
    charity_number = CodeField("Charity number (optional)")
    registered_address = TextAreaField(
        "Registered address (optional)",
        [MaxLength(500, "Registered address must be 500 characters or fewer")])
    postcode = CodeField("Postcode (optional)")
    is_member_practice = BooleanField("A member practice of the consortium")
    same_name_confirmed = BooleanField("This is a different organisation with a similar name")
    version = HiddenField()

    def __init__(self, *args: Any, organisation_id: int | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.organisation_id = organisation_id

    def validate_name(self, field: Any) -> None:
        # Two records for one organisation split the conflicts found against it: ask first.
        if self.organisation_id is not None or self.same_name_confirmed.data:
            return
        squeezed = "".join(ch for ch in (field.data or "").lower() if ch.isalnum())
        if not squeezed:
            return
        from ..search.queries import compacted

        other = get_db().execute(
            "SELECT name, ods_code FROM organisations WHERE " + compacted("name") + " = ? LIMIT 1",
            [squeezed]).fetchone()
        if other:
            code = f" ({other[1]})" if other[1] else ""
            raise ValidationError(
                f"{other[0]}{code} is already in the register. Open that record instead, or "
                f"tick ‘This is a different organisation with a similar name’")

    def validate_kind(self, field: Any) -> None:
        if field.data not in KINDS:
            raise ValidationError("Choose the kind of organisation")
        if self.organisation_id is None:
            return
        db = get_db()
        if field.data != "practice":
            if queries.parents_of(db, self.organisation_id):
                raise ValidationError("This organisation belongs to a network or federation, so "
                                      "it must stay a GP practice. Remove those links first")
            if queries.people_at(db, self.organisation_id):
                raise ValidationError("This is someone's home practice, so it must stay a GP "
                                      "practice. Change their home practice first")
        if field.data not in PARENT_KINDS and queries.members_of(db, self.organisation_id):
            raise ValidationError("This organisation has member practices, so it must stay a "
                                  "network or federation. Remove its members first")

    def validate_ods_code(self, field: Any) -> None:
        code = field.data or ""
        if self.kind.data == "practice":
            if not code:
                raise ValidationError("Enter the practice's ODS code, like A81001")
            if not is_practice_code(code):
                raise ValidationError(PRACTICE_CODE_MESSAGE)
        elif code and not is_ods_code(code):
            raise ValidationError("ODS code must be 3 to 10 letters and numbers, like RX1 or U12345")
        if code:
            other = queries.find_by_code(get_db(), code)
            if other and other["id"] != self.organisation_id:
                raise ValidationError(f"ODS code {code} is already used by {other['name']}")

    def validate_companies_house_number(self, field: Any) -> None:
        try:
            number = identifiers.companies_house_number(field.data)
        except identifiers.IdentifierError:
            raise ValidationError("Companies House number must be 8 characters: 8 numbers, or "
                                  "2 letters and 6 numbers, like 01234567 or SC123456") from None
        if not number:
            return
        field.data = number
        other = queries.find_by_companies_house(get_db(), number)
        if other and other["id"] != self.organisation_id:
            raise ValidationError(
                f"Companies House number {number} is already used by {other['name']}")

    def validate_charity_number(self, field: Any) -> None:
        try:
            number = identifiers.charity_number(field.data)
        except identifiers.IdentifierError:
            raise ValidationError("Charity number must be 6 or 7 numbers for England and Wales "
                                  "(1123456), SC and 6 numbers for Scotland (SC012345), or NIC "
                                  "and 6 numbers for Northern Ireland (NIC100002)") from None
        if not number:
            return
        field.data = number
        other = identity.find(get_db(), identifiers.Named(charity_number=number))
        if other.organisation_id is not None and other.organisation_id != self.organisation_id:
            raise ValidationError(f"Charity number {number} is already used by "
                                  f"{get_db()['organisations'].get(other.organisation_id)['name']}")

    def validate_postcode(self, field: Any) -> None:
        if field.data and not POSTCODE.match(field.data):
            raise ValidationError("Enter a real postcode, like LS1 4AP")

    def validate_is_member_practice(self, field: Any) -> None:
        if field.data and self.kind.data in KINDS and self.kind.data != "practice":
            raise ValidationError("Only a GP practice can be a member practice of the consortium. "
                                  "Untick this or choose GP practice")

    def values(self) -> dict[str, Any]:
        """The typed values as stored: empty identifiers become NULL so they stay unique."""
        return {
            "name": self.name.data,
            "kind": self.kind.data,
            "ods_code": self.ods_code.data or None,
            "companies_house_number": self.companies_house_number.data or None,
            "charity_number": self.charity_number.data or None,
            "registered_address": self.registered_address.data or "",
            "postcode": self.postcode.data or "",
            "is_member_practice": 1 if self.is_member_practice.data else 0,
        }


class LinkForm(BaseForm):
    """Add a practice to a network or federation."""

    parent_id = SelectField("Network or federation", choices=[], validate_choice=False,
                            validators=[Required("Choose the network or federation")])
    member_code = CodeField("ODS code of the practice",
                            [Required("Enter the ODS code of the practice")])
    date_from = DateInputField("Date the practice joined (optional)",
                               noun="the date the practice joined")
    date_to = DateInputField("Date the practice left (optional)",
                             noun="the date the practice left")

    def validate_parent_id(self, field: Any) -> None:
        parent = (queries.get_organisation(get_db(), int(field.data))
                  if str(field.data).isdecimal() else None)
        if parent is None or parent["kind"] not in PARENT_KINDS:
            raise ValidationError("Choose a primary care network or GP federation from the list")
        self.parent = parent

    def validate_member_code(self, field: Any) -> None:
        if not is_practice_code(field.data):
            raise ValidationError(PRACTICE_CODE_MESSAGE)
        member = queries.find_by_code(get_db(), field.data)
        if member is None:
            raise ValidationError(f"There is no organisation with ODS code {field.data}")
        if member["kind"] != "practice":
            raise ValidationError(f"{member['name']} is not a GP practice: only practices can "
                                  "belong to a network or federation")
        self.member = member

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        if (self.date_from.data and self.date_to.data
                and self.date_to.data < self.date_from.data):
            self.date_to.errors.append(
                "The date the practice left must be the same as or after the date it joined")
            ok = False
        # A practice may leave and rejoin: another period is fine, an overlapping one is not.
        problem = ok and queries.overlapping_link(
            get_db(), self.parent["id"], self.member["id"], self.iso(self.date_from),
            self.iso(self.date_to))
        if problem:
            self.date_from.errors.append(
                f"{self.member['name']} already belongs to {self.parent['name']} then. {problem}")
            ok = False
        return ok

    @staticmethod
    def iso(field: Any) -> str | None:
        """A date field's value as stored (None when blank)."""
        return field.data.isoformat() if field.data else None


class LinkDatesForm(BaseForm):
    """When a practice joined and left a network or federation: ending a membership keeps it in
    the record, so decisions before the practice left still see it."""

    date_from = DateInputField("Date the practice joined (optional)",
                               noun="the date the practice joined")
    date_to = DateInputField("Date the practice left (optional)",
                             noun="the date the practice left")

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        if (ok and self.date_from.data and self.date_to.data
                and self.date_to.data < self.date_from.data):
            self.date_to.errors.append(
                "The date the practice left must be the same as or after the date it joined")
            ok = False
        return ok
