"""The organisers' view of attendees: search, filters and the CSV export."""

import csv
import io
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Attendee, AttendeePart, Event, TablePreference, localized


@dataclass
class AttendeeFilter:
    search: str = ""
    status: str = ""
    day_part_id: int | None = None
    table_id: int | None = None
    organisation: str = ""


def attendee_query(event: Event, filters: AttendeeFilter):
    query = (
        select(Attendee)
        .where(Attendee.event_id == event.id)
        .options(
            selectinload(Attendee.parts).selectinload(AttendeePart.day_part),
            selectinload(Attendee.preferences).selectinload(TablePreference.cafe_table),
        )
        .order_by(Attendee.last_name, Attendee.first_name, Attendee.id)
    )
    if filters.search:
        text = filters.search.strip()
        query = query.where(
            or_(
                (Attendee.first_name + " " + Attendee.last_name).icontains(text, autoescape=True),
                Attendee.email.icontains(text, autoescape=True),
                Attendee.organisation_name.icontains(text, autoescape=True),
            )
        )
    if filters.status:
        query = query.where(Attendee.status == filters.status)
    if filters.day_part_id:
        query = query.where(Attendee.parts.any(AttendeePart.day_part_id == filters.day_part_id))
    if filters.table_id:
        query = query.where(Attendee.preferences.any(TablePreference.cafe_table_id == filters.table_id))
    if filters.organisation:
        query = query.where(Attendee.organisation_name.icontains(filters.organisation, autoescape=True))
    return query


CSV_COLUMNS = [
    "id", "status", "first_name", "last_name", "email", "phone", "organisation",
    "participant_type", "day_parts", "choice_1", "choice_2", "choice_3", "dietary_needs",
    "accessibility_needs", "language", "consent_photos", "registered_at",
]  # fmt: skip


def safe_cell(value) -> str:
    """Text as a spreadsheet shows it, never as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text


def attendees_csv(event: Event, filters: AttendeeFilter) -> bytes:
    """UTF-8 with a byte-order mark and semicolons: Excel with Italian settings opens it as is."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for attendee in db.session.scalars(attendee_query(event, filters)):
        choices = [localized(p.cafe_table.name) for p in attendee.preferences] + ["", "", ""]
        parts = ", ".join(
            localized(p.day_part.name) + (" (waiting list)" if p.status == "waitlisted" else "")
            for p in attendee.parts
        )
        row = [
            attendee.id, attendee.status, attendee.first_name, attendee.last_name, attendee.email,
            attendee.phone, attendee.organisation_name, attendee.participant_type, parts,
            *choices[:3], attendee.dietary_needs, attendee.accessibility_needs, attendee.language,
            "yes" if attendee.consent_photos else "no", attendee.created_at.strftime("%Y-%m-%d %H:%M"),
        ]  # fmt: skip
        writer.writerow([safe_cell(value) for value in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
