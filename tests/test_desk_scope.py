"""The desk's pages open attendees by id only within what the desk needs: badges of the
served event's confirmed attendees, and the walk-in page of a walk-in checked in."""

from datetime import datetime, time, timedelta

import pytest
from helpers import register_someone, registration_data, second_event
from test_walk_in import check_ins_of, fill_the_day

from app.checkin.services import check_in_attendee, undo_check_in
from app.extensions import db
from app.models import Role
from app.registration.cancellation import cancel_registration
from app.registration.privacy import delete_registration, purge
from app.registration.signup import register_walk_in


@pytest.fixture
def desk(make_staff):
    return make_staff(Role.DESK)[1]


def badge(desk, attendee_id):
    return desk.get(f"/brescia-citta-del-noi/desk/attendees/{attendee_id}/badge.pdf")


def test_the_desk_prints_badges_only_for_confirmed_attendees_of_its_event(event, desk):
    confirmed = register_someone(event)
    cancelled = register_someone(event)
    cancel_registration(cancelled)
    deleted = register_someone(event)
    delete_registration(deleted)
    fill_the_day(event)
    waiting = register_someone(event)
    other = register_someone(second_event())
    assert other.status == "confirmed"

    assert badge(desk, confirmed.id).data.startswith(b"%PDF")
    assert badge(desk, confirmed.id).headers["Cache-Control"] == "no-store"
    for label, attendee_id in [
        ("waiting list", waiting.id),
        ("cancelled", cancelled.id),
        ("deleted", deleted.id),
        ("another event's", other.id),
        ("nobody", 999_999),
        ("past the integer range", 2**63),
    ]:
        assert badge(desk, attendee_id).status_code == 404, label

    purge(after_days=30, now=datetime.combine(event.date + timedelta(days=31), time(12)))
    assert badge(desk, confirmed.id).status_code == 404, "their data purged after the day"


def test_the_walk_in_done_page_is_only_for_a_walk_in_checked_in(event, desk):
    walk_in = register_walk_in(event, registration_data(event), "Banco 1").attendee
    online = register_someone(event)
    check_in_attendee(event, online.id, None, "scope-1", desk_name="Banco 1")
    undone = register_walk_in(event, registration_data(event), "Banco 1").attendee
    undo_check_in(check_ins_of(undone.id)[0].id, event, "desk:Banco 1")
    other_event = second_event()
    other = register_walk_in(other_event, registration_data(other_event), "Banco 9").attendee
    fill_the_day(event)
    waiting = register_walk_in(event, registration_data(event), "Banco 1").attendee
    db.session.commit()

    assert desk.get(f"/brescia-citta-del-noi/desk/walk-in/{walk_in.id}").status_code == 200
    for label, attendee_id in [
        ("registered online, checked in by a search", online.id),
        ("check-in undone", undone.id),
        ("another event's walk-in", other.id),
        ("waiting list, never checked in", waiting.id),
        ("past the integer range", 2**63),
    ]:
        assert desk.get(f"/brescia-citta-del-noi/desk/walk-in/{attendee_id}").status_code == 404, label
