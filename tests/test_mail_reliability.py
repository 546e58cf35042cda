"""The mail sender against bad data and refusing servers (a real SMTP server on loopback):
one message that cannot be built or sent never stops the others, no text becomes a header
with a line break in it, and nothing is left waiting in `sending`."""

from email.utils import make_msgid

import pytest
from conftest import SmtpServer
from helpers import register_someone
from sqlalchemy import select
from test_mail import received, smtp  # noqa: F401

from app.extensions import db
from app.mail import sender as mail_sender
from app.models import OutboxMessage, utcnow

INJECTED = "\r\nBcc: victim@example.org"


def outbox() -> list[OutboxMessage]:
    db.session.expire_all()
    return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def stored_directly(**fields) -> OutboxMessage:
    """An outbox row as old data or a bug could have left it: written without the forms' checks."""
    values = dict(
        kind="announcement",
        subject="Cambio di sala",
        body_text="Ci vediamo nella sala grande.",
        body_html="<p>Ci vediamo nella sala grande.</p>",
        attachments=[],
        message_id=make_msgid("noiday", domain="example.org"),
    )
    message = OutboxMessage(**{**values, **fields})
    db.session.add(message)
    db.session.commit()
    return message


def envelope_recipients(smtp_server) -> list[str]:
    return sorted(address for envelope in smtp_server.messages for address in envelope.rcpt_tos)


@pytest.mark.parametrize("bad_tail", [INJECTED, ", victim@example.org"], ids=["line break", "second address"])
def test_a_message_that_cannot_be_built_fails_with_its_reason_and_the_others_go_out(
    app,
    event,
    smtp,  # noqa: F811
    make_staff,
    bad_tail,
):
    before = register_someone(event)
    broken = stored_directly(attendee_id=before.id, recipient=before.email + bad_tail)
    after = register_someone(event)

    assert mail_sender.deliver_due() == (2, 1)
    assert sorted(m["To"] for m in received(smtp)) == sorted([before.email, after.email])
    assert envelope_recipients(smtp) == sorted([before.email, after.email]), "no copy to the Bcc"
    by_id = {m.id: m for m in outbox()}
    assert by_id[broken.id].status == "failed" and by_id[broken.id].attempts == 1
    assert "not one e-mail address" in by_id[broken.id].last_error
    assert [m.status for m in by_id.values()].count("sent") == 2
    assert "sending" not in [m.status for m in by_id.values()]
    assert mail_sender.deliver_due() == (0, 0), "failed for good: not tried again and again"

    page = (
        make_staff("admin")[1]
        .get(f"/brescia-citta-del-noi/admin/attendees/{before.id}")
        .get_data(as_text=True)
    )
    assert "non riuscito" in page and "not one e-mail address" in page, "the organisers see why"


def test_text_stored_with_a_line_break_goes_out_on_one_line_and_adds_no_header(
    app,
    event,
    smtp,  # noqa: F811
):
    # An event's short name and an announcement subject from before the checks refused line
    # breaks (subjects name the event by its short name).
    event.short_name = {"it": "Noi" + INJECTED, "en": "Noi" + INJECTED}
    db.session.commit()
    attendee = register_someone(event)
    stored_directly(attendee_id=attendee.id, recipient=attendee.email, subject="Cambio\ndi sala" + INJECTED)

    assert mail_sender.deliver_due() == (2, 0)
    subjects = sorted(m["Subject"] for m in received(smtp))
    assert subjects == [
        "Cambio di sala Bcc: victim@example.org",
        "La tua iscrizione a Noi Bcc: victim@example.org",
    ]
    assert all(m["Bcc"] is None for m in received(smtp))
    assert envelope_recipients(smtp) == [attendee.email, attendee.email]


class RefusingSmtpServer(SmtpServer):
    """A real SMTP server that refuses some mailboxes: for good (5xx) or for now (4xx)."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("nobody"):
            return "550 5.1.1 No such user here"
        if address.startswith("busy"):
            return "452 4.2.2 Mailbox full, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_a_mailbox_refused_for_good_fails_at_once_and_one_refused_for_now_is_retried(app, event):
    server = RefusingSmtpServer().start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_TIMEOUT=2)
    try:
        nobody = register_someone(event, email="nobody@example.org")
        busy = register_someone(event, email="busy@example.org")
        fine = register_someone(event)
        assert mail_sender.deliver_due() == (1, 2)
    finally:
        server.stop()
        app.config.update(MAIL_SERVER="localhost", MAIL_PORT=25)
    by_recipient = {m.recipient: m for m in outbox()}
    assert by_recipient[fine.email].status == "sent"
    refused = by_recipient[nobody.email]
    assert (refused.status, refused.attempts) == ("failed", 1), "retrying will not create the mailbox"
    assert "550" in refused.last_error and "No such user" in refused.last_error
    later = by_recipient[busy.email]
    assert later.status == "queued" and "452" in later.last_error
    assert later.next_attempt_at > utcnow(), "tried again later, with back-off"
    assert envelope_recipients(server) == [fine.email]


def test_a_run_stopped_by_an_error_gives_back_what_it_claimed(app, event, smtp):  # noqa: F811
    people = [register_someone(event) for _ in range(3)]
    app.config["MAIL_TIMEOUT"] = "soon"  # a mistake in the mail settings: the run stops on it
    try:
        with pytest.raises(TypeError):  # reported, not hidden
            mail_sender.deliver_due()
    finally:
        app.config["MAIL_TIMEOUT"] = 2
    assert [m.status for m in outbox()] == ["queued"] * 3, "nothing left in `sending`"
    # Once the settings are mended, the next run sends them at once, not after the claim expires.
    assert mail_sender.deliver_due() == (3, 0)
    assert sorted(m["To"] for m in received(smtp)) == sorted(p.email for p in people)


def test_a_run_stopped_midway_records_what_was_sent_and_gives_back_the_rest(app, event, smtp, monkeypatch):  # noqa: F811
    people = [register_someone(event) for _ in range(5)]
    send = mail_sender.smtplib.SMTP.send_message
    calls = []

    def stopped_at_the_third(self, message, *args, **kwargs):
        calls.append(message["To"])
        if len(calls) == 3:
            raise KeyboardInterrupt  # the sender is stopped (Ctrl-C, SIGTERM) mid-run
        return send(self, message, *args, **kwargs)

    monkeypatch.setattr(mail_sender.smtplib.SMTP, "send_message", stopped_at_the_third)
    with pytest.raises(KeyboardInterrupt):
        mail_sender.deliver_due()
    assert [m.status for m in outbox()] == ["sent"] * 2 + ["queued"] * 3, "what the server took is recorded"
    monkeypatch.setattr(mail_sender.smtplib.SMTP, "send_message", send)
    assert mail_sender.deliver_due() == (3, 0)
    assert sorted(m["To"] for m in received(smtp)) == sorted(p.email for p in people), "each one once"
