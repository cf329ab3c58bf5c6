"""Make-or-buy decisions: start one, fill it in, check it, submit it, and read it."""
from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response

from .. import audit
from ..auth.access import requires
from ..db import get_db, read_snapshot
from ..gifts import queries as gift_queries
from ..interests import queries as interest_queries
from ..listing import parse_page
from ..meetings import queries as meeting_queries
from ..notices import views as notice_views
from ..organisations.queries import KINDS
from ..rules import gifts as rules_gifts
from ..rules import routes, standstill, task_list
from ..rules.decisions import (
    CHOICES,
    KEY_CRITERIA,
    KEY_CRITERIA_PROCESSES,
    KEY_CRITERIA_ROUTES,
    PARTICIPANT_ROLES,
    PROCESSES,
    REGIMES,
    assesses_key_criteria,
    format_money,
    process_label,
)
from ..views_common import error_item, links_to
from . import access, chains, flagging, lifecycle, new_provider, queries, record, reviewers, versioned
from .forms import (
    CONTRACT_KINDS,
    OUTCOMES,
    DecisionForm,
    NewDecisionForm,
    form_data,
    regime_process_choices,
    section_formdata,
    without_fields,
)
from .history_words import MODIFICATION_ACTIONS, action_words, fields_in_words
from .queries import EDITABLE_STATUSES, STALE_MESSAGE

bp = Blueprint("decisions", __name__, url_prefix="/decisions")

SEVERITY_COLOURS = {"conflict": "red", "breach": "orange", "possible": "yellow", "context": "grey"}
SEVERITY_WORDS = {"conflict": "Conflict", "breach": "Breach", "possible": "Possible conflict",
                  "context": "For context"}

@bp.context_processor
def decision_helpers() -> dict[str, Any]:
    """Labels and formatters the decision pages share."""
    return {
        "status_label": queries.status_label, "format_money": format_money,
        "return_note": lambda decision: queries.return_note(get_db(), decision),
        "regimes": REGIMES, "process_label": process_label, "choices": CHOICES,
        "participant_roles": PARTICIPANT_ROLES, "key_criteria": KEY_CRITERIA,
        "contract_kinds": CONTRACT_KINDS, "outcomes": OUTCOMES, "kinds": KINDS,
        "severity_colours": SEVERITY_COLOURS, "severity_words": SEVERITY_WORDS,
        "assesses_key_criteria": assesses_key_criteria,
        "key_criteria_processes": KEY_CRITERIA_PROCESSES, "key_criteria_routes": KEY_CRITERIA_ROUTES,
        "route_sections": {part: " ".join(routes.routes_needing(part)) for part in routes.PARTS},
        "route_names": routes.ROUTE_NAMES, "route_parts_for": routes.parts_for,
    }


def _loaded_or_404(reference: str) -> dict[str, Any]:
    loaded = queries.load_for_display(get_db(), reference)
    if loaded is None:
        abort(404)
    return loaded


def excluded_page(reference: str) -> tuple[str, int]:
    """The page a person excluded from a decision sees instead of it: its reference, no more."""
    return render_template("decisions/excluded.html", decision={"reference": reference}), 403


def _refusal(decision: dict[str, Any]) -> tuple[str, int] | None:
    """Why the signed-in user may not read this decision (the excluded page, or 403), or None."""
    answer = access.access_to(get_db(), current_user, decision)
    if answer == access.EXCLUDED:
        return excluded_page(decision["reference"])
    if answer != access.READ:
        abort(403)
    return None


def _editable_draft(reference: str) -> tuple[dict[str, Any], str | Response | tuple[str, int] | None]:
    """A draft to change, loaded, and the answer to give instead when the signed-in user may not
    read it or it is no longer a draft (None when it may be changed)."""
    loaded = _loaded_or_404(reference)
    decision = loaded["decision"]
    refusal = _refusal(decision)
    if refusal:
        return loaded, refusal
    if decision["status"] not in EDITABLE_STATUSES:
        return loaded, _not_editable(decision)
    return loaded, None


def _not_editable(decision: dict[str, Any]) -> Response:
    label, _colour = queries.status_label(decision["status"])
    flash(f"{decision['reference']} is no longer a draft ({label.lower()}), so it cannot be "
          f"changed or submitted here.", "info")
    return redirect(url_for("decisions.show", reference=decision["reference"]))


def _form(loaded: dict[str, Any], *, complete: bool, stored: bool,
          check_only: bool = False) -> DecisionForm:
    """The edit form for a decision: from what was posted, or (stored) from the database."""
    db = get_db()
    members = queries.committee_members(db, loaded["decision"]["committee_id"])
    kwargs: dict[str, Any] = {
        "member_ids": {m["person_id"] for m in members},
        "people": queries.people_choices(db),
        "resolve": functools.partial(queries.resolve_organisation, db),
        "complete": complete,
    }
    if stored:
        kwargs["data"] = form_data(loaded, members, queries.provider_text)
    if check_only:
        # Checking what is stored, never what was posted, and not rendered as a page.
        kwargs.update(formdata=None, meta={"csrf": False})
    return DecisionForm(**kwargs)


def _checked(loaded: dict[str, Any]) -> tuple[list[tuple[str, str]], list[task_list.Task]]:
    """What must still be put right before submitting, and the task list: each section the
    route records and where it stands (from the same check)."""
    form = _form(loaded, complete=True, stored=True, check_only=True)
    form.validate()
    return form.error_list, form.tasks()


def _section_links(form: DecisionForm, reference: str,
                   problems: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(link, message) for each problem: to the section page that edits it, at the field."""
    # A problem with no field of its own is the committee's member list having changed.
    return [(_section_url(reference, form, anchor) if anchor else
             url_for("decisions.section", reference=reference, section=task_list.PEOPLE), message)
            for anchor, message in problems]


def _member_names(loaded: dict[str, Any]) -> dict[str, str]:
    members = queries.committee_members(get_db(), loaded["decision"]["committee_id"])
    names = {}
    for member in members:
        extra = [] if member["voting"] else ["non-voting"]
        if member["role"] != "member":
            extra.insert(0, member["role"].replace("_", "-"))
        names[str(member["person_id"])] = member["name"] + (f" ({', '.join(extra)})"
                                                            if extra else "")
    return names


def _flag_groups(flags: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Decision-level flags, then each person's flags together, in the rules' order."""
    decision_level = [flag for flag in flags if flag["person_id"] is None]
    people: dict[int, dict[str, Any]] = {}
    for flag in flags:
        if flag["person_id"] is not None:
            people.setdefault(flag["person_id"], {"name": flag["person_name"], "flags": []})
            people[flag["person_id"]]["flags"].append(flag)
    return decision_level, list(people.values())


def _history(decision_id: int) -> list[dict[str, Any]]:
    """The decision's audit events, newest first, in words: who by name, what in plain terms.
    An edit lists the fields it changed; a step in the flow says the status it led to."""
    db = get_db()
    events = audit.history(db, "decision", decision_id)
    for row in db.query("SELECT id FROM contract_modifications WHERE decision_id = ?",
                        [decision_id]):
        events.extend(audit.history(db, "contract_modification", row["id"]))
    events.sort(key=lambda event: event["seq"])
    names = queries.actor_names(db, {event["actor"] for event in events})
    for event in events:
        event["label"] = _history_label(event)
        event["who"] = names.get(event["actor"], event["actor"])
        changes = event["changes"] if isinstance(event["changes"], dict) else {}
        event["fields"] = []
        event["now"] = None
        reason = changes.get("reason")
        event["note"] = reason if event["action"] == "return" and isinstance(reason, str) else ""
        if event["action"] == "update":
            event["fields"] = fields_in_words(changes)
        status = changes.get("status")
        if event["action"] != "create" and isinstance(status, list) and len(status) == 2:
            event["now"] = queries.status_label(status[1])[0]
    return list(reversed(events))


def _history_label(event: dict[str, Any]) -> str:
    """What an event did, in words; a notice or a modification says what it was and when."""
    changes = event["changes"] if isinstance(event["changes"], dict) else {}
    if event["entity"] == "contract_modification":
        label = MODIFICATION_ACTIONS.get(event["action"], "Contract modification changed")
        on = changes.get("modified_on") if event["action"] == "create" else \
            changes.get("published_on")
        return f"{label} ({_long_date(on)})" if isinstance(on, str) and on else label
    if event["action"] == "notice_recorded":
        kind = changes.get("notice")
        label = standstill.NOTICE_KINDS.get(kind, "Notice") + " recorded" if isinstance(
            kind, str) else "Notice recorded"
        on = changes.get("published_on")
        return f"{label} (published {_long_date(on)})" if isinstance(on, str) and on else label
    return action_words(event["action"])


def _long_date(text: str) -> str:
    try:
        return dt.date.fromisoformat(text).strftime("%-d %B %Y")
    except ValueError:
        return text


@bp.route("/")
@requires("read_decisions")
def index() -> str:
    """The decisions the signed-in user may see, newest meeting first."""
    with read_snapshot(get_db()):
        return _index()


def _index() -> str:
    db = get_db()
    version = versioned.facts_version(db, current_app.config["DATABASE"])
    result = queries.list_decisions(db, current_user, parse_page(request.args.get("page")),
                                    current_app.config["PAGE_SIZE"])
    register_url = (url_for("decision_register.register")
                    if "decision_register.register" in current_app.view_functions else None)
    return render_template("decisions/index.html", result=result, register_url=register_url,
                           rows_html=_index_rows_html(result.rows, version),
                           excluded_references=access.excluded_references(db, current_user))


# The decisions list's rows drawn as HTML, kept under the version of the facts they were read at
# and the decisions on the page: they show those rows alone, the same to every reader.
_INDEX_ROWS_HTML = versioned.KeptHtml("decisions/_index_rows.html")


def _index_rows_html(rows: list[dict[str, Any]], version: Any) -> Markup:
    return _INDEX_ROWS_HTML.get(
        (version, tuple(row["id"] for row in rows)),
        lambda: {"rows": rows, "decision_href": links_to("decisions.show", "reference")})


@bp.route("/new", methods=["GET", "POST"])
@requires("record_decisions")
def new() -> str | Response:
    """The short first step: title, committee and meeting date; starts a draft."""
    db = get_db()
    form = NewDecisionForm()
    form.committee_id.choices = [("", "Choose a committee")] + [
        (str(c["id"]), c["name"]) for c in queries.committee_choices(db)]
    if form.validate_on_submit():
        regime, process = form.chosen_route
        reference = queries.create_draft(
            db, title=form.title.data, committee_id=int(form.committee_id.data),
            meeting_date=form.meeting_date.data, user_id=current_user.id,
            actor=current_user.actor, choice=form.choice.data, regime=regime, process=process)
        flash(f"Draft {reference} started. Complete each section below. The committee's members "
              f"are listed as taking part: untick anyone who was absent.", "success")
        return redirect(url_for("decisions.check", reference=reference))
    return render_template("decisions/new.html", form=form,
                           regime_groups=regime_process_choices(form.meeting_date.data))


@bp.route("/<reference>/edit", methods=["GET", "POST"])
@requires("record_decisions")
def edit(reference: str) -> str | Response | tuple[str, int]:
    """Everything about a draft on one form: save it as a draft, or continue to check it."""
    loaded, answer = _editable_draft(reference)
    if answer is not None:
        return answer
    decision = loaded["decision"]
    complete = request.form.get("action") == "continue"
    form = _form(loaded, complete=complete, stored=request.method == "GET")
    stale = False
    provider_fields = None
    if new_provider.is_asked():
        # A provider not on the list: add it, and show the form again with everything kept.
        provider_fields, added = new_provider.add(get_db(), form, current_user.actor)
        if added:
            flash(added, "success")
    elif form.validate_on_submit():
        version = int(form.version.data) if (form.version.data or "").isdecimal() else 0
        if queries.save_decision(get_db(), decision["id"], version, form.values(),
                                 form.children(), current_user.actor):
            if complete:
                return redirect(url_for("decisions.check", reference=decision["reference"]))
            flash(f"Draft {decision['reference']} saved. You can finish it later.", "success")
            return redirect(url_for("decisions.edit", reference=decision["reference"]))
        form.form_errors.append(STALE_MESSAGE)
        stale = True
    return render_template(
        "decisions/edit.html", form=form, decision=decision, member_names=_member_names(loaded),
        regime_groups=regime_process_choices(form.meeting_date.data), stale=stale,
        provider_fields=provider_fields or new_provider.blank_form(form))


def _render_check(loaded: dict[str, Any], problems: list[tuple[str, str]],
                  tasks: list[task_list.Task], *, show_problems: bool = False) -> str:
    decision = loaded["decision"]
    route = process_label(decision["regime"], decision["process"]) \
        if decision["regime"] and decision["process"] else None
    flags = flagging.current_flags(get_db(), loaded["decision"]["id"])
    decision_flags, person_flags = _flag_groups(flags)
    flagged = any(flag["severity"] != "context" for flag in flags)
    form = _form(loaded, complete=True, stored=True, check_only=True)
    return render_template("decisions/check.html", loaded=loaded, decision=loaded["decision"],
                           problems=problems, tasks=tasks, route=route,
                           problem_links=_section_links(form, decision["reference"], problems)
                           if show_problems else [],
                           completed=task_list.completed_count(tasks),
                           section_url=functools.partial(_section_url, decision["reference"],
                                                         form),
                           decision_flags=decision_flags,
                           person_flags=person_flags, flagged=flagged,
                           review_route=reviewers.route_for(get_db(), loaded["decision"]["id"])
                           if flagged else None)


@bp.route("/<reference>/check")
@requires("record_decisions")
def check(reference: str) -> str | Response | tuple[str, int]:
    """Check your answers, and the conflicts found, before submitting."""
    loaded, answer = _editable_draft(reference)
    if answer is not None:
        return answer
    return _render_check(loaded, *_checked(loaded))


def _section_url(reference: str, form: DecisionForm, anchor: str) -> str:
    """The section page that edits the field with this anchor, at the field (for the summary's
    change links on the task list)."""
    section = form.section_of(anchor.removesuffix("-day")) if anchor else None
    if anchor == "participants":
        section = task_list.PEOPLE
    return url_for("decisions.section", reference=reference,
                   section=section or task_list.SERVICE) + (f"#{anchor}" if anchor else "")


@bp.route("/<reference>/sections/<section>", methods=["GET", "POST"])
@requires("record_decisions")
def section(reference: str, section: str) -> str | Response | tuple[str, int]:
    """One section of a draft on its own page, from the task list: save and return to it."""
    if section not in task_list.SECTIONS:
        abort(404)
    loaded, answer = _editable_draft(reference)
    if answer is not None:
        return answer
    decision = loaded["decision"]
    if request.method == "GET":
        form = _form(loaded, complete=False, stored=True)
    else:
        stored = _form(loaded, complete=False, stored=True, check_only=True)
        posted = section_formdata(stored.as_formdata(), request.form,
                                  stored.section_names(section))
        if section == task_list.ROUTE:
            # As on the full form, what was kept for a part the new route does not record is
            # not sent: the route's own sections are listed anew.
            regime, _colon, process = (posted.get("regime_process") or "").partition(":")
            if process in PROCESSES.get(regime, {}):
                needed = routes.parts_for(regime, process)
                posted = without_fields(posted, tuple(
                    name for part in routes.PARTS if part not in needed
                    for name in stored.section_names(part)))
        form = _form_from(loaded, posted)
    if section not in task_list.sections_for(form.chosen_regime, form.chosen_process):
        flash(f"{process_label(form.chosen_regime, form.chosen_process)} does not record "
              f"this section." if form.chosen_process else task_list.CHOOSE_ROUTE_FIRST + ".",
              "info")
        return redirect(url_for("decisions.check", reference=decision["reference"]))
    stale = False
    provider_fields = None
    if section == task_list.PROVIDERS and new_provider.is_asked():
        # A provider not on the list: add it, and show the page again with everything kept.
        provider_fields, added = new_provider.add(get_db(), form, current_user.actor)
        if added:
            flash(added, "success")
    elif request.method == "POST" and form.validate_on_submit():
        version = int(form.version.data) if (form.version.data or "").isdecimal() else 0
        if queries.save_decision(get_db(), decision["id"], version, form.values(),
                                 form.children(), current_user.actor):
            flash(f"{task_list.SECTIONS[section]}: saved.", "success")
            return redirect(url_for("decisions.check", reference=decision["reference"]))
        form.form_errors.append(STALE_MESSAGE)
        stale = True
    here = {leaf.name for leaf in form.section_leaves(section)}
    # An error in another section (its stored value no longer fits) links to its own page.
    errors = [{"text": message, "href": f"#{anchor}" if anchor.removesuffix("-day") in here
               else _section_url(decision["reference"], form, anchor)} if anchor
              else {"text": message} for anchor, message in form.error_list]
    if provider_fields is not None:
        errors += [error_item(pair) for pair in provider_fields.error_list]
    return render_template(
        "decisions/section.html", form=form, decision=decision, section=section,
        heading=task_list.SECTIONS[section], errors=errors, stale=stale,
        member_names=_member_names(loaded),
        regime_groups=regime_process_choices(form.meeting_date.data),
        provider_fields=provider_fields or (new_provider.blank_form(form)
                                            if section == task_list.PROVIDERS else None))


def _form_from(loaded: dict[str, Any], formdata: Any) -> DecisionForm:
    """The whole draft form from merged form data (one section posted, the rest as stored)."""
    db = get_db()
    members = queries.committee_members(db, loaded["decision"]["committee_id"])
    return DecisionForm(formdata=formdata, member_ids={m["person_id"] for m in members},
                        people=queries.people_choices(db),
                        resolve=functools.partial(queries.resolve_organisation, db),
                        complete=False)


@bp.route("/<reference>/submit", methods=["POST"])
@requires("record_decisions")
def submit(reference: str) -> str | Response | tuple[str, int]:
    """Submit a complete draft: to the governance queue if flagged, otherwise ready to decide."""
    loaded, answer = _editable_draft(reference)
    if answer is not None:
        return answer
    decision = loaded["decision"]
    problems, tasks = _checked(loaded)
    if problems:
        return _render_check(loaded, problems, tasks, show_problems=True)
    version = request.form.get("version", "")
    status = lifecycle.submit(get_db(), decision["id"], int(version) if version.isdecimal() else 0,
                              current_user.actor)
    if status is None:
        flash("Someone else changed this decision after you checked it, so it has not been "
              "submitted. Check it again, then submit.", "info")
        return redirect(url_for("decisions.check", reference=decision["reference"]))
    if status == "awaiting_review":
        flash(f"{decision['reference']} submitted. Conflicts were found, so it is now waiting "
              f"for a governance lead to review them.", "success")
    else:
        flash(f"{decision['reference']} submitted. No conflicts were found: it is ready for "
              f"decision.", "success")
    return redirect(url_for("decisions.show", reference=decision["reference"]))


def _record_flag_groups(rec: record.DecisionRecord
                        ) -> tuple[list[record.Flag], list[dict[str, Any]]]:
    """The record's decision-level flags, then each person's flags together, in order."""
    decision_level = [flag for flag in rec.flags if flag.person_id is None]
    people: dict[int, dict[str, Any]] = {}
    for flag in rec.flags:
        if flag.person_id is not None:
            people.setdefault(flag.person_id, {"name": flag.person_name, "flags": []})
            people[flag.person_id]["flags"].append(flag)
    return decision_level, list(people.values())


def _summary_of(rec: record.DecisionRecord) -> dict[str, Any]:
    """The decision's record in the shape the summary list renders (as a draft's is)."""
    return {
        "decision": rec,
        "participants": [{"person_id": p.person_id, "name": p.name, "role": p.role,
                          "is_member": p.member_role is not None} for p in rec.participants],
        "providers": rec.providers, "awarded": rec.awarded_provider, "options": rec.options,
        "criteria": rec.criteria, "route": rec.route,
        "clinical_lead": rec.clinical_lead.name if rec.clinical_lead else None,
        "contract_manager": rec.contract_manager.name if rec.contract_manager else None,
    }


# A decision's summary list drawn as HTML, kept under the version of the facts its record was read
# at: it shows the record alone (the same to every reader who may open the page).
_SUMMARY_HTML = versioned.KeptHtml("decisions/_summary_block.html")


def _summary_html(rec: record.DecisionRecord, version: Any) -> Markup:
    return _SUMMARY_HTML.get((version, rec.id),
                             lambda: {"summary": _summary_of(rec), "record": rec})


@bp.route("/<reference>")
@requires("read_decisions")
def show(reference: str) -> str | tuple[str, int]:
    """One decision: every field, the people and providers, its current conflicts and history."""
    with read_snapshot(get_db()):
        return _show(reference)


def _show(reference: str) -> str | tuple[str, int]:
    loaded = _loaded_or_404(reference)
    db = get_db()
    refusal = _refusal(loaded["decision"])
    if refusal:
        return refusal
    decision = loaded["decision"]
    # In the page's snapshot, so nothing read or drawn is kept under a later version.
    version = versioned.facts_version(db, current_app.config["DATABASE"])
    rec = record.load_record_at(db, decision["id"], version)
    if rec is None:
        abort(404)
    decision_flags, person_flags = _record_flag_groups(rec)
    review_route = reviewers.route_for(db, decision["id"]) \
        if decision["status"] in reviewers.WAITING else None
    return render_template(
        "decisions/show.html", loaded=loaded, decision=decision, decision_flags=decision_flags,
        person_flags=person_flags, history=_history(decision["id"]), record=rec,
        declared_at_meeting=interest_queries.declared_at(db, decision["id"]),
        provider_gifts=gift_queries.offered_in_decision(
            db, [p.id for p in rec.providers], [p.person_id for p in rec.participants],
            rules_gifts.limits(current_app.config.get("GIFT_LIMITS"))),
        summary_html=_summary_html(rec, version),
        editable=decision["status"] in EDITABLE_STATUSES
        and current_user.can("record_decisions"),
        review_route=review_route, notices=notice_views.section(rec),
        meeting_link=meeting_queries.meeting_link(db, current_user, decision["id"]),
        chain=chains.page_diagram(db, rec, version),
        may_review=review_route is not None and (
            current_user.can("review_decisions") or reviewers.is_routed_to(
                db, decision["id"], current_user)))


@bp.route("/<reference>/delete", methods=["GET", "POST"])
@requires("record_decisions")
def delete(reference: str) -> str | Response | tuple[str, int]:
    """Delete a draft nobody wants (its author only, never after it was submitted)."""
    loaded = _loaded_or_404(reference)
    decision = loaded["decision"]
    refusal = _refusal(decision)
    if refusal:
        return refusal
    problem = None
    if request.method == "POST":
        version = request.form.get("version", "")
        try:
            queries.delete_draft(get_db(), decision["id"],
                                 int(version) if version.isdecimal() else -1,
                                 user_id=current_user.id, actor=current_user.actor)
        except queries.NotDeletable as refused:
            problem = str(refused)
        else:
            flash(f"Draft {decision['reference']} deleted. Its reference will not be used again.",
                  "success")
            return redirect(url_for("decisions.index"))
    elif decision["status"] != "draft" or decision["submitted_at"] \
            or decision["author_user_id"] != current_user.id:
        problem = ("Only a draft that was never submitted can be deleted, and only by the person "
                   "who started it")
    return render_template("decisions/delete.html", decision=decision, problem=problem), \
        (409 if problem and request.method == "POST" else 200)


@bp.route("/<reference>/declared-at-meeting", methods=["GET", "POST"])
@requires("record_outcomes")
def declared_at_meeting(reference: str) -> str | Response | tuple[str, int]:
    """Record an interest someone declared at the meeting for this item that was not on the
    register: it becomes a register entry waiting for a governance lead's approval, and the
    decision's flags take it in at once."""
    from ..interests.forms import InterestForm

    loaded = _loaded_or_404(reference)
    decision = loaded["decision"]
    refusal = _refusal(decision)
    if refusal:
        return refusal
    db = get_db()
    people = [(str(p["person_id"]), p["name"]) for p in loaded["participants"]]
    form = InterestForm(organisations=interest_queries.organisation_choices(db), people=people)
    if request.method == "GET":
        form.person_id.data = ""
    if form.validate_on_submit():
        interest_queries.create_interest(
            db, form.values(), person_id=int(form.person_id.data),
            declared_on=dt.date.fromisoformat(decision["meeting_date"]), user=current_user,
            at_decision_id=decision["id"])
        flash("Declaration recorded: it is on the register waiting for a governance lead's "
              "approval, and the decision's conflicts now include it.", "success")
        item = db.execute("SELECT id, meeting_id FROM agenda_items WHERE decision_id = ?",
                          [decision["id"]]).fetchone()
        if item and request.args.get("meeting_item") == str(item[0]):
            # Back to the meeting's declarations item it was recorded from.
            return redirect(url_for("meetings.declarations_item", meeting_id=item[1],
                                    item_id=item[0]))
        return redirect(url_for("decisions.show", reference=reference) + "#declared-at-meeting")
    return render_template("decisions/declared_at_meeting.html", form=form, decision=decision)
