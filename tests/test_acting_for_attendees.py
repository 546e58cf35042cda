"""Organisers acting for an attendee who phoned or wrote: cancel for them, issue a new
badge, send their personal link again. Each e-mails the attendee (through a real SMTP
server) and the audit log keeps who did it."""

import io
import re

import pytest
import zxingcpp
from conftest import csrf_from
from helpers import register_someone
from PIL import Image
from sqlalchemy import select
from test_mail import parts_by_type, pdf_page, received, smtp  # noqa: F401

from app.checkin.badges import BadgeCheck, badge_token, verify_badge_token
from app.extensions import db
from app.mail import sender as mail_sender
from app.models import AttendeeStatus, AuditEntry, Role


@pytest.fixture
def admin(make_staff):
    return make_staff(Role.ADMIN)[1]


def act(admin, attendee, action, **fields):
    page = admin.get(f"/brescia-citta-del-noi/admin/attendees/{attendee.id}").get_data(as_text=True)
    answer = admin.post(
        f"/brescia-citta-del-noi/admin/attendees/{attendee.id}/{action}",
        data={"csrf_token": csrf_from(page), **fields},
    )
    assert answer.status_code == 302
    return admin.get(answer.headers["Location"]).get_data(as_text=True)


def test_a_cancellation_needs_the_box_ticked_then_frees_the_place(app, event, admin, smtp):  # noqa: F811
    event.capacity = 1
    db.session.commit()
    giulia = register_someone(event, first_name="Giulia")
    waiting = register_someone(event, first_name="Wanda")
    assert waiting.status == AttendeeStatus.WAITLISTED

    shown = act(admin, giulia, "cancel")
    db.session.refresh(giulia)
    assert giulia.status == AttendeeStatus.CONFIRMED and "Spunta la casella" in shown

    shown = act(admin, giulia, "cancel", confirm="y")
    db.session.refresh(giulia), db.session.refresh(waiting)
    assert giulia.status == AttendeeStatus.CANCELLED and "annullata" in shown
    assert waiting.status == AttendeeStatus.CONFIRMED, "the place went to the next in line"
    entry = db.session.scalars(select(AuditEntry).filter_by(action="registration_cancelled")).one()
    assert entry.actor == "admin@example.org" and entry.attendee_id == giulia.id

    mail_sender.deliver_due()
    to_giulia = [m["Subject"] for m in received(smtp) if m["To"] == giulia.email]
    assert any("annullata" in subject for subject in to_giulia), to_giulia
    assert any(m["To"] == waiting.email and "Buone notizie" in m["Subject"] for m in received(smtp))


def test_a_new_badge_stops_the_old_one_and_arrives_by_email(app, event, admin, smtp):  # noqa: F811
    attendee = register_someone(event)
    old, old_code = badge_token(attendee), attendee.badge_code
    page = admin.get(f"/brescia-citta-del-noi/admin/attendees/{attendee.id}").get_data(as_text=True)
    version = re.search(r'name="badge_version" value="(\d+)"', page).group(1)
    form = {"csrf_token": csrf_from(page), "badge_version": version}
    for _ in range(2):  # a double click replaces the badge once, and sends one e-mail
        assert (
            admin.post(f"/brescia-citta-del-noi/admin/attendees/{attendee.id}/badge", data=form).status_code
            == 302
        )
    db.session.refresh(attendee)
    assert attendee.badge_version == 2
    assert verify_badge_token(old, event).check is BadgeCheck.REVOKED

    mail_sender.deliver_due()
    [message] = [m for m in received(smtp) if m["To"] == attendee.email and "nuovo badge" in m["Subject"]]
    parts = parts_by_type(message)
    for image in (
        Image.open(io.BytesIO(parts["image/png"].get_content())),
        pdf_page(parts["application/pdf"].get_content()),
    ):
        [code] = zxingcpp.read_barcodes(image)
        assert code.text == badge_token(attendee) and code.text != old
        assert verify_badge_token(code.text, event).check is BadgeCheck.VALID
    entry = db.session.scalars(select(AuditEntry).filter_by(action="badge_reissued")).one()
    assert entry.actor == "admin@example.org"
    assert entry.details == {"badge_version": 2, "replaced_code": old_code}  # refused as replaced


def test_their_personal_link_goes_out_again_and_works(app, event, admin, smtp):  # noqa: F811
    attendee = register_someone(event, language="en")
    mail_sender.deliver_due()
    before = len(received(smtp))
    act(admin, attendee, "link")
    mail_sender.deliver_due()
    [message] = received(smtp)[before:]
    assert message["To"] == attendee.email and "personal link" in message["Subject"]
    text = parts_by_type(message)["text/plain"].get_content()
    link = next(word for word in text.split() if "/brescia-citta-del-noi/r/" in word)
    assert attendee.first_name in app.test_client().get(link.split("localhost", 1)[1]).get_data(as_text=True)


def test_the_page_offers_the_attendees_own_change_form_and_speaks_italian(app, event, admin):
    attendee = register_someone(event)
    page = admin.get(f"/brescia-citta-del-noi/admin/attendees/{attendee.id}").get_data(as_text=True)
    assert "posto confermato" in page and ">confirmed<" not in page, "statuses are translated"
    edit = next(part for part in page.split('"') if "/edit" in part)
    form = app.test_client().get(edit)
    assert form.status_code == 200 and attendee.email in form.get_data(as_text=True)

    act(admin, attendee, "cancel", confirm="y")
    page = admin.get(f"/brescia-citta-del-noi/admin/attendees/{attendee.id}").get_data(as_text=True)
    assert "/cancel" not in page and "/badge" not in page, "nothing left to do for a cancelled registration"


def test_the_attendee_page_gives_times_in_the_events_time_zone(event, admin):
    """Stored in UTC, shown as the organisers' clocks read them: 08:05 UTC in July is 10:05
    in Brescia, and 09:00 UTC in December is 10:00."""
    from datetime import datetime

    summer, winter = register_someone(event), register_someone(event)
    summer.created_at, winter.created_at = datetime(2027, 7, 13, 8, 5), datetime(2026, 12, 1, 9, 0)
    db.session.commit()
    page = admin.get(f"/brescia-citta-del-noi/admin/attendees/{summer.id}").get_data(as_text=True)
    assert "13 lug 2027, 10:05 (modulo online)" in page and "<dd>Italiano</dd>" in page
    assert "1 dic 2026, 10:00" in admin.get(f"/brescia-citta-del-noi/admin/attendees/{winter.id}").get_data(
        as_text=True
    )
