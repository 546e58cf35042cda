"""What an attendee tells us (RegistrationData) and how it is written on their row, for a
new registration and for their own changes alike."""

from dataclasses import dataclass, field

from sqlalchemy import func, select

from app.extensions import db
from app.models import Attendee, DayPart, DayPartKind, Event, Organisation, TablePreference
from app.registration.answers import Answer, save_answers


@dataclass
class RegistrationData:
    first_name: str
    last_name: str
    email: str | None  # None: a walk-in registered at the desk without one
    participant_type: str | None  # None: not asked (the event file switched it off)
    day_part_ids: list[int]
    table_ids: list[int] = field(default_factory=list)  # ranked preferences, first is best
    phone: str | None = None
    organisation_name: str | None = None
    dietary_needs: str | None = None
    accessibility_needs: str | None = None
    language: str = "it"
    consent_photos: bool = False
    consent_name_public: bool = False  # named in the published results of the day
    # The event's own questions, by key: only those asked (the desk's walk-in form asks none).
    answers: dict[str, Answer] = field(default_factory=dict)


def apply_details(attendee: Attendee, data: RegistrationData) -> None:
    """Write what they typed on the attendee (places are decided elsewhere). A fixed field
    the event does not ask (its file's ``fields:``) keeps what the row holds: a file that
    switches it off after people registered erases nothing."""
    event = attendee.event
    attendee.first_name = data.first_name
    attendee.last_name = data.last_name
    attendee.email = data.email
    attendee.phone = data.phone or None
    if event.asks("participant_type"):
        attendee.participant_type = data.participant_type
    elif attendee.participant_type is None:
        attendee.participant_type = ""  # not asked: none (badges and figures show nothing)
    if event.asks("accessibility_needs"):
        attendee.accessibility_needs = data.accessibility_needs or None
    attendee.language = data.language
    attendee.consent_photos = data.consent_photos
    attendee.consent_name_public = bool(data.consent_name_public)
    if event.asks("organisation"):
        attendee.organisation_name, attendee.organisation = _organisation(
            attendee.event_id or event.id, data.organisation_name
        )
    kinds = {part.kind for part in chosen_parts(event, data.day_part_ids)}
    # Dietary needs are health data: keep them only when the attendee comes to lunch.
    if DayPartKind.LUNCH not in kinds:
        attendee.dietary_needs = None
    elif event.asks("dietary_needs"):
        attendee.dietary_needs = data.dietary_needs or None
    _set_table_preferences(attendee, data.table_ids if DayPartKind.WORLD_CAFE in kinds else [])
    save_answers(attendee, data.answers)


def chosen_parts(event: Event, day_part_ids) -> list[DayPart]:
    """The event's day parts among those ids, in a stable order (by id)."""
    wanted = set(day_part_ids)
    return sorted((p for p in event.day_parts if p.id in wanted), key=lambda p: p.id)


def _set_table_preferences(attendee: Attendee, table_ids: list[int]) -> None:
    """Their ranked world café tables; left untouched when they did not change."""
    if [p.cafe_table_id for p in attendee.preferences] == list(table_ids):
        return
    attendee.preferences.clear()
    if attendee.id is not None:
        db.session.flush()  # delete the old ranks before the new ones take them
    attendee.preferences = [
        TablePreference(cafe_table_id=table_id, rank=rank) for rank, table_id in enumerate(table_ids, start=1)
    ]


def _organisation(event_id: int, name: str | None):
    """Use a network member's own spelling when the typed name matches it."""
    if not name:
        return None, None
    member = db.session.scalars(
        select(Organisation).where(
            Organisation.event_id == event_id, func.lower(Organisation.name) == name.lower()
        )
    ).first()
    return (member.name, member) if member else (name, None)
