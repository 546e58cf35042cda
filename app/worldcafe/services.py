"""World café assignment in the database: run the engine, keep every run, move people by
hand, publish, and tell the people whose table changed."""

import hashlib
import json
from dataclasses import asdict

from flask_babel import force_locale
from sqlalchemy import inspect, select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app.core.locking import lock_event
from app.extensions import db
from app.mail import outbox as mailer
from app.models import (
    AssignmentRun,
    Attendee,
    AttendeePart,
    AttendeeStatus,
    CafeTable,
    DayPartKind,
    Event,
    MailKind,
    PartStatus,
    SeatAssignment,
    localized,
    utcnow,
)
from app.worldcafe.engine import Person, Settings, Theme, assign_themes, reason_for, seat_rounds, summarise
from app.worldcafe.explanations import reason_json, reason_sentence
from app.worldcafe.publication import PublicationPlan, PublishRefusal, PublishRefused, TableChange


def cafe_people(event: Event) -> list[Attendee]:
    """Confirmed attendees with a confirmed world café place."""
    return db.session.scalars(
        select(Attendee)
        .join(AttendeePart)
        .join(AttendeePart.day_part)
        .where(
            Attendee.event_id == event.id,
            Attendee.status == AttendeeStatus.CONFIRMED,
            AttendeePart.status == PartStatus.CONFIRMED,
            AttendeePart.day_part.has(kind=DayPartKind.WORLD_CAFE),
        )
        .options(selectinload(Attendee.preferences))
        .order_by(Attendee.id)
    ).all()


def engine_inputs(event: Event, attendees: list[Attendee]) -> tuple[list[Theme], list[Person]]:
    themes = [
        Theme(id=t.id, capacity=t.capacity, accessible=t.accessible, small_tables=t.small_tables)
        for t in event.tables
    ]
    people = [
        Person(
            id=a.id,
            choices=tuple(p.cafe_table_id for p in a.preferences),
            organisation=(a.organisation_name or "").strip().casefold() or None,
            needs_accessible=a.needs_accessible_table,
            pinned_theme=a.pinned_table_id,
            group=a.group_id,  # registered together (app/registration/groups.py)
        )
        for a in attendees
    ]
    return themes, people


def published_run(event: Event) -> AssignmentRun | None:
    return db.session.scalars(
        select(AssignmentRun)
        .where(AssignmentRun.event_id == event.id, AssignmentRun.published_at.is_not(None))
        .order_by(AssignmentRun.published_at.desc(), AssignmentRun.id.desc())
        .limit(1)
    ).first()


def run_assignment(
    event: Event, created_by: str, mixing_weight=0.0, seed=0, full=False, groups="ignore", group_weight=0.0
) -> AssignmentRun:
    """Run the engine and keep the run (a draft until published).

    After a publication, everyone keeps their published table unless ``full`` asks for a
    complete re-optimisation. ``groups``: "ignore", "together" or "spread" the people
    registered together, trading ``group_weight`` rank steps per group (see the engine).
    """
    themes, people = engine_inputs(event, cafe_people(event))
    published = published_run(event)
    keep = None if full or published is None else _tables_in(published, round_=1)
    settings = Settings(
        seed=seed,
        mixing_weight=mixing_weight,
        groups=groups,
        group_weight=group_weight,
        rounds=event.cafe_rounds,
        rotation=event.cafe_rotation,
        keep=keep,
    )
    result = assign_themes(themes, people, settings)
    seating = seat_rounds(themes, people, result, settings)
    names = {t.id: localized(t.name) for t in event.tables}
    parameters = _run_parameters(settings, full, kept_from_run=published.id if keep else None)
    run = AssignmentRun(
        event_id=event.id,
        created_by=created_by,
        parameters=parameters,
        inputs_hash=_inputs_hash(themes, people, parameters),
        summary=_summary(themes, people, result, seating, names),
    )
    run.seats.extend(_seats(themes, people, result, seating, event.cafe_rounds))
    db.session.add(run)
    db.session.commit()
    return run


def _run_parameters(settings: Settings, full: bool, kept_from_run: int | None) -> dict:
    """What the run was asked for, kept with it for the organisers to compare."""
    return {
        "mixing_weight": settings.mixing_weight,
        "groups": settings.groups,
        "group_weight": settings.group_weight,
        "seed": settings.seed,
        "full": full,
        "rounds": settings.rounds,
        "rotation": settings.rotation,
        "kept_from_run": kept_from_run,
    }


def _seats(themes, people, result, seating, rounds: int) -> list[SeatAssignment]:
    """Everyone's seat in each round, with the reason for their theme (from round 1)."""
    seats = []
    for person in people:
        reason = json.dumps(reason_json(reason_for(person, result, themes)))
        for round_ in range(1, rounds + 1):
            theme, small = seating.seat_of.get((person.id, round_), (result.table_of.get(person.id), None))
            seat = SeatAssignment(
                attendee_id=person.id,
                round=round_,
                cafe_table_id=theme,
                small_table=small if theme is not None else None,
                choice_rank=_rank(person, theme),
                reason=reason,
            )
            seats.append(seat)
    return seats


def move_person(run: AssignmentRun, attendee: Attendee, table: CafeTable) -> list[str]:
    """Move someone by hand in a draft run; returns warnings (capacity, pin, accessibility)."""
    if run.published_at is not None:
        raise ValueError("a published run cannot change: run again, then publish")
    warnings = []
    taken = sum(
        1 for s in run.seats if s.cafe_table_id == table.id and s.round == 1 and s.attendee_id != attendee.id
    )
    if taken >= table.capacity:
        warnings.append("capacity")
    if attendee.pinned_table_id and attendee.pinned_table_id != table.id:
        warnings.append("pin")
    if attendee.needs_accessible_table and not table.accessible:
        warnings.append("accessibility")
    choices = [p.cafe_table_id for p in attendee.preferences]
    for seat in run.seats:
        if seat.attendee_id == attendee.id:
            seat.cafe_table_id, seat.moved_by_hand = table.id, True
            seat.small_table = None  # the host seats them at the table
            seat.choice_rank = choices.index(table.id) + 1 if table.id in choices else None
            seat.reason = json.dumps(
                {"code": "pinned", "theme": table.id, "rank": seat.choice_rank, "better": []}
            )
    db.session.commit()
    return warnings


def publication_plan(run: AssignmentRun) -> PublicationPlan:
    """The people still confirmed whose round-1 table differs from the published run's."""
    before = published_run(db.session.get(Event, run.event_id))
    old = _tables_in(before, round_=1) if before else {}
    seats = db.session.scalars(
        select(SeatAssignment)
        .where(SeatAssignment.run_id == run.id, SeatAssignment.round == 1)
        .where(SeatAssignment.cafe_table_id.is_not(None))
        .options(joinedload(SeatAssignment.attendee))
    ).all()
    changes = [
        TableChange(seat, old.get(seat.attendee_id))
        for seat in seats
        if old.get(seat.attendee_id) != seat.cafe_table_id
        and seat.attendee.status == AttendeeStatus.CONFIRMED
    ]
    changes.sort(key=lambda c: (c.seat.attendee.last_name.casefold(), c.seat.attendee.first_name.casefold()))
    return PublicationPlan(
        to_email=[c for c in changes if c.seat.attendee.email],
        without_email=[c for c in changes if not c.seat.attendee.email],
    )


def publish(run: AssignmentRun, published_by: str, expected: str | None = None) -> int:
    """Publish the run and e-mail the people whose table changed; returns how many. Once:
    under the event's lock a second call raises PublishRefused, as does a plan that is not
    the one shown (``expected``, its fingerprint)."""
    lock_event(run.event_id)
    db.session.expire_all()  # what others committed while we waited for the lock
    plan = publication_plan(run) if run.published_at is None else None
    if plan is None or (expected is not None and expected != plan.fingerprint):
        db.session.rollback()
        raise PublishRefused(
            PublishRefusal.ALREADY_PUBLISHED if plan is None else PublishRefusal.PLAN_CHANGED
        )
    run.published_at, run.published_by = utcnow(), published_by
    tables = {t.id: t for t in db.session.get(Event, run.event_id).tables}
    seats = _by_attendee(sorted(run.seats, key=lambda s: s.round))
    for change in plan.to_email:
        seat = change.seat
        with force_locale(seat.attendee.language):
            reason = reason_sentence(json.loads(seat.reason), tables) if seat.reason else ""
        mailer.enqueue(MailKind.ASSIGNMENT, seat.attendee, seats=seats[seat.attendee_id], reason=reason)
    db.session.commit()
    return len(plan.to_email)


def published_run_id(event_id=Attendee.event_id):
    """SQL for the id of the run last published for an event: an id, or by default the
    event of the attendee that the enclosing query selects."""
    return (
        select(AssignmentRun.id)
        .where(AssignmentRun.event_id == event_id, AssignmentRun.published_at.is_not(None))
        .order_by(AssignmentRun.published_at.desc(), AssignmentRun.id.desc())
        .limit(1)
        .correlate_except(AssignmentRun)
        .scalar_subquery()
    )


def load_published_seats(attendees: list[Attendee]) -> None:
    """Load the published seats of many attendees in one query (per event), for
    published_seats() to read without a query each."""
    for event_id in {a.event_id for a in attendees}:
        of_event = [a for a in attendees if a.event_id == event_id]
        by_attendee = _by_attendee(_published_seats_of(event_id, [a.id for a in of_event]))
        for attendee in of_event:
            set_committed_value(attendee, "published_seats", by_attendee.get(attendee.id, []))


def _by_attendee(seats: list[SeatAssignment]) -> dict[int, list[SeatAssignment]]:
    """Seats grouped by attendee, in their order (one pass: an event may seat 30,000)."""
    grouped: dict[int, list[SeatAssignment]] = {}
    for seat in seats:
        grouped.setdefault(seat.attendee_id, []).append(seat)
    return grouped


def published_seats(attendee: Attendee) -> list[SeatAssignment]:
    """The attendee's published seats, one per round (empty before publication)."""
    if "published_seats" not in inspect(attendee).unloaded:  # loaded with the attendee
        return attendee.published_seats
    return _published_seats_of(attendee.event_id, [attendee.id])


def _published_seats_of(event_id: int, attendee_ids: list[int]) -> list[SeatAssignment]:
    return db.session.scalars(
        select(SeatAssignment)
        .where(SeatAssignment.attendee_id.in_(attendee_ids))
        .where(SeatAssignment.run_id == published_run_id(event_id))
        .options(joinedload(SeatAssignment.cafe_table))
        .order_by(SeatAssignment.round)
    ).all()


def _tables_in(run: AssignmentRun, round_: int) -> dict[int, int]:
    return {
        s.attendee_id: s.cafe_table_id for s in run.seats if s.round == round_ and s.cafe_table_id is not None
    }


def _rank(person: Person, theme: int | None) -> int | None:
    return person.choices.index(theme) + 1 if theme in person.choices else None


def _inputs_hash(themes, people, parameters) -> str:
    data = {
        "themes": [asdict(t) for t in themes],
        "people": [asdict(p) for p in people],
        "parameters": parameters,
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def _summary(themes, people, result, seating, names) -> dict:
    """The figures the organisers compare between runs."""
    counts, best = result.counts, result.best_possible
    summary = summarise(themes, people, result, names)
    return {
        "people": len(people),
        "counts": asdict(counts),
        "best_possible": asdict(best),
        "fill": {str(t): [result.fill[t], result.seats[t]] for t in result.fill},
        "demand": {str(t): list(d) for t, d in result.demand.items()},
        "organisations_at": {str(t): n for t, n in result.organisations_at.items()},
        "colleague_pairs": result.colleague_pairs,
        "mixing": asdict(result.mixing) if result.mixing else None,
        "groups": asdict(result.groups) if result.groups else None,
        "repeated_pairs": seating.repeated_pairs,
        "small_table_colleague_pairs": seating.colleague_pairs,
        "keep_broken": list(result.keep_broken),
        "unlucky": [person.id for person, _ in summary.unlucky],
    }
