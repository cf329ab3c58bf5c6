"""Email through a real SMTP server (aiosmtpd) started by the fixture on a free port: messages are
queued in the write they tell of, delivered by `send-mail`, and kept in the outbox when they
cannot be sent. Never skipped: the server is a test requirement."""
from __future__ import annotations

import email
import email.policy
import html
import logging
import re
import socket

import pytest
from aiosmtpd.controller import Controller

from register import mail

from .conftest import add_person, add_user, count, sign_in
from .test_reviews import reference, review_form, status_of, submitted, world  # noqa: F401


class Inbox:
    """An SMTP handler that keeps every message it accepts, and refuses while told to."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.refuse = False

    async def handle_DATA(self, server, session, envelope):  # noqa: N802, ANN001, ANN201
        if self.refuse:
            return "550 Mailbox unavailable"
        self.messages.append(email.message_from_bytes(envelope.content,
                                                      policy=email.policy.default))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def inbox():
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


@pytest.fixture
def mailing(app, inbox):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=inbox.port, MAIL_SECURITY="none",
                      MAIL_SENDER="register@northvale.example.nhs.uk",
                      BASE_URL="https://register.northvale.example.nhs.uk")
    return app


@pytest.fixture
def secretary(db):
    person = add_person(db, name="Priya Sharma", email="priya.sharma@example.nhs.uk")
    return add_user(db, role="secretary", username="priya", person_id=person)


def return_decision(app, db, world, secretary, title="Community anticoagulation service"):  # noqa: F811
    decision = submitted(db, world, author_user_id=secretary, title=title)  # noqa: F811
    ref = reference(db, decision)
    lead_person = add_person(db, name="Governance Person", email="lead@example.nhs.uk")
    add_user(db, role="governance", username="lead", person_id=lead_person)
    lead = app.test_client()
    sign_in(lead, "lead")
    response = lead.post(f"/reviews/{ref}", data=review_form(
        lead, ref, action="return", return_reason="The option appraisal is missing"))
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert status_of(db, decision) == "returned"
    return ref


def test_a_returned_decision_emails_its_secretary_through_the_server(app, db, mailing, inbox,
                                                                    world, secretary, runner):  # noqa: F811
    ref = return_decision(app, db, world, secretary)  # noqa: F811
    assert count(db, "outbox") == 1 and inbox.messages == []
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert "Sent 1; 0 could not be sent" in result.output
    [message] = inbox.messages
    assert message["To"] == "priya.sharma@example.nhs.uk"
    assert message["Subject"] == f"{ref} was returned for more information"
    assert "register@northvale.example.nhs.uk" in message["From"]
    text = message.get_body(("plain",)).get_content()
    page = message.get_body(("html",)).get_content()
    link = f"https://register.northvale.example.nhs.uk/decisions/{ref}"
    assert link in text and f'href="{link}"' in page
    # The reason stays in the register: the reader signs in to see it.
    assert "option appraisal" not in text and "option appraisal" not in page
    assert db.execute("SELECT sent_at IS NOT NULL, attempts FROM outbox").fetchone() == (1, 1)
    # Sent once: the next run has nothing to send.
    assert "Sent 0" in runner.invoke(args=["send-mail"]).output
    assert len(inbox.messages) == 1


def test_user_text_is_escaped_in_the_html_and_kept_to_one_header_line(app, db, mailing, inbox,
                                                                      world, secretary, runner):  # noqa: F811
    ref = return_decision(app, db, world, secretary,  # noqa: F811
                          title="<script>alert(1)</script>\r\nBcc: someone@example.com")
    runner.invoke(args=["send-mail"])
    [message] = inbox.messages
    page = message.get_body(("html",)).get_content()
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert message["Bcc"] is None
    assert re.search(r"Bcc: someone@example\.com", message.get_body(("plain",)).get_content())
    assert message["Subject"] == f"{ref} was returned for more information"


def test_a_refused_message_stays_queued_with_the_reason_and_is_sent_later(app, db, mailing, inbox,
                                                                           world, secretary,  # noqa: F811
                                                                           runner, as_role):
    return_decision(app, db, world, secretary)  # noqa: F811
    inbox.refuse = True
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 1 and "1 could not be sent and will be tried again" in result.output
    row = dict(next(db.query("SELECT * FROM outbox")))
    assert row["sent_at"] is None and row["attempts"] == 1
    assert "550" in row["last_error"]
    page = html.unescape(as_role("admin").get("/outbox").get_data(as_text=True))
    assert "Not sent yet: 1 attempt failed" in page and "550" in page
    inbox.refuse = False
    assert "Sent 1" in runner.invoke(args=["send-mail"]).output
    assert len(inbox.messages) == 1


def test_a_server_that_cannot_be_reached_leaves_the_message_queued(app, db, world, secretary,  # noqa: F811
                                                                  runner):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_SECURITY="none",
                      MAIL_TIMEOUT_SECONDS=2)
    return_decision(app, db, world, secretary)  # noqa: F811
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 1
    row = dict(next(db.query("SELECT * FROM outbox")))
    assert row["sent_at"] is None and row["last_error"].startswith(
        "Could not reach the mail server")


def test_without_a_mail_server_messages_wait_in_the_outbox_and_the_log(app, db, world, secretary,  # noqa: F811
                                                                      runner, as_role, caplog):
    caplog.set_level(logging.INFO, logger="register")
    ref = return_decision(app, db, world, secretary)  # noqa: F811
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0
    assert "No mail server is set (REGISTER_MAIL_SERVER): 1 message waits in the outbox" in \
        result.output
    assert f"{ref} was returned for more information" in caplog.text
    admin = as_role("admin")
    page = html.unescape(admin.get("/outbox").get_data(as_text=True))
    assert "No mail server is set" in page and "Waiting to be sent" in page
    assert "priya.sharma@example.nhs.uk" in page
    assert as_role("secretary", username="other").get("/outbox").status_code == 403


def test_a_malformed_address_is_refused_and_the_event_still_stands(db):
    with pytest.raises(mail.MailProblem, match="is not an email address"):
        mail.queue(db, mail.Message(to="not an address", subject="x", lines=("y",)))
    assert count(db, "outbox") == 0


def test_a_flagged_decision_tells_the_governance_leads_and_a_daily_reader_gets_a_summary(
        app, db, mailing, inbox, world, secretary, runner):  # noqa: F811
    from register.decisions import lifecycle

    from .conftest import add_decision

    lead = add_person(db, name="Grace Lead", email="grace.lead@example.nhs.uk")
    add_user(db, role="governance", username="grace", person_id=lead)
    daily = add_person(db, name="Dan Daily", email="dan.daily@example.nhs.uk")
    dan = add_user(db, role="governance", username="dan", person_id=daily)
    client = app.test_client()
    sign_in(client, "dan")
    assert client.post("/account/email", data={"email_daily": "1"}).status_code == 302
    assert db.execute("SELECT email_daily FROM users WHERE id = ?", [dan]).fetchone()[0] == 1

    decision = add_decision(db, world.committee, providers=(world.practice,),
                            participants=tuple((p, "voting") for p in world.voting))
    version = db.execute("SELECT version FROM decisions WHERE id = ?", [decision]).fetchone()[0]
    assert lifecycle.submit(db, decision, version, "tester") == "awaiting_review"
    ref = reference(db, decision)
    runner.invoke(args=["send-mail"])
    assert [m["To"] for m in inbox.messages] == ["grace.lead@example.nhs.uk"]
    assert inbox.messages[0]["Subject"] == f"{ref} is waiting for a conflicts review"

    # Dan's waits for his daily summary, which send-reminders sends.
    dry = runner.invoke(args=["send-reminders", "--dry-run"]).output
    assert "daily summary: <dan.daily@example.nhs.uk>: 1 update" in dry
    runner.invoke(args=["send-reminders"])
    summary = next(m for m in inbox.messages if m["To"] == "dan.daily@example.nhs.uk"
                   and m["Subject"].startswith("Your daily summary"))
    assert summary["Subject"] == "Your daily summary: 1 update"
    assert f"{ref} is waiting for a conflicts review" in \
        summary.get_body(("plain",)).get_content()
    assert "Sent 0" in runner.invoke(args=["send-mail"]).output


def test_a_voided_sign_off_and_an_approved_declaration_reach_their_people(
        app, db, mailing, inbox, world, secretary, runner, as_role):  # noqa: F811
    from .conftest import add_interest
    from .test_reviews import sign_off_data

    decision = submitted(db, world, author_user_id=secretary)
    ref = reference(db, decision)
    lead = as_role("governance")
    assert lead.post(f"/reviews/{ref}", data=sign_off_data(lead, ref)).status_code == 302
    assert status_of(db, decision) == "signed_off"
    # A new interest of someone taking part changes the conflicts: the sign-off is voided.
    add_interest(db, world.voting[0], organisation_id=world.practice, organisation_name="",
                 nature="Shareholder", date_from="2020-01-01", declared_on="2026-03-05")
    assert status_of(db, decision) == "awaiting_review"

    member = as_role("member", username="member")
    declared = member.post("/interests/declare", data={
        "organisation_id": "", "organisation_name": "Go-To-Doc Ltd",
        "organisation_business": "", "interest_type": "financial", "directness": "direct",
        "nature": "Shareholder", "date_from-day": "1", "date_from-month": "3",
        "date_from-year": "2025", "consent": "yes"})
    interest = int(declared.headers["Location"].rstrip("/").split("/")[-1])
    version = db.execute("SELECT version FROM interests WHERE id = ?", [interest]).fetchone()[0]
    lead.post(f"/interests/{interest}/approval", data={"decision": "approve", "version": version})

    assert runner.invoke(args=["send-mail"]).exit_code == 0
    subjects = {(m["To"], m["Subject"]) for m in inbox.messages}
    assert ("priya.sharma@example.nhs.uk", f"The sign-off of {ref} was voided") in subjects
    assert ("member@example.nhs.uk", "Your declaration of interests was approved") in subjects
