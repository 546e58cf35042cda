"""Small builders shared by tests."""

import itertools
import re

from conftest import csrf_from
from sqlalchemy import select

from app.extensions import db
from app.models import DayPartKind
from app.registration.attendee_details import RegistrationData
from app.registration.signup import register

_counter = itertools.count(1)


def part_ids(event, *kinds):
    kinds = kinds or tuple(DayPartKind)
    return [part.id for part in event.day_parts if part.kind in kinds]


def registration_data(event, **overrides) -> RegistrationData:
    n = next(_counter)
    values = dict(
        first_name="Giulia",
        last_name=f"Bianchi {n}",
        email=f"giulia.{n}@example.org",
        participant_type="citizen",
        day_part_ids=part_ids(event),
        table_ids=[event.tables[0].id, event.tables[1].id],
        language="it",
    )
    values.update(overrides)
    return RegistrationData(**values)


def register_someone(event, **overrides):
    return register(event, registration_data(event, **overrides))


def form_fields(event, **overrides) -> dict:
    """What a person types into the registration form."""
    n = next(_counter)
    fields = {
        "first_name": "Lùcia",
        "last_name": f"D'Amico {n}",
        "email": f"Lucia.{n}@Example.ORG",
        "phone": "+39 030 123456",
        "organisation": "auser brescia",
        "participant_type": "network_member",
        "day_parts": [str(i) for i in part_ids(event)],
        "choice_1": str(event.tables[2].id),
        "choice_2": str(event.tables[0].id),
        "choice_3": str(event.tables[5].id),
        "dietary_needs": "Senza glutine",
        "accessibility_needs": "Sedia a rotelle",
        "language": "it",
        "consent_privacy": "y",
    }
    fields.update(overrides)
    return {key: value for key, value in fields.items() if value is not None}


def post_registration(client, event, **overrides):
    page = client.get("/brescia-citta-del-noi/register").get_data(as_text=True)
    fields = form_fields(event, **overrides)
    return client.post(
        "/brescia-citta-del-noi/register", data={"csrf_token": csrf_from(page), **fields}
    ), fields


def other_event_file() -> str:
    """data/moca.yaml as another event: its own slug, name and table keys, and a date before
    MO.CA's, so that MO.CA stays the event the app serves (app.events.services.current_event)."""
    from conftest import MOCA

    text = MOCA.read_text(encoding="utf-8")
    replacements = [
        ("slug: brescia-citta-del-noi", "slug: un-altro-giorno"),
        ('it: "Brescia Città del Noi compie un anno"', 'it: "Un altro giorno del Noi"'),
        ('en: "Brescia Città del Noi turns one"', 'en: "Another day of the Noi"'),
        ("date: 2027-07-13", "date: 2027-05-20"),
        (
            "  opens: 2026-11-01 00:00\n  closes: 2027-07-12 23:59",
            "  opens: 2026-11-01 00:00\n  closes: 2027-05-19 23:59",
        ),
    ]
    for old, new in replacements:
        assert old in text, f"data/moca.yaml changed: {old!r} is gone"
        text = text.replace(old, new)
    tables = text.index("\ntables:")
    table_keys = re.sub(r"(?m)^  - key: ", "  - key: altro-", text[tables:])
    return text[:tables] + table_keys


def second_event():
    """Another event beside the MO.CA day (which the app keeps serving), registration open,
    run by another organiser group (another city)."""
    from app.events import organisers
    from app.events.services import load_event

    elsewhere = organisers.group_with_slug("comune-di-altrove") or organisers.create_group(
        "Comune di Altrove"
    )
    event = load_event(other_event_file(), "other_event.yaml", organiser=elsewhere)
    event.registration_opens_at = event.registration_closes_at = None
    db.session.commit()
    return event


def database_state() -> dict[str, list[tuple]]:
    """Every row of every table, to show that a request changed nothing. Ends the test's
    own transaction first, so that it sees what the requests committed."""
    db.session.rollback()
    return {
        table.name: sorted((tuple(row) for row in db.session.execute(select(table))), key=repr)
        for table in db.metadata.sorted_tables
    }
