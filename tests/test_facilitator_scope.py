"""What a facilitator may touch at their table: the people of its list (seated there by the
published assignment), and walk-ups added from the badge of someone checked in at the desk,
recorded as such. Every id in a URL or a JSON body is checked against their tables and the
event; a refusal says why, in JSON, and writes nothing."""

import io

import pytest
from flask_migrate import downgrade, upgrade
from helpers import register_someone, second_event
from sqlalchemy import inspect, select
from test_facilitators import facilitator_of, page_csrf, png_bytes, post_json, publish_seats, upload_dir  # noqa: F401

from app.checkin.badges import badge_token
from app.extensions import db
from app.facilitation import photos
from app.mail import outbox as mailer
from app.models import CheckIn, OutboxMessage, Role, TableAttendance, utcnow
from app.registration.cancellation import cancel_registration
from app.reporting.certificates import certificate_for


def check_in(attendee):
    db.session.add(
        CheckIn(
            event_id=attendee.event_id, attendee_id=attendee.id, desk_name="Banco 1", checked_in_at=utcnow()
        )
    )
    db.session.commit()


def marks() -> list[tuple]:
    db.session.rollback()  # see what the requests committed
    rows = db.session.scalars(select(TableAttendance).order_by(TableAttendance.id))
    return [(m.cafe_table_id, m.attendee_id, m.round, m.present, m.walk_up) for m in rows]


class Table:
    """A facilitator's signed-in client at their table, with the page's token."""

    def __init__(self, client, table):
        self.client, self.table = client, table
        self.url = f"/brescia-citta-del-noi/facilitators/tables/{table.id}"
        self.token = page_csrf(client, f"{self.url}/")

    def tick(self, attendee_id, present=True, round=1):
        body = {"attendee_id": attendee_id, "round": round, "present": present}
        return post_json(self.client, f"{self.url}/attendance", body, self.token)

    def scan(self, code, round=1):
        return post_json(self.client, f"{self.url}/scan", {"code": code, "round": round}, self.token)

    def roster(self, round=1):
        return self.client.get(f"{self.url}/roster.json?round={round}").json["people"]


@pytest.fixture
def day(event, make_staff):
    """Table 0 with Anna seated there; Bruno seated at table 1; a facilitator at table 0."""
    here, elsewhere = event.tables[0], event.tables[1]
    anna = register_someone(event, first_name="Anna", organisation_name="Cooperativa Qui")
    bruno = register_someone(event, first_name="Bruno", organisation_name="Associazione Altrove")
    publish_seats(event, [(anna, here, 1, 0), (bruno, elsewhere, 1, 0)])
    _, client = facilitator_of(make_staff, here)
    return Table(client, here), anna, bruno


def test_a_tick_for_someone_not_on_the_tables_list_is_refused_and_writes_nothing(day):
    table, anna, bruno = day
    check_in(bruno)
    other = register_someone(second_event())

    for label, attendee_id in [
        ("seated elsewhere", bruno.id),
        ("another event's", other.id),
        ("nobody", 99_999),
    ]:
        answer = table.tick(attendee_id)
        assert answer.status_code == 422, label
        assert answer.json == {
            "result": "not_on_roster",
            "marked": False,
            "message": answer.json["message"],
        }, label
        assert answer.json["message"], "the refusal says what to do"
    assert marks() == []
    assert certificate_for(bruno, "it").tables == [], "no table on Bruno's certificate"

    ticked = table.tick(anna.id)
    assert ticked.status_code == 200 and ticked.json["result"] == "present"
    assert marks() == [(table.table.id, anna.id, 1, True, False)]


def test_the_roster_shows_the_tables_own_people_only(day):
    table, anna, bruno = day
    table.tick(bruno.id)
    people = table.roster()
    assert [p["name"] for p in people] == [anna.full_name]
    page = table.client.get(f"{table.url}/?round=1").get_data(as_text=True)
    assert "Cooperativa Qui" in page and "Associazione Altrove" not in page


def test_a_walk_up_joins_from_their_badge_once_checked_in_and_is_recorded_as_such(day, event):
    table, anna, bruno = day

    not_yet = table.scan(badge_token(bruno))
    assert not_yet.status_code == 422 and not_yet.json["result"] == "not_checked_in"
    assert bruno.full_name in not_yet.json["message"] and "attendee" not in not_yet.json
    assert marks() == []

    check_in(bruno)
    joined = table.scan(badge_token(bruno))
    assert joined.status_code == 200 and joined.json["result"] == "walk_up"
    assert joined.json["attendee"] == {"id": bruno.id, "name": bruno.full_name}
    seated_at = event.tables[1].display_name  # Bruno's table in round 1
    assert seated_at in joined.json["message"], "the table tells them where they are seated this round"
    assert marks() == [(table.table.id, bruno.id, 1, True, True)]
    walk_up = next(p for p in table.roster() if p["id"] == bruno.id)
    assert walk_up["walk_up"] and not walk_up["on_roster"] and walk_up["present"]

    # Now on the table's list: ticked off and on again like anyone there.
    assert table.tick(bruno.id, present=False).json["result"] == "absent"
    assert table.tick(bruno.id).json["result"] == "walk_up"
    assert marks() == [(table.table.id, bruno.id, 1, True, True)]
    assert table.tick(bruno.id, round=2).status_code == 422, "a walk-up joins one round"

    seated = table.scan(badge_token(anna))
    assert seated.json["result"] == "present", "seated here: not a walk-up, checked in or not"


def test_waiting_list_cancelled_and_other_event_badges_are_refused_at_the_table(day, event):
    table, anna, bruno = day
    cancel_registration(bruno)
    event.capacity = 1  # Anna has the only place
    db.session.commit()
    waiting = register_someone(event)
    other = register_someone(second_event())
    check_in(other)

    answers = {
        "cancelled": table.scan(badge_token(bruno)),
        "waitlisted": table.scan(badge_token(waiting)),
        "other_event": table.scan(badge_token(other)),
    }
    for reason, answer in answers.items():
        assert (answer.status_code, answer.json["result"], answer.json["marked"]) == (422, reason, False)
        assert answer.json["message"], reason
    assert marks() == []


def test_someone_seated_here_who_cancelled_leaves_the_list(day):
    table, anna, bruno = day
    cancel_registration(anna)
    assert table.roster() == []
    assert table.tick(anna.id).status_code == 422
    assert marks() == []


def test_a_table_of_another_event_is_not_found_even_for_its_own_facilitator_or_an_admin(
    event,
    make_staff,
    upload_dir,  # noqa: F811
):
    other_table = second_event().tables[0]
    photo = photos.save_photo(other_table, 1, io.BytesIO(png_bytes()), "", "test").photo
    _, facilitator = facilitator_of(make_staff, other_table, email="altrove@example.org")
    _, admin = make_staff(Role.ADMIN)
    for client in (facilitator, admin):
        for path in ("/", "/roster.json", "/notes/1", "/photos", f"/photos/{photo.id}"):
            url = f"/brescia-citta-del-noi/facilitators/tables/{other_table.id}{path}"
            assert client.get(url).status_code == 404, url


def test_ids_past_the_integer_range_are_refused_not_a_server_error(day, upload_dir):  # noqa: F811
    table, anna, bruno = day
    huge = 2**63
    assert table.client.get(f"/brescia-citta-del-noi/facilitators/tables/{huge}/").status_code == 404
    assert table.client.get(f"{table.url}/photos/{huge}").status_code == 404
    assert table.tick(huge).status_code == 400
    assert table.tick(anna.id, round=huge).status_code == 400
    assert marks() == []


def test_marks_made_before_walk_ups_were_recorded_are_labelled_by_the_migration(day, event):
    """Upgrading a database with marks made before revision 0009: those of people not seated
    at that table in the published assignment could only come from a badge scan."""
    table, anna, bruno = day
    seated, walked_up = anna.id, bruno.id
    for attendee_id in (seated, walked_up):
        db.session.add(
            TableAttendance(cafe_table_id=table.table.id, attendee_id=attendee_id, round=1, marked_by="f")
        )
    # Migration 0021's downgrade refuses confirmations still to be rendered by the sender.
    for message in db.session.scalars(select(OutboxMessage).where(OutboxMessage.body_text.is_(None))):
        message.body_text, message.body_html = mailer.bodies(message)
    db.session.commit()
    db.session.remove()
    try:
        downgrade(revision="0008")
        columns = {column["name"] for column in inspect(db.engine).get_columns("table_attendance")}
        assert "walk_up" not in columns
    finally:
        upgrade()
    labelled = dict(db.session.execute(select(TableAttendance.attendee_id, TableAttendance.walk_up)).all())
    assert labelled == {seated: False, walked_up: True}
