"""The confirmed places the database counts (migration 0016) follow every change of a
registration, and `flask places check|recount` find and mend a counter that drifted.
(conftest also compares every counter with a real COUNT after every test.)"""

from helpers import register_someone, registration_data
from sqlalchemy import delete, insert, select, text, update

from app.extensions import db
from app.models import Attendee, AttendeePart, AttendeeStatus, DayPart, DayPartKind, Event, PartStatus, utcnow
from app.registration.cancellation import cancel_registration
from app.registration.changes import update_registration
from app.registration.places import miscounted_places, places_left, places_taken
from app.registration.privacy import delete_registration
from app.registration.reinstatement import reinstate


def counters(event) -> dict:
    return places_taken(db.session.get(Event, event.id))


def lunch(event):
    return event.day_part(DayPartKind.LUNCH)


def test_the_counters_follow_registrations_waiting_lists_and_cancellations(event):
    lunch_id = lunch(event).id
    lunch(event).capacity = 1
    event.capacity = 2
    db.session.commit()
    first = register_someone(event)
    second = register_someone(event)  # no lunch left: its waiting list
    third = register_someone(event)  # no place left in the day
    assert third.status == AttendeeStatus.WAITLISTED
    assert counters(event)["event"] == 2 and counters(event)[lunch_id] == 1
    assert places_left(event)["event"] == 0

    cancel_registration(first)  # the third takes the day's place, the second the lunch
    db.session.expire_all()
    assert db.session.get(Attendee, third.id).status == AttendeeStatus.CONFIRMED
    assert db.session.get(Attendee, second.id).part(lunch_id).status == PartStatus.CONFIRMED
    assert counters(event)["event"] == 2 and counters(event)[lunch_id] == 1
    assert miscounted_places() == []


def test_the_counters_follow_changes_reinstatements_and_erasures(event):
    lunch_id = lunch(event).id
    attendee = register_someone(event)
    other = register_someone(event)
    update_registration(attendee, registration_data(event, email=attendee.email, day_part_ids=[lunch_id]))
    assert counters(event)[lunch_id] == 2
    assert miscounted_places() == []
    cancel_registration(attendee)
    assert counters(event)["event"] == 1
    assert reinstate(db.session.get(Attendee, attendee.id), by="organiser@example.org").done
    assert counters(event)["event"] == 2
    delete_registration(db.session.get(Attendee, other.id))
    assert counters(event)["event"] == 1
    assert miscounted_places() == []


def test_rows_written_outside_the_app_and_deleted_by_cascade_are_counted(event):
    part_ids = [part.id for part in event.day_parts]
    row = dict(
        event_id=event.id,
        first_name="Bulk",
        last_name="Load",
        email="bulk@example.org",
        participant_type="citizen",
        language="it",
        consent_privacy_at=utcnow(),
        privacy_version=event.privacy_version,
        status=AttendeeStatus.CONFIRMED,
        badge_code="ZZZ999",
    )
    attendee_id = db.session.scalar(insert(Attendee).returning(Attendee.id), [row])
    db.session.execute(
        insert(AttendeePart),
        [dict(attendee_id=attendee_id, day_part_id=i, status=PartStatus.CONFIRMED) for i in part_ids],
    )
    db.session.commit()
    assert counters(event)["event"] == 1 and all(counters(event)[i] == 1 for i in part_ids)
    db.session.execute(
        update(Attendee).where(Attendee.id == attendee_id).values(status=AttendeeStatus.WAITLISTED)
    )
    assert counters(event)["event"] == 0
    db.session.execute(delete(Attendee).where(Attendee.id == attendee_id))  # its parts go by cascade
    db.session.commit()
    assert all(counters(event)[i] == 0 for i in part_ids)
    assert miscounted_places() == []


def test_a_drifted_counter_is_found_and_recounted(app, event):
    register_someone(event)
    part_id = event.day_parts[0].id
    db.session.execute(update(DayPart).where(DayPart.id == part_id).values(confirmed_places=7))
    db.session.execute(text("UPDATE events SET confirmed_places = 0"))
    db.session.commit()
    runner = app.test_cli_runner()

    check = runner.invoke(args=["places", "check"])
    assert check.exit_code == 1
    assert f"day_part {part_id}: counted 7, confirmed 1" in check.output
    recount = runner.invoke(args=["places", "recount"])
    assert "corrected=2" in recount.output, recount.output
    assert runner.invoke(args=["places", "check"]).exit_code == 0
    assert db.session.scalar(select(Event.confirmed_places).where(Event.id == event.id)) == 1
