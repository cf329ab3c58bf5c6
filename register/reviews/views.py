"""The governance queue, the review page (rulings, quorum, escalation, sign-off in one place),
ratification, and the outcome of the item: recorded, published or withdrawn."""
from __future__ import annotations

import datetime as dt
import time
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from .. import audit, timeutil
from ..auth import models as auth_models
from ..auth import second_factor, sso
from ..auth import sessions as auth_sessions
from ..auth.access import requires
from ..committees.queries import quorum_rule
from ..db import get_db, write_transaction
from ..decisions import access, chains, lifecycle, record, reviewers
from ..gifts import queries as gift_queries
from ..listing import parse_page
from ..meetings import queries as meeting_queries
from ..notices import queries as notice_queries
from ..notices import store as notice_store
from ..rules import gifts as gift_rules
from ..rules import meetings as meeting_rules
from ..rules import sessions as session_rules
from ..rules import workflow
from ..rules.decisions import CHOICES, format_money
from ..rules.publication import published_where_problem
from ..rules.quorum import CATEGORY_LABELS, ESCALATIONS, count_quorum, escalation_problem
from ..rules.rulings import RULINGS, may_be_present, propose_ruling
from ..rules.workflow import STATUS_COLOURS, STATUS_LABELS, TransitionRefused
from ..rules.working_days import working_days_between
from . import forms, queries, records, signoff

bp = Blueprint("reviews", __name__, url_prefix="/reviews")

REVIEWABLE = ("awaiting_review", "escalated")
NOT_GOVERNANCE = "Only a governance lead can review and sign off a decision"
ESCALATION_FIELDS = {"defer": "new_meeting_date", "refer": "referred_to",
                     "co_opt": "co_opt_person_1", "chair_action": "chair_person"}


@bp.app_context_processor
def review_queue_badge() -> dict[str, Any]:
    """The number of decisions in the governance queue (the rows the queue page lists for this
    user), for the navigation on every page."""
    count = None
    if getattr(current_user, "is_authenticated", False) and current_user.can("review_decisions"):
        count = queries.queue_count(get_db(), access.viewer_for(current_user))
    return {"review_queue_count": count}


@bp.context_processor
def review_helpers() -> dict[str, Any]:
    """Labels the review pages share."""
    return {"status_labels": STATUS_LABELS, "status_colours": STATUS_COLOURS,
            "rulings_words": RULINGS, "rulings": RULINGS, "escalations": ESCALATIONS, "choices": CHOICES,
            "format_money": format_money, "category_labels": CATEGORY_LABELS,
            "escalation_words": signoff.escalation_words}


# ---- who may review (rules/reviewers.py) ---------------------------------------------------

def _may_open_review(decision: dict[str, Any]) -> bool:
    """A governance lead, or the committee's independent reviewer for a decision routed to them."""
    return current_user.can("review_decisions") or reviewers.is_routed_to(
        get_db(), decision["id"], current_user)


def _set_review_role(review: queries.Review) -> None:
    """Remember for this request the role in which the user reviews this decision."""
    g.review_role = signoff.acting_role(review, current_user, get_db())


def _after_review() -> str:
    """Where a reviewer goes next: the queue, or home for an independent reviewer without it."""
    return url_for("reviews.index") if current_user.can("review_decisions") \
        else url_for("main.home")


def _review_role() -> str:
    """The role in which the user reviews: "governance", or "independent_reviewer"."""
    return g.get("review_role") or current_user.role


# ---- helpers -------------------------------------------------------------------------------

def _decision_or_404(reference: str) -> dict[str, Any]:
    decision = queries.get_decision(get_db(), reference)
    if decision is None:
        abort(404)
    return decision


def _refused(decision: dict[str, Any], message: str, status: int = 409,
             title: str = "That cannot be done now") -> tuple[str, int]:
    return render_template("reviews/refused.html", decision=decision, title=title,
                           message=message), status


def _excluded(decision: dict[str, Any]) -> tuple[str, int] | None:
    """The refusal for a user the access rule keeps from this decision, or None."""
    answer = access.access_to(get_db(), current_user, decision)
    if answer == access.REFUSED:
        abort(403)
    if answer == access.EXCLUDED:
        return _refused(decision, "You were excluded from this decision\u2019s papers and "
                        "discussion, so you cannot open its details.", 403,
                        "You are excluded from this decision")
    return None


def _version(text: str | None) -> int:
    return int(text) if (text or "").isdecimal() else -1


def _open_for_work(decision: dict[str, Any]) -> tuple[dict[str, Any], tuple[str, int] | None]:
    """The decision, or the refusal for a user excluded from its papers."""
    return decision, _excluded(decision)


# ---- the queue -----------------------------------------------------------------------------

@bp.route("/")
@requires("review_decisions")
def index() -> str:
    """Flagged decisions waiting on a governance lead, oldest submitted first."""
    today = timeutil.today_uk()
    target = current_app.config.get("REVIEW_TARGET_WORKING_DAYS", 5)
    db = get_db()
    viewer = access.viewer_for(current_user)
    result = queries.queue(db, today, target, parse_page(request.args.get("page")),
                           current_app.config["PAGE_SIZE"], viewer=viewer)
    routes = reviewers.routes_for(db, [row["id"] for row in result.rows])
    return render_template("reviews/index.html", result=result, target=target, today=today,
                           routes=routes,
                           excluded_references=access.excluded_references(db, viewer),
                           standstills=notice_queries.standstills_ending(db, viewer, today))


# ---- the review page -----------------------------------------------------------------------

def _match_keys(review: queries.Review) -> list[tuple[int, int]]:
    return [(g["person_id"], g["interest_id"]) for g in review.match_groups()]


def _person_ids(review: queries.Review) -> list[int]:
    ids = [p["person_id"] for p in review.people()]
    for person_id, _ in _match_keys(review):
        if person_id not in ids:
            ids.append(person_id)
    return ids


def _people_choices() -> list[tuple[str, str]]:
    return [("", "Choose a person")] + [(str(p["id"]), p["name"])
                                         for p in queries.people_choices(get_db())]


def _stored_data(review: queries.Review) -> dict[str, Any]:
    """The form as the records stand: rulings on record, otherwise the proposals."""
    data: dict[str, Any] = {"version": str(review.decision["version"])}
    for person in review.people():
        saved = person["ruling"]
        person_id = person["person_id"]
        data[f"ruling_{person_id}"] = saved["ruling"] if saved else person["proposal"]
        if saved:
            data[f"exception_{person_id}"] = bool(saved["is_exception"])
            data[f"exception_reason_{person_id}"] = saved["exception_reason"]
            data[f"exception_mitigation_{person_id}"] = saved["exception_mitigation"]
    for group in review.match_groups():
        resolution = group["resolution"]
        if resolution:
            key = f"{group['person_id']}_{group['interest_id']}"
            data[f"match_{key}"] = "confirm" if resolution["outcome"] == "confirmed" else "dismiss"
            data[f"match_reason_{key}"] = resolution["reason"]
    return data


CONFLICTS_CHANGED = ("The conflicts changed since you opened this page: review them again. "
                     "Nothing has been saved.")


def _conflicts_digest(review: queries.Review) -> str:
    """A fingerprint of the conflicts and name matches the review page asks about."""
    keys = sorted(f"{f['rule']}:{f['person_id']}:{f['organisation_id']}:{f['severity']}"
                  for f in review.flags)
    keys += [f"person:{pid}" for pid in _person_ids(review)]
    keys += [f"match:{pid}:{iid}" for pid, iid in _match_keys(review)]
    return signoff.statement_digest("\n".join(keys))


def _build_form(review: queries.Review, stored: bool) -> forms.ReviewForm:
    form_class = forms.review_form_class(_person_ids(review), _match_keys(review), review.names)
    form = form_class(data=_stored_data(review)) if stored else form_class()
    people = _people_choices()
    form.chair_person.choices = people
    form.officer_person.choices = people
    for index in range(1, forms.CO_OPT_ROWS + 1):
        getattr(form, f"co_opt_person_{index}").choices = people
    return form


def _confirmed(review: queries.Review, form: forms.ReviewForm) -> set[tuple[int, int]]:
    """Matches confirmed: as chosen on the form, otherwise as on record."""
    chosen = forms.matches_from(form, _match_keys(review))
    confirmed = {key for key, c in chosen.items() if c["outcome"] == "confirm"}
    confirmed |= {key for key, row in review.resolutions.items()
                  if row["outcome"] == "confirmed" and key not in chosen}
    return confirmed


def _situation(review: queries.Review, form: forms.ReviewForm) -> dict[str, Any]:
    """The people, rulings, quorum, chair and statement as the form currently has them."""
    confirmed = _confirmed(review, form)
    people = review.people(confirmed)
    ids = [p["person_id"] for p in people]
    selections = forms.selections_from(form, ids)
    for person in people:
        # A person not yet given a ruling on the page is counted at their proposal.
        if not selections[person["person_id"]]["ruling"]:
            selections[person["person_id"]]["ruling"] = person["proposal"]
    rulings = {pid: chosen["ruling"] for pid, chosen in selections.items()}
    reasons = {p["person_id"]: p["reason_words"] for p in people}
    quorum = review.quorum(rulings, reasons)
    presiding_id, presiding = review.presiding(rulings)
    statement = signoff.statement_text(review, people, selections, quorum, presiding,
                                       current_user.display_name, _review_role(),
                                       review.escalation)
    return {"people": people, "selections": selections, "rulings": rulings, "quorum": quorum,
            "presiding": presiding, "presiding_id": presiding_id, "statement": statement,
            "digest": signoff.statement_digest(statement), "confirmed": confirmed}


def _render_review(review: queries.Review, form: Any, *, problem: str | None = None,
                   status: int = 200, situation: dict[str, Any] | None = None) -> tuple[str, int]:
    decision = review.decision
    reviewable = decision["status"] in REVIEWABLE and problem is None
    if situation is None and isinstance(form, forms.ReviewForm):
        situation = _situation(review, form)
    if situation is not None and isinstance(form, forms.ReviewForm):
        form.statement_digest.data = situation["digest"]
        form.version.data = str(decision["version"])
        form.conflicts_digest.data = _conflicts_digest(review)
    submitted = queries.uk_date(decision["submitted_at"])
    age = working_days_between(submitted, timeutil.today_uk()) if submitted else None
    decision_record = record.load_record(get_db(), decision["id"])
    return render_template(
        "reviews/review.html", review=review, decision=decision, form=form,
        identity_check=_identity_check(),
        situation=situation, problem=problem, reviewable=reviewable, age=age,
        record=decision_record,
        meeting_link=meeting_queries.meeting_link(get_db(), current_user, decision["id"]),
        chain=chains.page_diagram(get_db(), decision_record),
        provider_gifts=gift_queries.offered_in_decision(
            get_db(), [p.id for p in decision_record.providers],
            [p.person_id for p in decision_record.participants],
            gift_rules.limits(current_app.config.get("GIFT_LIMITS"))) if decision_record else [],
        participants=[{"name": p.name, "role": p.role.replace("_", "-")}
                      for p in decision_record.participants] if decision_record else [],
        providers=queries.providers_of(get_db(), decision),
        leads=queries.people_names(get_db(), [i for i in (decision["clinical_lead_id"],
                                                        decision["contract_manager_id"]) if i]),
        committees=queries.committee_names(get_db()),
        show_escalation=reviewable and (decision["status"] == "escalated"
                                        or (situation is not None
                                            and not situation["quorum"].quorate)),
    ), status


def _confirmed_with_provider() -> bool:
    return session_rules.confirmation_in_force(sso.confirmed_at(current_user.id), time.time())


def _identity_check() -> dict[str, Any]:
    """How the signed-in lead confirms who they are to sign off: by re-entering their password,
    or (an account that signs in only by single sign-on) at the identity provider, with when the
    confirmation they made runs out."""
    if not sso.confirms_with_provider(current_user):
        return {"by_provider": False}
    at = sso.confirmed_at(current_user.id)
    until = None
    if session_rules.confirmation_in_force(at, time.time()):
        until = dt.datetime.fromtimestamp(at + session_rules.CONFIRMATION_LASTS_SECONDS,
                                          dt.UTC).astimezone(timeutil.UK).strftime("%H:%M")
    return {"by_provider": True, "until": until,
            "service": current_app.config["OIDC_BUTTON_TEXT"].removeprefix("Sign in with ")}


@bp.route("/<reference>", methods=["GET", "POST"])
@login_required
def review(reference: str) -> Any:
    """One decision's conflicts: rulings, name matches, quorum, chair, escalation and sign-off."""
    db = get_db()
    decision = _decision_or_404(reference)
    intent = request.form.get("action", "") if request.method == "POST" else ""
    if not _may_open_review(decision):
        if request.method == "POST":
            signoff.record_refusal(db, decision["id"], current_user.actor,
                                   f"{NOT_GOVERNANCE} ({current_user.role_label})",
                                   "sign_off_refused" if intent == "sign_off"
                                   else "review_refused")
        abort(403)
    decision, refused = _open_for_work(decision)
    if refused:
        return refused
    review_ = queries.load_review(db, decision)
    problem = signoff.signer_problem(review_, current_user, db)
    _set_review_role(review_)
    if request.method == "GET":
        if decision["status"] == "awaiting_ratification":
            return _render_review(review_, forms.RatifyForm(), problem=problem)
        return _render_review(review_, _build_form(review_, stored=True), problem=problem)

    if problem:
        signoff.record_refusal(db, decision["id"], current_user.actor, problem,
                               "sign_off_refused" if intent == "sign_off" else "review_refused")
        return _render_review(review_, _build_form(review_, stored=True), problem=problem,
                              status=403)
    if intent == "sign_off" and review_.sign_off is not None:
        message = lifecycle.already_signed_message(review_.sign_off)
        signoff.record_refusal(db, decision["id"], current_user.actor, message)
        return _refused(decision, message)
    if decision["status"] not in REVIEWABLE or intent not in forms.INTENTS:
        action = intent if intent in ("return", "escalate", "sign_off") else "sign_off"
        try:
            workflow.next_status(decision["status"], action, _review_role(),
                                 flagged=review_.flagged, signed_off=review_.sign_off is not None)
        except TransitionRefused as refused:
            return _refused(decision, refused.message)
        return _refused(decision, "Use the buttons on the review page.")

    if request.form.get("conflicts_digest") != _conflicts_digest(review_):
        return _conflicts_changed(review_, intent)
    form = _build_form(review_, stored=False)
    if not form.validate_on_submit():
        return _render_review(review_, form)
    posted_version = _version(form.version.data)
    if intent == "return":
        return _return(review_, form, posted_version)
    situation = _situation(review_, form)
    newly = {p["person_id"] for p in situation["people"]
             if f"ruling_{p['person_id']}" not in request.form} - set(review_.conflicted())
    forms.check_rulings(form, situation["people"], review_.match_groups(), newly)
    if intent in ("save", "confirm_identity"):
        return _save(review_, form, situation, posted_version,
                     then_confirm=intent == "confirm_identity"
                     and sso.confirms_with_provider(current_user))
    if intent == "escalate":
        return _escalate(review_, form, situation, posted_version)
    return _sign_off(review_, form, situation)


def _conflicts_changed(review: queries.Review, intent: str) -> tuple[str, int]:
    """Refuse a review form sent after the conflicts it was built for changed: audited, nothing
    saved, and the page shown again as the decision now stands."""
    db = get_db()
    signoff.record_refusal(db, review.decision["id"], current_user.actor, CONFLICTS_CHANGED,
                           "sign_off_refused" if intent == "sign_off" else "review_refused")
    current = queries.load_review(db, queries.get_decision(db, review.decision["reference"]))
    form = _build_form(current, stored=True)
    form.form_errors.append(CONFLICTS_CHANGED)
    return _render_review(current, form, status=409)


def _has_errors(form: forms.ReviewForm) -> bool:
    return bool(form.errors) or bool(form.form_errors)


def _save_rulings(review: queries.Review, form: forms.ReviewForm,
                  situation: dict[str, Any]) -> bool:
    """Save rulings and matches in the caller's transaction, bumping the decision's version."""
    db = get_db()
    changed = records.save_rulings(
        db, review, situation["selections"], forms.matches_from(form, _match_keys(review)),
        current_user.id, current_user.actor)
    if changed:
        lifecycle.bump_version(db, review.decision["id"])
    return changed


def _save(review: queries.Review, form: forms.ReviewForm, situation: dict[str, Any],
          posted_version: int, *, then_confirm: bool = False) -> Any:
    """Save the rulings; with `then_confirm`, go on to the identity provider to confirm who the
    lead is before signing off (their rulings are kept while they are away)."""
    if _has_errors(form):
        return _render_review(review, form, situation=situation)
    db = get_db()
    with write_transaction(db):
        current = lifecycle.fresh(db, review.decision["id"])
        if current["version"] != posted_version:
            form.form_errors.append(lifecycle.STALE_DECISION)
            return _render_review(review, form, situation=situation)
        _save_rulings(review, form, situation)
    back = url_for("reviews.review", reference=review.decision["reference"])
    if then_confirm:
        return redirect(url_for("auth.sso_confirm", next=back))
    flash(f"Rulings on {review.decision['reference']} saved. The decision is still waiting for "
          f"sign-off.", "success")
    return redirect(back)


def _return(review: queries.Review, form: forms.ReviewForm, posted_version: int) -> Any:
    if not (form.return_reason.data or "").strip():
        form.return_reason.errors.append("Enter what more information is needed")
        return _render_review(review, form)
    db = get_db()
    try:
        with write_transaction(db):
            current = lifecycle.fresh(db, review.decision["id"])
            lifecycle.move(db, current, "return", _review_role(), current_user.actor,
                           expected_version=posted_version,
                           changes={"reason": form.return_reason.data})
    except TransitionRefused as refused:
        return _refused(review.decision, refused.message)
    except lifecycle.DecisionChanged as changed:
        form.form_errors.append(changed.message)
        return _render_review(review, form)
    flash(f"{review.decision['reference']} returned to the board secretary for more "
          f"information.", "success")
    return redirect(_after_review())


# ---- escalation ----------------------------------------------------------------------------

def _person_id(value: str | None) -> int | None:
    return int(value) if (value or "").isdecimal() else None


def _escalation_details(review: queries.Review, form: forms.ReviewForm,
                        situation: dict[str, Any]) -> dict[str, Any] | None:
    """The escalation chosen, checked; None with messages on the form if it cannot be recorded."""
    db = get_db()
    kind = form.escalation.data
    decision = review.decision
    meeting = dt.date.fromisoformat(decision["meeting_date"])
    conflicted = set(situation["rulings"])
    problem, details = None, {}
    if kind == "defer":
        details = {"new_meeting_date": form.new_meeting_date.data}
        problem = escalation_problem(kind, details, meeting_date=meeting)
        details = {"new_meeting_date": form.new_meeting_date.data.isoformat()} if not problem \
            else details
    elif kind == "refer":
        name = " ".join((form.referred_to.data or "").split())
        details = {"referred_to": name}
        problem = escalation_problem(kind, details, committee_name=decision["committee_name"])
        committee = queries.committee_by_name(db, name) if not problem else None
        if committee is not None:
            details, problem = _referral_check(review, committee)
    elif kind == "co_opt":
        chosen, problem = [], None
        for index in range(1, forms.CO_OPT_ROWS + 1):
            person_id = _person_id(getattr(form, f"co_opt_person_{index}").data)
            category = getattr(form, f"co_opt_category_{index}").data or ""
            if person_id is None:
                continue
            if not category:
                getattr(form, f"co_opt_category_{index}").errors.append(
                    "Select the category of the member to co-opt")
                return None
            if person_id in {p for p, _ in chosen}:
                getattr(form, f"co_opt_person_{index}").errors.append(
                    "This person is already chosen above: choose each member to co-opt once")
                return None
            chosen.append((person_id, category))
        names = {**review.names, **queries.people_names(db, [p for p, _ in chosen])}
        outsiders = queries.conflicts_for_people(db, decision["id"], [p for p, _ in chosen])
        problem = escalation_problem(
            kind, {"co_opted": chosen}, rule=review.rule, voting_members=review.voting_members(),
            rulings=situation["rulings"], present=review.present(),
            conflicted_ids=conflicted | set(outsiders), names=names)
        details = {"co_opted": [{"person_id": p, "name": names.get(p, ""), "category": c,
                                 "category_label": dict(queries.CATEGORY_CHOICES).get(c, c)}
                                for p, c in chosen]}
    elif kind == "chair_action":
        chair_id = _person_id(form.chair_person.data)
        officer_id = _person_id(form.officer_person.data)
        names = {**review.names, **queries.people_names(db, [i for i in (chair_id, officer_id)
                                                                 if i])}
        outsiders = queries.conflicts_for_people(
            db, decision["id"], [i for i in (chair_id, officer_id)
                                 if i and i not in review.participants])
        details = {"chair_id": chair_id, "chair_name": names.get(chair_id, ""),
                   "accountable_officer_id": officer_id,
                   "accountable_officer_name": names.get(officer_id, "")}
        problem = escalation_problem(kind, details, conflicted_ids=conflicted | set(outsiders),
                                     names=names)
        if problem and "accountable officer" in problem and "name" in problem:
            form.officer_person.errors.append(problem)
            return None
    else:
        problem = escalation_problem(kind, {})
    if problem:
        target = getattr(form, ESCALATION_FIELDS[kind]) if kind in ESCALATION_FIELDS \
            else form.escalation
        target.errors.append(problem)
        return None
    return {"kind": kind, "details": details}


def _referral_check(review: queries.Review,
                    committee: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """Check the committee a decision is referred to for conflicts, and its quorum after them."""
    db = get_db()
    members = queries.voting_members_of(db, committee["id"])
    found = queries.conflicts_for_people(db, review.decision["id"],
                                         [m["person_id"] for m in members])
    rulings, conflicted = {}, []
    names = {m["person_id"]: m["name"] for m in members}
    for person_id, flags in found.items():
        proposal, reason = propose_ruling(flags, committee["common_interest_policy"], "voting",
                                          interests=queries.interests_by_id(
                                              db, (f.evidence.get("interest_id") for f in flags)),
                                          scheme_practice_ids=review.scheme_practice_ids())
        rulings[person_id] = proposal
        conflicted.append({"person_id": person_id, "name": names.get(person_id, ""),
                           "proposal": proposal, "reason": reason,
                           "sentences": [f.sentence for f in flags]})
    result = count_quorum(quorum_rule(committee),
                          [(m["person_id"], m["category"]) for m in members], rulings)
    details = {"referred_to": committee["name"], "committee_id": committee["id"],
               "conflicted": conflicted, "quorum": result.summary}
    if not result.quorate:
        return details, (f"The {committee['name']} would be inquorate on this decision too, once "
                         f"its own conflicted members are ruled out: {result.shortfall[0]}")
    return details, None


def _escalate(review: queries.Review, form: forms.ReviewForm, situation: dict[str, Any],
              posted_version: int) -> Any:
    if situation["quorum"].quorate:
        form.form_errors.append("The meeting is quorate after these rulings, so there is nothing "
                                "to escalate: sign it off instead")
    if _has_errors(form):
        return _render_review(review, form, situation=situation)
    chosen = _escalation_details(review, form, situation)
    if chosen is None:
        return _render_review(review, form, situation=situation)
    db = get_db()
    try:
        with write_transaction(db):
            current = lifecycle.fresh(db, review.decision["id"])
            if current["version"] != posted_version:
                raise lifecycle.DecisionChanged()
            _save_rulings(review, form, situation)
            current = lifecycle.fresh(db, review.decision["id"])
            if current["status"] == "awaiting_review":
                lifecycle.move(db, current, "escalate", _review_role(), current_user.actor,
                               quorate=False, escalation=chosen["kind"],
                               changes={"escalation": chosen["kind"]})
            records.record_escalation(db, current, chosen["kind"], chosen["details"],
                                      current_user.id, current_user.actor)
    except TransitionRefused as refused:
        form.form_errors.append(refused.message)
        return _render_review(review, form, situation=situation)
    except lifecycle.DecisionChanged as changed:
        form.form_errors.append(changed.message)
        return _render_review(review, form, situation=situation)
    flash(f"Escalation recorded for {review.decision['reference']}: "
          f"{signoff.escalation_words(chosen['kind'], chosen['details'])}. You can now sign it "
          f"off.", "success")
    return redirect(url_for("reviews.review", reference=review.decision["reference"]))


# ---- sign-off ------------------------------------------------------------------------------

def _second_factor_problem(db: Any, typed: str) -> str | None:
    """Why the code typed to sign off was refused, or None; failures count towards the lockout."""
    refusal = auth_models.refusal(db, current_user.username, request.remote_addr or "")
    if refusal:
        return refusal
    outcome = second_factor.check(db, auth_models.find_by_username(db, current_user.username),
                                  typed, purpose="sign_off")
    return None if outcome.ok else outcome.message


def _sign_off(review: queries.Review, form: forms.ReviewForm, situation: dict[str, Any]) -> Any:
    db = get_db()
    decision = review.decision
    if decision["status"] == "awaiting_review" and not situation["quorum"].quorate:
        form.form_errors.append(
            f"The meeting would be inquorate after these rulings ({situation['quorum'].shortfall[0]}),"
            f" so it cannot be signed off: choose how the decision will be taken and record the "
            f"escalation first")
    by_provider = sso.confirms_with_provider(current_user)
    forms.check_sign_off(form, situation["digest"], password=not by_provider)
    if by_provider and not _confirmed_with_provider():
        form.form_errors.append(
            f"Confirm who you are with {_identity_check()['service']} before signing off: a "
            f"confirmation lasts "
            f"{session_rules.CONFIRMATION_LASTS_SECONDS // 60} minutes and is good for one "
            f"sign-off")
    if current_user.has_second_factor and not (form.security_code.data or "").strip():
        form.security_code.errors.append("Enter the code from your authenticator app to sign off")
    if _has_errors(form):
        return _render_review(review, form, situation=situation)
    # The password box counts towards the account's lockout, as the sign-in page does.
    address = request.remote_addr or ""
    refusal = None if by_provider else auth_models.refusal(db, current_user.username, address)
    if refusal:
        form.password.errors.append(refusal)
        return _render_review(review, form, situation=situation)
    if not by_provider and not signoff.password_ok(db, current_user.id, form.password.data):
        signoff.record_refusal(db, decision["id"], current_user.actor,
                               "The password re-entered was not correct")
        if auth_models.note_failure(db, current_user.username, address):
            return auth_sessions.locked_out()
        form.password.errors.append("The password is not correct")
        return _render_review(review, form, situation=situation)
    if current_user.has_second_factor:
        problem = _second_factor_problem(db, form.security_code.data)
        if problem:
            signoff.record_refusal(db, decision["id"], current_user.actor,
                                   "The second factor code was not accepted")
            form.security_code.errors.append(problem)
            return _render_review(review, form, situation=situation)
    expected = _version(form.version.data)
    try:
        with write_transaction(db):
            current = lifecycle.fresh(db, decision["id"])
            if current["version"] != expected:
                in_force = queries.sign_off_in_force(db, decision["id"])
                if in_force is not None:
                    raise lifecycle.AlreadySignedOff(lifecycle.already_signed_message(in_force))
                raise lifecycle.DecisionChanged(lifecycle.STALE_DECISION)
            _save_rulings(review, form, situation)
            current = lifecycle.fresh(db, decision["id"])
            after = queries.load_review(db, current)
            statement, quorum, people = signoff.stored_statement(
                after, current_user.display_name, _review_role())
            if signoff.statement_digest(statement) != form.statement_digest.data:
                raise lifecycle.DecisionChanged(
                    "The decision\u2019s conflicts changed while you were reviewing it, so it has "
                    "not been signed off. Read the statement again and confirm it.")
            missing = [p["name"] for p in people if p["person_id"] not in after.rulings]
            if missing:
                raise lifecycle.DecisionChanged(f"Select a ruling for {missing[0]}")
            status = lifecycle.sign_off(db, current, user=current_user, role=_review_role(),
                                        role_label=signoff.role_label(_review_role()),
                                        statement=statement, quorate=quorum.quorate,
                                        escalation=after.escalation)
    except lifecycle.AlreadySignedOff as already:
        signoff.record_refusal(db, decision["id"], current_user.actor, already.message)
        return _refused(decision, already.message)
    except (lifecycle.DecisionChanged, TransitionRefused) as refused:
        # Nothing was saved. The page is shown again as the decision now stands, with a form
        # built for the conflicts it now has (a form built for the old ones cannot show them).
        signoff.record_refusal(db, decision["id"], current_user.actor, refused.message)
        fresh_review = queries.load_review(db, queries.get_decision(db, decision["reference"]))
        fresh_form = _build_form(fresh_review, stored=True)
        fresh_form.form_errors.append(refused.message)
        return _render_review(fresh_review, fresh_form, status=409)
    if by_provider:
        sso.use_confirmation()
    audit.anchor(current_app.config, db, strict=False)
    if status == "awaiting_ratification":
        flash(f"{decision['reference']} signed off. The chair and accountable officer action "
              f"must now be ratified at a quorate meeting.", "success")
    else:
        flash(f"{decision['reference']} signed off: the board secretary can record the outcome.",
              "success")
    return redirect(_after_review())


@bp.route("/<reference>/quorum", methods=["POST"])
@login_required
def quorum(reference: str) -> Any:
    """The quorum, chair and statement for the rulings currently selected (for the page script)."""
    decision = _decision_or_404(reference)
    if not _may_open_review(decision) or _excluded(decision):
        abort(403)
    review_ = queries.load_review(get_db(), decision)
    _set_review_role(review_)
    form = _build_form(review_, stored=False)
    situation = _situation(review_, form)
    result = situation["quorum"]
    return jsonify({"quorate": result.quorate, "summary": result.summary,
                    "arithmetic": result.arithmetic, "shortfall": result.shortfall,
                    "presiding": situation["presiding"], "statement": situation["statement"],
                    "digest": situation["digest"]})


# ---- ratification --------------------------------------------------------------------------

@bp.route("/<reference>/ratify", methods=["POST"])
@login_required
def ratify(reference: str) -> Any:
    """Record that a quorate meeting ratified a chair and accountable officer action."""
    db = get_db()
    decision = _decision_or_404(reference)
    if not _may_open_review(decision):
        signoff.record_refusal(db, decision["id"], current_user.actor,
                               f"{NOT_GOVERNANCE} ({current_user.role_label})", "ratify_refused")
        abort(403)
    decision, refused = _open_for_work(decision)
    if refused:
        return refused
    review_ = queries.load_review(db, decision)
    problem = signoff.signer_problem(review_, current_user, db)
    _set_review_role(review_)
    if problem:
        signoff.record_refusal(db, decision["id"], current_user.actor, problem, "ratify_refused")
        return _refused(decision, problem, 403, "You cannot ratify this decision")
    if decision["status"] != "awaiting_ratification":
        try:
            workflow.next_status(decision["status"], "ratify", _review_role(),
                                 flagged=review_.flagged, signed_off=review_.sign_off is not None)
        except TransitionRefused as refused:
            return _refused(decision, refused.message)
    form = forms.RatifyForm()
    if form.validate_on_submit():
        meeting = dt.date.fromisoformat(decision["meeting_date"])
        if form.meeting_date.data < meeting:
            form.meeting_date.errors.append(
                f"The ratifying meeting must be on or after the original meeting on "
                f"{timeutil.long_date(meeting)}")
        elif form.meeting_date.data > timeutil.today_uk():
            form.meeting_date.errors.append(
                "The ratifying meeting must have taken place: enter a date today or earlier")
        if not form.quorate.data:
            form.quorate.errors.append("Confirm the ratifying meeting was quorate for the item")
        if not form.errors:
            try:
                with write_transaction(db):
                    current = lifecycle.fresh(db, decision["id"])
                    lifecycle.move(db, current, "ratify", _review_role(), current_user.actor,
                                 expected_version=decision["version"],
                                 escalation=review_.escalation["kind"] if review_.escalation
                                 else None,
                                 changes={"ratified_meeting_date":
                                          form.meeting_date.data.isoformat()})
                    if review_.escalation:
                        records.record_ratification(db, review_.escalation,
                                                    form.meeting_date.data.isoformat(),
                                                    current_user.id, current_user.actor)
            except TransitionRefused as refused:
                return _refused(decision, refused.message)
            except lifecycle.DecisionChanged as changed:
                form.form_errors.append(changed.message)
            else:
                flash(f"Ratification of {decision['reference']} recorded: the board secretary "
                      f"can record the outcome.", "success")
                return redirect(_after_review())
    return _render_review(review_, form, problem=problem)


# ---- outcome, publication and withdrawal ---------------------------------------------------

def _outcome_context(decision: dict[str, Any]) -> dict[str, Any]:
    db = get_db()
    participants = sorted(
        db.query("SELECT decision_participants.person_id, decision_participants.role, people.name"
                 " FROM decision_participants JOIN people"
                 " ON people.id = decision_participants.person_id"
                 " WHERE decision_participants.decision_id = ?", [decision["id"]]),
        key=lambda p: p["name"].casefold())
    rulings = {r["person_id"]: r["ruling"] for r in db.query(
        "SELECT person_id, ruling FROM decision_rulings WHERE decision_id = ?", [decision["id"]])}
    providers = queries.providers_of(db, decision)
    return {"participants": participants, "rulings": rulings, "providers": providers,
            "names": {p["person_id"]: p["name"] for p in participants}}


def _outcome_form(context: dict[str, Any], decision: dict[str, Any],
                  stored: bool) -> forms.OutcomeForm:
    form_class = forms.outcome_form_class(context["participants"])
    if stored:
        data: dict[str, Any] = {"version": str(decision["version"]),
                                "outcome": decision["choice"],
                                "awarded_provider": str(decision["awarded_provider_id"] or "")}
        for person in context["participants"]:
            ruling = context["rulings"].get(person["person_id"])
            data[f"present_{person['person_id']}"] = may_be_present(ruling)
        form = form_class(data=data)
    else:
        form = form_class()
    form.awarded_provider.choices = [("", "No provider awarded")] + [
        (str(p["id"]), p["name"] + (f" ({p['ods_code']})" if p["ods_code"] else ""))
        for p in context["providers"]]
    return form


@bp.route("/<reference>/outcome", methods=["GET", "POST"])
@requires("record_outcomes")
def outcome(reference: str) -> Any:
    """Record the outcome of the item: make or buy, provider, votes and who was in the room."""
    db = get_db()
    decision = _decision_or_404(reference)
    decision, refused = _open_for_work(decision)
    if refused:
        return refused
    context = _outcome_context(decision)
    if decision["status"] in ("decided", "published") and request.method == "GET":
        decision_record = record.load_record(db, decision["id"])
        outcome_record = decision_record.outcome if decision_record else None
        return render_template("reviews/outcome_recorded.html", decision=decision,
                               outcome=outcome_record,
                               attendance=outcome_record.attendance if outcome_record else (),
                               breaches=decision_record.breaches if decision_record else (),
                               rulings=context["rulings"], record=decision_record)
    signed = queries.sign_off_in_force(db, decision["id"]) is not None
    try:
        workflow.next_status(decision["status"], "record_outcome", current_user.role,
                             flagged=decision["flag_count"] > 0, signed_off=signed)
    except TransitionRefused as refused:
        return _refused(decision, refused.message)
    form = _outcome_form(context, decision, stored=request.method == "GET")
    meeting = dt.date.fromisoformat(decision["meeting_date"])
    not_yet = meeting > timeutil.today_uk()
    if form.validate_on_submit():
        if not_yet:
            form.form_errors.append(
                f"The meeting is on {timeutil.long_date(meeting)}: record the outcome on or "
                f"after that day, when it is known")
        checked = None if not_yet else forms.check_outcome(
            form, context["participants"], context["rulings"], context["names"],
            {p["id"] for p in context["providers"]})
        if checked is not None and _disagrees_with_declarations(form, decision["id"],
                                                                checked["attendance"]):
            checked = None
        if checked is not None:
            try:
                with write_transaction(db):
                    current = lifecycle.fresh(db, decision["id"])
                    if current["version"] != _version(form.version.data):
                        raise lifecycle.DecisionChanged()
                    lifecycle.record_outcome(db, current, checked["values"],
                                             checked["attendance"], checked["breaches"],
                                             current_user.id, current_user.actor,
                                             role=current_user.role,
                                             refused_proxies=checked["refused_proxies"])
            except TransitionRefused as refused:
                return _refused(decision, refused.message)
            except lifecycle.DecisionChanged as changed:
                form.form_errors.append(changed.message)
            else:
                message = f"Outcome of {decision['reference']} recorded: it is decided."
                if checked["breaches"]:
                    count = len(checked["breaches"])
                    message += (f" {count} breach{'es' if count != 1 else ''} recorded: a person "
                                f"ruled out of the room was present for the vote.")
                flash(message, "success")
                return redirect(url_for("reviews.outcome", reference=decision["reference"]))
    return render_template("reviews/outcome.html", decision=decision, form=form,
                           not_yet=not_yet, refused_rows=forms.REFUSED_PROXY_ROWS, **context)


def _disagrees_with_declarations(form: Any, decision_id: int,
                                 attendance: list[dict[str, Any]]) -> bool:
    """Add a message to the present box of anyone the meeting's declarations item records as
    having left for the item and not come back (`rules.meetings.outcome_attendance_problems`);
    True if there was any."""
    said = meeting_queries.declarations_for_decision(get_db(), decision_id)
    problems = meeting_rules.outcome_attendance_problems(
        [(d.person_id, d.person_name, d.left_at, d.returned_at) for d in said], attendance)
    for person_id, problem in problems.items():
        getattr(form, f"present_{person_id}").errors.append(problem)
    return bool(problems)


@bp.route("/<reference>/publish", methods=["POST"])
@requires("record_outcomes")
def publish(reference: str) -> Any:
    """Publish a decided decision."""
    db = get_db()
    decision = _decision_or_404(reference)
    excluded = _excluded(decision)
    if excluded:
        return excluded
    where = (request.form.get("published_where") or "").strip()
    published_on = timeutil.today_uk()
    # A PSR decision with an award confirmation notice is published from that notice (the one
    # owner of where the award was published); a route with a standstill needs the notice.
    decision_record = record.load_record(db, decision["id"])
    from_notice = notice_store.publication_from_notice(decision_record) \
        if decision_record else None
    if from_notice is not None:
        where, published_on = from_notice
    problem = published_where_problem(where) if decision["status"] == "decided" else None
    if decision_record is not None and decision["status"] == "decided":
        problem = notice_store.publish_problem(decision_record) or problem
    if problem is not None:
        # Shown on the outcome page beside the field, with what was typed kept.
        outcome_record = decision_record.outcome if decision_record else None
        return render_template("reviews/outcome_recorded.html", decision=decision,
                               outcome=outcome_record,
                               attendance=outcome_record.attendance if outcome_record else (),
                               breaches=decision_record.breaches if decision_record else (),
                               rulings=_outcome_context(decision)["rulings"],
                               published_where=where, published_where_error=problem,
                               record=decision_record), 400
    try:
        with write_transaction(db):
            lifecycle.move(db, lifecycle.fresh(db, decision["id"]), "publish", current_user.role,
                           current_user.actor, changes={"award_published_where": where},
                           extra={"award_published_where": where,
                                  "award_published_on": published_on.isoformat()})
    except TransitionRefused as refused:
        return _refused(decision, refused.message)
    except lifecycle.DecisionChanged as changed:
        return _refused(decision, changed.message)
    audit.anchor(current_app.config, db, strict=False)
    flash(f"{decision['reference']} published.", "success")
    return redirect(url_for("reviews.outcome", reference=decision["reference"]))


@bp.route("/<reference>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(reference: str) -> Any:
    """Withdraw a decision before it is decided, saying why; its reference is never reused."""
    if current_user.role not in workflow.ACTION_ROLES["withdraw"]:
        abort(403)
    db = get_db()
    decision = _decision_or_404(reference)
    excluded = _excluded(decision)
    if excluded:
        return excluded
    try:
        workflow.next_status(decision["status"], "withdraw", current_user.role,
                             flagged=decision["flag_count"] > 0,
                             signed_off=queries.sign_off_in_force(db, decision["id"]) is not None)
    except TransitionRefused as refused:
        return _refused(decision, refused.message)
    form = forms.WithdrawForm(data={"version": str(decision["version"])}
                              if request.method == "GET" else None)
    if form.validate_on_submit():
        if not (form.reason.data or "").strip():
            form.reason.errors.append("Enter why the decision is being withdrawn")
        else:
            try:
                with write_transaction(db):
                    current = lifecycle.fresh(db, decision["id"])
                    lifecycle.move(db, current, "withdraw", current_user.role, current_user.actor,
                                   expected_version=_version(form.version.data),
                                   changes={"reason": form.reason.data})
            except TransitionRefused as refused:
                return _refused(decision, refused.message)
            except lifecycle.DecisionChanged as changed:
                form.form_errors.append(changed.message)
            else:
                flash(f"{decision['reference']} withdrawn. Its reference will not be used "
                      f"again.", "success")
                return redirect(url_for("decisions.show", reference=decision["reference"]))
    return render_template("reviews/withdraw.html", decision=decision, form=form)
