"""Shared form pieces: the NHS date input, text checks and the base form."""
from __future__ import annotations

import datetime as dt
from typing import Any

from flask_wtf import FlaskForm
from wtforms import Field, StringField, TextAreaField
from wtforms.utils import unset_value
from wtforms.validators import StopValidation, ValidationError

from .rules.text import forbidden_character


def strip_text(value: Any) -> Any:
    """Trim surrounding white space from typed text."""
    return value.strip() if isinstance(value, str) else value


class BaseForm(FlaskForm):
    """Every form: trims text fields and refuses control characters in any of them."""

    class Meta:
        def bind_field(self, form, unbound_field, options):  # noqa: ANN001
            if issubclass(unbound_field.field_class, (StringField, TextAreaField)):
                # Trim first, then the field's own filters (which bind() would otherwise replace).
                declared = unbound_field.kwargs.get("filters", ())
                options["filters"] = (strip_text, *declared, *options.get("filters", ()))
            return unbound_field.bind(form=form, **options)

    def validate(self, extra_validators=None) -> bool:  # noqa: ANN001
        ok = super().validate(extra_validators)
        for field in self:
            if isinstance(field, (StringField, TextAreaField)) and isinstance(field.data, str):
                bad = forbidden_character(field.data)
                if bad and not field.errors:
                    label = field.label.text.removesuffix(" (optional)")
                    field.errors.append(
                        f"{label} must not contain hidden control characters ({bad})")
                    ok = False
        return ok

    @property
    def error_list(self) -> list[tuple[str, str]]:
        """(field id, message) pairs for the error summary, in the order of the form."""
        pairs = [("", message) for message in self.form_errors]
        for field in self:
            for message in field.errors:
                anchor = field.id + ("-day" if isinstance(field, DateInputField) else "")
                pairs.append((anchor, message))
        return pairs


class Required:
    """Refuse an empty field with the given message, e.g. 'Enter the contract value'."""

    field_flags = {"required": True}

    def __init__(self, message: str):
        self.message = message

    def __call__(self, form: Any, field: Field) -> None:
        data = field.data
        if data is None or (isinstance(data, str) and not data.strip()) or data == []:
            field.errors[:] = []
            raise StopValidation(self.message)


class MaxLength:
    """Refuse text longer than the limit, saying the limit."""

    def __init__(self, limit: int, message: str | None = None):
        self.limit = limit
        self.message = message

    def __call__(self, form: Any, field: Field) -> None:
        if field.data and len(field.data) > self.limit:
            raise ValidationError(
                self.message or f"{field.label.text} must be {self.limit} characters or fewer")


class DateInputField(Field):
    """The NHS day/month/year date input; data is a datetime.date or None.

    A year outside 1900-2100 is a typing slip (0099 for 2099, 2206 for 2026), never a date the
    register needs, so it is refused with the range rather than stored."""

    EARLIEST_YEAR = 1900
    LATEST_YEAR = 2100

    def __init__(self, label: str = "", validators: Any = None, *, noun: str = "the date",
                 required: bool = False, **kwargs: Any):
        super().__init__(label, validators, **kwargs)
        self.noun = noun
        self.required = required
        self.parts = {"day": "", "month": "", "year": ""}
        self.parse_error: str | None = None
        if required:
            self.flags.required = True

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        self.process_errors = []
        self.parse_error = None
        if data is unset_value:
            data = self.default() if callable(self.default) else self.default
        self.object_data = data
        # The NHS.UK date input names its boxes "field[day]"; "field-day" is accepted too.
        names = {part: f"{self.name}[{part}]" for part in self.parts}
        if formdata is not None and not any(name in formdata for name in names.values()):
            names = {part: f"{self.name}-{part}" for part in self.parts}
        if formdata is not None and any(name in formdata for name in names.values()):
            self.parts = {part: (formdata.get(name) or "").strip() for part, name in names.items()}
            self.data = self._parse()
        else:
            if isinstance(data, str) and data:
                data = dt.date.fromisoformat(data)
            self.data = data if isinstance(data, dt.date) else None
            if self.data:
                self.parts = {"day": str(self.data.day), "month": str(self.data.month),
                              "year": str(self.data.year)}

    def _parse(self) -> dt.date | None:
        noun = self.noun[0].upper() + self.noun[1:]
        filled = {k: v for k, v in self.parts.items() if v}
        if not filled:
            return None
        missing = [k for k in ("day", "month", "year") if k not in filled]
        if missing:
            self.parse_error = f"{noun} must include a {' and '.join(missing)}"
            return None
        if not all(v.isdecimal() for v in filled.values()) or len(self.parts["year"]) != 4:
            self.parse_error = f"{noun} must be a real date"
            return None
        try:
            day = dt.date(int(self.parts["year"]), int(self.parts["month"]), int(self.parts["day"]))
        except ValueError:
            self.parse_error = f"{noun} must be a real date"
            return None
        if not self.EARLIEST_YEAR <= day.year <= self.LATEST_YEAR:
            self.parse_error = (f"{noun} must be a real date with a year between "
                                f"{self.EARLIEST_YEAR} and {self.LATEST_YEAR}")
            return None
        return day

    def pre_validate(self, form: Any) -> None:
        if self.parse_error:
            raise StopValidation(self.parse_error)
        if self.required and self.data is None:
            raise StopValidation(f"Enter {self.noun}")

    def _value(self) -> str:
        return self.data.isoformat() if self.data else ""


