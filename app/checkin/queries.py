"""What the desk reads: attendees found by what it types, and the counters of the day."""

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Attendee, AttendeeStatus, CheckIn, Event, SeatAssignment
from app.registration.attendee_search import holds_every_word
from app.worldcafe.services import published_run


def search_attendees(event: Event, text: str, limit: int = 20) -> list[Attendee]:
    """Name, e-mail or organisation, as the desk types; every word must match somewhere."""
    query = select(Attendee).where(Attendee.event_id == event.id)
    words = text.split()[:5]
    if words:
        query = query.where(holds_every_word(words))
    query = query.options(selectinload(Attendee.check_ins)).order_by(Attendee.last_name, Attendee.first_name)
    return db.session.scalars(query.limit(limit)).all()


def counters(event: Event) -> dict:
    """Checked in against expected (confirmed attendees), in total and per world café table."""
    expected = db.session.scalar(
        select(func.count())
        .select_from(Attendee)
        .filter_by(event_id=event.id, status=AttendeeStatus.CONFIRMED)
    )
    checked_in = db.session.scalar(
        select(func.count())
        .select_from(CheckIn)
        .where(CheckIn.event_id == event.id, CheckIn.undone_at.is_(None))
    )
    return {"checked_in": checked_in, "expected": expected, "tables": _table_counters(event)}


def _table_counters(event: Event) -> list[dict]:
    """Per world café table of the published assignment: seated people, and those checked in."""
    run = published_run(event)
    if run is None:
        return []
    active = CheckIn.undone_at.is_(None) & (CheckIn.attendee_id == SeatAssignment.attendee_id)
    rows = db.session.execute(
        select(SeatAssignment.cafe_table_id, func.count(), func.count(CheckIn.id))
        .outerjoin(CheckIn, active)
        .where(SeatAssignment.run_id == run.id, SeatAssignment.round == 1)
        .group_by(SeatAssignment.cafe_table_id)
    ).all()
    counts = {table_id: (expected, checked_in) for table_id, expected, checked_in in rows}
    return [
        {
            "name": table.display_name,
            "expected": counts.get(table.id, (0, 0))[0],
            "checked_in": counts.get(table.id, (0, 0))[1],
        }
        for table in event.tables
    ]
