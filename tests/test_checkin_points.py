"""Check-in points other than the door (app/checkin/points.py): lunch and the world café's
entrance (MO.CA's event file gives both their own check-in) and the exit, through the API."""

import uuid
from datetime import datetime, time

import pytest
from helpers import part_ids, register_someone, second_event
from sqlalchemy import func, select

from app.checkin.badges import badge_token
from app.checkin.desks import create_desk_device
from app.checkin.points import current_round, point_named, points_of
from app.extensions import db
from app.models import CheckIn, DayPartKind, PointScan
from app.worldcafe import services as world_cafe


@pytest.fixture
def desk(event):
    return {"Authorization": f"Bearer {create_desk_device(event, 'Lunch desk')[1]}"}


def post_scan(client, headers, code, point=None, request_id=None, status=200, **extra):
    body = {"code": code, "request_id": request_id or str(uuid.uuid4()), **extra}
    if point is not None:
        body["point"] = point
    response = client.post("/api/v1/scan?lang=en", json=body, headers=headers)
    assert response.status_code == status, response.data
    return response.get_json()


def scans_in_force(**filters) -> int:
    query = select(func.count()).select_from(PointScan).where(PointScan.undone_at.is_(None))
    return db.session.scalar(query.filter_by(**filters))


def door_check_ins() -> int:
    return db.session.scalar(select(func.count()).select_from(CheckIn).where(CheckIn.undone_at.is_(None)))


def test_the_moca_day_has_lunch_and_the_world_cafe_as_check_in_points(event):
    assert [p.key for p in points_of(event)] == ["door", "lunch", "world-cafe"]
    event.exit_scans = True
    db.session.commit()
    assert [p.key for p in points_of(event)][-1] == "exit"


def test_a_lunch_scan_is_counted_apart_from_the_door(client, event, desk):
    attendee = register_someone(event, first_name="Ada")
    answer = post_scan(client, desk, badge_token(attendee), point="lunch")
    assert answer["result"] == "green" and answer["reason"] == "checked_in"
    assert answer["point"] == {"key": "lunch", "kind": "part", "name": "Lunch with music"}
    assert answer["message"] == "Welcome to Lunch with music, Ada!"
    assert answer["check_in"]["desk"] == "Lunch desk"
    assert scans_in_force(day_part_id=event.day_part(DayPartKind.LUNCH).id) == 1
    assert door_check_ins() == 0, "being at lunch is not coming through the door"
    door = post_scan(client, desk, badge_token(attendee))  # no point: the door, as before
    assert door["reason"] == "checked_in" and door.get("point") is None
    assert door_check_ins() == 1 and scans_in_force() == 1


def test_a_second_lunch_scan_says_when_and_where_and_a_replay_answers_as_the_first(client, event, desk):
    attendee = register_someone(event)
    request_id = str(uuid.uuid4())
    first = post_scan(client, desk, badge_token(attendee), point="lunch", request_id=request_id)
    replay = post_scan(client, desk, badge_token(attendee), point="lunch", request_id=request_id)
    assert replay["result"] == "green" and replay["check_in"]["id"] == first["check_in"]["id"]
    again = post_scan(client, desk, badge_token(attendee), point="lunch")
    assert again["result"] == "amber" and again["reason"] == "already_checked_in"
    assert again["message"] == (
        f"Already scanned for Lunch with music at {first['check_in']['at_local']} at Lunch desk"
    )
    assert scans_in_force() == 1


def test_someone_not_registered_for_lunch_is_red_and_nothing_is_written(client, event, desk):
    attendee = register_someone(event, day_part_ids=part_ids(event, DayPartKind.PLENARY))
    answer = post_scan(client, desk, attendee.badge_code, point="lunch")
    assert answer["result"] == "red" and answer["reason"] == "not_for_part"
    assert answer["message"] == "Not registered for Lunch with music."
    assert scans_in_force() == 0


def test_the_world_cafe_entrance_tells_the_table_of_the_round(client, event, desk):
    attendee = register_someone(event)
    world_cafe.publish(world_cafe.run_assignment(event, "organiser@example.org"), "organiser@example.org")
    answer = post_scan(client, desk, badge_token(attendee), point="world-cafe")
    assert answer["result"] == "green"
    seat = answer["seat"]
    assert seat["round"] == 1 and seat["name"] in {t.display_name for t in event.tables}
    assert answer["message"].startswith(f"Go to table {seat['name']}")
    again = post_scan(client, desk, badge_token(attendee), point="world-cafe")
    assert again["result"] == "amber" and f"Go to table {seat['name']}" in again["message"]
    recorded = db.session.scalars(select(PointScan)).one()
    told = next(t.id for t in event.tables if t.display_name == seat["name"])
    assert (recorded.round, recorded.cafe_table_id) == (1, told)
    assert door_check_ins() == 0


def test_the_cafe_round_follows_the_venue_clock_within_the_part(event):
    cafe = event.day_part(DayPartKind.WORLD_CAFE)  # 14:00-16:45, three rounds, Europe/Rome
    assert (cafe.starts_at, cafe.ends_at, event.cafe_rounds) == (time(14), time(16, 45), 3)
    on_the_day = event.date

    def at(hour, minute):  # Rome in July is UTC+2
        return datetime.combine(on_the_day, time(hour - 2, minute))

    moments = [(13, 0), (14, 10), (15, 0), (16, 40), (18, 0)]
    assert [current_round(event, cafe, at(h, m)) for h, m in moments] == [1, 1, 2, 3, 3]


def test_the_exit_needs_the_event_file_option(client, event, desk):
    attendee = register_someone(event)
    refused = post_scan(client, desk, badge_token(attendee), point="exit", status=404)
    assert "door, lunch, world-cafe" in refused["detail"]
    event.exit_scans = True
    db.session.commit()
    answer = post_scan(client, desk, badge_token(attendee), point="exit")
    assert answer["result"] == "green" and answer["message"] == f"Goodbye, {attendee.first_name}!"
    assert scans_in_force(kind="exit") == 1


def test_a_point_the_event_has_not_is_refused_with_its_points(client, event, desk):
    attendee = register_someone(event)
    answer = post_scan(client, desk, badge_token(attendee), point="plenary", status=404)
    assert answer["error"] == "not_found" and "its points: door, lunch, world-cafe" in answer["detail"]
    malformed = post_scan(client, desk, badge_token(attendee), point="Lunch!", status=400)
    assert malformed["error"] == "bad_request" and "point" in malformed["detail"]
    assert scans_in_force() == 0 and door_check_ins() == 0


def test_a_desk_scans_for_its_own_event_points_only(client, event, desk):
    other = second_event()
    theirs = register_someone(other)
    answer = post_scan(client, desk, badge_token(theirs), point="lunch")
    assert answer["result"] == "red" and answer["reason"] == "other_event"
    # Their own desk, with the same key: their lunch, not MO.CA's.
    their_desk = {"Authorization": f"Bearer {create_desk_device(other, 'Altrove')[1]}"}
    post_scan(client, their_desk, badge_token(theirs), point="lunch")
    recorded = db.session.scalars(select(PointScan)).one()
    assert (
        recorded.day_part_id
        == point_named(other, "lunch").day_part.id
        != point_named(event, "lunch").day_part.id
    )
    # MO.CA's desk cannot undo the other event's scan.
    response = client.post(f"/api/v1/point-scans/{recorded.id}/undo", headers=desk)
    assert response.status_code == 404
    assert scans_in_force() == 1


def test_undoing_a_point_scan_lets_the_person_be_scanned_again(client, event, desk):
    attendee = register_someone(event)
    first = post_scan(client, desk, badge_token(attendee), point="lunch")
    response = client.post(f"/api/v1/point-scans/{first['check_in']['id']}/undo", headers=desk)
    assert response.status_code == 200 and response.get_json()["check_in"]["undone_at"]
    again = post_scan(client, desk, badge_token(attendee), point="lunch")
    assert again["result"] == "green" and again["check_in"]["id"] != first["check_in"]["id"]


def test_a_request_id_of_another_persons_point_scan_is_refused(client, event, desk):
    one, two = register_someone(event), register_someone(event)
    request_id = str(uuid.uuid4())
    post_scan(client, desk, badge_token(one), point="lunch", request_id=request_id)
    answer = post_scan(client, desk, badge_token(two), point="lunch", request_id=request_id, status=409)
    assert answer["error"] == "conflict"
    assert scans_in_force() == 1
