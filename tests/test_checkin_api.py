"""The check-in JSON API, through the Flask test client."""

import re
import uuid
from pathlib import Path

import pytest
from helpers import register_someone, second_event
from sqlalchemy import event as sa_event
from sqlalchemy import func, select, update

from app.checkin.badges import badge_token, reissue_badge
from app.checkin.desks import create_desk_device, revoke_desk_device
from app.checkin.services import check_in_attendee
from app.events.services import load_event
from app.extensions import db
from app.models import AuditEntry, CheckIn, DeskDevice, utcnow
from app.registration.cancellation import cancel_registration
from app.worldcafe import services as world_cafe


@pytest.fixture
def desk(event):
    device, token = create_desk_device(event, "Desk 2")
    return device, {"Authorization": f"Bearer {token}"}


def scan(client, headers, code, request_id=None, **extra):
    body = {"code": code, "request_id": request_id or str(uuid.uuid4()), **extra}
    response = client.post("/api/v1/scan?lang=en", json=body, headers=headers)
    assert response.status_code == 200, response.data
    return response.get_json()


def active_check_ins():
    return db.session.scalar(select(func.count()).select_from(CheckIn).where(CheckIn.undone_at.is_(None)))


def test_scan_checks_in_and_shows_what_the_desk_needs(client, event, desk):
    attendee = register_someone(
        event, first_name="Ada", dietary_needs="Vegana", accessibility_needs="Sedia a rotelle"
    )
    answer = scan(client, desk[1], badge_token(attendee).lower() + "\n")
    assert answer["result"] == "green" and answer["reason"] == "checked_in"
    person = answer["attendee"]
    assert person["name"] == attendee.full_name
    assert person["lunch"] is True and person["dietary_needs"] == "Vegana"
    assert person["accessibility_needs"] == "Sedia a rotelle"
    assert answer["check_in"]["desk"] == "Desk 2"
    assert active_check_ins() == 1


def test_second_scan_says_when_and_where_already_checked_in(client, event, desk):
    attendee = register_someone(event)
    first = scan(client, desk[1], badge_token(attendee), scanned_at="2000-01-01T00:00:00Z")
    again = scan(client, desk[1], badge_token(attendee))
    assert again["result"] == "amber" and again["reason"] == "already_checked_in"
    assert f"at {first['check_in']['at_local']} at Desk 2" in again["message"]
    assert active_check_ins() == 1


def test_the_same_request_replayed_is_one_check_in_and_the_same_answer(client, event, desk):
    attendee = register_someone(event)
    request_id = str(uuid.uuid4())
    first = scan(client, desk[1], badge_token(attendee), request_id)
    replay = scan(client, desk[1], badge_token(attendee), request_id)
    assert replay["result"] == "green" and replay["check_in"]["id"] == first["check_in"]["id"]
    assert active_check_ins() == 1


def test_a_scan_replayed_after_reconnection_keeps_the_desk_time(client, event, desk):
    from app.models import utcnow

    when = utcnow().replace(microsecond=0)
    attendee = register_someone(event)
    answer = scan(client, desk[1], badge_token(attendee), scanned_at=when.isoformat() + "Z")
    assert answer["check_in"]["at"] == when.isoformat() + "Z"


@pytest.mark.parametrize(
    ("make_code", "reason"),
    [
        (lambda t: "", "malformed"),
        (lambda t: "hello", "malformed"),
        (lambda t: "A" * 500, "malformed"),
        (lambda t: "ÀÉÎ" * 8, "malformed"),
        (lambda t: "'; DROP TABLE attendees; --", "malformed"),
        (lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"), "forged"),
        (lambda t: ("B" if t[0] != "B" else "C") + t[1:], "forged"),
    ],
)
def test_forged_and_garbage_badges_are_refused_with_their_reason(client, event, desk, make_code, reason):
    attendee = register_someone(event)
    answer = scan(client, desk[1], make_code(badge_token(attendee)))
    assert (answer["result"], answer["reason"]) == ("red", reason)
    assert answer["attendee"] is None
    assert active_check_ins() == 0


def test_revoked_cancelled_waitlisted_and_other_event_badges_are_red(client, event, desk):
    revoked = register_someone(event)
    old = badge_token(revoked)
    reissue_badge(revoked)
    db.session.commit()
    cancelled = register_someone(event)
    cancel_registration(cancelled)
    event.capacity = 1  # the revoked badge's holder has the only place
    db.session.commit()
    waiting = register_someone(event)
    moca = Path("data/moca.yaml").read_text()
    other_text = moca.replace("slug: brescia-citta-del-noi", "slug: another-day")
    other = register_someone(load_event(other_text))
    answers = {
        "revoked": scan(client, desk[1], old),
        "cancelled": scan(client, desk[1], badge_token(cancelled)),
        "waitlisted": scan(client, desk[1], badge_token(waiting)),
        "other_event": scan(client, desk[1], badge_token(other)),
    }
    for reason, answer in answers.items():
        assert (answer["result"], answer["reason"]) == ("red", reason), answer
    assert answers["cancelled"]["attendee"]["name"] == cancelled.full_name
    assert active_check_ins() == 0


def test_bad_requests_get_400_never_500(client, event, desk):
    headers = desk[1]
    assert client.post("/api/v1/scan", data="not json", headers=headers).status_code == 400
    assert client.post("/api/v1/scan", json={"code": 42}, headers=headers).status_code == 400
    assert client.post("/api/v1/scan", json=["a"], headers=headers).status_code == 400
    assert client.post("/api/v1/checkins", json={"attendee_id": "1"}, headers=headers).status_code == 400
    assert client.post("/api/v1/checkins", json={"attendee_id": 999}, headers=headers).status_code == 404
    assert client.post("/api/v1/checkins/999/undo", json={}, headers=headers).status_code == 404


def test_api_needs_a_live_desk_token(client, event, desk):
    device, headers = desk
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.get("/api/v1/me", headers=headers).get_json()["desk"] == "Desk 2"
    revoke_desk_device(device, "admin@example.org")
    assert client.post("/api/v1/scan", json={"code": "x"}, headers=headers).status_code == 401


def test_a_desk_revoked_on_another_worker_stops_within_the_bound(app, client, event, desk, monkeypatch):
    from app.checkin import desks

    device, headers = desk
    assert client.get("/api/v1/me", headers=headers).status_code == 200  # this worker knows it now
    # Revoked by another worker (the admin's request went there): this one is not told...
    db.session.execute(update(DeskDevice).where(DeskDevice.id == device.id).values(revoked_at=utcnow()))
    db.session.commit()
    bound = app.config["DESK_TOKEN_CACHE_SECONDS"]
    later = desks.time.monotonic() + bound + 0.1
    monkeypatch.setattr(desks.time, "monotonic", lambda: later)
    # ...and refuses the desk once the bound has passed.
    assert client.post("/api/v1/scan", json={"code": "x"}, headers=headers).status_code == 401


def test_search_check_in_from_result_and_undo_with_audit(client, event, desk):
    attendee = register_someone(
        event, first_name="Bartolomeo", last_name="Zanetti", organisation_name="Auser Brescia"
    )
    register_someone(event, first_name="Zeno")
    results = client.get("/api/v1/attendees?q=zanet", headers=desk[1]).get_json()["results"]
    assert [r["name"] for r in results] == [attendee.full_name]
    assert (
        client.get("/api/v1/attendees?q=auser bart", headers=desk[1]).get_json()["results"][0]["id"]
        == attendee.id
    )
    answer = client.post(
        "/api/v1/checkins", json={"attendee_id": attendee.id, "request_id": "r1"}, headers=desk[1]
    ).get_json()
    assert answer["result"] == "green"
    undone = client.post(
        f"/api/v1/checkins/{answer['check_in']['id']}/undo", json={}, headers=desk[1]
    ).get_json()
    assert undone["ok"] and undone["check_in"]["undone_at"]
    assert active_check_ins() == 0
    audit = db.session.scalars(select(AuditEntry).filter_by(action="check_in_undone")).one()
    assert audit.actor == "desk:Desk 2" and audit.attendee_id == attendee.id
    again = client.post("/api/v1/checkins", json={"attendee_id": attendee.id}, headers=desk[1]).get_json()
    assert again["result"] == "green", "after an undo the person can be checked in again"


def test_a_desk_neither_checks_in_nor_undoes_anyone_of_another_event(client, event, desk):
    """A desk's token is for its own event: ids of another event's people and check-ins are
    unknown to it, and nothing of that event changes."""
    other_event = second_event()
    other_desk = create_desk_device(other_event, "Banco altrove")[0]
    person = register_someone(other_event)
    other_check_in = check_in_attendee(other_event, person.id, other_desk, "elsewhere-1").check_in
    neighbour = register_someone(other_event)

    undo = client.post(f"/api/v1/checkins/{other_check_in.id}/undo", json={}, headers=desk[1])
    check_in = client.post("/api/v1/checkins", json={"attendee_id": neighbour.id}, headers=desk[1])

    assert (undo.status_code, undo.get_json()) == (404, {"error": "not_found"})
    assert (check_in.status_code, check_in.get_json()) == (404, {"error": "not_found"})
    db.session.rollback()
    assert db.session.get(CheckIn, other_check_in.id).undone_at is None, "still checked in"
    assert db.session.scalars(select(CheckIn).filter_by(attendee_id=neighbour.id)).all() == []
    assert db.session.scalars(select(AuditEntry).filter_by(action="check_in_undone")).all() == []


def test_counters_count_checked_in_against_expected(client, event, desk):
    people = [register_someone(event) for _ in range(3)]
    scan(client, desk[1], badge_token(people[0]))
    counters = client.get("/api/v1/counters", headers=desk[1]).get_json()
    assert (counters["checked_in"], counters["expected"]) == (1, 3)


def test_a_scan_reads_once_writes_once_and_asks_nothing_of_a_known_desk(app, client, event, desk):
    attendee = register_someone(event)
    world_cafe.publish(world_cafe.run_assignment(event, "organiser@example.org"), "organiser@example.org")
    token = badge_token(attendee)
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", count)
    try:
        answer = scan(client, desk[1], token)
        green_count = len(statements)
        statements.clear()
        scan(client, desk[1], token)
        amber_count = len(statements)
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", count)
    assert answer["result"] == "green"
    assert [t["name"] for t in answer["attendee"]["tables"]], "the published table is on the green screen"
    # The desk's token (first scan), the attendee read under their lock, the check-in;
    # SQLite takes its write lock first, in a statement of its own.
    lock = 1 if db.engine.dialect.name == "sqlite" else 0
    assert green_count <= 3 + lock, "\n".join(s[:400].replace("\n", " ") for s in statements)
    assert amber_count <= 1 + lock, "the desk's token is known: the attendee, under the lock"


def test_openapi_document_lists_every_api_route(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    documented = {"/api/v1" + re.sub(r"\{(\w+)\}", r"<int:\1>", path) for path in spec["paths"]}
    served = {rule.rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")}
    assert documented == served


def test_desk_search_reads_percent_and_underscore_as_typed(client, event, desk):
    register_someone(event, first_name="Zita", organisation_name="Coop 100% Noi")
    register_someone(event, first_name="Ugo", organisation_name="Gruppo_Alpini")

    def first_names(query):
        results = client.get(f"/api/v1/attendees?q={query}", headers=desk[1]).get_json()["results"]
        return [result["name"].split()[0] for result in results]

    assert first_names("0%25") == ["Zita"] and first_names("o_a") == ["Ugo"] and first_names("%25%25") == []
