"""Reads the facts the governance figures count (see `rules.figures`), for a period and
optionally one committee: for the dashboard page and for the board audit pack alike.

Only counts leave this module's callers: the facts hold no titles, names or references, so a
figure never tells a reader anything about a decision beyond that it was counted.
"""
from __future__ import annotations

import datetime as dt

from sqlite_utils import Database

from ..campaigns import queries as campaign_queries
from ..reviews.queries import uk_date
from ..rules.figures import DecisionFacts, DeclarationFacts, FigureFacts
from ..timeutil import today_uk


def load_facts(db: Database, date_from: dt.date, date_to: dt.date, *,
               committee_id: int | None = None) -> FigureFacts:
    """The decisions with a meeting in the period, the interests declared in it and the
    campaign returns made late in it; of one committee (its decisions, its members'
    declarations) when `committee_id` is given."""
    period = [date_from.isoformat(), date_to.isoformat()]
    where, params = "decisions.meeting_date BETWEEN ? AND ?", list(period)
    if committee_id is not None:
        where += " AND decisions.committee_id = ?"
        params.append(committee_id)
    decisions = tuple(
        DecisionFacts(
            meeting_date=dt.date.fromisoformat(row["meeting_date"]), choice=row["choice"],
            regime=row["regime"], process=row["process"], flagged=bool(row["flag_count"]),
            status=row["status"], submitted_on=uk_date(row["submitted_at"]),
            signed_on=uk_date(row["signed_at"]))
        for row in db.query(
            "SELECT decisions.meeting_date, decisions.choice, decisions.regime,"
            " decisions.process, decisions.flag_count, decisions.status,"
            " decisions.submitted_at, sign_offs.signed_at FROM decisions"
            " LEFT JOIN sign_offs ON sign_offs.decision_id = decisions.id"
            " AND sign_offs.voided_at IS NULL"
            f" WHERE {where} ORDER BY decisions.meeting_date, decisions.id", params))
    condition, member_params = "1", []
    if committee_id is not None:
        condition = "person_id IN (SELECT person_id FROM committee_members WHERE committee_id = ?)"
        member_params = [committee_id]
    declarations = tuple(
        DeclarationFacts(dt.date.fromisoformat(row["date_from"]),
                         dt.date.fromisoformat(row["declared_on"]))
        for row in db.query(
            "SELECT date_from, declared_on FROM interests WHERE declared_on BETWEEN ? AND ?"
            f" AND withdrawn = 0 AND {condition} ORDER BY declared_on, id",
            [*period, *member_params]))
    members = None
    if committee_id is not None:
        members = {row[0] for row in db.execute(
            "SELECT person_id FROM committee_members WHERE committee_id = ?", [committee_id])}
    late_returns = []
    # A confirmation after the close is late whatever day it is read on (it is after the close).
    for (campaign_id,) in db.execute("SELECT id FROM campaigns ORDER BY id").fetchall():
        campaign = campaign_queries.get_campaign(db, campaign_id, today_uk())
        if campaign is None or campaign["closed"] is None:
            continue
        for person in campaign_queries.progress(db, campaign):
            if person["answer"] == "late" and (members is None or person["id"] in members):
                day = dt.date.fromisoformat(person["answered_on"])
                if date_from <= day <= date_to:
                    late_returns.append(day)
    return FigureFacts(date_from, date_to, decisions, declarations, tuple(sorted(late_returns)))
