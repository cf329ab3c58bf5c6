"""The date control of the published register: the day it is shown as it stood on."""
from __future__ import annotations

from typing import Any

from wtforms.validators import ValidationError

from ..forms import BaseForm, DateInputField
from ..timeutil import today_uk


class RegisterDateForm(BaseForm):
    """Which day the register is shown for (a GET form: it reads and never writes, so no CSRF)."""

    class Meta:
        csrf = False

    on = DateInputField("Show the register as it stood on", noun="the date")

    def validate_on(self, field: Any) -> None:
        if field.data and field.data > today_uk():
            raise ValidationError("The date must be today or in the past: the register cannot "
                                  "show what has not been declared yet")
