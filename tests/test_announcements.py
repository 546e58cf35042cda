"""Announcements: the organisers write once, preview, and each chosen attendee gets one
e-mail in their own language, through the outbox and a real SMTP server."""

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import csrf_from
from helpers import register_someone
from markupsafe import escape
from sqlalchemy import func, select, update
from test_mail import parts_by_type, received, smtp  # noqa: F401

from app.checkin.desks import create_desk_device
from app.checkin.services import check_in_attendee
from app.extensions import db
from app.mail import sender as mail_sender
from app.mail.reminders import queue_reminders
from app.models import Announcement, AttendeeStatus, Event, OutboxMessage

URL = "/brescia-citta-del-noi/admin/announcements/"


def form_on(page: str) -> dict:
    request_id = re.search(r'name="request_id" type="hidden" value="([0-9a-f]{32})"', page).group(1)
    return {"csrf_token": csrf_from(page), "request_id": request_id}


def announcement(**fields) -> dict:
    return {
        "audience": "confirmed",
        "subject_it": "Cambio di sala",
        "body_it": "Ci vediamo nella sala grande.\nIngresso da via Moretto.\n\nA presto!",
        "subject_en": "Room change",
        "body_en": "See you in the main hall.",
        "greeting": "y",  # the box is ticked when the form is shown
        **fields,
    }


def queued_announcements() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(OutboxMessage).filter_by(kind="announcement"))


@pytest.fixture
def admin(make_staff):
    return make_staff("admin")[1]


@pytest.fixture
def people(event):
    """Two confirmed attendees (one reading Italian, one English), one on the waiting list."""
    event.capacity = 2
    db.session.commit()
    giulia = register_someone(event, first_name="Giulia", language="it")
    john = register_someone(event, first_name="John", language="en")
    waiting = register_someone(event, first_name="Wanda", language="it")
    assert waiting.status == AttendeeStatus.WAITLISTED
    return giulia, john, waiting


def test_a_preview_shows_the_text_and_the_count_and_sends_nothing(admin, people):
    page = admin.get(URL).get_data(as_text=True)
    assert "(2)" in page and "(3)" in page, "each group shows how many it reaches"
    answer = admin.post(URL, data={**form_on(page), **announcement(), "action": "preview"})
    shown = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert "Cambio di sala" in shown and "Room change" in shown
    assert "Send to 2 people" in shown or "Invia a 2 persone" in shown
    assert queued_announcements() == 0


def test_each_person_gets_it_once_in_their_language(app, admin, people, smtp):  # noqa: F811
    giulia, john, waiting = people
    page = admin.get(URL).get_data(as_text=True)
    form = {**form_on(page), **announcement(), "action": "send"}
    first = admin.post(URL, data=form)
    again = admin.post(URL, data=form)  # a double click, or the answer reloaded
    assert first.status_code == again.status_code == 302
    assert queued_announcements() == 2
    assert db.session.scalar(select(func.count()).select_from(Announcement)) == 1
    assert "0 inviate, 2 in attesa, 0 non riuscite" in admin.get(URL).get_data(as_text=True)

    mail_sender.deliver_due()
    messages = {m["To"]: m for m in received(smtp) if m["Subject"] in ("Cambio di sala", "Room change")}
    assert set(messages) == {giulia.email, john.email}, "the waiting list was not chosen"
    italian = parts_by_type(messages[giulia.email])
    assert messages[giulia.email]["Subject"] == "Cambio di sala"
    assert "Ingresso da via Moretto." in italian["text/plain"].get_content()
    assert "Giulia" in italian["text/plain"].get_content()
    english = parts_by_type(messages[john.email])
    assert messages[john.email]["Subject"] == "Room change"
    assert "See you in the main hall." in english["text/html"].get_content()
    assert "/brescia-citta-del-noi/r/" in english["text/plain"].get_content(), "with their personal link"
    assert "application/pdf" not in italian, "no badge attached to an announcement"

    listed = admin.get(URL).get_data(as_text=True)
    assert "Cambio di sala" in listed and "admin@example.org" in listed
    assert "2 inviate, 0 in attesa, 0 non riuscite" in listed, "the organisers see it delivered"


def test_an_empty_english_version_falls_back_to_the_italian_one(admin, people):
    page = admin.get(URL).get_data(as_text=True)
    form = {**form_on(page), **announcement(subject_en="", body_en=""), "action": "send"}
    admin.post(URL, data=form)
    subjects = db.session.scalars(select(OutboxMessage.subject).filter_by(kind="announcement")).all()
    assert subjects == ["Cambio di sala", "Cambio di sala"]


def test_the_waiting_list_and_those_who_came_can_be_chosen(app, event, admin, people):
    giulia, john, waiting = people
    page = admin.get(URL).get_data(as_text=True)
    admin.post(URL, data={**form_on(page), **announcement(audience="with_waiting_list"), "action": "send"})
    assert queued_announcements() == 3

    device = create_desk_device(event, "Desk 1")[0]
    check_in_attendee(event, john.id, device, "r-1")
    page = admin.get(URL).get_data(as_text=True)
    admin.post(URL, data={**form_on(page), **announcement(audience="checked_in"), "action": "send"})
    db.session.rollback()
    queued = select(OutboxMessage).filter_by(kind="announcement").order_by(OutboxMessage.id)
    assert [m.recipient for m in db.session.scalars(queued).all()[3:]] == [john.email]


def test_missing_italian_text_is_refused_and_what_was_typed_is_kept(admin, people):
    page = admin.get(URL).get_data(as_text=True)
    answer = admin.post(URL, data={**form_on(page), **announcement(body_it=""), "action": "send"})
    shown = answer.get_data(as_text=True)
    assert answer.status_code == 200 and 'id="form-errors"' in shown
    assert "Cambio di sala" in shown and "See you in the main hall." in shown
    assert queued_announcements() == 0


@pytest.mark.parametrize("field", ["subject_it", "subject_en"])
@pytest.mark.parametrize("action", ["preview", "send"])
def test_a_subject_with_a_line_break_is_refused_and_what_was_typed_is_kept(admin, people, field, action):
    page = admin.get(URL).get_data(as_text=True)
    typed = "Cambio di sala\r\nBcc: victim@example.org"
    answer = admin.post(URL, data={**form_on(page), **announcement(**{field: typed}), "action": action})
    shown = answer.get_data(as_text=True)
    assert answer.status_code == 200 and 'id="form-errors"' in shown
    assert "Scrivi l&#39;oggetto su una riga sola, senza a capo né caratteri di controllo." in shown
    assert re.search(rf'id="{field}"[^>]*value="Cambio di sala\r\nBcc: victim@example.org"', shown), "kept"
    assert "See you in the main hall." in shown and 'id="preview-title"' not in shown
    assert queued_announcements() == 0
    assert db.session.scalar(select(func.count()).select_from(Announcement)) == 0


def test_the_page_lists_each_failed_message_with_its_reason(admin, people, smtp):  # noqa: F811
    giulia, john, _ = people
    page = admin.get(URL).get_data(as_text=True)
    admin.post(URL, data={**form_on(page), **announcement(), "action": "send"})
    # Giulia's copy as old data or a bug could have left it: an address no message can carry.
    db.session.execute(
        update(OutboxMessage)
        .filter_by(kind="announcement", recipient=giulia.email)
        .values(recipient=giulia.email + "\r\nBcc: victim@example.org")
    )
    db.session.commit()
    assert mail_sender.deliver_due() == (4, 1), "the three confirmations and John's copy still go out"
    assert [m["To"] for m in received(smtp) if m["Subject"] in ("Cambio di sala", "Room change")] == [
        john.email
    ]
    listed = admin.get(URL).get_data(as_text=True)
    assert "1 inviate, 0 in attesa, 1 non riuscite" in listed
    assert "Perché non sono riusciti" in listed
    reason = re.search(
        rf'href="/brescia-citta-del-noi/admin/attendees/{giulia.id}">[^<]*</a>: ([^<]*)</li>', listed
    )
    assert reason and "not one e-mail address" in reason.group(1), "who, and why, linked to their page"


def test_retrying_another_events_announcement_is_not_found(app, event, admin, people):
    from test_event_file import MOCA_TEXT

    from app.events.services import load_event

    other = load_event(MOCA_TEXT.replace("slug: brescia-citta-del-noi", "slug: another-day"))
    other.date = other.date.replace(year=other.date.year - 1)  # the page's event stays the fixture's
    elsewhere = Announcement(
        event_id=other.id, audience="confirmed", subject={"it": "Altro"}, body={"it": "Altro"},
        recipients=0, request_id="f" * 32, sent_by="someone@example.org",
    )  # fmt: skip
    db.session.add(elsewhere)
    db.session.commit()
    page = admin.get(URL).get_data(as_text=True)
    answer = admin.post(f"{URL}{elsewhere.id}/retry", data={"csrf_token": csrf_from(page)})
    assert answer.status_code == 404


@pytest.mark.parametrize("payload", ['<script>alert("x")</script>', '"><img src=x onerror=alert(1)>'])
def test_hostile_text_is_escaped_in_the_preview_the_list_and_the_email(admin, people, payload):
    page = admin.get(URL).get_data(as_text=True)
    fields = announcement(subject_it=payload, body_it=payload)
    preview = admin.post(URL, data={**form_on(page), **fields, "action": "preview"}).get_data(as_text=True)
    admin.post(URL, data={**form_on(page), **fields, "action": "send"})
    listed = admin.get(URL).get_data(as_text=True)
    message = db.session.scalars(select(OutboxMessage).filter_by(kind="announcement")).first()
    for where, text in (("preview", preview), ("list", listed), ("e-mail", message.body_html)):
        assert payload not in text, f"raw payload in the {where}"
        assert str(escape(payload)) in text, f"payload missing from the {where}"
    assert payload in message.body_text and message.subject == payload  # plain text stays as typed


def test_only_admins_send_announcements(make_staff, people):
    for role in ("desk", "facilitator"):
        staff = make_staff(role)[1]
        assert staff.get(URL).status_code == 403


def test_messages_that_gave_up_can_be_tried_again_and_then_arrive(admin, people, smtp, monkeypatch):  # noqa: F811
    giulia, john, _ = people
    page = admin.get(URL).get_data(as_text=True)
    admin.post(URL, data={**form_on(page), **announcement(), "action": "send"})
    smtp.stop()
    monkeypatch.setattr(mail_sender, "MAX_ATTEMPTS", 1)  # the mail server stayed away too long
    mail_sender.deliver_due()
    listed = admin.get(URL).get_data(as_text=True)
    assert "0 inviate, 0 in attesa, 2 non riuscite" in listed
    assert "Riprova quelli non riusciti" in listed

    smtp.start()
    admin.post(
        re.search(r'action="(/brescia-citta-del-noi/admin/announcements/\d+/retry)"', listed).group(1),
        data=form_on(listed),
    )
    assert "0 inviate, 2 in attesa, 0 non riuscite" in admin.get(URL).get_data(as_text=True)
    mail_sender.deliver_due()
    arrived = [m["To"] for m in received(smtp) if m["Subject"] in ("Cambio di sala", "Room change")]
    assert sorted(arrived) == sorted([giulia.email, john.email])
    listed = admin.get(URL).get_data(as_text=True)
    assert "2 inviate, 0 in attesa, 0 non riuscite" in listed and "Riprova" not in listed


def test_the_reminder_goes_out_once_with_the_badge_from_a_button(app, event, admin, people, smtp):  # noqa: F811
    giulia, john, _ = people
    page = admin.get(URL).get_data(as_text=True)
    assert "Invia il promemoria a 2 persone" in page, "the two confirmed, not the waiting list"
    confirm = admin.get(f"{URL}reminders").get_data(as_text=True)
    plan = re.search(r'name="plan" type="hidden" value="([0-9a-f]{16})"', confirm).group(1)
    form = {"csrf_token": csrf_from(confirm), "plan": plan}
    first, again = admin.post(f"{URL}reminders", data=form), admin.post(f"{URL}reminders", data=form)
    assert first.status_code == again.status_code == 302
    db.session.rollback()
    kinds = db.session.scalars(select(OutboxMessage.recipient).filter_by(kind="reminder")).all()
    assert sorted(kinds) == sorted([giulia.email, john.email]), "each once, however often clicked"
    assert "Tutte le persone confermate hanno ricevuto il promemoria" in admin.get(URL).get_data(as_text=True)

    mail_sender.deliver_due()
    [to_john] = [m for m in received(smtp) if m["To"] == john.email and "See you soon" in m["Subject"]]
    parts = parts_by_type(to_john)
    assert "application/pdf" in parts and "text/calendar" in parts and "image/png" in parts


def test_reminders_queued_from_several_places_at_once_go_out_once(app, event, people):
    """Four senders at the same moment (clicks, or the command and a click): each confirmed
    person gets one reminder. Without the event's lock, each sender would queue them all."""
    barrier = threading.Barrier(4)

    def send() -> int:
        with app.app_context():
            barrier.wait()
            try:
                return queue_reminders(db.session.get(Event, event.id))
            finally:
                db.session.remove()

    with ThreadPoolExecutor(4) as pool:
        queued = list(pool.map(lambda _: send(), range(4)))
    db.session.rollback()
    assert sorted(queued) == [0, 0, 0, 2]
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage).filter_by(kind="reminder")) == 2
