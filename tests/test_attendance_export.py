"""Who came, in the organisers' attendee list and its CSV: arrived / not yet / undone (a
check-in undone and none in force), the check-in time (the event's time zone, named in the
header) and desk, and the published world café table, checked against the database after a
scripted day: register, assign, publish, check in some at two desks, undo one."""

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from helpers import post_registration, register_someone
from sqlalchemy import select

from app.checkin.badges import badge_token
from app.checkin.desks import create_desk_device
from app.extensions import db
from app.models import AssignmentRun, Attendee, CafeTable, CheckIn, Role, SeatAssignment, localized
from app.registration.attendee_list import CSV_BATCH
from app.worldcafe import services as world_cafe

ROME = ZoneInfo("Europe/Rome")


@pytest.fixture
def admin(make_staff):
    return make_staff(Role.ADMIN)[1]


def exported(admin, **query) -> tuple[list[str], dict[str, dict]]:
    """The CSV's header and its rows by e-mail address."""
    response = admin.get("/brescia-citta-del-noi/admin/attendees.csv", query_string=query)
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    return rows[0], {row[rows[0].index("email")]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def desk_scan(client, token: str, attendee: Attendee, scanned_at: datetime) -> int:
    body = {
        "code": badge_token(attendee),
        "request_id": str(uuid.uuid4()),
        "scanned_at": scanned_at.isoformat(),
    }
    response = client.post("/api/v1/scan", json=body, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.data
    return response.get_json()["check_in"]["id"]


def scripted_day(client, event) -> dict[str, Attendee]:
    """Five people register on the form; the assignment is published; at two desks three are
    checked in (one at 10:05 local time, exactly), and one of those check-ins is undone."""
    for name in ("Anna", "Bruno", "Carla", "Dario", "Elena"):
        response, _ = post_registration(client, event, first_name=name)
        assert response.status_code == 302
    people = {a.first_name: a for a in db.session.scalars(select(Attendee).order_by(Attendee.id))}
    world_cafe.publish(world_cafe.run_assignment(event, "admin@example.org"), "admin@example.org")
    _, entrance = create_desk_device(event, "Ingresso")
    _, side_door = create_desk_device(event, "=Porta laterale")  # a name a spreadsheet would run
    ten_past = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=2)
    desk_scan(client, entrance, people["Anna"], ten_past)
    desk_scan(client, side_door, people["Bruno"], ten_past + timedelta(minutes=7))
    wrong_person = desk_scan(client, entrance, people["Carla"], ten_past + timedelta(minutes=9))
    undo = client.post(
        f"/api/v1/checkins/{wrong_person}/undo", headers={"Authorization": f"Bearer {entrance}"}
    )
    assert undo.status_code == 200
    return people


def published_tables(attendee: Attendee) -> dict[int, str]:
    """Straight from the database: the tables of the last published run, by round."""
    run_id = db.session.scalar(
        select(AssignmentRun.id)
        .where(AssignmentRun.event_id == attendee.event_id, AssignmentRun.published_at.is_not(None))
        .order_by(AssignmentRun.published_at.desc())
    )
    rows = db.session.execute(
        select(SeatAssignment.round, CafeTable.name)
        .join(CafeTable, CafeTable.id == SeatAssignment.cafe_table_id)
        .where(SeatAssignment.run_id == run_id, SeatAssignment.attendee_id == attendee.id)
    )
    return {round_: localized(name, "it") for round_, name in rows}


def test_the_csv_says_who_came_when_where_and_at_which_table_as_the_database_does(client, event, admin):
    people = scripted_day(client, event)
    header, rows = exported(admin)
    assert "checked_in_at (Europe/Rome)" in header and "registered_at (Europe/Rome)" in header
    assert header[-1] == "world_cafe_table", "three rounds, one table each (people stay): one column"
    db.session.rollback()
    for attendee in people.values():
        row = rows[attendee.email]
        check_ins = db.session.scalars(select(CheckIn).filter_by(attendee_id=attendee.id)).all()
        in_force = [c for c in check_ins if c.undone_at is None]
        expected_state = "yes" if in_force else "undone" if check_ins else "no"
        assert row["checked_in"] == expected_state, attendee.first_name
        if in_force:
            local = in_force[0].checked_in_at.replace(tzinfo=UTC).astimezone(ROME)
            assert row["checked_in_at (Europe/Rome)"] == local.strftime("%Y-%m-%d %H:%M")
            assert row["check_in_desk"] in ("Ingresso", "'=Porta laterale")
        else:
            assert row["checked_in_at (Europe/Rome)"] == row["check_in_desk"] == ""
        tables = published_tables(attendee)
        assert tables and row["world_cafe_table"] == tables[1]
    assert [rows[people[n].email]["checked_in"] for n in people] == ["yes", "yes", "undone", "no", "no"]
    assert rows[people["Bruno"].email]["check_in_desk"] == "'=Porta laterale", "no formula"
    anna = rows[people["Anna"].email]
    utc_written = db.session.scalars(
        select(CheckIn.checked_in_at).filter_by(attendee_id=people["Anna"].id)
    ).one()
    assert anna["checked_in_at (Europe/Rome)"] != utc_written.strftime("%Y-%m-%d %H:%M"), "local, not UTC"


def test_the_filter_and_the_list_show_arrived_not_yet_and_undone(client, event, admin):
    people = scripted_day(client, event)
    for attendance, names in (
        ("arrived", {"Anna", "Bruno"}),
        ("undone", {"Carla"}),
        ("not_yet", {"Dario", "Elena"}),
    ):
        _, rows = exported(admin, attendance=attendance)
        assert {row["first_name"] for row in rows.values()} == names, attendance
        page = admin.get("/brescia-citta-del-noi/admin/", query_string={"attendance": attendance}).get_data(
            as_text=True
        )
        listed = {
            n for n, a in people.items() if f'href="/brescia-citta-del-noi/admin/attendees/{a.id}"' in page
        }
        assert listed == names, attendance
    page = admin.get("/brescia-citta-del-noi/admin/").get_data(as_text=True)
    assert "Presente" in page and "Non ancora" in page and "Accreditamento annullato" in page
    assert "Ingresso" in page and "=Porta laterale" in page
    db.session.rollback()
    anna_at = db.session.scalars(select(CheckIn.checked_in_at).filter_by(attendee_id=people["Anna"].id)).one()
    assert anna_at.replace(tzinfo=UTC).astimezone(ROME).strftime("%H:%M") + " · Ingresso" in page
    assert published_tables(people["Anna"])[1] in page
    assert 'name="attendance"' in page and "attendance=undone" in admin.get(
        "/brescia-citta-del-noi/admin/", query_string={"attendance": "undone"}
    ).get_data(as_text=True), "the export link keeps the filter"


def test_an_attendance_filter_no_list_has_is_ignored(client, event, admin):
    register_someone(event)
    _, everyone = exported(admin)
    _, rows = exported(admin, attendance="<script>")
    assert rows.keys() == everyone.keys()


def test_when_people_change_table_each_round_has_its_column(client, event, admin):
    event.cafe_rotation = "visit"
    db.session.commit()
    for _ in range(4):
        register_someone(event)
    world_cafe.publish(world_cafe.run_assignment(event, "admin@example.org"), "admin@example.org")
    header, rows = exported(admin)
    rounds = [f"world_cafe_table_round_{n}" for n in range(1, event.cafe_rounds + 1)]
    assert header[-len(rounds) :] == rounds and "world_cafe_table" not in header
    db.session.rollback()
    for attendee in db.session.scalars(select(Attendee)):
        tables = published_tables(attendee)
        assert [rows[attendee.email][column] for column in rounds] == [tables[n] for n in sorted(tables)]


def test_a_walk_in_without_e_mail_is_listed_and_exported(client, event, admin):
    someone = register_someone(event, first_name="Senzamail")
    someone.email = None
    db.session.commit()
    page = admin.get("/brescia-citta-del-noi/admin/").get_data(as_text=True)
    assert "Senzamail" in page and "None" not in page
    _, rows = exported(admin)
    assert rows[""]["first_name"] == "Senzamail" and rows[""]["checked_in"] == "no"


def test_the_csv_of_more_people_than_a_batch_holds_each_once_in_order_and_is_streamed(client, event, admin):
    """The export reads and writes CSV_BATCH people at a time: across batches every person is
    there once, in the list's order, with their own check-in and table, and the answer is
    sent piece by piece (a large event's CSV is never built whole in memory)."""
    from bench.common import insert_attendees

    people = scripted_day(client, event)  # five people, three check-ins, published seats
    insert_attendees(event, 2 * CSV_BATCH + 7, prefix="crowd")  # "Bianchi n", before them by name
    header, rows = exported(admin)
    db.session.rollback()
    in_order = db.session.scalars(
        select(Attendee.email)
        .where(Attendee.event_id == event.id)
        .order_by(Attendee.last_name, Attendee.first_name, Attendee.id)
    ).all()
    assert list(rows) == in_order and len(rows) == 2 * CSV_BATCH + 12
    assert [rows[people[n].email]["checked_in"] for n in people] == ["yes", "yes", "undone", "no", "no"]
    for attendee in people.values():
        assert rows[attendee.email]["world_cafe_table"] == published_tables(attendee)[1]
    crowd = rows["crowd.1006@example.org"]
    assert crowd["last_name"] == "Bianchi 1006" and crowd["checked_in"] == "no"
    assert crowd["day_parts"].count(",") == len(event.day_parts) - 1

    response = admin.get("/brescia-citta-del-noi/admin/attendees.csv", buffered=False)
    assert response.is_streamed
    pieces = list(response.response)
    assert len(pieces) > 3, "the header, then one piece per batch"
    assert b"".join(pieces).decode("utf-8-sig").splitlines()[0] == ";".join(header)
