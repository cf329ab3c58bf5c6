"""The upload form and the confirmation form of the import pages."""
from __future__ import annotations

from typing import Any

from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, RadioField
from wtforms.validators import ValidationError

from ..forms import BaseForm, Required
from .parsers import FORMATS, KINDS

CHOOSE_KIND = "Select what the file holds"


class UploadForm(BaseForm):
    """Choose what the file holds and the file itself."""

    kind = RadioField("What does the file hold?", choices=[(k, FORMATS[k].title) for k in KINDS],
                      validate_choice=False, validators=[Required(CHOOSE_KIND)])
    file = FileField("CSV file", validators=[FileRequired("Select a CSV file")])

    def validate_kind(self, field: Any) -> None:
        if field.data not in KINDS:
            raise ValidationError(CHOOSE_KIND)


class ConfirmForm(BaseForm):
    """Confirm a previewed import; carries the signed reference to the stored upload."""

    upload = HiddenField()
