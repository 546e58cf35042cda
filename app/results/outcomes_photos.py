"""The table photos an organiser picks for the public results page.

A photo is picked only once the organiser states that everyone recognisable in it agreed
to photos; to help, the pick page lists the people recorded at the table who did not. The
public sees a picked photo only while its table's outcomes are published.
"""

import enum
from dataclasses import dataclass, field

from sqlalchemy import or_, select

from app.extensions import db
from app.facilitation.photos import photos_of
from app.models import (
    Attendee,
    AttendeeStatus,
    CafeTable,
    Event,
    PublishedPhoto,
    SeatAssignment,
    TableAttendance,
    TableOutcome,
    TablePhoto,
    localized,
)
from app.results.names import NameGuard
from app.results.outcomes import table_languages
from app.worldcafe.services import published_run

CAPTION_MAX_CHARS = 300


class PickResult(enum.Enum):
    PICKED = "picked"
    NOT_AGREED = "not_agreed"  # the box about everyone's consent was not ticked
    NAMES = "names"  # the caption names someone who did not agree to be named


@dataclass(frozen=True)
class PickOutcome:
    result: PickResult
    names: list[str] = field(default_factory=list)


def photo_of_table_or_none(table: CafeTable, photo_id: int) -> TablePhoto | None:
    photo = db.session.get(TablePhoto, photo_id)
    return photo if photo is not None and photo.cafe_table_id == table.id else None


def photos_to_pick(table: CafeTable) -> list[tuple[TablePhoto, PublishedPhoto | None]]:
    """Every photo of the table, with its pick when it is picked."""
    picked = {pick.photo_id: pick for pick in picked_photos(table)}
    return [(photo, picked.get(photo.id)) for photo in photos_of(table)]


def picked_photos(table: CafeTable) -> list[PublishedPhoto]:
    return db.session.scalars(
        select(PublishedPhoto)
        .join(TablePhoto, TablePhoto.id == PublishedPhoto.photo_id)
        .where(TablePhoto.cafe_table_id == table.id)
        .order_by(TablePhoto.round, TablePhoto.id)
    ).all()


def without_photo_consent(table: CafeTable) -> list[Attendee]:
    """People recorded at the table (by its facilitators, or seated there by the published
    assignment) who did not agree to photos."""
    run = published_run(db.session.get(Event, table.event_id))
    recorded = select(TableAttendance.attendee_id).where(TableAttendance.cafe_table_id == table.id)
    seated = select(SeatAssignment.attendee_id).where(
        SeatAssignment.run_id == (run.id if run else None), SeatAssignment.cafe_table_id == table.id
    )
    return db.session.scalars(
        select(Attendee)
        .where(
            Attendee.event_id == table.event_id,
            Attendee.consent_photos.is_(False),
            Attendee.status != AttendeeStatus.CANCELLED,
            or_(Attendee.id.in_(recorded), Attendee.id.in_(seated)),
        )
        .order_by(Attendee.last_name, Attendee.first_name)
    ).all()


def pick(
    table: CafeTable, photo: TablePhoto, everyone_agreed: bool, captions: dict, actor: str
) -> PickOutcome:
    """Pick (or re-caption) a photo of the table for the public page."""
    if not everyone_agreed:
        return PickOutcome(PickResult.NOT_AGREED)
    captions = {
        language: " ".join((captions.get(language) or "").split())[:CAPTION_MAX_CHARS]
        for language in table_languages(table)
    }
    names = NameGuard.of_event(db.session.get(Event, table.event_id)).names_in(*captions.values())
    if names:
        return PickOutcome(PickResult.NAMES, names)
    chosen = pick_of(photo)
    if chosen is None:
        chosen = PublishedPhoto(photo_id=photo.id, picked_by=actor)
        db.session.add(chosen)
    chosen.caption, chosen.picked_by = captions, actor
    db.session.commit()
    return PickOutcome(PickResult.PICKED)


def pick_of(photo: TablePhoto) -> PublishedPhoto | None:
    return db.session.scalars(select(PublishedPhoto).filter_by(photo_id=photo.id)).first()


def unpick(photo: TablePhoto) -> bool:
    """Take the photo off the public page; False if it was not on it."""
    chosen = pick_of(photo)
    if chosen is None:
        return False
    db.session.delete(chosen)
    db.session.commit()
    return True


def public_photo(event: Event, published_id: int) -> TablePhoto | None:
    """The photo behind a pick, if it is of the event and its table's outcomes are published."""
    return db.session.scalars(
        select(TablePhoto)
        .join(PublishedPhoto, PublishedPhoto.photo_id == TablePhoto.id)
        .join(CafeTable, CafeTable.id == TablePhoto.cafe_table_id)
        .join(TableOutcome, TableOutcome.cafe_table_id == CafeTable.id)
        .where(
            PublishedPhoto.id == published_id,
            CafeTable.event_id == event.id,
            TableOutcome.published_at.is_not(None),
        )
    ).first()


@dataclass(frozen=True)
class PublicPhoto:
    id: int  # the pick's
    caption: str  # may be empty: the page then says which table it is
    width: int
    height: int


def public_photos(table: CafeTable, locale: str, guard: NameGuard) -> list[PublicPhoto]:
    """The picked photos of a table as the public page shows them, captions in the locale."""
    return [
        PublicPhoto(
            pick.id, guard.blanked(localized(pick.caption or {}, locale)), pick.photo.width, pick.photo.height
        )
        for pick in picked_photos(table)
    ]
