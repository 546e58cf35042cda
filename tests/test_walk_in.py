"""Walk-ins at the desk: registered and checked in in one step, with or without an e-mail
address, or, with the day full, put on the waiting list and the desk told so (an organiser
may let them in over capacity); an address already registered is refused and the form
keeps what was typed."""

import html
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, time, timedelta
from http.cookiejar import CookieJar

import pytest
from conftest import PASSWORD, csrf_from, staff_account
from flask_babel import force_locale, gettext
from helpers import form_fields, register_someone, registration_data
from sqlalchemy import func, select

from app.checkin.desks import create_desk_device
from app.extensions import db
from app.mail import outbox as mailer
from app.mail.announcements import recipient_counts
from app.mail.reminders import queue_reminders, reminders_due
from app.models import (
    Attendee,
    AttendeeStatus,
    Audience,
    AuditAction,
    AuditEntry,
    CheckIn,
    MailKind,
    OutboxMessage,
    PartStatus,
    Role,
)
from app.registration.privacy import purge
from app.registration.signup import WalkInResult, register_walk_in
from app.registration.tokens import manage_token

WALK_IN = "/brescia-citta-del-noi/desk/walk-in"


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
    assert desk.get(f"/brescia-citta-del-noi/desk/attendees/{walk_in.id}/badge.pdf").data.startswith(b"%PDF")
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
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"{WALK_IN}/{walk_in.id}/waiting"
    )
    page = html.unescape(desk.get(response.headers["Location"]).get_data(as_text=True))
    assert 'class="status status-waiting"' in page
    assert in_italian("%(name)s is on the waiting list: the day is full.", name="Ettore Ghidini") in page
    assert in_italian("NOT checked in, no badge to print.") in page
    assert in_italian("They will get an e-mail if a place frees up.") in page
    assert in_italian("%(name)s is registered and checked in.", name="Ettore Ghidini") not in page
    assert "status-confirmed" not in page and "badge.pdf" not in page
    assert 'id="ask-an-organiser"' in page and 'id="admit-over-capacity"' not in page, "desk staff ask"
    assert desk.get(f"{WALK_IN}/{walk_in.id}").status_code == 404, "no 'checked in' page for them"
    assert desk.get(f"/brescia-citta-del-noi/desk/attendees/{walk_in.id}/badge.pdf").status_code == 404, (
        "no badge"
    )
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
    data = registration_data(event, email="uno@example.org")
    first = register_walk_in(event, data, "Banco 1")
    assert first.result is WalkInResult.CHECKED_IN and len(check_ins_of(first.attendee.id)) == 1
    again = register_walk_in(event, registration_data(event, email="uno@example.org"), "Banco 1")
    assert again.result is WalkInResult.ALREADY_REGISTERED and again.attendee is None
    fill_the_day(event)
    full = register_walk_in(event, registration_data(event, email="due@example.org"), "Banco 1")
    assert full.result is WalkInResult.WAITLISTED and check_ins_of(full.attendee.id) == []
    assert full.attendee.status == AttendeeStatus.WAITLISTED


# ---- Without an e-mail address -------------------------------------------------------------


def outbox_rows() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(OutboxMessage))


def test_the_walk_in_form_speaks_to_the_operator_and_the_email_is_optional(event, desk, in_italian):
    page = html.unescape(desk.get(WALK_IN).get_data(as_text=True))

    for label in ("Person's first name", "Person's last name", "Person's e-mail, if they have one"):
        assert in_italian(label) in page, label
    assert "E-mail della persona, se ce l'ha" in page
    email_input = re.search(r'<input[^>]*name="email"[^>]*>', page).group(0)
    assert "required" not in email_input


def test_a_walk_in_without_email_is_stored_without_one_checked_in_and_gets_a_badge_but_no_mail(
    event, desk, in_italian
):
    response = post_walk_in(desk, event, email="   ", first_name="Piera", last_name="Zanola")

    walk_in = db.session.scalars(select(Attendee).filter_by(last_name="Zanola")).one()
    assert walk_in.email is None, "no invented, no empty address"
    assert response.headers["Location"].endswith(f"{WALK_IN}/{walk_in.id}")
    [check_in] = check_ins_of(walk_in.id)
    assert (check_in.method, check_in.desk_name) == ("walk_in", "Banco 3")
    done = html.unescape(desk.get(response.headers["Location"]).get_data(as_text=True))
    assert in_italian("%(name)s is registered and checked in.", name="Piera Zanola") in done
    assert (
        in_italian("No e-mail address: they get no messages from us. Print their badge now if they want one.")
        in done
    )
    assert desk.get(f"/brescia-citta-del-noi/desk/attendees/{walk_in.id}/badge.pdf").data.startswith(b"%PDF")
    assert outbox_rows() == 0, "nothing queued for nobody"


def test_two_walk_ins_without_email_do_not_collide(event):
    first = register_walk_in(event, registration_data(event, email=None, last_name="Uno"), "Banco 1")
    second = register_walk_in(event, registration_data(event, email=None, last_name="Due"), "Banco 2")

    assert (first.result, second.result) == (WalkInResult.CHECKED_IN, WalkInResult.CHECKED_IN)
    db.session.rollback()
    stored = db.session.execute(select(Attendee.last_name, Attendee.email).order_by(Attendee.id)).all()
    assert stored == [("Uno", None), ("Due", None)]
    assert len(check_ins_of(first.attendee.id)) == len(check_ins_of(second.attendee.id)) == 1
    assert outbox_rows() == 0


def test_nobody_without_email_gets_a_message_and_counts_leave_them_out(event):
    with_email = register_someone(event)
    without = register_walk_in(event, registration_data(event, email=None), "Banco 1").attendee
    before = outbox_rows()

    for kind in MailKind:
        if kind not in (MailKind.STAFF_INVITE, MailKind.STAFF_RESET, MailKind.ANNOUNCEMENT):
            assert mailer.enqueue(kind, without) is None, kind
    assert mailer.enqueue(MailKind.ANNOUNCEMENT, without, subject="Ciao", paragraphs=["x"]) is None
    db.session.commit()
    assert outbox_rows() == before
    counts = recipient_counts(event)
    assert counts[Audience.CONFIRMED] == 1 and counts[Audience.CHECKED_IN] == 0, counts
    assert reminders_due(event) == 1 and queue_reminders(event) == 1
    reminded = db.session.scalars(select(OutboxMessage.attendee_id).filter_by(kind=MailKind.REMINDER)).all()
    assert reminded == [with_email.id]


def test_the_desk_finds_a_walk_in_without_email_by_name(event, client):
    walk_in = register_walk_in(event, registration_data(event, email=None, last_name="Zanola"), "B").attendee
    token = create_desk_device(event, "Desk 2")[1]

    answer = client.get("/api/v1/attendees?q=Zanola", headers={"Authorization": f"Bearer {token}"})

    [found] = answer.get_json()["results"]
    assert (found["id"], found["email"], found["status"]) == (walk_in.id, None, "confirmed")
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["SearchResult"]
    assert {"type": "null"} in schema["properties"]["email"]["anyOf"], "the contract says it may be null"


def test_a_walk_in_without_email_is_anonymised_after_the_day(event):
    walk_in = register_walk_in(event, registration_data(event, email=None, last_name="Zanola"), "B").attendee

    assert purge(after_days=30, now=datetime.combine(event.date + timedelta(days=31), time(12))) == 1
    db.session.refresh(walk_in)
    assert walk_in.last_name == "—" and walk_in.email == f"anonymous-{walk_in.id}@invalid"


def test_the_attendee_page_and_list_say_no_email_and_offer_no_personal_link(event, make_staff, in_italian):
    walk_in = register_walk_in(event, registration_data(event, email=None, last_name="Zanola"), "B").attendee
    admin = make_staff(Role.ADMIN)[1]

    page = html.unescape(
        admin.get(f"/brescia-citta-del-noi/admin/attendees/{walk_in.id}").get_data(as_text=True)
    )
    assert f"<dd>{in_italian('no e-mail')}</dd>" in page and "None" not in page
    assert "/link" not in page, "no 'send their personal link' for someone without e-mail"
    listing = html.unescape(admin.get("/brescia-citta-del-noi/admin/").get_data(as_text=True))
    assert f'<span class="muted">{in_italian("no e-mail")}</span>' in listing


# ---- At a full event: an organiser may let them in over capacity ---------------------------


def admit(staff, attendee_id, clicks=1, **fields):
    """The organiser presses "Let them in over capacity" (twice: a double click)."""
    token = csrf_from(staff.get(f"{WALK_IN}/{attendee_id}/waiting").get_data(as_text=True))
    answers = [
        staff.post(f"{WALK_IN}/{attendee_id}/admit", data={"csrf_token": token, **fields})
        for _ in range(clicks)
    ]
    return answers[0]


def overrides_of(attendee_id) -> list[AuditEntry]:
    db.session.rollback()
    return db.session.scalars(
        select(AuditEntry).filter_by(attendee_id=attendee_id, action=AuditAction.CAPACITY_OVERRIDDEN)
    ).all()


def test_desk_staff_cannot_let_a_walk_in_in_over_capacity(event, desk):
    register_someone(event)
    fill_the_day(event)
    post_walk_in(desk, event)
    walk_in = db.session.scalars(select(Attendee).filter_by(source="desk")).one()

    page = desk.get(f"{WALK_IN}/{walk_in.id}/waiting").get_data(as_text=True)
    response = desk.post(f"{WALK_IN}/{walk_in.id}/admit", data={"csrf_token": csrf_from(page)})

    assert response.status_code == 403
    db.session.refresh(walk_in)
    assert walk_in.status == AttendeeStatus.WAITLISTED and check_ins_of(walk_in.id) == []
    assert overrides_of(walk_in.id) == []


def test_an_organiser_lets_a_walk_in_in_over_capacity_once_checked_in_and_audited(
    event, make_staff, in_italian
):
    register_someone(event)
    fill_the_day(event)
    organiser_user, organiser = make_staff(Role.ADMIN)
    post_walk_in(organiser, event, desk_name="Banco 4")
    walk_in = db.session.scalars(select(Attendee).filter_by(source="desk")).one()
    waiting = organiser.get(f"{WALK_IN}/{walk_in.id}/waiting").get_data(as_text=True)
    assert 'id="admit-over-capacity"' in waiting and 'id="ask-an-organiser"' not in waiting

    first = admit(organiser, walk_in.id, clicks=2, desk_name="Banco 4")

    assert first.headers["Location"].endswith(f"{WALK_IN}/{walk_in.id}")
    db.session.refresh(walk_in)
    assert walk_in.status == AttendeeStatus.CONFIRMED
    assert {part.status for part in walk_in.parts} == {PartStatus.CONFIRMED}
    [check_in] = check_ins_of(walk_in.id)
    assert (check_in.method, check_in.desk_name) == ("walk_in", "Banco 4")
    [entry] = overrides_of(walk_in.id)
    assert entry.actor == organiser_user.email
    day = entry.details["overridden"][0]
    assert day == {"part": "day", "capacity": event.capacity, "taken": event.capacity}
    assert event.capacity == 1, "the count at that moment: the one registered before"
    done = html.unescape(organiser.get(first.headers["Location"]).get_data(as_text=True))
    assert in_italian("%(name)s is let in over capacity and checked in.", name="Ettore Ghidini") in done
    assert organiser.get(f"/brescia-citta-del-noi/desk/attendees/{walk_in.id}/badge.pdf").data.startswith(
        b"%PDF"
    )


def test_an_organiser_lets_a_walk_in_into_a_full_lunch_from_the_attendee_page(event, make_staff):
    lunch = next(part for part in event.day_parts if part.kind == "lunch")
    lunch.capacity = 0
    db.session.commit()
    walk_in = register_walk_in(event, registration_data(event, email=None), "Banco 1").attendee
    assert walk_in.part(lunch.id).status == PartStatus.WAITLISTED
    organiser = make_staff(Role.ADMIN)[1]

    page = organiser.get(f"/brescia-citta-del-noi/admin/attendees/{walk_in.id}").get_data(as_text=True)
    assert 'id="admit-over-capacity"' in page
    response = organiser.post(
        f"{WALK_IN}/{walk_in.id}/admit", data={"csrf_token": csrf_from(page), "back": "attendee"}
    )

    assert response.headers["Location"].endswith(f"/brescia-citta-del-noi/admin/attendees/{walk_in.id}")
    db.session.refresh(walk_in)
    assert walk_in.part(lunch.id).status == PartStatus.CONFIRMED
    assert len(check_ins_of(walk_in.id)) == 1, "checked in once: at the walk-in, not again"
    [entry] = overrides_of(walk_in.id)
    assert entry.details["overridden"] == [
        {"part": lunch.name["it"], "day_part_id": lunch.id, "capacity": 0, "taken": 0}
    ]
    assert 'id="admit-over-capacity"' not in organiser.get(
        f"/brescia-citta-del-noi/admin/attendees/{walk_in.id}"
    ).get_data(as_text=True)


# ---- The last place, taken by two desks at once --------------------------------------------

SUBMISSIONS_PER_DESK = 3


def signed_in_desk(base_url: str, email: str):
    """A browser-like session (its own cookies) of desk staff signed in on the server."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()), NoRedirect())
    login = opener.open(f"{base_url}/staff/login", timeout=30).read().decode()
    body = urllib.parse.urlencode({"csrf_token": csrf_from(login), "email": email, "password": PASSWORD})
    try:
        opener.open(f"{base_url}/staff/login", data=body.encode(), timeout=30)
    except urllib.error.HTTPError as answer:
        assert answer.code == 302, "sign-in failed"
    return opener


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def walk_in_when_released(base_url, opener, fields, barrier) -> str:
    token = csrf_from(opener.open(f"{base_url}{WALK_IN}", timeout=30).read().decode())
    body = urllib.parse.urlencode({"csrf_token": token, **fields}, doseq=True).encode()
    barrier.wait()  # both desks press "Register and check in" at the same moment
    try:
        opener.open(f"{base_url}{WALK_IN}", data=body, timeout=60)
    except urllib.error.HTTPError as answer:
        assert answer.code == 302, answer.code
        return answer.headers["Location"]
    raise AssertionError("no redirect")


def test_the_last_place_taken_by_two_desks_at_once_goes_to_one_walk_in(gunicorn_server, event):
    register_someone(event)
    event.capacity = 2  # one place left
    db.session.commit()
    desks = []
    for n in (1, 2):
        staff_account(f"banco{n}@example.org", f"Banco {n}", PASSWORD, Role.DESK)
        desks.append(signed_in_desk(gunicorn_server, f"banco{n}@example.org"))
    people = [
        (desks[n % 2], walk_in_fields(event, email=None, last_name=f"Corsa {n}", desk_name=f"Banco {n % 2}"))
        for n in range(2 * SUBMISSIONS_PER_DESK)
    ]
    barrier = threading.Barrier(len(people))
    with ThreadPoolExecutor(len(people)) as pool:
        answers = list(pool.map(lambda p: walk_in_when_released(gunicorn_server, *p, barrier), people))

    checked_in = [a for a in answers if re.search(r"/brescia-citta-del-noi/desk/walk-in/\d+$", a)]
    waiting = [a for a in answers if a.endswith("/waiting")]
    assert (len(checked_in), len(waiting)) == (1, len(people) - 1), answers
    db.session.rollback()
    confirmed = db.session.scalar(select(func.count()).select_from(Attendee).filter_by(status="confirmed"))
    assert confirmed == 2, "never more than the capacity"
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 1


def test_a_walk_in_without_email_can_be_changed_without_inventing_one_and_an_address_added(client, event):
    """Organisers change a registration through the person's own form: its e-mail is
    required online, but must not force an address on someone who has none."""
    walk_in = register_walk_in(event, registration_data(event, email=None), "Banco 1").attendee
    db.session.commit()
    edit = f"/brescia-citta-del-noi/r/{manage_token(walk_in)}/edit"
    page = client.get(edit).get_data(as_text=True)
    assert re.search(r'<input[^>]*id="email"[^>]*>', page) and " required" not in re.search(
        r'<input[^>]*id="email"[^>]*>', page
    ).group(0)

    fields = form_fields(event, email="", first_name="Rina")
    assert client.post(edit, data={**fields, "csrf_token": csrf_from(page)}).status_code == 302
    db.session.expire_all()
    assert (walk_in.first_name, walk_in.email) == ("Rina", None)

    page = client.get(edit).get_data(as_text=True)
    fields = form_fields(event, email="Rina.Neri@Example.org", first_name="Rina")
    assert client.post(edit, data={**fields, "csrf_token": csrf_from(page)}).status_code == 302
    db.session.expire_all()
    assert walk_in.email == "rina.neri@example.org"
