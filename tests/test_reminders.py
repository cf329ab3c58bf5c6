"""`send-reminders`: annual declarations due and reviews past their target, each sent once in its
interval through a real SMTP server; `--dry-run` lists who would get what."""
from __future__ import annotations

import datetime as dt

from register import timeutil

from .conftest import add_person, add_user
from .test_mail import free_port, inbox, mailing  # noqa: F401
from .test_reviews import submitted, world  # noqa: F401


def test_dry_run_lists_each_reminder_with_its_address_and_sends_nothing(app, db, runner):
    add_person(db, name="Dr Ada Lovelace", email="ada@example.nhs.uk", is_decision_maker=1)
    add_person(db, name="Not A Decider", email="not@example.nhs.uk", is_decision_maker=0)
    result = runner.invoke(args=["send-reminders", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert ("annual return: Dr Ada Lovelace <ada@example.nhs.uk>: Your annual declaration of "
            "interests is due") in result.output
    assert "not@example.nhs.uk" not in result.output
    assert "1 reminder would be sent (dry run: nothing was queued)." in result.output
    assert db["outbox"].count == 0 and db["reminders_sent"].count == 0


def test_reminders_go_through_the_server_once_in_their_interval(app, db, runner, mailing,  # noqa: F811
                                                               inbox, world, monkeypatch):  # noqa: F811
    monkeypatch.setattr(timeutil, "today_uk", lambda: dt.date(2026, 3, 20))
    lead = add_person(db, name="Grace Lead", email="grace.lead@example.nhs.uk")
    add_user(db, role="governance", username="grace", person_id=lead)
    submitted(db, world, submitted_at="2026-03-02T10:00:00+00:00")  # 14 working days ago
    db.execute("UPDATE people SET email = 'asha.patel@example.nhs.uk' WHERE id = ?",
               [world.gp1])
    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    received = {m["To"]: m for m in inbox.messages}
    assert received["asha.patel@example.nhs.uk"]["Subject"] == \
        "Your annual declaration of interests is due"
    digest = received["grace.lead@example.nhs.uk"]
    assert digest["Subject"] == "1 conflicts review is past the 5-working-day target"
    assert "waiting 14 working days" in digest.get_body(("plain",)).get_content()
    first = len(inbox.messages)
    # The same day again: nothing new.
    again = runner.invoke(args=["send-reminders"])
    assert "Queued 0 reminders" in again.output and len(inbox.messages) == first


def test_an_unreachable_server_keeps_the_reminders_queued(app, db, runner):
    add_person(db, name="Dr Ada Lovelace", email="ada@example.nhs.uk", is_decision_maker=1)
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_SECURITY="none",
                      MAIL_TIMEOUT_SECONDS=2)
    result = runner.invoke(args=["send-reminders"])
    assert "Queued 1 reminder; sent 0, 1 to try again." in result.output
    row = dict(next(db.query("SELECT * FROM outbox")))
    assert row["sent_at"] is None and row["attempts"] == 1
