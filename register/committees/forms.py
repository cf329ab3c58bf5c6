"""Forms for committees and their members."""
from __future__ import annotations

from typing import Any

from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField
from wtforms.validators import StopValidation, ValidationError

from ..db import get_db
from ..forms import BaseForm, MaxLength, Required
from ..rules.quorum import MOST_MEMBERS  # one limit for the form and the import
from . import queries
from .queries import CATEGORIES, POLICIES, ROLES


class WholeNumber:
    """Refuse anything but a whole number from `minimum` to MOST_MEMBERS, in the user's words."""

    def __init__(self, noun: str, minimum: int):
        self.noun = noun
        self.minimum = minimum

    def __call__(self, form: Any, field: Any) -> None:
        text = field.data or ""
        if not text.isdecimal():
            raise StopValidation(f"{self.noun} must be a whole number, like {self.minimum + 1}")
        value = int(text)
        if value < self.minimum:
            raise StopValidation(f"{self.noun} must be {self.minimum} or more")
        if value > MOST_MEMBERS:
            raise StopValidation(f"{self.noun} must be {MOST_MEMBERS} or fewer")


def _count(noun: str, minimum: int = 0) -> StringField:
    return StringField(noun, [Required(f"Enter the {noun[0].lower() + noun[1:]}"),
                              WholeNumber(noun, minimum)], default="0")


class CommitteeForm(BaseForm):
    """Add or edit a committee: its name, quorum and common-interest policy."""

    name = StringField("Committee name", [
        Required("Enter the committee name"),
        MaxLength(200, "Committee name must be 200 characters or fewer")])
    quorum_min_voting = StringField("Minimum voting members present", [
        Required("Enter the minimum number of voting members present"),
        WholeNumber("Minimum voting members present", 1)])
    quorum_min_gp = _count("Minimum GP members")
    quorum_min_lay = _count("Minimum lay members")
    quorum_min_executive = _count("Minimum executive members")
    quorum_min_other = _count("Minimum other members")
    common_interest_policy = RadioField(
        "When an interest is common to every member practice, the conflicted members",
        choices=list(POLICIES.items()), validate_choice=False,
        validators=[Required("Choose what conflicted members do when an interest is common to "
                             "every member practice")])
    version = HiddenField()

    CATEGORY_FIELDS = ("quorum_min_gp", "quorum_min_lay", "quorum_min_executive",
                       "quorum_min_other")

    def __init__(self, *args: Any, committee_id: int | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.committee_id = committee_id

    def process(self, formdata: Any = None, obj: Any = None, data: Any = None,
                extra_filters: Any = None, **kwargs: Any) -> None:
        # Stored counts are integers; the fields hold text as typed.
        if data:
            data = {k: (str(v) if k.startswith("quorum_") else v) for k, v in data.items()}
        super().process(formdata, obj, data=data, extra_filters=extra_filters, **kwargs)

    def validate_name(self, field: Any) -> None:
        other = queries.find_by_name(get_db(), field.data)
        if other and other["id"] != self.committee_id:
            raise ValidationError(f"There is already a committee called {other['name']}")

    def validate_common_interest_policy(self, field: Any) -> None:
        if field.data not in POLICIES:
            raise ValidationError("Choose what conflicted members do when an interest is common "
                                  "to every member practice")

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        fields = [self.quorum_min_voting, *(self[name] for name in self.CATEGORY_FIELDS)]
        if not any(f.errors for f in fields):
            total = int(self.quorum_min_voting.data)
            by_category = sum(int(self[name].data) for name in self.CATEGORY_FIELDS)
            if by_category > total:
                self.quorum_min_voting.errors.append(
                    f"The minimum GP, lay, executive and other members add up to {by_category}, "
                    f"more than the {total} voting members needed for a quorum")
                ok = False
        return ok

    def values(self) -> dict[str, Any]:
        """The typed values as stored."""
        return {
            "name": self.name.data,
            "quorum_min_voting": int(self.quorum_min_voting.data),
            **{name: int(self[name].data) for name in self.CATEGORY_FIELDS},
            "common_interest_policy": self.common_interest_policy.data,
        }


class MembershipFields(BaseForm):
    """Role, category and vote: shared by adding and editing a member."""

    role = SelectField("Role", choices=list(ROLES.items()), default="member",
                       validate_choice=False)
    category = RadioField("Category", choices=list(CATEGORIES.items()), validate_choice=False,
                          validators=[Required("Choose the member's category")])
    voting = BooleanField("Has a vote", default=True)

    def validate_role(self, field: Any) -> None:
        if field.data not in ROLES:
            raise ValidationError("Choose chair, vice-chair or member")

    def validate_category(self, field: Any) -> None:
        if field.data not in CATEGORIES:
            raise ValidationError("Choose the member's category")

    def check_role_free(self, committee_id: int, member_id: int | None) -> None:
        """Refuse a second chair or vice-chair, naming who holds the role."""
        if self.role.data not in ("chair", "vice_chair"):
            return
        holder = queries.holder_of(get_db(), committee_id, self.role.data)
        if holder and holder["id"] != member_id:
            raise ValidationError(
                f"{holder['person_name']} is already the {ROLES[self.role.data].lower()}. "
                f"Change their role first")

    def membership(self) -> dict[str, Any]:
        """The role, category and vote as stored."""
        return {"role": self.role.data, "category": self.category.data,
                "voting": 1 if self.voting.data else 0}


class AddMemberForm(MembershipFields):
    """Add a person to a committee."""

    person_id = SelectField("Person", choices=[], validate_choice=False,
                            validators=[Required("Choose the person to add")])

    def __init__(self, *args: Any, committee_id: int, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.committee_id = committee_id

    def validate_person_id(self, field: Any) -> None:
        db = get_db()
        if not str(field.data).isdecimal() or not db.execute(
                "SELECT 1 FROM people WHERE id = ?", [int(field.data)]).fetchone():
            raise ValidationError("Choose a person from the list")
        if queries.is_member(db, self.committee_id, int(field.data)):
            raise ValidationError("That person is already a member of this committee")

    def validate_role(self, field: Any) -> None:
        super().validate_role(field)
        self.check_role_free(self.committee_id, None)


class EditMemberForm(MembershipFields):
    """Change a member's role, category or vote."""

    original = HiddenField()

    def __init__(self, *args: Any, member: dict[str, Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.member = member

    def validate_role(self, field: Any) -> None:
        super().validate_role(field)
        self.check_role_free(self.member["committee_id"], self.member["id"])

    def original_values(self) -> dict[str, Any] | None:
        """The role, category and vote the user started from, or None if unreadable."""
        parts = (self.original.data or "").split(":")
        if len(parts) != 3 or not parts[2].isdecimal():
            return None
        return {"role": parts[0], "category": parts[1], "voting": int(parts[2])}


def original_token(member: dict[str, Any]) -> str:
    """The state an edit starts from, carried in the form so a later save can check it."""
    return f"{member['role']}:{member['category']}:{int(member['voting'])}"


class IndependentReviewerForm(BaseForm):
    """Name the account that reviews a decision no governance lead of the committee can review."""

    reviewer = SelectField("Independent reviewer", choices=[], validate_choice=False)
    version = HiddenField()

    def validate_reviewer(self, field: Any) -> None:
        if not field.data:
            return
        if not str(field.data).isdecimal() or int(field.data) not in {
                int(value) for value, _label in field.choices if value}:
            raise ValidationError("Choose an account from the list, or no independent reviewer")

    def user_id(self) -> int | None:
        """The account chosen, or None for no independent reviewer."""
        return int(self.reviewer.data) if self.reviewer.data else None
