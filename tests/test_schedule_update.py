"""The day moves (a new event file): the organisers are told on loading it, see what changed
and who will hear of it, and one confirmation e-mails exactly those people once, through a
real SMTP server, with a calendar file that moves the entry they already have."""

import email
import email.policy
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest
from conftest import MOCA, csrf_from
from helpers import register_someone
from test_mass_actions import confirmations, plan_on, post_at_once, queued, text_of

from app.events.services import load_event
from app.extensions import db
from app.mail import sender as mail_sender
from app.models import AttendeeStatus, Role
from app.registration.cancellation import cancel_registration

ROME = ZoneInfo("Europe/Rome")
MOCA_TEXT = MOCA.read_text(encoding="utf-8")
MOVED = MOCA_TEXT.replace('- time: "10:00"', '- time: "09:30"')
UPDATE = "/brescia-citta-del-noi/admin/announcements/schedule-update"
ANNOUNCEMENTS = "/brescia-citta-del-noi/admin/announcements/"


@pytest.fixture
def admin(make_staff):
    return make_staff(Role.ADMIN)[1]


@pytest.fixture
def smtp(app, smtp_server):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port, MAIL_TIMEOUT=2)
    yield smtp_server
    app.config.update(MAIL_SERVER="localhost", MAIL_PORT=25)


@pytest.fixture
def registered(event):
    """Two confirmed people with an address, one cancelled, one walk-in without one."""
    event.registration_opens_at = event.registration_closes_at = None
    db.session.commit()
    people = [register_someone(event, first_name=name) for name in ("Anna", "Bruno", "Carla")]
    cancel_registration(people[2], "attendee")
    register_someone(event, first_name="Walter", email=None)
    return people[:2]


def load_from_the_admin_page(admin, text: str) -> str:
    page = admin.get("/brescia-citta-del-noi/admin/event/").get_data(as_text=True)
    upload = {"csrf_token": csrf_from(page), "file": (io.BytesIO(text.encode()), "moca.yaml")}
    answer = admin.post("/brescia-citta-del-noi/admin/event/", data=upload, follow_redirects=True)
    return text_of(answer.get_data(as_text=True))


def test_loading_a_file_that_moves_the_day_says_so_and_offers_the_update(event, registered, admin):
    assert "Avvisa le persone" not in load_from_the_admin_page(admin, MOCA_TEXT), "same day: nothing"
    shown = load_from_the_admin_page(admin, MOVED)
    assert "Sono cambiati la data, gli orari o il luogo" in shown and "pagina Annunci" in shown
    announcements = text_of(admin.get(ANNOUNCEMENTS).get_data(as_text=True))
    assert "La giornata si è spostata" in announcements
    page = text_of(admin.get(UPDATE).get_data(as_text=True))
    assert "dalle 10:00 alle 16:30" in page and "dalle 09:30 alle 16:30" in page
    assert "2 persone riceveranno un'e-mail." in page, "not the cancelled one, not the walk-in"
    assert queued("schedule_changed") == 0, "nothing goes out before the organiser confirms"


def test_confirming_emails_exactly_them_once_with_a_calendar_entry_that_moves(
    app, event, registered, admin, smtp
):
    mail_sender.deliver_due()  # the confirmations, with the first calendar entry
    first_entries = {m["To"]: entry_of(m) for m in received(smtp) if calendar_parts(m)}
    load_event(MOVED, "moca.yaml")
    register_someone(event, first_name="Dora")  # after the move: her confirmation has the new day
    page = admin.get(UPDATE).get_data(as_text=True)
    assert "2 persone riceveranno" in text_of(page)
    form = {"csrf_token": csrf_from(page), "plan": plan_on(page)}
    assert admin.post(UPDATE, data=form).status_code == 302
    assert admin.post(UPDATE, data=form).status_code == 302, "a replay sends nothing more"
    assert queued("schedule_changed") == 2
    smtp.messages.clear()
    mail_sender.deliver_due()
    updates = [m for m in received(smtp) if "cambiat" in m["Subject"]]
    assert sorted(m["To"] for m in updates) == sorted(p.email for p in registered)
    for message in updates:
        body = message.get_body(("plain",)).get_content()
        assert "Prima: " in body and "dalle 10:00 alle 16:30" in body
        assert "Ora: " in body and "dalle 09:30 alle 16:30" in body
        entry, before = entry_of(message), first_entries[message["To"]]
        assert str(entry["UID"]) == str(before["UID"]) and entry["SEQUENCE"] > before["SEQUENCE"]
        assert entry.decoded("DTSTART") == datetime(2027, 7, 13, 9, 30, tzinfo=ROME)
    assert "già la giornata com'è ora" in text_of(admin.get(UPDATE).get_data(as_text=True))


def test_a_day_moved_and_moved_back_leaves_nothing_to_send(event, registered, admin):
    load_event(MOVED, "moca.yaml")
    load_event(MOCA_TEXT, "moca.yaml")
    assert "La giornata si è spostata" not in text_of(admin.get(ANNOUNCEMENTS).get_data(as_text=True))
    assert "già la giornata com'è ora" in text_of(admin.get(UPDATE).get_data(as_text=True))


def test_an_update_that_changed_since_it_was_shown_sends_nothing(event, registered, admin):
    load_event(MOVED, "moca.yaml")
    page = admin.get(UPDATE).get_data(as_text=True)
    load_event(MOVED.replace('- time: "16:30"', '- time: "17:00"'), "moca.yaml")  # moved again
    again = admin.post(UPDATE, data={"csrf_token": csrf_from(page), "plan": plan_on(page)})
    assert again.status_code == 200 and "Qualcosa è cambiato" in text_of(again.get_data(as_text=True))
    assert queued("schedule_changed") == 0


def test_confirmations_arriving_at_once_send_the_update_once(app, event, registered, make_staff):
    load_event(MOVED, "moca.yaml")
    answers = post_at_once(app, confirmations(app, make_staff, UPDATE, 4), UPDATE)
    assert [a.status_code for a in answers] == [302] * 4
    assert queued("schedule_changed") == 2


@pytest.mark.parametrize("role", [Role.DESK, Role.FACILITATOR])
def test_only_organisers_reach_the_update(event, registered, make_staff, role):
    load_event(MOVED, "moca.yaml")
    staff = make_staff(role)[1]
    assert staff.get(UPDATE).status_code in (302, 403)
    assert staff.post(UPDATE, data={"plan": "0" * 16}).status_code in (302, 400, 403)
    assert queued("schedule_changed") == 0
    db.session.rollback()
    assert all(p.status == AttendeeStatus.CONFIRMED for p in registered)


def received(smtp) -> list:
    return [email.message_from_bytes(e.content, policy=email.policy.default) for e in smtp.messages]


def calendar_parts(message) -> list:
    return [p for p in message.walk() if p.get_content_type() == "text/calendar"]


def entry_of(message) -> icalendar.Event:
    [part] = calendar_parts(message)
    [entry] = icalendar.Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")
    return entry
