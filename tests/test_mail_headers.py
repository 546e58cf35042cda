"""The headers every message carries, read from the raw bytes a real SMTP server received,
and the one-click unsubscribe (RFC 8058) that announcements, and only they, offer."""

import email
import email.policy
import re
import uuid
from datetime import timedelta

import pytest
from conftest import csrf_from
from helpers import register_someone, registration_data
from sqlalchemy import select
from test_mail import smtp  # noqa: F401

from app.checkin.services import check_in_attendee
from app.extensions import db
from app.mail import announcements
from app.mail import sender as mail_sender
from app.mail.reminders import queue_reminders
from app.mail.unsubscribe import unsubscribe_token
from app.models import Attendee, AttendeeStatus, Audience, Role
from app.registration.changes import update_registration
from app.registration.tokens import manage_token
from app.results import feedback
from app.staff.services import invite_user

SENDER = "Brescia Città del Noi <noreply@bresciacittadelnoi.example>"
PUBLIC_URL = "https://iscrizioni.bresciacittadelnoi.example"  # a link longer than a header line


@pytest.fixture
def settings(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_DEFAULT_SENDER", SENDER)
    monkeypatch.setitem(app.config, "PUBLIC_URL", PUBLIC_URL)


def raw_messages(smtp_server) -> list[tuple[dict[str, list[str]], bytes]]:
    """(the headers as the bytes spell them, one line each after unfolding; the raw bytes)."""
    found = []
    for envelope in smtp_server.messages:
        head = envelope.content.split(b"\r\n\r\n", 1)[0].decode("ascii")
        headers: dict[str, list[str]] = {}
        for line in re.sub(r"\r\n[ \t]", " ", head).split("\r\n"):
            name, _, value = line.partition(":")
            headers.setdefault(name.lower(), []).append(value.strip())
        found.append((headers, envelope.content))
    return found


def by_recipient_and_kind(smtp_server) -> dict[tuple[str, str], dict[str, list[str]]]:
    found = {}
    for headers, content in raw_messages(smtp_server):
        parsed = email.message_from_bytes(content, policy=email.policy.default)
        found[(parsed["To"], kind_of(parsed["Subject"]))] = headers
    return found


def kind_of(subject: str) -> str:
    words = {
        "Room change": "announcement",
        "Cambio di sala": "announcement",
        "waiting list": "waitlisted",
        "lista d'attesa": "waitlisted",
        "See you soon": "reminder",
        "A presto": "reminder",
        "has changed": "updated",
        "è cambiata": "updated",
        "staff": "staff_invite",
        "how was it": "feedback",
        "last reminder": "feedback_reminder",
    }
    return next((kind for word, kind in words.items() if word.lower() in subject.lower()), "confirmation")


def announce(event) -> None:
    announcements.send(
        event,
        Audience.CONFIRMED,
        announcements.AnnouncementText(
            subject={"it": "Cambio di sala", "en": "Room change"},
            body={"it": "Ci vediamo nella sala grande.", "en": "See you in the main hall."},
        ),
        uuid.uuid4().hex,
        "organiser@example.org",
    )


def ask_for_feedback(event, attendee) -> None:
    """After the day: the questionnaire, then its one reminder."""
    check_in_attendee(event, attendee.id, None, uuid.uuid4().hex, desk_name="Desk 1")
    after = feedback.opens_at(event) + timedelta(minutes=1)
    feedback.send_questionnaire(event, now=after)
    feedback.send_reminder(event, now=after + timedelta(days=event.feedback["reminder_after_days"]))


def test_every_kind_has_a_zoned_date_the_senders_message_id_domain_and_auto_submitted(
    app,
    event,
    settings,
    smtp,  # noqa: F811
):
    event.capacity = 1
    db.session.commit()
    giulia = register_someone(event, language="en")
    waiting = register_someone(event, language="en")
    assert waiting.status == AttendeeStatus.WAITLISTED
    queue_reminders(event)
    announce(event)
    invite_user("anna@example.org", "Anna", Role.DESK, "en", "organiser@example.org", event)
    ask_for_feedback(event, giulia)
    assert mail_sender.deliver_due() == (7, 0)
    found = by_recipient_and_kind(smtp)
    assert set(found) == {
        (giulia.email, "confirmation"),
        (waiting.email, "waitlisted"),
        (giulia.email, "reminder"),
        (giulia.email, "announcement"),
        ("anna@example.org", "staff_invite"),
        (giulia.email, "feedback"),
        (giulia.email, "feedback_reminder"),
    }
    for (_, kind), headers in found.items():
        [date] = headers["date"]
        assert re.fullmatch(r"\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}", date), (kind, date)
        assert not date.endswith("-0000"), f"{kind}: the zone is known"
        [message_id] = headers["message-id"]
        assert message_id.endswith("@bresciacittadelnoi.example>"), (kind, message_id)
        assert headers["auto-submitted"] == ["auto-generated"], kind
        if kind == "announcement":
            [link] = headers["list-unsubscribe"]
            # From PUBLIC_URL, as written: not cut into encoded words where it is long.
            assert re.fullmatch(rf"<{re.escape(PUBLIC_URL)}/unsubscribe/[A-Za-z0-9._-]+>", link), link
            assert headers["list-unsubscribe-post"] == ["List-Unsubscribe=One-Click"]
        else:
            assert "list-unsubscribe" not in headers and "list-unsubscribe-post" not in headers, kind


def test_message_id_domain_is_the_setting_else_the_senders_else_public_urls_host(
    app,
    event,
    settings,
    monkeypatch,
    smtp,  # noqa: F811
):
    monkeypatch.setitem(app.config, "MAIL_DEFAULT_SENDER", "Noi Day")  # no address at all
    register_someone(event)  # the Message-ID is made when the message is queued
    monkeypatch.setitem(app.config, "MAIL_MESSAGE_ID_DOMAIN", "mail.example.net")
    register_someone(event)
    monkeypatch.setitem(app.config, "MAIL_DEFAULT_SENDER", SENDER)
    assert mail_sender.deliver_due() == (2, 0)
    domains = sorted(headers["message-id"][0].rsplit("@", 1)[1] for headers, _ in raw_messages(smtp))
    assert domains == ["iscrizioni.bresciacittadelnoi.example>", "mail.example.net>"]


def unsubscribe_link(smtp_server, recipient: str) -> str:
    """The path of the List-Unsubscribe link in the last announcement this person received."""
    links = [
        headers["list-unsubscribe"][0]
        for headers, content in raw_messages(smtp_server)
        if "list-unsubscribe" in headers
        and email.message_from_bytes(content, policy=email.policy.default)["To"] == recipient
    ]
    return links[-1].strip("<>").removeprefix(PUBLIC_URL)


def test_a_one_click_post_stops_the_next_announcement_but_not_their_own_messages(
    app,
    event,
    client,
    settings,
    make_staff,
    smtp,  # noqa: F811
):
    giulia, marco = register_someone(event, language="en"), register_someone(event, language="en")
    announce(event)
    mail_sender.deliver_due()
    link = unsubscribe_link(smtp, giulia.email)
    counts_before = announcements.recipient_counts(event)[Audience.CONFIRMED]
    # As Gmail sends it: a form POST with this one field, no cookie, no CSRF token.
    answer = client.post(link, data={"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200
    smtp.messages.clear()
    assert announcements.recipient_counts(event)[Audience.CONFIRMED] == counts_before - 1
    announce(event)
    update_registration(
        giulia, registration_data(event, email=giulia.email, first_name="Giulia Maria", language="en")
    )
    queue_reminders(event)
    mail_sender.deliver_due()
    got = set(by_recipient_and_kind(smtp))
    assert (giulia.email, "announcement") not in got, "she asked for no more announcements"
    assert {(giulia.email, "updated"), (giulia.email, "reminder")} <= got, "her own messages still come"
    assert (marco.email, "announcement") in got, "only her: the others still get them"
    _, admin = make_staff("admin")
    page = admin.get(f"/brescia-citta-del-noi/admin/attendees/{giulia.id}").get_data(as_text=True)
    assert "nessun annuncio (dal " in page


def test_the_page_asks_in_the_persons_language_and_its_button_needs_the_csrf_token(
    app,
    event,
    client,
    settings,
):
    john = register_someone(event, language="en")
    giulia = register_someone(event, language="it")
    link = f"/unsubscribe/{unsubscribe_token(john)}"
    assert "Stop the announcements" in client.get(link).get_data(as_text=True)
    italian = client.get(f"/unsubscribe/{unsubscribe_token(giulia)}").get_data(as_text=True)
    assert "Interrompi gli annunci" in italian and 'lang="it"' in italian
    page = client.get(link).get_data(as_text=True)
    assert client.post(link, data={}).status_code == 400, "a forged form without the token"
    db.session.expire_all()
    assert db.session.get(Attendee, john.id).announcements_stopped_at is None
    answer = client.post(link, data={"csrf_token": csrf_from(page)})
    assert answer.status_code == 303
    shown = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "You will get no more announcements" in shown and john.email in shown
    db.session.expire_all()
    assert db.session.get(Attendee, john.id).announcements_stopped_at is not None
    assert db.session.get(Attendee, giulia.id).announcements_stopped_at is None


def forged_tokens(attendee, other) -> list[str]:
    real = unsubscribe_token(attendee)
    payload, signature = real.split(".")
    other_payload = unsubscribe_token(other).split(".")[0]
    flipped = signature[:-3] + ("A" if signature[-3] != "A" else "B") + signature[-2:]
    return [
        f"{other_payload}.{signature}",  # another person's id under this one's signature
        f"{payload}.{flipped}",  # an altered signature
        manage_token(attendee),  # the personal link's token: another salt
        real + "=",  # the same token, spelled otherwise
        "not-a-token",
    ]


def test_a_forged_or_other_token_stops_nothing_and_says_so(app, event, client, settings):
    giulia, marco = register_someone(event, language="en"), register_someone(event, language="en")
    for token in forged_tokens(giulia, marco):  # whose, nobody knows: in the site's first language
        shown = client.get(f"/unsubscribe/{token}")
        assert shown.status_code == 404 and "Questo link non è valido" in shown.get_data(as_text=True), token
        posted = client.post(f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
        assert posted.status_code == 404 and "non è cambiato nulla" in posted.get_data(as_text=True), token
    db.session.expire_all()
    stopped = db.session.scalars(select(Attendee.announcements_stopped_at)).all()
    assert stopped == [None, None], "nobody's announcements stopped"
    # Marco's own link stops Marco's, never Giulia's.
    client.post(f"/unsubscribe/{unsubscribe_token(marco)}", data={"List-Unsubscribe": "One-Click"})
    db.session.expire_all()
    assert db.session.get(Attendee, giulia.id).announcements_stopped_at is None
    assert db.session.get(Attendee, marco.id).announcements_stopped_at is not None
