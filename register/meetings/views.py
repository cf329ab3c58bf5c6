"""Meetings: the list, a meeting's page with its agenda and what remains to prepare, creating and
editing a meeting, items with a title, reordering and moving items, the declarations item and
the invitation. Reads go through `queries`, writes through `store`."""
from __future__ import annotations

import dataclasses
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from ..auth.access import requires
from ..db import get_db
from ..decisions import access
from ..decisions.queries import status_label
from ..rules import meetings as rules
from ..rules.rulings import RULINGS, presiding_member
from ..timeutil import long_date, today_uk, utcnow
from . import invitation, queries, store
from .forms import ItemForm, MeetingForm, MoveItemForm, declarations_form_class

bp = Blueprint("meetings", __name__, url_prefix="/meetings")


@bp.context_processor
def meeting_helpers() -> dict[str, Any]:
    """Labels the meeting pages share."""
    return {"status_label": status_label, "ruling_labels": RULINGS}


# ---- loading and access ------------------------------------------------------------------------

def _meeting_or_404(meeting_id: int) -> queries.Meeting:
    """The meeting, if it exists and the signed-in user may read it (404 / 403 otherwise)."""
    meeting = queries.load_meeting(get_db(), meeting_id)
    if meeting is None:
        abort(404)
    if not queries.may_read_meeting(get_db(), current_user, meeting):
        abort(403)
    return meeting


def _item_or_404(meeting: queries.Meeting, item_id: int, *,
                 readable: bool = False) -> queries.AgendaItem:
    """The meeting's item; with `readable`, 403 unless the user may read its decision (the
    pages that show more of an item than its title)."""
    item = next((i for i in meeting.items if i.id == item_id), None)
    if item is None:
        abort(404)
    if readable and item.decision_id is not None:
        decision = get_db().execute("SELECT id, author_user_id FROM decisions WHERE id = ?",
                                    [item.decision_id]).fetchone()
        if access.access_to(get_db(), current_user, {"id": decision[0],
                                                     "author_user_id": decision[1]}) \
                != access.READ:
            abort(403)
    return item


def _when(meeting: queries.Meeting | queries.MeetingRow) -> str:
    """'3 March 2026, 10:00 to 12:00'."""
    text = long_date(meeting.meeting_date)
    if meeting.starts_at:
        text += f", {meeting.starts_at}" + (f" to {meeting.ends_at}" if meeting.ends_at else "")
    return text


def _shown_items(meeting: queries.Meeting, who: Any) -> list[dict[str, Any]]:
    """Each item as this reader may see it: a decision they may read with its link and where it
    stands; one they may not read by its title only; one they are excluded from by its
    reference only, saying so."""
    db = get_db()
    reach = queries.readable_items(db, who, meeting)
    reviews = queries.item_reviews(db, meeting.decision_ids)
    shown = []
    for item in meeting.items:
        answer = reach.get(item.id, access.READ)
        shown.append({"item": item, "access": answer,
                      "review": reviews.get(item.decision_id) if answer == access.READ
                      else None,
                      "title": queries.item_title(item, answer)})
    return shown


def _committee_people(db: Any) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    committees = [(r["id"], r["name"]) for r in db.query(
        "SELECT id, name FROM committees ORDER BY name COLLATE NOCASE")]
    people = [(r["id"], r["name"]) for r in db.query(
        "SELECT id, name FROM people ORDER BY name COLLATE NOCASE, id")]
    return committees, people


# ---- the list and the page -----------------------------------------------------------------------

@bp.route("/")
@requires("read_decisions")
def index() -> str:
    """Upcoming meetings, soonest first, then past ones, latest first; of one committee when
    chosen. A member sees the meetings of the committees they sit on or take part in."""
    db = get_db()
    readable = queries.readable_committee_ids(db, current_user)
    committees = [(r["id"], r["name"]) for r in db.query(
        "SELECT id, name FROM committees ORDER BY name COLLATE NOCASE")
        if readable is None or r["id"] in readable]
    chosen = request.args.get("committee", "")
    committee_id = int(chosen) if chosen.isdecimal() and int(chosen) in dict(committees) \
        else None
    today = today_uk()
    upcoming = queries.meetings_list(db, committee_id=committee_id, upcoming=True,
                                     committee_ids=readable, today=today)
    past = queries.meetings_list(db, committee_id=committee_id, upcoming=False,
                                 committee_ids=readable, today=today)
    return render_template("meetings/index.html", upcoming=upcoming, past=past,
                           committees=committees, committee_id=committee_id, when=_when)


@bp.route("/<int:meeting_id>")
@requires("read_decisions")
def show(meeting_id: int) -> str:
    """A meeting: its details, the agenda in order with where each decision stands, and what
    remains to prepare."""
    meeting = _meeting_or_404(meeting_id)
    db = get_db()
    shown = _shown_items(meeting, current_user)
    checklist = _checklist(db, meeting, shown)
    others = [m for m in queries.meetings_list(db, committee_id=meeting.committee_id)
              if m.id != meeting.id]
    return render_template("meetings/show.html", meeting=meeting, shown=shown,
                           checklist=checklist, when=_when(meeting), can_move=bool(others),
                           past=meeting.meeting_date < today_uk())


def _checklist(db: Any, meeting: queries.Meeting,
               shown: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What remains to prepare the meeting, each with whether it is done; items not yet ruled
    on need the governance lead."""
    names = dict((p[0], p[1]) for p in queries.expected_people(db, meeting))
    vice = db.execute(
        "SELECT people.id, people.name FROM committee_members JOIN people"
        " ON people.id = committee_members.person_id WHERE committee_id = ?"
        " AND committee_members.role = 'vice_chair' LIMIT 1",
        [meeting.committee_id]).fetchone()
    steps: list[dict[str, Any]] = [
        {"text": "Set the start time" if not meeting.starts_at
         else f"Start time set: {meeting.starts_at}", "done": bool(meeting.starts_at)},
        {"text": "Set the place or the video call link" if not (meeting.place or meeting.link)
         else "Place or video call link set", "done": bool(meeting.place or meeting.link)},
        {"text": "Put the items on the agenda" if not meeting.items
         else f"{len(meeting.items)} item{'s' if len(meeting.items) != 1 else ''} on the "
         "agenda", "done": bool(meeting.items)},
    ]
    for entry in shown:
        item, review = entry["item"], entry["review"]
        if review is None or review.status == "withdrawn":
            continue  # a withdrawn decision is not taken at the meeting
        where = f"Item {item.position}, {item.decision_reference}"
        if review.status in ("draft", "returned"):
            steps.append({"text": f"{where}: still a draft; submit it so its conflicts are "
                                  "worked out and reviewed", "done": False})
        elif review.needs_governance:
            unruled = len(review.unruled)
            if unruled:
                text = (f"{where}: {unruled} of {len(review.conflicted)} conflicted "
                        f"{'person' if len(review.conflicted) == 1 else 'people'} not yet ruled "
                        "on; needs the governance lead before the meeting")
            else:
                text = f"{where}: " + "; ".join(r[:1].lower() + r[1:] for r in review.reasons)
            steps.append({"text": text, "done": False, "governance": True,
                          "reference": item.decision_reference})
        elif review.flag_count:
            steps.append({"text": f"{where}: conflicts ruled on and signed off", "done": True})
        if meeting.chair_person_id in review.conflicted:
            steps.append(_chair_step(where, meeting, review, names,
                                     vice[0] if vice else None, vice[1] if vice else None))
    if meeting.meeting_date <= today_uk() and meeting.items:
        recorded = sum(1 for i in meeting.items if i.declarations)
        steps.append({"text": "Record the declarations item (who declared what, who left when)",
                      "done": recorded > 0})
    return steps


def _chair_step(where: str, meeting: queries.Meeting, review: queries.ItemReview,
                names: dict[int, str], vice_id: int | None,
                vice_name: str | None) -> dict[str, Any]:
    """The checklist's line for an item the chair has a conflict flag on: who takes the chair,
    read from the rulings (`presiding_member`, as the briefing does), or that it is not known
    until the chair (and, if conflicted too, the vice-chair) is ruled on."""
    chair_id = meeting.chair_person_id
    chair = names.get(chair_id, meeting.chair_name or "the chair") if chair_id else "the chair"
    waiting = [p for p in (chair_id, vice_id) if p in review.unruled]
    if chair_id in review.unruled or (waiting and not _may_chair(review, chair_id)):
        return {"text": f"{where}: the chair, {chair}, is conflicted; who takes the chair for "
                        "the item is not known until the conflicts are ruled on",
                "done": False}
    taker, why = presiding_member(chair_id, vice_id, review.rulings)
    if taker == chair_id:
        return {"text": f"{where}: the chair, {chair}, has an interest, but the ruling lets "
                        "them take the chair for the item", "done": True}
    if taker is not None and taker == vice_id:
        return {"text": f"{where}: the chair, {chair}, is conflicted, so {vice_name}, the "
                        "vice-chair, takes the chair for the item", "done": True}
    return {"text": f"{where}: {why}", "done": False}


def _may_chair(review: queries.ItemReview, person_id: int | None) -> bool:
    """Whether the rulings so far let this person take the item."""
    return presiding_member(person_id, None, review.rulings)[0] == person_id


# ---- creating and editing a meeting ------------------------------------------------------------

@bp.route("/new", methods=["GET", "POST"])
@requires("manage_meetings")
def new() -> str | Response:
    """Create a committee's meeting by hand."""
    db = get_db()
    committees, people = _committee_people(db)
    form = MeetingForm(committees=committees, people=people)
    if request.method == "GET" and request.args.get("committee", "").isdecimal():
        form.committee_id.data = request.args["committee"]
    if form.validate_on_submit():
        try:
            meeting_id = store.create_meeting(db, form.values(), actor=current_user.actor)
        except store.MeetingProblem as problem:
            form.meeting_date.errors.append(problem.message)
        else:
            flash("Meeting created.", "success")
            return redirect(url_for("meetings.show", meeting_id=meeting_id))
    return render_template("meetings/form.html", form=form, meeting=None)


@bp.route("/<int:meeting_id>/edit", methods=["GET", "POST"])
@requires("manage_meetings")
def edit(meeting_id: int) -> str | Response:
    """Change a meeting's date, times, place or link, chair and secretary."""
    meeting = _meeting_or_404(meeting_id)
    db = get_db()
    committees, people = _committee_people(db)
    stored = db["meetings"].get(meeting_id)
    form = MeetingForm(committees=committees, people=people, editing=True,
                       data={"meeting_date": meeting.meeting_date,
                             "starts_at": stored["starts_at"] or "",
                             "ends_at": stored["ends_at"] or "", "place": stored["place"],
                             "link": stored["link"],
                             "chair_person_id": str(stored["chair_person_id"] or ""),
                             "secretary_person_id": str(stored["secretary_person_id"] or ""),
                             "committee_id": str(stored["committee_id"]),
                             "version": str(stored["version"])})
    if form.validate_on_submit():
        version = int(form.version.data) if (form.version.data or "").isdecimal() else -1
        try:
            store.update_meeting(db, meeting_id, version, form.values(),
                                 actor=current_user.actor)
        except store.StaleMeeting as stale:
            form.form_errors.append(stale.message)
        except store.MeetingProblem as problem:
            form.meeting_date.errors.append(problem.message)
        else:
            flash("Meeting saved.", "success")
            return redirect(url_for("meetings.show", meeting_id=meeting_id))
    return render_template("meetings/form.html", form=form, meeting=meeting)


# ---- the agenda --------------------------------------------------------------------------------

@bp.route("/<int:meeting_id>/items/new", methods=["GET", "POST"])
@requires("manage_meetings")
def add_item(meeting_id: int) -> str | Response:
    """Add an item that is not a decision, by its title, at the end of the agenda."""
    meeting = _meeting_or_404(meeting_id)
    form = ItemForm()
    if form.validate_on_submit():
        try:
            store.add_item(get_db(), meeting_id, form.title.data, actor=current_user.actor)
        except store.MeetingProblem as problem:
            form.title.errors.append(problem.message)
        else:
            flash(f"Item added: {form.title.data}.", "success")
            return redirect(url_for("meetings.show", meeting_id=meeting_id) + "#agenda")
    return render_template("meetings/item_form.html", form=form, meeting=meeting,
                           when=_when(meeting))


@bp.route("/<int:meeting_id>/items/<int:item_id>/reorder", methods=["POST"])
@requires("manage_meetings")
def reorder(meeting_id: int, item_id: int) -> Response:
    """Move an item one place up or down the agenda."""
    meeting = _meeting_or_404(meeting_id)
    item = _item_or_404(meeting, item_id)
    direction = request.form.get("direction", "")
    if direction not in rules.DIRECTIONS:
        flash("Use the Up and Down buttons to reorder the agenda.", "error")
    elif not store.reorder_item(get_db(), item.id, direction, actor=current_user.actor):
        flash(f"Item {item.position} is already {'first' if direction == 'up' else 'last'}.",
              "error")
    return redirect(url_for("meetings.show", meeting_id=meeting_id) + "#agenda")


@bp.route("/<int:meeting_id>/items/<int:item_id>/move", methods=["GET", "POST"])
@requires("manage_meetings")
def move(meeting_id: int, item_id: int) -> str | Response | tuple[str, int]:
    """Move an item to another meeting of the same committee, confirmed on a second page: a
    decision's meeting date changes with it, so its conflicts are worked out again and its
    rulings reviewed again."""
    meeting = _meeting_or_404(meeting_id)
    item = _item_or_404(meeting, item_id, readable=True)
    db = get_db()
    others = [m for m in queries.meetings_list(db, committee_id=meeting.committee_id)
              if m.id != meeting.id]
    choices = [(m.id, _when(m)) for m in sorted(others, key=lambda m: (m.meeting_date,
                                                                        m.starts_at or ""))]
    form = MoveItemForm(meetings=choices)
    target = None
    problem = None
    review = queries.item_reviews(db, [item.decision_id]).get(item.decision_id) \
        if item.decision_id else None
    if form.validate_on_submit():
        target = queries.load_meeting(db, int(form.meeting_id.data))
        problem = store.move_problem(db, item.id, target.id) if target else None
        if problem:
            form.meeting_id.errors.append(problem)
        elif form.confirm.data == "yes":
            try:
                reasons = store.move_item(db, item.id, target.id, actor=current_user.actor)
            except store.MeetingProblem as refused:
                form.meeting_id.errors.append(refused.message)
            else:
                message = f"Item moved to the meeting on {_when(target)}."
                if item.decision_id and reasons:
                    message += " " + "; ".join(reasons) + "."
                flash(message, "success")
                return redirect(url_for("meetings.show", meeting_id=target.id) + "#agenda")
        else:
            form.confirm.data = "yes"
            return render_template("meetings/move_confirm.html", form=form, meeting=meeting,
                                   item=item, target=target, review=review,
                                   when=_when(meeting), target_when=_when(target))
    status = 400 if request.method == "POST" else 200
    return render_template("meetings/move.html", form=form, meeting=meeting, item=item,
                           when=_when(meeting)), status


# ---- the declarations item ---------------------------------------------------------------------

def _item_people(db: Any, meeting: queries.Meeting,
                 item: queries.AgendaItem) -> list[dict[str, Any]]:
    """The people who may declare for an item, each with their register entries as they stood
    on the meeting date (and any declared at the meeting for it), the conflicted first."""
    day = meeting.meeting_date.isoformat()
    people: dict[int, dict[str, Any]] = {}
    flagged: dict[int, list[dict[str, Any]]] = {}
    if item.decision_id is not None:
        for row in db.query(
                "SELECT person_id, organisation_id, sentence FROM decision_flags"
                " WHERE decision_id = ? AND person_id IS NOT NULL ORDER BY position",
                [item.decision_id]):
            flagged.setdefault(row["person_id"], []).append(row)
        rows = list(db.query(
            "SELECT people.id, people.name FROM decision_participants JOIN people"
            " ON people.id = decision_participants.person_id WHERE decision_id = ?"
            " ORDER BY people.name COLLATE NOCASE", [item.decision_id]))
    else:
        rows = []
    expected = [{"id": p[0], "name": p[1]} for p in queries.expected_people(
        db, dataclasses.replace(meeting, items=()))]
    flagged_people = [{"id": r[0], "name": r[1]} for r in db.execute(
        "SELECT id, name FROM people WHERE id IN (SELECT value FROM json_each(?))",
        ["[" + ",".join(str(i) for i in flagged) + "]"])]
    for row in [*flagged_people, *rows, *expected]:
        people.setdefault(row["id"], {"person_id": row["id"], "name": row["name"],
                                      "flags": flagged.get(row["id"], []), "interests": []})
    ids = "[" + ",".join(str(i) for i in people) + "]"
    for row in db.query(
            "SELECT interests.id, interests.person_id, interests.nature, interests.organisation_id,"
            " coalesce(organisations.name, interests.organisation_name) AS organisation,"
            " interests.approval FROM interests"
            " LEFT JOIN organisations ON organisations.id = interests.organisation_id"
            " WHERE interests.withdrawn = 0 AND interests.person_id IN"
            " (SELECT value FROM json_each(:ids)) AND ((coalesce(interests.date_from, '') <= :day"
            " AND (interests.date_to IS NULL OR interests.date_to >= :day))"
            " OR interests.declared_at_decision_id IS :decision)"
            " ORDER BY interests.id", {"ids": ids, "day": day, "decision": item.decision_id}):
        label = f"{row['organisation'] or 'Interest'}: {row['nature']}".strip()
        if row["approval"] == "pending":
            label += " (awaiting approval)"
        people[row["person_id"]]["interests"].append({"id": row["id"], "label": label,
                                                      "organisation_id": row["organisation_id"]})
    ordered = sorted(people.values(), key=lambda p: (not p["flags"],))
    return ordered


def _outcome_rows(db: Any, item: queries.AgendaItem) -> dict[int, dict[str, Any]]:
    """The outcome's attendance of the item's decision, by person (empty before an outcome)."""
    if item.decision_id is None:
        return {}
    return {row["person_id"]: row for row in db.query(
        "SELECT person_id, present, vote, left_at, returned_at FROM outcome_attendance"
        " WHERE decision_id = ?", [item.decision_id])}


def _prefill(item: queries.AgendaItem, people: list[dict[str, Any]],
             outcome: dict[int, dict[str, Any]], declared_here: dict[int, int]) -> dict[str, Any]:
    """What the form starts with: what was recorded, or else the conflicts flagged and the
    interests declared at the meeting for the decision, and the departures the outcome
    recorded."""
    data: dict[str, Any] = {"version": str(item.version)}
    recorded = {d.person_id: d for d in item.declarations}
    for person in people:
        pid = person["person_id"]
        if recorded:
            entry = recorded.get(pid)
            if entry is None:
                continue
            data.update({f"declared_{pid}": entry.declared,
                         f"interest_{pid}": str(entry.interest_id or ""),
                         f"words_{pid}": entry.words, f"left_at_{pid}": entry.left_at or "",
                         f"returned_at_{pid}": entry.returned_at or ""})
            continue
        flags = person["flags"]
        interest = declared_here.get(pid)
        if interest is None and flags:
            orgs = {f["organisation_id"] for f in flags}
            interest = next((i["id"] for i in person["interests"]
                             if i["organisation_id"] in orgs), None)
        if flags or interest:
            data.update({f"declared_{pid}": True, f"interest_{pid}": str(interest or ""),
                         f"words_{pid}": flags[0]["sentence"] if flags else ""})
        row = outcome.get(pid)
        if row and row["left_at"]:
            data.update({f"left_at_{pid}": row["left_at"],
                         f"returned_at_{pid}": row["returned_at"] or ""})
    return data


@bp.route("/<int:meeting_id>/declarations")
@requires("read_all_decisions")
def declarations(meeting_id: int) -> str:
    """The declarations item of a meeting: for each item, who declared what and who left the
    room when, as recorded."""
    meeting = _meeting_or_404(meeting_id)
    shown = _shown_items(meeting, current_user)
    return render_template("meetings/declarations.html", meeting=meeting, shown=shown,
                           when=_when(meeting))


@bp.route("/<int:meeting_id>/declarations/<int:item_id>", methods=["GET", "POST"])
@requires("record_outcomes")
def declarations_item(meeting_id: int, item_id: int) -> str | Response | tuple[str, int]:
    """Record, for one item, who declared what (pre-filled from the conflicts flagged and the
    register) and when anyone left the room and came back."""
    meeting = _meeting_or_404(meeting_id)
    item = _item_or_404(meeting, item_id, readable=True)
    db = get_db()
    people = _item_people(db, meeting, item)
    outcome = _outcome_rows(db, item)
    declared_here = {}
    if item.decision_id is not None:
        declared_here = {row[0]: row[1] for row in db.execute(
            "SELECT person_id, id FROM interests WHERE declared_at_decision_id = ?"
            " AND withdrawn = 0 ORDER BY id", [item.decision_id])}
    form_class = declarations_form_class(people)
    form = form_class(data=_prefill(item, people, outcome, declared_here)
                      if request.method == "GET" else None)
    if form.validate_on_submit():
        entries = _checked_entries(form, people, meeting, outcome)
        if entries is not None:
            version = int(form.version.data) if (form.version.data or "").isdecimal() else -1
            try:
                store.record_declarations(db, item.id, entries, user_id=current_user.id,
                                          actor=current_user.actor, version=version)
            except store.StaleMeeting as stale:
                form.form_errors.append(stale.message)
            else:
                flash(f"Declarations recorded for item {item.position}.", "success")
                return redirect(url_for("meetings.declarations", meeting_id=meeting.id)
                                + f"#item-{item.id}")
    status = 400 if request.method == "POST" else 200
    return render_template("meetings/declarations_item.html", form=form, meeting=meeting,
                           item=item, people=people, when=_when(meeting),
                           outcome_recorded=bool(outcome)), status


def _checked_entries(form: Any, people: list[dict[str, Any]], meeting: queries.Meeting,
                     outcome: dict[int, dict[str, Any]]) -> list[dict[str, Any]] | None:
    """The declarations as typed, checked; None (with messages on the fields) if any is
    wrong."""
    entries = []
    for person in people:
        pid, name = person["person_id"], person["name"]
        declared = getattr(form, f"declared_{pid}")
        interest = getattr(form, f"interest_{pid}")
        words = getattr(form, f"words_{pid}")
        left = getattr(form, f"left_at_{pid}")
        returned = getattr(form, f"returned_at_{pid}")
        known = {str(i["id"]) for i in person["interests"]}
        if interest.data and interest.data not in known:
            interest.errors.append(f"Choose one of {name}'s interests on the register")
        if not declared.data and (interest.data or words.data):
            declared.errors.append(f"Tick that {name} declared an interest, or clear the "
                                   "interest and what they said")
        left_problem, returned_problem = rules.item_departure_problems(
            name, left.data, returned.data, starts_at=meeting.starts_at,
            ends_at=meeting.ends_at, outcome=outcome.get(pid))
        if left_problem:
            left.errors.append(left_problem)
        if returned_problem:
            returned.errors.append(returned_problem)
        entries.append({"person_id": pid, "declared": bool(declared.data),
                        "interest_id": int(interest.data) if interest.data in known else None,
                        "words": words.data or "", "left_at": rules.parse_time(left.data)[0],
                        "returned_at": rules.parse_time(returned.data)[0]})
    if form.errors:
        return None
    return entries


# ---- the invitation ----------------------------------------------------------------------------

@bp.route("/<int:meeting_id>/invitation.ics")
@requires("read_decisions")
def invitation_file(meeting_id: int) -> Response:
    """The meeting's invitation for a calendar: the agenda titles only and, in a person's own
    invitation (`?person=<id>`, or a member's own), a line for each item they must leave. The
    general invitation names no one."""
    meeting = _meeting_or_404(meeting_id)
    db = get_db()
    person_id = None
    asked = request.args.get("person", "")
    if asked:
        if not asked.isdecimal():
            abort(404)
        person_id = int(asked)
        if person_id != current_user.person_id and not current_user.can("read_all_decisions"):
            abort(403)
        if db.execute("SELECT 1 FROM people WHERE id = ?", [person_id]).fetchone() is None:
            abort(404)
    elif not current_user.can("read_all_decisions"):
        person_id = current_user.person_id
    body = _invitation_bytes(db, meeting, person_id)
    name = f"meeting-{meeting.meeting_date.isoformat()}-{meeting.id}"
    if person_id is not None:
        name += f"-person-{person_id}"
    return Response(body, mimetype="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="{name}.ics"'})


def _invitation_bytes(db: Any, meeting: queries.Meeting, person_id: int | None) -> bytes:
    """The invitation for one person (or the general one when None): the items that person,
    or the reader, is excluded from show their reference only."""
    agenda, leaving = queries.invitation_lines(db, current_user, meeting, person_id)
    return invitation.invitation_ics(
        uid=f"meeting-{meeting.id}@{request.host}", title=f"{meeting.committee_name} meeting",
        meeting_date=meeting.meeting_date, starts_at=meeting.starts_at, ends_at=meeting.ends_at,
        place=meeting.place, link=meeting.link, agenda=agenda, leaving_lines=leaving,
        stamp=utcnow(), url=url_for("meetings.show", meeting_id=meeting.id, _external=True),
        sequence=meeting.version - 1)



from . import briefing_views  # noqa: E402,F401  (the briefing, members' register and minutes)
