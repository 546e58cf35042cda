"""Stopping announcements, as a person sees it: the link is in the announcement itself (not
only in a header a mail program may hide), stopping also stops what is already waiting in
the outbox, and the person can change their mind."""

import email
import email.policy

from conftest import csrf_from
from helpers import register_someone
from sqlalchemy import func, select
from test_mail import smtp  # noqa: F401
from test_mail_headers import PUBLIC_URL, announce, raw_messages, settings  # noqa: F401

from app.extensions import db
from app.mail import announcements
from app.mail import sender as mail_sender
from app.mail.unsubscribe import unsubscribe_token
from app.models import Announcement, Attendee, MessageStatus, OutboxMessage


def announcements_waiting(attendee) -> int:
    db.session.rollback()
    query = (
        select(func.count())
        .select_from(OutboxMessage)
        .filter_by(attendee_id=attendee.id, kind="announcement")
    )
    return db.session.scalar(query)


def test_the_announcement_shows_the_same_unsubscribe_link_as_its_header(app, event, settings, smtp):  # noqa: F811
    giulia = register_someone(event, language="it")
    announce(event)
    mail_sender.deliver_due()
    [(headers, content)] = [(h, c) for h, c in raw_messages(smtp) if "list-unsubscribe" in h]
    link = headers["list-unsubscribe"][0].strip("<>")
    assert link.startswith(f"{PUBLIC_URL}/unsubscribe/") and unsubscribe_token(giulia) in link
    message = email.message_from_bytes(content, policy=email.policy.default)
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert link in text and "Per non riceverne più" in text
    assert f'href="{link}"' in html and "Non ricevere più annunci" in html


def test_stopping_drops_the_announcements_still_waiting_for_that_person_only(app, event, client):
    giulia, marco = register_someone(event), register_someone(event)
    announce(event)  # queued, not delivered yet
    announce(event)
    failed = db.session.scalars(
        select(OutboxMessage).filter_by(attendee_id=giulia.id, kind="announcement")
    ).first()
    failed.status = MessageStatus.FAILED  # the mail server was away: an organiser may retry it
    db.session.commit()
    client.post(f"/unsubscribe/{unsubscribe_token(giulia)}", data={"List-Unsubscribe": "One-Click"})
    assert announcements_waiting(giulia) == 0
    assert announcements_waiting(marco) == 2, "the others' announcements stay"
    for announcement in db.session.scalars(select(Announcement)):
        announcements.retry_failed(announcement)
    assert announcements_waiting(giulia) == 0, "a retry does not bring hers back"
    own = db.session.scalar(select(func.count()).select_from(OutboxMessage).filter_by(attendee_id=giulia.id))
    assert own == 1, "her confirmation is kept"


def test_a_person_can_change_their_mind_and_get_the_announcements_again(app, event, client):
    giulia = register_someone(event)
    link = f"/unsubscribe/{unsubscribe_token(giulia)}"
    page = client.get(link).get_data(as_text=True)
    client.post(link, data={"csrf_token": csrf_from(page)})
    stopped = client.get(link).get_data(as_text=True)
    assert "Ricevi di nuovo gli annunci" in stopped
    assert client.post(f"{link}/resume", data={}).status_code == 400, "the button needs its CSRF token"
    db.session.expire_all()
    assert db.session.get(Attendee, giulia.id).announcements_stopped_at is not None
    answer = client.post(f"{link}/resume", data={"csrf_token": csrf_from(stopped)})
    assert answer.status_code == 303
    assert "Interrompi gli annunci" in client.get(link).get_data(as_text=True)
    announce(event)
    assert announcements_waiting(giulia) == 1, "announcements reach her again"


def test_another_persons_token_cannot_resume_or_stop_someone_else(app, event, client):
    giulia, marco = register_someone(event), register_someone(event)
    client.post(f"/unsubscribe/{unsubscribe_token(giulia)}", data={"List-Unsubscribe": "One-Click"})
    page = client.get(f"/unsubscribe/{unsubscribe_token(marco)}").get_data(as_text=True)
    forged = unsubscribe_token(giulia)[:-2] + "xx"
    assert (
        client.post(f"/unsubscribe/{forged}/resume", data={"csrf_token": csrf_from(page)}).status_code == 404
    )
    client.post(f"/unsubscribe/{unsubscribe_token(marco)}/resume", data={"csrf_token": csrf_from(page)})
    db.session.expire_all()
    assert db.session.get(Attendee, giulia.id).announcements_stopped_at is not None
