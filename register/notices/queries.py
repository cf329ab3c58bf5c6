"""Reads for the notices: the standstills running now and ending soon."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlite_utils import Database

from ..decisions import access
from ..rules import standstill


@dataclass(frozen=True)
class RunningStandstill:
    """A decision whose standstill ends within the next few working days."""

    reference: str
    title: str
    committee_name: str
    clock: standstill.Clock
    open_representations: int


def standstills_ending(db: Database, who: access.Account | access.Viewer, today: dt.date,
                       within: int = standstill.ENDING_SOON_WORKING_DAYS
                       ) -> list[RunningStandstill]:
    """Decided decisions the viewer may read whose standstill ends within `within` working
    days of today, soonest first."""
    condition, params = access.visible(who, "decisions")
    # Notices in the last month at most: a standstill is 8 working days long.
    params["since"] = (today - dt.timedelta(days=31)).isoformat()
    rows = db.query(
        "SELECT decisions.reference, decisions.title, committees.name AS committee_name,"
        " decision_notices.published_on,"
        " (SELECT count(*) FROM decision_representations AS r WHERE r.decision_id = decisions.id"
        "  AND r.responded_on IS NULL) AS open_count"
        " FROM decision_notices JOIN decisions ON decisions.id = decision_notices.decision_id"
        " JOIN committees ON committees.id = decisions.committee_id"
        " WHERE decision_notices.kind = 'intention' AND decisions.status = 'decided'"
        " AND decision_notices.published_on >= :since AND " + condition, params)
    found = []
    for row in rows:
        notice_on = dt.date.fromisoformat(row["published_on"])
        if standstill.ending_soon(notice_on, today, within):
            found.append(RunningStandstill(row["reference"], row["title"], row["committee_name"],
                                           standstill.clock(notice_on, today),
                                           row["open_count"]))
    return sorted(found, key=lambda s: (s.clock.ends_on, s.reference))
