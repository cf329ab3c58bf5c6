"""Forms for the PSR notices and the representations made during the standstill."""
from __future__ import annotations

from wtforms import StringField, TextAreaField

from ..forms import BaseForm, DateInputField, MaxLength, Required
from ..rules.publication import PUBLISHED_WHERE_MAX


class NoticeForm(BaseForm):
    """An intention to award or award confirmation notice."""

    published_on = DateInputField("Date the notice was published", noun="the date the notice "
                                  "was published", required=True)
    published_where = StringField(
        "Where it was published", [Required("Enter where the notice was published, for example "
                                            "the web address of the notice"),
                                   MaxLength(PUBLISHED_WHERE_MAX)])
    reference = StringField("Notice reference (optional)", [MaxLength(200)])


class IntentionNoticeForm(NoticeForm):
    """The intention to award notice; the standstill end it states, if any, is checked."""

    standstill_end = DateInputField("Standstill end stated in the notice (optional)",
                                    noun="the standstill end")


class RepresentationForm(BaseForm):
    """A representation a provider made during the standstill."""

    received_on = DateInputField("Date received", noun="the date the representation was "
                                 "received", required=True)
    provider_name = StringField("From which provider",
                                [Required("Enter the provider that made the representation"),
                                 MaxLength(300)])
    summary = TextAreaField("What the provider said",
                            [Required("Enter a summary of the representation"), MaxLength(4000)])


class ResponseForm(BaseForm):
    """The commissioner's response to a representation."""

    response = TextAreaField("The response", [Required("Enter the response"), MaxLength(4000)])
    responded_on = DateInputField("Date of the response", noun="the date of the response",
                                  required=True)
