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


class _Uncacheable(Exception):
    """A parameter that is not plain data (the component is then rendered without the cache)."""


def _key(value: Any) -> Any:
    """A hashable copy of a component's parameters that keeps markup apart from text (the same
    characters are escaped as text and kept as markup), or _Uncacheable for anything else."""
    if isinstance(value, Markup):
        return ("markup", str(value))
    if value is None or isinstance(value, (str, int, float, bool)):
        return (type(value).__name__, value)
    if isinstance(value, dict):
        return ("dict", tuple(sorted((str(k), _key(v)) for k, v in value.items())))
    if isinstance(value, (list, tuple)):
        return ("list", tuple(_key(v) for v in value))
    raise _Uncacheable


# Rendered components by (name, parameters): bounded, emptied when full (a page uses a few
# dozen distinct ones, so a full cache means odd traffic, not a working set worth keeping).
_RENDERED: dict[tuple[str, Any], Markup] = {}
_RENDERED_LIMIT = 4096


def nhsuk(name: str, params: dict[str, Any] | None = None) -> Markup:
    """Render one NHS.UK component. Pass user text as "text" (escaped), never as "html".

    A component's output depends on its parameters alone, so the same parameters (a status tag on
    every row, a filter form as it was last shown) are rendered once and reused."""
    params = params or {}
    try:
        key = _key(params)
    except _Uncacheable:
        # The component environment autoescapes every parameter, so its output is safe markup.
        return Markup(_template(name).render(params=params))  # noqa: S704
    found = _RENDERED.get((name, key))
    if found is None:
        if len(_RENDERED) >= _RENDERED_LIMIT:
            _RENDERED.clear()
        found = _RENDERED[(name, key)] = Markup(_template(name).render(params=params))  # noqa: S704
    return found
