"""Small builders shared by tests."""

import itertools

from conftest import csrf_from

from app.models import DayPartKind
from app.services.registration import RegistrationData, register

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
    page = client.get("/register").get_data(as_text=True)
    fields = form_fields(event, **overrides)
    return client.post("/register", data={"csrf_token": csrf_from(page), **fields}), fields
