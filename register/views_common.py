"""What every page shares: the home page, navigation, error pages, filters and security headers."""
from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Flask, current_app, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError

from . import timeutil
from .db import is_busy, is_full
from .ui import nhsuk

bp = Blueprint("main", __name__)
log = logging.getLogger("register")

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "font-src 'self' https://assets.nhs.uk; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)

# Browsers that have seen the register over HTTPS refuse plain HTTP to it for a year.
HSTS = "max-age=31536000; includeSubDomains"

# (endpoint, label, capability or None for every signed-in user)
NAVIGATION = [
    ("decisions.index", "Decisions", "read_decisions"),
    ("meetings.index", "Meetings", "read_decisions"),
    ("reviews.index", "Governance queue", "review_decisions"),
    ("interests.index", "Interests", None),
    ("reports.index", "Reports", "read_decisions"),
    ("breaches.index", "Breaches", "read_breaches"),
    ("contracts.renewals", "Renewals", "read_all_decisions"),
    ("people.index", "People", "read_reference_data"),
    ("organisations.index", "Organisations", "read_reference_data"),
    ("committees.index", "Committees", "read_reference_data"),
    ("imports.index", "Import", "import_data"),
    ("auth.accounts", "Accounts", "manage_accounts"),
    ("search.index", "Search", "read_reference_data"),
]

# What the public can read without signing in.
PUBLIC_NAVIGATION = [
    ("public.interests", "Register of interests"),
    ("public.decisions", "Register of procurement decisions"),
    ("public_gifts.register", "Register of gifts and hospitality"),
    ("public_breaches.register", "Breaches"),
]


@bp.route("/")
@login_required
def home() -> str:
    """The signed-in user's starting page."""
    from .db import get_db
    from .decisions.reviewers import routed_to
    from .interests.linking import free_text_count
    from .interests.queries import home_summary
    from .meetings.queries import upcoming_for_home
    from .notices.queries import standstills_ending
    from .timeutil import today_uk

    free_text = (free_text_count(get_db()) if current_user.can("settle_free_text") else None)
    standstills = (standstills_ending(get_db(), current_user, today_uk())
                   if current_user.can("record_outcomes") else [])
    from .todo import tasks_for

    tasks = tasks_for(get_db(), current_user, today_uk(),
                      review_target=int(current_app.config["REVIEW_TARGET_WORKING_DAYS"]))
    return render_template("home.html", summary=home_summary(current_user),
                           to_review=routed_to(get_db(), current_user), free_text=free_text,
                           standstills=standstills, tasks=tasks,
                           meetings=upcoming_for_home(get_db(), current_user, today=today_uk()))


def navigation(counts: dict[str, int | None] | None = None) -> list[dict[str, Any]]:
    """The header links the signed-in user's role may follow; `counts` adds "(3)" to a label.
    Someone not signed in sees the public registers."""
    if not current_user.is_authenticated:
        return [{"href": url_for(endpoint), "text": label,
                 "current": request.path.startswith(url_for(endpoint))}
                for endpoint, label in PUBLIC_NAVIGATION]
    items = []
    for endpoint, label, capability in NAVIGATION:
        if capability and not current_user.can(capability):
            continue
        href = url_for(endpoint)
        count = (counts or {}).get(endpoint)
        if count is not None:
            label = f"{label} ({count})"
        items.append({"href": href, "text": label,
                      "current": request.path.startswith(href) and href != "/"})
    return items


def page_numbers(page: int, pages: int) -> list[int | None]:
    """Page numbers to show, with None for a gap: 1 … 4 5 6 … 20."""
    shown = sorted({1, pages, page - 1, page, page + 1} & set(range(1, pages + 1)))
    result: list[int | None] = []
    for number in shown:
        if result and number - result[-1] > 1:
            result.append(None)
        result.append(number)
    return result


def error_item(pair: tuple[str, str]) -> dict[str, str]:
    """An (anchor, message) pair as an error-summary entry."""
    anchor, message = pair
    return {"text": message, "href": f"#{anchor}"} if anchor else {"text": message}


def select_item(choice: Any, selected: Any) -> dict[str, Any]:
    """A WTForms (value, label) choice as an NHS select item."""
    value, label = tuple(choice)[:2]
    return {"value": value, "text": label,
            "selected": selected is not None and str(value) == str(selected)}


def radio_item(choice: Any, selected: Any) -> dict[str, Any]:
    """A WTForms (value, label) choice as an NHS radio item."""
    value, label = tuple(choice)[:2]
    return {"value": value, "text": label,
            "checked": selected is not None and str(value) == str(selected)}


# The characters a route's path part leaves as they are (werkzeug's converters quote the rest).
PATH_SAFE = "!$&'()*+,/:;=@"


def links_to(endpoint: str, argument: str) -> Callable[[Any], str]:
    """The address of `endpoint` for each value of its one path `argument`, built once and each
    value quoted into it as the route would: a table of many rows links them all without routing
    every row's link again."""
    marker = "VALUE"
    address = url_for(endpoint, **{argument: marker})
    cut = address.rindex(marker)
    head, tail = address[:cut], address[cut + len(marker):]
    return lambda value: f"{head}{quote(str(value), safe=PATH_SAFE)}{tail}"


def urlencode_with(args: Any, **overrides: Any) -> str:
    """The current query arguments with some replaced, URL-encoded (for sort and page links)."""
    from urllib.parse import urlencode

    merged = {k: v for k, v in dict(args).items() if v not in (None, "")}
    merged.update({k: v for k, v in overrides.items() if v is not None})
    return urlencode(merged)


def _error_page(status: int, title: str, message: str):  # noqa: ANN202
    return render_template("error.html", status=status, title=title, message=message), status


def init_app(app: Flask) -> None:
    """Register the shared blueprint, handlers, filters and headers."""
    app.register_blueprint(bp)
    if app.config["BEHIND_HTTPS"]:
        # Behind one reverse proxy that terminates TLS: trust its X-Forwarded-For/-Proto/-Host,
        # so the address of each sign-in is the browser's and url_for builds https links.
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)
    app.jinja_env.undefined = __import__("jinja2").StrictUndefined
    app.jinja_env.globals.update(nhsuk=nhsuk, navigation=navigation, page_numbers=page_numbers)
    app.jinja_env.filters.update(
        uk_time=timeutil.uk_time, long_date=timeutil.long_date, error_item=error_item,
        select_item=select_item, radio_item=radio_item, urlencode_with=urlencode_with,
    )

    @app.after_request
    def security_headers(response):  # noqa: ANN001, ANN202
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if app.config["BEHIND_HTTPS"]:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        if current_user and getattr(current_user, "is_authenticated", False):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.errorhandler(CSRFError)
    def csrf_error(_error):  # noqa: ANN001, ANN202
        return _error_page(400, "Your form could not be sent",
                      "The form had expired or did not come from this service, so nothing was "
                      "saved. Go back, reload the page and try again.")

    @app.errorhandler(403)
    def forbidden(_error):  # noqa: ANN001, ANN202
        return _error_page(403, "You cannot do that",
                      "Your role does not allow this page or action. If you think it should, "
                      "ask an administrator.")

    @app.errorhandler(404)
    def not_found(_error):  # noqa: ANN001, ANN202
        return _error_page(404, "Page not found",
                      "If you typed the web address, check it is correct.")

    @app.errorhandler(405)
    def method_not_allowed(_error):  # noqa: ANN001, ANN202
        return _error_page(405, "That action is not available here",
                      "Use the buttons on the page rather than typing the address.")

    @app.errorhandler(413)
    def too_large(_error):  # noqa: ANN001, ANN202
        limit = app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
        return _error_page(413, "What you sent is too large",
                      f"Nothing was saved. Forms and files must be smaller than {limit} MB.")

    @app.errorhandler(OverflowError)
    def number_too_large(_error):  # noqa: ANN001, ANN202
        # A number in the address or a form too large for the database (a record id of 30
        # digits): nothing can match it, and nothing was written.
        return _error_page(404, "Page not found",
                      "A number in the address or the form is too large to be a record. "
                      "Check it is correct.")

    @app.errorhandler(sqlite3.OperationalError)
    def database_unavailable(error):  # noqa: ANN001, ANN202
        # Busy and full are the server's state, not a fault in the request: each gets a page that
        # says nothing was saved and what to do, and one line in the log. Anything else is a 500.
        if is_busy(error):
            log.error("The register was busy: a request gave up waiting for the write lock (%s)",
                      request.path)
            page = _error_page(503, "The register is busy",
                               "The register is busy: nothing was saved. Try again in a moment.")
            return page[0], 503, {"Retry-After": "5"}
        if is_full(error):
            log.error("The server's disk is full: a write to %s was refused and nothing was "
                      "saved (%s)", app.config["DATABASE"], request.path)
            return _error_page(507, "The server\u2019s disk is full",
                               "The server\u2019s disk is full, so nothing was saved. Tell the "
                               "register\u2019s administrator; try again once they have made "
                               "room.")
        raise error

    @app.errorhandler(500)
    def server_error(_error):  # noqa: ANN001, ANN202
        return _error_page(500, "Sorry, there is a problem with the service",
                      "Nothing was saved. Try again later.")
