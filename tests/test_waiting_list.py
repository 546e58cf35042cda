from helpers import part_ids, register_someone, registration_data
from sqlalchemy import select

from app.extensions import db
from app.models import DayPartKind, OutboxMessage
from app.registration.cancellation import cancel_registration
from app.registration.changes import update_registration
from app.registration.places import event_waiting_list_position, places_left, waiting_list_position
from app.registration.waiting_lists import fill_vacancies


def lunch(event):
    return event.day_part(DayPartKind.LUNCH)


def status_for(attendee, part):
    db.session.refresh(attendee)
    return attendee.part(part.id).status


def kinds_sent_to(attendee):
    return [m.kind for m in db.session.scalars(select(OutboxMessage).filter_by(attendee_id=attendee.id))]


def test_full_lunch_puts_attendee_on_its_waiting_list_in_order(event):
    lunch(event).capacity = 1
    db.session.commit()
    first = register_someone(event)
    second = register_someone(event)
    third = register_someone(event)
    assert status_for(first, lunch(event)) == "confirmed"
    assert [status_for(a, lunch(event)) for a in (second, third)] == ["waitlisted", "waitlisted"]
    assert waiting_list_position(third.part(lunch(event).id)) == 2
    assert second.status == "confirmed", "the rest of the day is still theirs"
    assert kinds_sent_to(second) == ["waitlisted"]
    assert places_left(event)[lunch(event).id] == 0


def test_cancellation_promotes_the_next_in_line_and_tells_them(event):
    lunch(event).capacity = 1
    db.session.commit()
    first, second, third = (register_someone(event) for _ in range(3))
    cancel_registration(first)
    assert status_for(second, lunch(event)) == "confirmed"
    assert status_for(third, lunch(event)) == "waitlisted"
    assert waiting_list_position(third.part(lunch(event).id)) == 1
    assert kinds_sent_to(second) == ["waitlisted", "promoted"]
    assert kinds_sent_to(first) == ["confirmation", "cancelled"]


def test_dropping_a_part_in_an_edit_frees_it_for_the_next_person(event):
    lunch(event).capacity = 1
    db.session.commit()
    first, second = register_someone(event), register_someone(event)
    without_lunch = [i for i in part_ids(event) if i != lunch(event).id]
    update_registration(first, registration_data(event, email=first.email, day_part_ids=without_lunch))
    assert status_for(second, lunch(event)) == "confirmed"


def test_full_day_waitlists_the_whole_registration_and_promotes_on_cancel(event):
    event.capacity = 2
    db.session.commit()
    a, b, c = (register_someone(event) for _ in range(3))
    assert (a.status, b.status, c.status) == ("confirmed", "confirmed", "waitlisted")
    assert event_waiting_list_position(c) == 1
    assert all(p.status == "waitlisted" for p in c.parts)
    cancel_registration(b)
    db.session.refresh(c)
    assert c.status == "confirmed"
    assert all(p.status == "confirmed" for p in c.parts)
    assert "promoted" in kinds_sent_to(c)


def test_cancelling_twice_changes_nothing_more(event):
    lunch(event).capacity = 1
    db.session.commit()
    first, second, third = (register_someone(event) for _ in range(3))
    cancel_registration(first)
    cancel_registration(first)
    assert status_for(third, lunch(event)) == "waitlisted"
    assert kinds_sent_to(first).count("cancelled") == 1


def test_raising_a_capacity_lets_waiting_people_in(event):
    lunch(event).capacity = 1
    db.session.commit()
    register_someone(event)
    waiting = register_someone(event)
    lunch(event).capacity = 5
    db.session.commit()
    promoted = fill_vacancies(event)
    assert waiting in promoted
    assert status_for(waiting, lunch(event)) == "confirmed"
