"""Writes for PSR notices and representations, each checked by rules/standstill.py and audited
in the caller's write transaction. Notices and representations are not facts the conflict flags
depend on, so no decision needs its flags refreshed."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlite_utils import Database

from .. import audit
from ..decisions import record
from ..rules import standstill
from ..timeutil import utcnow_iso


class Refused(Exception):
    """A write the standstill rules refuse, with the message for the user."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def has_award(rec: record.DecisionRecord) -> bool:
    """Whether the decision's recorded outcome awarded a contract to a provider."""
    return rec.outcome is not None and bool(rec.outcome.awarded_provider)


def notice_problem(rec: record.DecisionRecord, kind: str) -> str | None:
    """Why the decision cannot take a notice of this kind now (status, route, award), or None."""
    problem = standstill.notice_status_problem(kind, rec.status, rec.regime, rec.process,
                                               has_award(rec))
    if problem is None and rec.status != "decided":
        problem = (f"{rec.reference} is published: its "
                   f"{standstill.NOTICE_KINDS[kind].lower()} can no longer change")
    if problem is None and kind == "intention" and rec.award_notice is not None:
        problem = "The award has been confirmed: the intention to award notice can no longer change"
    return problem


def record_notice(db: Database, rec: record.DecisionRecord, kind: str, *, published_on: dt.date,
                  published_where: str, reference: str, today: dt.date, actor: str,
                  stated_end: dt.date | None = None, imported: bool = False,
                  now: str | None = None) -> None:
    """Record (or correct) a decision's intention or award notice; raises Refused.

    `imported`: the notice comes from a register export, whose decisions arrive as submitted
    (their review starts again): the decision's status is not asked of it, every rule of dates,
    route and standstill still is. `now` is the time it is recorded (the real time unless
    given)."""
    problem = (standstill.notice_route_problem(kind, rec.regime, rec.process) if imported
               else notice_problem(rec, kind))
    if problem:
        raise Refused(problem)
    problem = standstill.notice_date_problem(kind, published_on, meeting_date=rec.meeting_date,
                                             today=today)
    if problem:
        raise Refused(problem, "published_on")
    if kind == "intention":
        problem = standstill.typed_end_problem(stated_end, published_on)
        if problem:
            raise Refused(problem, "standstill_end")
        answered = [r for r in rec.representations if r.received_on < published_on
                    or r.received_on > standstill.standstill_end(published_on)]
        if answered:
            raise Refused("Representations are recorded within the standstill of the present "
                          "notice: a new date would leave them outside it", "published_on")
    else:
        intention = rec.intention_notice
        problem = standstill.award_confirmation_problem(
            published_on, regime=rec.regime, process=rec.process,
            intention_on=intention.published_on if intention else None,
            open_representations=len(rec.open_representations))
        if problem:
            raise Refused(problem, "published_on")
    row = {"decision_id": rec.id, "kind": kind, "published_on": published_on.isoformat(),
           "published_where": published_where, "reference": reference,
           "recorded_at": now or utcnow_iso()}
    existing = db.execute("SELECT id FROM decision_notices WHERE decision_id = ? AND kind = ?",
                          [rec.id, kind]).fetchone()
    if existing:
        db["decision_notices"].update(existing[0], row)
    else:
        db["decision_notices"].insert(row)
    changes: dict[str, Any] = {"notice": kind, "published_on": row["published_on"],
                               "published_where": published_where, "reference": reference}
    if kind == "intention":
        changes["standstill_end"] = standstill.standstill_end(published_on).isoformat()
    audit.record(db, actor=actor, action="notice_recorded", entity="decision", entity_id=rec.id,
                 changes=changes)


def _representations_open(rec: record.DecisionRecord, imported: bool = False) -> str | None:
    if rec.status != "decided" and not imported:
        return f"{rec.reference} is not waiting for its award: representations are closed"
    if rec.award_notice is not None:
        return "The award has been confirmed: representations are closed"
    return None


def record_representation(db: Database, rec: record.DecisionRecord, *, received_on: dt.date,
                          provider_name: str, summary: str, today: dt.date, actor: str,
                          imported: bool = False, now: str | None = None) -> int:
    """Record a representation received during the standstill; its id. Raises Refused.
    (`imported` and `now` as for record_notice.)"""
    problem = _representations_open(rec, imported)
    if problem:
        raise Refused(problem)
    intention = rec.intention_notice
    problem = standstill.representation_problem(
        received_on, notice_on=intention.published_on if intention else None, today=today)
    if problem:
        raise Refused(problem, "received_on")
    new_id = db["decision_representations"].insert({
        "decision_id": rec.id, "received_on": received_on.isoformat(),
        "provider_name": provider_name, "summary": summary, "response": "",
        "responded_on": None, "recorded_at": now or utcnow_iso()}).last_pk
    audit.record(db, actor=actor, action="representation_recorded", entity="decision",
                 entity_id=rec.id, changes={"representation": new_id,
                                             "received_on": received_on.isoformat(),
                                             "provider_name": provider_name})
    return int(new_id)


def respond(db: Database, rec: record.DecisionRecord, representation_id: int, *,
            response: str, responded_on: dt.date, today: dt.date, actor: str,
            imported: bool = False) -> None:
    """Record the response to a representation. Raises Refused. (`imported` as for
    record_notice.)"""
    problem = _representations_open(rec, imported)
    if problem:
        raise Refused(problem)
    found = next((r for r in rec.representations if r.id == representation_id), None)
    if found is None:
        raise Refused("There is no such representation for this decision")
    problem = standstill.response_problem(responded_on, received_on=found.received_on,
                                          today=today)
    if problem:
        raise Refused(problem, "responded_on")
    db["decision_representations"].update(representation_id, {
        "response": response, "responded_on": responded_on.isoformat()})
    audit.record(db, actor=actor, action="representation_answered", entity="decision",
                 entity_id=rec.id, changes={"representation": representation_id,
                                             "responded_on": responded_on.isoformat()})


def publication_from_notice(rec: record.DecisionRecord) -> tuple[str, dt.date] | None:
    """Where and when the award was published, taken from the award confirmation notice.

    A PSR decision with a recorded award confirmation notice is published from that notice, so
    the notice is the one owner of "where the award was published"; None when there is none."""
    notice = rec.award_notice
    if notice is None:
        return None
    return notice.published_where, notice.published_on


def publish_problem(rec: record.DecisionRecord) -> str | None:
    """Why a decision cannot be published yet for want of its notices (routes with a
    standstill need the award confirmation notice), or None."""
    if rec.has_standstill and has_award(rec) and rec.award_notice is None:
        return ("Record the award confirmation notice before publishing: this route has a "
                "standstill, and the notice says where the award was published")
    return None
