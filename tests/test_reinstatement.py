"""A cancellation taken back: by the personal link, by registering again with the same
address, by an organiser, and at the desk (taken back and checked in in one step). The same
row comes back, with a place if one is free, else the waiting list, and a fresh e-mail."""

import threading
import urllib.error
import urllib.parse
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import csrf_from
from helpers import part_ids, post_registration, register_someone, second_event
from sqlalchemy import func, select
from test_capacity_race import browser_session
from test_mail import received, smtp  # noqa: F401

from app.checkin.desks import create_desk_device
from app.extensions import db
from app.mail import sender as mail_sender
from app.models import (
    Attendee,
    AttendeeStatus,
    AuditEntry,
    CheckIn,
    DayPartKind,
    OutboxMessage,
    PartStatus,
    Role,
    utcnow,
)
from app.registration.cancellation import cancel_registration
from app.registration.reinstatement import Reinstated, reinstate
from app.registration.tokens import manage_token


@pytest.fixture
def desk(event):
    return {"Authorization": f"Bearer {create_desk_device(event, 'Banco 1')[1]}"}


def see_committed():
    db.session.rollback()  # what the requests committed


def kinds_of_mail(attendee) -> list[str]:
    see_committed()
    return db.session.scalars(
        select(OutboxMessage.kind).filter_by(attendee_id=attendee.id).order_by(OutboxMessage.id)
    ).all()


def reinstatements(attendee) -> list[AuditEntry]:
    see_committed()
    return db.session.scalars(
        select(AuditEntry).filter_by(attendee_id=attendee.id, action="registration_reinstated")
    ).all()


def take_back_by_link(client, attendee):
    token = manage_token(attendee)
    page = client.get(f"/brescia-citta-del-noi/r/{token}").get_data(as_text=True)
    answer = client.post(f"/brescia-citta-del-noi/r/{token}/reinstate", data={"csrf_token": csrf_from(page)})
    assert answer.status_code == 302
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    see_committed()
    return page


def parts_of(attendee) -> dict[int, str]:
    see_committed()
    return {part.day_part_id: part.status for part in attendee.parts}


# ---- By the personal link --------------------------------------------------------------


def test_taken_back_by_the_link_with_the_parts_chosen_before_and_a_fresh_confirmation(client, event):
    chosen = part_ids(event, DayPartKind.PLENARY, DayPartKind.LUNCH)
    attendee = register_someone(event, day_part_ids=chosen)
    cancel_registration(attendee)
    assert attendee.parts == []

    page = take_back_by_link(client, attendee)

    assert attendee.status == AttendeeStatus.CONFIRMED and attendee.cancelled_at is None
    assert parts_of(attendee) == {part_id: "confirmed" for part_id in chosen}
    assert kinds_of_mail(attendee) == ["confirmation", "cancelled", "confirmation"]
    [entry] = reinstatements(attendee)
    assert entry.actor == "attendee"
    assert 'class="status status-confirmed"' in page and "/reinstate" not in page


def test_a_cancelled_page_offers_to_take_it_back_and_a_double_click_does_it_once(client, event):
    attendee = register_someone(event)
    cancel_registration(attendee)
    token = manage_token(attendee)
    page = client.get(f"/brescia-citta-del-noi/r/{token}").get_data(as_text=True)
    assert 'class="status status-cancelled"' in page
    assert f'action="/brescia-citta-del-noi/r/{token}/reinstate"' in page

    body = {"csrf_token": csrf_from(page)}
    assert client.post(f"/brescia-citta-del-noi/r/{token}/reinstate", data=body).status_code == 302
    assert client.post(f"/brescia-citta-del-noi/r/{token}/reinstate", data=body).status_code == 302

    assert len(reinstatements(attendee)) == 1
    assert kinds_of_mail(attendee).count("confirmation") == 2, "one at registration, one now"


def test_taking_back_needs_the_forms_csrf_token(client, event):
    attendee = register_someone(event)
    cancel_registration(attendee)
    client.post(f"/brescia-citta-del-noi/r/{manage_token(attendee)}/reinstate", data={})
    see_committed()
    assert attendee.status == AttendeeStatus.CANCELLED and reinstatements(attendee) == []


def test_taken_back_at_a_full_day_goes_on_the_waiting_list_and_is_told_so(client, event):
    attendee = register_someone(event)
    cancel_registration(attendee)
    register_someone(event)
    event.capacity = 1
    db.session.commit()

    page = take_back_by_link(client, attendee)

    assert attendee.status == AttendeeStatus.WAITLISTED
    assert kinds_of_mail(attendee)[-1] == "waitlisted"
    assert 'class="status status-waiting"' in page


def test_a_full_part_of_the_day_puts_them_on_its_waiting_list_only(client, event):
    lunch = event.day_part(DayPartKind.LUNCH)
    attendee = register_someone(event)
    cancel_registration(attendee)
    register_someone(event)
    lunch.capacity = 1
    db.session.commit()

    take_back_by_link(client, attendee)

    assert attendee.status == AttendeeStatus.CONFIRMED
    assert parts_of(attendee)[lunch.id] == PartStatus.WAITLISTED
    assert kinds_of_mail(attendee)[-1] == "waitlisted", "they wait for lunch: the notice says so"


def test_after_registration_closes_only_staff_can_take_it_back(client, event):
    attendee = register_someone(event)
    cancel_registration(attendee)
    event.registration_closes_at = utcnow()
    db.session.commit()

    page = client.get(f"/brescia-citta-del-noi/r/{manage_token(attendee)}").get_data(as_text=True)
    assert f'action="/brescia-citta-del-noi/r/{manage_token(attendee)}/reinstate"' not in page
    assert 'class="status status-cancelled"' in page
    assert reinstate(attendee) is Reinstated.CLOSED
    assert reinstate(attendee, by="admin@example.org") is Reinstated.CONFIRMED


# ---- By registering again ---------------------------------------------------------------


def test_registering_again_brings_the_cancelled_row_back_with_the_new_answers(client, event):
    response, fields = post_registration(client, event, day_parts=[str(i) for i in part_ids(event)])
    attendee = db.session.scalars(select(Attendee)).one()
    cancel_registration(attendee)
    only_plenary = [str(i) for i in part_ids(event, DayPartKind.PLENARY)]

    response, _ = post_registration(
        client, event, email=fields["email"], first_name="Lucia Maria", day_parts=only_plenary
    )

    assert (
        response.status_code == 302
        and response.headers["Location"] == f"/brescia-citta-del-noi/r/{manage_token(attendee)}"
    )
    see_committed()
    assert db.session.scalar(select(func.count()).select_from(Attendee)) == 1, "the same row"
    assert (attendee.status, attendee.first_name) == (AttendeeStatus.CONFIRMED, "Lucia Maria")
    assert list(parts_of(attendee)) == [int(i) for i in only_plenary]
    assert kinds_of_mail(attendee) == ["confirmation", "cancelled", "confirmation"]
    assert reinstatements(attendee)[0].actor == "attendee"


def test_registering_again_with_an_address_still_registered_is_refused_as_before(client, event):
    response, fields = post_registration(client, event)
    response, _ = post_registration(client, event, email=fields["email"])
    assert response.status_code == 200
    assert 'action="/brescia-citta-del-noi/register/link"' in response.get_data(as_text=True), (
        "the offer to resend the link"
    )
    see_committed()
    assert db.session.scalar(select(func.count()).select_from(Attendee)) == 1


# ---- By an organiser ---------------------------------------------------------------------


def test_an_organiser_reinstates_with_a_reason_after_ticking_the_box(event, make_staff):
    admin_user, admin = make_staff(Role.ADMIN)
    attendee = register_someone(event)
    cancel_registration(attendee, cancelled_by=admin_user.email)
    page = admin.get(f"/brescia-citta-del-noi/admin/attendees/{attendee.id}").get_data(as_text=True)
    assert f'action="/brescia-citta-del-noi/admin/attendees/{attendee.id}/reinstate"' in page
    token = csrf_from(page)

    url = f"/brescia-citta-del-noi/admin/attendees/{attendee.id}/reinstate"
    admin.post(url, data={"csrf_token": token, "reason": "by mistake"})
    see_committed()
    assert attendee.status == AttendeeStatus.CANCELLED, "the box was not ticked"

    answer = admin.post(
        f"/brescia-citta-del-noi/admin/attendees/{attendee.id}/reinstate",
        data={"csrf_token": token, "reason": "cancelled by mistake", "confirm": "y"},
    )
    assert answer.status_code == 302
    see_committed()
    assert attendee.status == AttendeeStatus.CONFIRMED
    [entry] = reinstatements(attendee)
    assert (entry.actor, entry.details["reason"]) == (admin_user.email, "cancelled by mistake")
    assert kinds_of_mail(attendee)[-1] == "confirmation"


def test_an_organiser_of_the_served_event_cannot_reinstate_another_events_attendee(event, make_staff):
    admin = make_staff(Role.ADMIN)[1]
    other = register_someone(second_event())
    cancel_registration(other)
    token = csrf_from(admin.get("/brescia-citta-del-noi/admin/").get_data(as_text=True))
    answer = admin.post(
        f"/brescia-citta-del-noi/admin/attendees/{other.id}/reinstate",
        data={"csrf_token": token, "confirm": "y"},
    )
    assert answer.status_code == 404
    see_committed()
    assert other.status == AttendeeStatus.CANCELLED


def test_a_walk_in_without_an_address_comes_back_without_any_message(event):
    attendee = register_someone(event)
    attendee.email = None
    db.session.commit()
    cancel_registration(attendee)
    before = kinds_of_mail(attendee)

    assert reinstate(attendee, by="desk@example.org", reason="came anyway") is Reinstated.CONFIRMED
    assert kinds_of_mail(attendee) == before


def test_someone_whose_data_was_deleted_cannot_come_back(client, event):
    attendee = register_someone(event)
    token = manage_token(attendee)
    page = client.get(f"/brescia-citta-del-noi/r/{token}/delete").get_data(as_text=True)
    client.post(f"/brescia-citta-del-noi/r/{token}/delete", data={"csrf_token": csrf_from(page)})
    see_committed()
    assert reinstate(attendee, by="admin@example.org") is Reinstated.ERASED
    assert attendee.status == AttendeeStatus.CANCELLED


# ---- At the desk, through the device API --------------------------------------------------


def reinstate_at_desk(client, headers, attendee_id, request_id=None, reason="came anyway"):
    body = {"request_id": request_id or str(uuid.uuid4()), "reason": reason}
    return client.post(f"/api/v1/attendees/{attendee_id}/reinstate?lang=en", json=body, headers=headers)


def test_the_desk_takes_back_and_checks_in_in_one_step_once_per_request_id(client, event, desk):
    attendee = register_someone(event, first_name="Tina")
    cancel_registration(attendee)
    request_id = str(uuid.uuid4())

    first = reinstate_at_desk(client, desk, attendee.id, request_id)
    again = reinstate_at_desk(client, desk, attendee.id, request_id)

    assert first.status_code == again.status_code == 200
    assert first.get_json()["result"] == "green" and first.get_json()["message"] == "Welcome, Tina!"
    assert again.get_json() == first.get_json(), "a retry answers as the first time"
    see_committed()
    [check_in] = db.session.scalars(select(CheckIn).filter_by(attendee_id=attendee.id)).all()
    assert (check_in.desk_name, check_in.request_id) == ("Banco 1", request_id)
    [entry] = reinstatements(attendee)
    assert (entry.actor, entry.details["reason"]) == ("desk:Banco 1", "came anyway")


def test_the_desk_at_a_full_day_puts_them_on_the_waiting_list_not_checked_in(client, event, desk):
    attendee = register_someone(event)
    cancel_registration(attendee)
    register_someone(event)
    event.capacity = 1
    db.session.commit()

    answer = reinstate_at_desk(client, desk, attendee.id).get_json()

    assert (answer["result"], answer["reason"]) == ("red", "waitlisted")
    see_committed()
    assert attendee.status == AttendeeStatus.WAITLISTED
    assert db.session.scalars(select(CheckIn)).all() == []


def test_the_desk_cannot_reinstate_another_events_attendee(client, event, desk):
    other = register_someone(second_event())
    cancel_registration(other)
    answer = reinstate_at_desk(client, desk, other.id)
    assert answer.status_code == 404 and answer.get_json() == {"error": "not_found"}
    see_committed()
    assert other.status == AttendeeStatus.CANCELLED and reinstatements(other) == []


def test_the_desk_must_give_a_reason_and_a_device_token(client, event, desk):
    attendee = register_someone(event)
    cancel_registration(attendee)
    assert reinstate_at_desk(client, desk, attendee.id, reason="   ").status_code == 400
    assert reinstate_at_desk(client, {}, attendee.id).status_code == 401
    see_committed()
    assert attendee.status == AttendeeStatus.CANCELLED


def test_the_endpoint_is_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/attendees/{attendee_id}/reinstate"]["post"]
    assert operation["operationId"] == "reinstateAndCheckIn"
    assert "reason" in spec["components"]["schemas"]["ReinstateRequest"]["required"]


def test_the_confirmation_of_a_registration_taken_back_arrives_with_its_badge(client, event, smtp):  # noqa: F811
    attendee = register_someone(event)
    cancel_registration(attendee)
    take_back_by_link(client, attendee)
    mail_sender.deliver_due()
    last = [m for m in received(smtp) if m["To"] == attendee.email][-1]
    assert "annullata" not in last["Subject"]
    assert any(part.get_content_type() == "application/pdf" for part in last.walk()), "the badge"


# ---- Places under concurrency ---------------------------------------------------------------


TAKING_BACK = 8


def take_back_when_released(base_url, token, barrier):
    opener = browser_session()
    page = opener.open(f"{base_url}/brescia-citta-del-noi/r/{token}", timeout=30).read().decode()
    body = urllib.parse.urlencode({"csrf_token": csrf_from(page)}).encode()
    barrier.wait()  # both press the button at the same moment
    try:
        return opener.open(
            f"{base_url}/brescia-citta-del-noi/r/{token}/reinstate", data=body, timeout=60
        ).status
    except urllib.error.HTTPError as answer:  # the redirect, not followed
        return answer.code


def test_people_taking_back_the_last_place_at_once_one_gets_it_the_others_wait(gunicorn_server, event):
    people = [register_someone(event) for _ in range(TAKING_BACK)]
    for person in people:
        cancel_registration(person)
    register_someone(event)
    event.capacity = 2  # one place left
    db.session.commit()
    tokens = [manage_token(person) for person in people]
    barrier = threading.Barrier(TAKING_BACK)

    with ThreadPoolExecutor(TAKING_BACK) as pool:
        statuses = list(pool.map(lambda t: take_back_when_released(gunicorn_server, t, barrier), tokens))

    assert statuses == [302] * TAKING_BACK
    see_committed()
    counts = select(Attendee.status, func.count()).group_by(Attendee.status)
    by_status = dict(db.session.execute(counts).all())
    assert by_status == {"confirmed": 2, "waitlisted": TAKING_BACK - 1}
