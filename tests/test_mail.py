"""E-mail through a real SMTP server (aiosmtpd on loopback)."""

import email
import email.policy
import io
import socket
import threading
from datetime import UTC, datetime, timedelta

import icalendar
import pypdfium2
import pytest
import zxingcpp
from helpers import register_someone
from PIL import Image
from sqlalchemy import event as sa_event
from sqlalchemy import func, select

from app import create_app
from app.checkin.badges import BadgeCheck, verify_badge_token
from app.extensions import db
from app.mail import sender as mail_sender
from app.mail.reminders import queue_reminders
from app.models import OutboxMessage, utcnow
from app.registration.cancellation import cancel_registration
from app.worldcafe import services as world_cafe


@pytest.fixture
def smtp(app, smtp_server):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port, MAIL_TIMEOUT=2)
    yield smtp_server
    app.config.update(MAIL_SERVER="localhost", MAIL_PORT=25)


def received(smtp_server):
    return [email.message_from_bytes(e.content, policy=email.policy.default) for e in smtp_server.messages]


def parts_by_type(message):
    return {part.get_content_type(): part for part in message.walk() if not part.is_multipart()}


def make_due_now():
    db.session.execute(db.update(OutboxMessage).values(next_attempt_at=utcnow()))
    db.session.commit()


def test_confirmation_arrives_with_text_html_inline_qr_badge_pdf_and_calendar(app, event, smtp):
    attendee = register_someone(event, first_name="Nicolò", language="it")
    assert mail_sender.deliver_due() == (1, 0)
    [message] = received(smtp)
    assert message["To"] == attendee.email
    assert "iscrizione" in message["Subject"].lower()
    parts = parts_by_type(message)
    assert {"text/plain", "text/html", "image/png", "application/pdf", "text/calendar"} <= set(parts)
    html = parts["text/html"].get_content()
    qr = parts["image/png"]
    assert f'src="cid:{qr["Content-ID"].strip("<>")}"' in html, "the QR is shown inline"
    text = parts["text/plain"].get_content()
    assert "Nicolò" in text
    assert "\n\n\n" not in text.replace("\r\n", "\n"), "one blank line between paragraphs, never two"
    assert parts["application/pdf"].get_content().startswith(b"%PDF")
    [entry] = icalendar.Calendar.from_ical(parts["text/calendar"].get_payload(decode=True)).walk("VEVENT")
    assert entry.decoded("DTSTART").astimezone(UTC) == datetime(2027, 7, 13, 8, tzinfo=UTC), "10:00 in Rome"
    db.session.expire_all()
    assert db.session.scalars(select(OutboxMessage)).one().status == "sent"
    # Both QR codes, inline and on the PDF badge, decode to a badge the app accepts.
    for image in (Image.open(io.BytesIO(qr.get_content())), pdf_page(parts["application/pdf"].get_content())):
        [code] = zxingcpp.read_barcodes(image)
        assert verify_badge_token(code.text, event).check is BadgeCheck.VALID


def pdf_page(pdf_bytes):
    document = pypdfium2.PdfDocument(pdf_bytes)
    return document[0].render(scale=300 / 72).to_pil()


def test_waiting_list_notice_has_no_badge(app, event, smtp):
    event.capacity = 0
    db.session.commit()
    register_someone(event, language="en")
    mail_sender.deliver_due()
    [message] = received(smtp)
    assert "waiting list" in message["Subject"]
    assert "application/pdf" not in parts_by_type(message)


def test_mail_server_down_then_back_delivers_each_message_exactly_once(app, event, smtp):
    for _ in range(3):
        register_someone(event)
    smtp.stop()
    assert mail_sender.deliver_due() == (0, 3)
    db.session.expire_all()
    queued = db.session.scalars(select(OutboxMessage)).all()
    assert all(m.status == "queued" and m.attempts == 1 and m.last_error for m in queued)
    assert all(m.next_attempt_at > utcnow() for m in queued), "retried later, with back-off"
    assert mail_sender.deliver_due() == (0, 0), "nothing is due before the back-off"
    smtp.start()
    make_due_now()
    assert mail_sender.deliver_due() == (3, 0)
    make_due_now()
    assert mail_sender.deliver_due() == (0, 0)
    assert sorted(m["To"] for m in received(smtp)) == sorted(m.recipient for m in queued)


def test_a_server_that_never_answers_times_out_instead_of_blocking(app, event):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()  # accepts connections, never greets
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=silent.getsockname()[1], MAIL_TIMEOUT=0.5)
    try:
        register_someone(event)
        assert mail_sender.deliver_due() == (0, 1)
    finally:
        silent.close()
        app.config.update(MAIL_SERVER="localhost", MAIL_PORT=25)
    assert "timed out" in db.session.scalars(select(OutboxMessage)).one().last_error


def test_a_sender_that_died_mid_run_leaves_its_messages_to_the_next_one(app, event, smtp):
    register_someone(event)
    claimed = mail_sender.claim_due(10)  # ...and then the process was killed
    assert [m.status for m in claimed] == ["sending"]
    assert mail_sender.deliver_due() == (0, 0), "a live claim is not taken twice"
    claimed[0].claimed_at = utcnow() - mail_sender.CLAIM_TIMEOUT - timedelta(seconds=1)
    db.session.commit()
    assert mail_sender.deliver_due() == (1, 0)
    assert mail_sender.deliver_due() == (0, 0)
    assert len(smtp.messages) == 1


def test_bulk_sending_reuses_one_connection(app, event, smtp):
    for _ in range(12):
        register_someone(event)
    assert mail_sender.deliver_due() == (12, 0)
    assert len(smtp.messages) == 12
    assert len(smtp.sessions) == 1


def test_a_batch_costs_a_few_statements_and_each_badge_shows_its_own_table(app, event, smtp):
    people = [register_someone(event, table_ids=[event.tables[n % 6].id]) for n in range(12)]
    world_cafe.publish(world_cafe.run_assignment(event, "organiser@example.org"), "organiser@example.org")
    queued = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    assert queued == 24, "a confirmation and a table assignment each"
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert mail_sender.deliver_due() == (24, 0)
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", count)
    # Claiming and loading the batch is a fixed few; then one UPDATE records each group of
    # messages (a group a second at least, on a slow machine a few).
    updates = [s for s in statements if s.lstrip().upper().startswith("UPDATE")]
    assert len(statements) <= 14 and len(updates) <= 5, "\n".join(s[:120] for s in statements)
    for message in received(smtp):
        if "tavolo" not in message["Subject"].lower():
            continue
        person = next(p for p in people if p.email == message["To"])
        seat = world_cafe.published_seats(person)[0]
        badge = pypdfium2.PdfDocument(parts_by_type(message)["application/pdf"].get_content())
        printed = " ".join(badge[0].get_textpage().get_text_range().split())  # lines wrap
        assert f"Tavolo: {seat.cafe_table.name['it']}" in printed


def test_two_senders_at_once_send_every_message_once(app, event, smtp):
    for _ in range(20):
        register_someone(event)
    results = []

    def sender():
        with app.app_context():
            results.append(mail_sender.deliver_due())
            db.session.remove()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(sent for sent, _ in results) == 20
    assert len(smtp.messages) == 20
    assert len({m.content for m in smtp.messages}) == 20


def test_cancellation_and_promotion_messages_go_out(app, event, smtp):
    lunch = next(p for p in event.day_parts if p.kind == "lunch")
    lunch.capacity = 1
    db.session.commit()
    first, second = register_someone(event, language="en"), register_someone(event, language="en")
    cancel_registration(first)
    mail_sender.deliver_due()
    subjects = {(m["To"], m["Subject"].split(":")[0]) for m in received(smtp)}
    assert (first.email, "Your registration for Brescia Città del Noi is cancelled") in subjects
    assert (second.email, "Good news") in subjects


def test_reminders_are_queued_once_per_confirmed_attendee(app, event, smtp):
    confirmed = register_someone(event)
    cancelled = register_someone(event)
    cancel_registration(cancelled)
    assert queue_reminders(event) == 1
    assert queue_reminders(event) == 0
    runner = app.test_cli_runner()
    result = runner.invoke(args=["mail", "reminders", "--send-now"])
    assert "queued=0" in result.output
    [reminder] = db.session.scalars(select(OutboxMessage).filter_by(kind="reminder")).all()
    assert reminder.recipient == confirmed.email
    assert [m["To"] for m in received(smtp) if m["Message-ID"] == reminder.message_id] == [confirmed.email]


def test_admin_sees_message_status_and_can_send_again(app, event, smtp, make_staff):
    from conftest import csrf_from

    attendee = register_someone(event)
    smtp.stop()
    mail_sender.deliver_due()
    _, admin = make_staff("admin")
    page = admin.get(f"/brescia-citta-del-noi/admin/attendees/{attendee.id}").get_data(as_text=True)
    assert "in coda" in page and "ConnectionRefusedError" in page, "queued again, with the reason"
    message_id = db.session.scalars(select(OutboxMessage.id)).one()
    admin.post(
        f"/brescia-citta-del-noi/admin/messages/{message_id}/resend", data={"csrf_token": csrf_from(page)}
    )
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 2
    smtp.start()
    make_due_now()
    assert mail_sender.deliver_due() == (2, 0)


def test_make_run_catches_mail_and_shows_the_badge_email_in_the_browser(app, event, client):
    app.config["MAIL_CATCH"] = True
    try:
        register_someone(event, first_name="Ottavia")
        assert mail_sender.deliver_due() == (0, 0), "caught, never sent"
    finally:
        app.config["MAIL_CATCH"] = False
    dev = create_app(
        "development", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], MAIL_CATCH=True
    )
    viewer = dev.test_client()
    inbox = viewer.get("/dev/mail/").get_data(as_text=True)
    message_id = db.session.scalars(select(OutboxMessage.id)).one()
    assert f"/dev/mail/{message_id}" in inbox
    page = viewer.get(f"/dev/mail/{message_id}").get_data(as_text=True)
    assert f'<iframe class="mail-html" src="/dev/mail/{message_id}/html"' in page
    assert "Ottavia" in page  # the plain-text part
    # The HTML part, framed: its inline styles allowed (e-mail needs them), no script at all.
    part = viewer.get(f"/dev/mail/{message_id}/html")
    html = part.get_data(as_text=True)
    assert "Ottavia" in html and f"/dev/mail/{message_id}/qr.png" in html and "cid:" not in html
    policy = part.headers["Content-Security-Policy"]
    assert "style-src 'unsafe-inline'" in policy and "script-src" not in policy
    assert "default-src 'none'" in policy and part.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert viewer.get(f"/dev/mail/{message_id}/qr.png").mimetype == "image/png"
    assert viewer.get(f"/dev/mail/{message_id}/badge.pdf").data.startswith(b"%PDF")


def test_the_mail_viewer_does_not_exist_unless_mail_is_caught(client, event):
    assert client.get("/dev/mail/").status_code == 404
