"""Walk-ins at the desk: registered and checked in in one step, or, with the day full, put
on the waiting list and the desk told so; an address already registered is refused and the
form keeps what was typed."""

import html

import pytest
from conftest import csrf_from
from flask_babel import force_locale, gettext
from helpers import register_someone
from sqlalchemy import func, select

from app.extensions import db
from app.models import Attendee, AttendeeStatus, CheckIn, OutboxMessage, PartStatus, Role
from app.registration.signup import WalkInResult, register_walk_in

WALK_IN = "/desk/walk-in"


@pytest.fixture
def desk(make_staff):
    return make_staff(Role.DESK)[1]


@pytest.fixture
def in_italian(app):
    """in_italian("English message", **values) -> what the Italian page shows."""

    def translate(message, **values):
        with app.test_request_context(), force_locale("it"):
            return gettext(message, **values)

    return translate


def walk_in_fields(event, **overrides) -> dict:
    """What the desk types for someone at the door (every part of the day ticked)."""
    fields = {
        "first_name": "Ettore",
        "last_name": "Ghidini",
        "email": "Ettore.Ghidini@Example.org",
        "organisation": "Cooperativa La Vela",
        "participant_type": "social_worker",
        "day_parts": [str(part.id) for part in event.day_parts],
        "dietary_needs": "Vegetariano",
        "accessibility_needs": "Sedia vicino all'uscita",
        "language": "it",
        "consent_privacy": "y",
        "desk_name": "Banco 3",
    }
    fields.update(overrides)
    return {key: value for key, value in fields.items() if value is not None}


def post_walk_in(desk, event, **overrides):
    token = csrf_from(desk.get(WALK_IN).get_data(as_text=True))
    return desk.post(WALK_IN, data={"csrf_token": token, **walk_in_fields(event, **overrides)})


def check_ins_of(attendee_id) -> list[CheckIn]:
    db.session.rollback()  # see what the requests committed
    return db.session.scalars(select(CheckIn).filter_by(attendee_id=attendee_id)).all()


def fill_the_day(event):
    """Every place of the day taken."""
    event.capacity = db.session.scalar(
        select(func.count()).select_from(Attendee).filter_by(event_id=event.id, status="confirmed")
    )
    db.session.commit()


def test_a_walk_in_is_registered_checked_in_at_this_desk_and_gets_a_badge(event, desk, in_italian):
    response = post_walk_in(desk, event)

    walk_in = db.session.scalars(select(Attendee).filter_by(email="ettore.ghidini@example.org")).one()
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{WALK_IN}/{walk_in.id}")
    assert walk_in.status == AttendeeStatus.CONFIRMED and walk_in.source == "desk"
    [check_in] = check_ins_of(walk_in.id)
    assert (check_in.method, check_in.desk_name, check_in.undone_at) == ("walk_in", "Banco 3", None)
    done = html.unescape(desk.get(response.headers["Location"]).get_data(as_text=True))
    assert 'class="status status-confirmed"' in done
    assert in_italian("%(name)s is registered and checked in.", name="Ettore Ghidini") in done
    assert desk.get(f"/desk/attendees/{walk_in.id}/badge.pdf").data.startswith(b"%PDF")
    kinds = db.session.scalars(select(OutboxMessage.kind).filter_by(attendee_id=walk_in.id)).all()
    assert kinds == ["confirmation"], "their badge by e-mail too"


def test_a_walk_in_at_a_full_event_goes_on_the_waiting_list_not_checked_in_and_the_desk_is_told(
    event, desk, in_italian
):
    register_someone(event)
    fill_the_day(event)

    response = post_walk_in(desk, event)

    walk_in = db.session.scalars(select(Attendee).filter_by(email="ettore.ghidini@example.org")).one()
    assert walk_in.status == AttendeeStatus.WAITLISTED
    assert check_ins_of(walk_in.id) == [], "nobody on the waiting list is checked in"
    assert response.status_code == 302 and response.headers["Location"].endswith(WALK_IN)
    page = html.unescape(desk.get(response.headers["Location"]).get_data(as_text=True))
    told = in_italian(
        "%(name)s is on the waiting list: the day is full. NOT checked in, no badge to print; "
        "they will get an e-mail if a place frees up.",
        name="Ettore Ghidini",
    )
    assert f'<div class="notice notice-warning" role="status">{told}</div>' in page
    assert in_italian("%(name)s is registered and checked in.", name="Ettore Ghidini") not in page
    assert "notice-success" not in page
    assert desk.get(f"{WALK_IN}/{walk_in.id}").status_code == 404, "no 'checked in' page for them"
    assert desk.get(f"/desk/attendees/{walk_in.id}/badge.pdf").status_code == 404, "no badge"
    kinds = db.session.scalars(select(OutboxMessage.kind).filter_by(attendee_id=walk_in.id)).all()
    assert kinds == ["waitlisted"]


def test_a_walk_in_is_checked_in_even_when_only_lunch_is_full_and_the_desk_sees_the_wait(
    event, desk, in_italian
):
    lunch = next(part for part in event.day_parts if part.kind == "lunch")
    lunch.capacity = 0
    db.session.commit()

    response = post_walk_in(desk, event)

    walk_in = db.session.scalars(select(Attendee).filter_by(email="ettore.ghidini@example.org")).one()
    assert walk_in.status == AttendeeStatus.CONFIRMED and len(check_ins_of(walk_in.id)) == 1
    assert walk_in.part(lunch.id).status == PartStatus.WAITLISTED
    done = html.unescape(desk.get(response.headers["Location"]).get_data(as_text=True))
    assert 'class="status status-waiting"' in done and lunch.name["it"] in done


def test_a_walk_in_with_an_address_already_registered_is_refused_and_the_form_keeps_what_was_typed(
    event, desk, in_italian
):
    registered = register_someone(event, email="ettore.ghidini@example.org")

    response = post_walk_in(desk, event, email="  ETTORE.GHIDINI@example.org ")

    assert response.status_code == 200
    page = html.unescape(response.get_data(as_text=True))
    assert in_italian("This e-mail address is already registered: search for the person instead.") in page
    for typed in ('value="Ettore"', 'value="Ghidini"', 'value="Cooperativa La Vela"'):
        assert typed in page, typed
    assert "Vegetariano</textarea>" in page and "Sedia vicino all'uscita</textarea>" in page
    assert db.session.scalar(select(func.count()).select_from(Attendee)) == 1, "nobody new"
    assert check_ins_of(registered.id) == [], "and the registered person is not checked in by it"


def test_a_walk_in_form_with_a_mistake_keeps_what_was_typed_and_writes_nothing(event, desk, in_italian):
    response = post_walk_in(desk, event, consent_privacy=None, email="not-an-address")

    assert response.status_code == 200
    page = html.unescape(response.get_data(as_text=True))
    assert in_italian("We need the person's consent to the privacy notice to register them.") in page
    assert 'value="not-an-address"' in page and 'value="Cooperativa La Vela"' in page
    assert db.session.scalar(select(func.count()).select_from(Attendee)) == 0


def test_the_walk_in_service_answers_with_its_reason(event):
    """One call, one transaction: the desk page and any other client read the same reasons."""
    from helpers import registration_data

    data = registration_data(event, email="uno@example.org")
    first = register_walk_in(event, data, "Banco 1")
    assert first.result is WalkInResult.CHECKED_IN and len(check_ins_of(first.attendee.id)) == 1
    again = register_walk_in(event, registration_data(event, email="uno@example.org"), "Banco 1")
    assert again.result is WalkInResult.ALREADY_REGISTERED and again.attendee is None
    fill_the_day(event)
    full = register_walk_in(event, registration_data(event, email="due@example.org"), "Banco 1")
    assert full.result is WalkInResult.WAITLISTED and check_ins_of(full.attendee.id) == []
    assert full.attendee.status == AttendeeStatus.WAITLISTED
