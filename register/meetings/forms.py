"""Forms for meetings: a meeting's details, an item with a title, moving an item, and the
declarations item (built per item, one row of fields per person)."""
from __future__ import annotations

from typing import Any

from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import ValidationError

from ..forms import BaseForm, DateInputField, MaxLength, Required
from ..rules import meetings as rules


def _person_choices(people: list[tuple[int, str]], empty: str) -> list[tuple[str, str]]:
    return [("", empty)] + [(str(person_id), name) for person_id, name in people]


class MeetingForm(BaseForm):
    """Create or edit a committee's meeting: when, where, who chairs it and takes the minutes."""

    committee_id = SelectField("Committee", validate_choice=False)
    meeting_date = DateInputField("Date of the meeting", noun="the date of the meeting",
                                  required=True)
    starts_at = StringField("Start time", [MaxLength(10)])
    ends_at = StringField("End time (optional)", [MaxLength(10)])
    place = StringField("Place (optional)", [MaxLength(300)])
    link = StringField("Video call link (optional)", [MaxLength(600)])
    chair_person_id = SelectField("Chair", validate_choice=False)
    secretary_person_id = SelectField("Secretary (optional)", validate_choice=False)
    version = HiddenField()

    def __init__(self, *args: Any, committees: list[tuple[int, str]],
                 people: list[tuple[int, str]], editing: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.editing = editing
        self.committee_id.choices = _person_choices(committees, "Choose a committee")
        self.chair_person_id.choices = _person_choices(people, "The committee's chair")
        self.secretary_person_id.choices = _person_choices(people, "Not set")
        self._committees = {str(i) for i, _ in committees}
        self._people = {str(i) for i, _ in people}

    def validate_committee_id(self, field: Any) -> None:
        if not self.editing and (field.data or "") not in self._committees:
            raise ValidationError("Choose the committee that meets")

    def validate_meeting_date(self, field: Any) -> None:
        if field.parse_error:
            raise ValidationError(field.parse_error)
        if field.data is None:
            raise ValidationError("Enter the date of the meeting")

    def validate_starts_at(self, field: Any) -> None:
        if not (field.data or "").strip():
            raise ValidationError("Enter the start time, like 10:00")
        _value, problem = rules.parse_time(field.data)
        if problem:
            raise ValidationError(f"The start time {problem}")

    def validate_ends_at(self, field: Any) -> None:
        _value, problem = rules.parse_time(field.data)
        if problem:
            raise ValidationError(f"The end time {problem}")
        starts, _ = rules.parse_time(self.starts_at.data)
        ends, _ = rules.parse_time(field.data)
        if starts and (problem := rules.meeting_times_problem(starts, ends)):
            raise ValidationError(problem)

    def validate_link(self, field: Any) -> None:
        if problem := rules.link_problem(field.data or ""):
            raise ValidationError(problem)

    def validate_chair_person_id(self, field: Any) -> None:
        if field.data and field.data not in self._people:
            raise ValidationError("Choose the chair from the list")

    def validate_secretary_person_id(self, field: Any) -> None:
        if field.data and field.data not in self._people:
            raise ValidationError("Choose the secretary from the list")

    def values(self) -> dict[str, Any]:
        """What to store."""
        return {
            "committee_id": int(self.committee_id.data) if self.committee_id.data else None,
            "meeting_date": self.meeting_date.data,
            "starts_at": rules.parse_time(self.starts_at.data)[0],
            "ends_at": rules.parse_time(self.ends_at.data)[0],
            "place": self.place.data or "", "link": self.link.data or "",
            "chair_person_id": int(self.chair_person_id.data)
            if self.chair_person_id.data else None,
            "secretary_person_id": int(self.secretary_person_id.data)
            if self.secretary_person_id.data else None,
        }


class ItemForm(BaseForm):
    """An agenda item that is not a decision: its title only."""

    title = StringField("Title of the item", [
        Required("Enter the title of the item"),
        MaxLength(300, "The title of the item must be 300 characters or fewer")])


class MoveItemForm(BaseForm):
    """Move an item to another meeting of the same committee (confirmed on a second page)."""

    meeting_id = SelectField("Move it to the meeting on", validate_choice=False)
    confirm = HiddenField()

    def __init__(self, *args: Any, meetings: list[tuple[int, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.meeting_id.choices = _person_choices(meetings, "Choose a meeting")
        self._meetings = {str(i) for i, _ in meetings}

    def validate_meeting_id(self, field: Any) -> None:
        if (field.data or "") not in self._meetings:
            raise ValidationError("Choose the meeting to move the item to")


def declarations_form_class(people: list[dict[str, Any]]) -> type:
    """A form with, for each person expected for an item, whether they declared an interest,
    which register entry, what they said, and when they left the room and came back."""

    class Form(BaseForm):
        version = HiddenField()

    order = []
    for person in people:
        pid, name = person["person_id"], person["name"]
        setattr(Form, f"declared_{pid}", BooleanField(f"{name} declared an interest"))
        setattr(Form, f"interest_{pid}", SelectField(
            f"The interest {name} declared", validate_choice=False,
            choices=[("", "Not on the register (record it as a new declaration)")]
            + [(str(i["id"]), i["label"]) for i in person["interests"]]))
        setattr(Form, f"words_{pid}", TextAreaField(
            f"What {name} said (optional)", [MaxLength(1000)]))
        setattr(Form, f"left_at_{pid}", StringField(
            f"Time {name} left the room (optional)", [MaxLength(20)]))
        setattr(Form, f"returned_at_{pid}", StringField(
            f"Time {name} came back in (optional)", [MaxLength(20)]))
        order += [f"declared_{pid}", f"interest_{pid}", f"words_{pid}", f"left_at_{pid}",
                  f"returned_at_{pid}"]
    Form.page_order = order
    return Form
