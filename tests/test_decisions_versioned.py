"""What pages read of the decisions, kept for the version of the facts it was read at: reused
while the audit trail's head stays, read again once a write has recorded its event."""
from __future__ import annotations

from register import audit
from register.db import write_transaction
from register.decisions.versioned import VersionedCache, facts_version

from .conftest import add_committee, add_decision


def test_the_cache_builds_once_per_key_and_drops_the_least_recently_used():
    cache: VersionedCache[str] = VersionedCache(2)
    built: list[str] = []

    def build(value: str):
        return lambda: built.append(value) or value

    assert cache.get(("v1", 1), build("a")) == "a"
    assert cache.get(("v1", 1), build("again")) == "a"
    assert cache.get(("v1", 2), build("b")) == "b"
    assert cache.get(("v1", 1), build("again")) == "a"  # now the most recently used
    assert cache.get(("v2", 1), build("c")) == "c"  # a new version: drops ("v1", 2)
    assert cache.get(("v1", 2), build("b2")) == "b2"
    assert built == ["a", "b", "c", "b2"]


def test_the_version_moves_with_every_audited_write_and_names_the_database(app, db):
    first = facts_version(db, app.config["DATABASE"])
    assert first == facts_version(db, app.config["DATABASE"])
    assert first != facts_version(db, "another.sqlite3")
    with app.app_context(), write_transaction(db):
        audit.record(db, actor="secretary", action="update", entity="decision", entity_id=1,
                     changes={})
    assert facts_version(db, app.config["DATABASE"]) != first


def _audited_rename(app, db, decision: int, title: str) -> None:
    """Rename a decision as a write path does: the change and its event in one transaction."""
    with app.app_context(), write_transaction(db):
        db.execute("UPDATE decisions SET title = ? WHERE id = ?", [title, decision])
        audit.record(db, actor="secretary", action="update", entity="decision",
                     entity_id=decision, changes={"title": ["Old", title]})


def test_the_register_and_the_decision_page_read_again_after_an_audited_write(app, db, as_role):
    decision = add_decision(db, add_committee(db), title="Community phlebotomy",
                            status="awaiting_review", submitted_at="2026-03-11T09:00:00Z")
    reference = db["decisions"].get(decision)["reference"]
    client = as_role("secretary")
    for url in ("/decisions/register", f"/decisions/{reference}", "/decisions/"):
        assert "Community phlebotomy" in client.get(url).get_data(as_text=True)
    # A change recorded with no event (as no write path of the register makes) is not read
    # again: the register keeps the rows it read for this version of the facts.
    db.execute("UPDATE decisions SET title = 'Renamed quietly' WHERE id = ?", [decision])
    page = client.get("/decisions/register").get_data(as_text=True)
    assert "Community phlebotomy" in page and "Renamed quietly" not in page
    # Once a write records its event, both pages read the decision again: the register's row
    # and the decision page's summary (drawn from its record) show the new title.
    _audited_rename(app, db, decision, "Wound care clinic")
    for url in ("/decisions/register", f"/decisions/{reference}", "/decisions/"):
        page = client.get(url).get_data(as_text=True)
        assert "Wound care clinic" in page and "Community phlebotomy" not in page


def test_links_built_once_are_the_routes_own(app):
    """A table's links are built from one routed address; each must be what routing it gives,
    whatever the value holds."""
    from flask import url_for

    from register.views_common import links_to

    with app.test_request_context("/"):
        link = links_to("decisions.show", "reference")
        for value in ("MOB-2026-0001", "MOB 2026/7", "Ré&f?#%", "<b>", "a+b=c;d"):
            assert link(value) == url_for("decisions.show", reference=value)
