"""NHS.UK frontend components, rendered with NHS England's Jinja port.

The port needs Jinja's ChainableUndefined. It gets its own environment so that our own templates
keep strict undefined checks and a typo in them still fails loudly.
"""
from __future__ import annotations

import functools
from typing import Any

from jinja2 import ChainableUndefined, Environment, PackageLoader, Template
from markupsafe import Markup

COMPONENTS = {
    "backLink": "back-link", "breadcrumb": "breadcrumb", "button": "button", "card": "card",
    "characterCount": "character-count", "checkboxes": "checkboxes", "dateInput": "date-input",
    "details": "details", "errorMessage": "error-message", "errorSummary": "error-summary",
    "fieldset": "fieldset", "fileUpload": "file-upload", "footer": "footer", "header": "header",
    "hint": "hint", "input": "input", "insetText": "inset-text", "label": "label",
    "notificationBanner": "notification-banner", "pagination": "pagination", "panel": "panel",
    "passwordInput": "password-input", "radios": "radios", "select": "select",
    "skipLink": "skip-link", "summaryList": "summary-list", "table": "table", "tag": "tag",
    "textarea": "textarea", "warningCallout": "warning-callout",
}

_ENV = Environment(
    loader=PackageLoader("nhsuk_frontend_jinja"),
    undefined=ChainableUndefined,
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
    # The components are a pinned package's files: compile each once, never stat them per render.
    auto_reload=False,
)


@functools.cache
def _template(name: str) -> Template:
    folder = "tables" if name == "table" else COMPONENTS[name]
    return _ENV.from_string(
        f'{{% from "nhsuk/components/{folder}/macro.jinja" import {name} as component %}}'
        "{{ component(params) }}"
    )


def nhsuk(name: str, params: dict[str, Any] | None = None) -> Markup:
    """Render one NHS.UK component. Pass user text as "text" (escaped), never as "html"."""
    # The component environment autoescapes every parameter, so its output is safe markup.
    return Markup(_template(name).render(params=params or {}))  # noqa: S704
