"""The world café tables at work: who sees which table, the roster and attendance, notes
saved through the page's JSON endpoint, and the admin's facilitator assignments.
"""

import io
import re

import pytest
from conftest import csrf_from
from helpers import register_someone
from PIL import Image
from sqlalchemy import select

from app.checkin.badges import badge_token
from app.extensions import db
from app.facilitation import attendance as facilitation
from app.facilitation import notes, photos
from app.models import (
    AssignmentRun,
    AuditEntry,
    CheckIn,
    NoteRevision,
    NoteSheet,
    Role,
    SeatAssignment,
    TableAttendance,
    TableFacilitator,
    TablePhoto,
    utcnow,
)

# ---- Builders shared with the other facilitators' test modules ----------------------------


def publish_seats(event, seats, published=True):
    """A run of the assignment with the given (attendee, table, round, small_table) seats."""
    run = AssignmentRun(
        event_id=event.id,
        created_by="test",
        inputs_hash="0" * 64,
        published_at=utcnow() if published else None,
        published_by="test" if published else None,
    )
    db.session.add(run)
    db.session.flush()
    for attendee, table, round, small_table in seats:
        db.session.add(
            SeatAssignment(
                run_id=run.id,
                attendee_id=attendee.id,
                round=round,
                cafe_table_id=table.id,
                small_table=small_table,
            )
        )
    db.session.commit()
    return run


def facilitator_of(make_staff, table, email="facilitatore@example.org"):
    """(user, signed-in client) of a facilitator in charge of the table."""
    user, client = make_staff(Role.FACILITATOR, email)
    db.session.add(TableFacilitator(cafe_table_id=table.id, user_id=user.id))
    db.session.commit()
    return user, client


def page_csrf(client, url) -> str:
    html = client.get(url).get_data(as_text=True)
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)


def post_json(client, url, body, token):
    return client.post(url, json=body, headers={"X-CSRFToken": token, "Accept": "application/json"})


def png_bytes(size=(64, 48), colour="orange") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def upload_dir(app, tmp_path):
    before = app.config.get("UPLOAD_DIR")
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    yield tmp_path / "uploads" / "photos"
    app.config["UPLOAD_DIR"] = before


# ---- Who may work at which table ------------------------------------------------------------


def staff_routes(app, table_id, photo_id):
    """Every route of the facilitators' pages, the synthesis and the admin's pages, with a
    sample request: new routes are checked automatically."""
    token_paths = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith(
            ("facilitators.", "synthesis.", "admin_facilitators.", "admin_report.")
        ):
            continue
        args = {"event_slug": "brescia-citta-del-noi", "table_id": table_id, "round": 1, "photo_id": photo_id}
        args["user_id"] = 1
        path = rule.build({name: args[name] for name in rule.arguments})[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            token_paths.append((rule.endpoint, method, path))
    assert len(token_paths) >= 20, "routes went missing"
    return token_paths


def request_for(client, endpoint, method, path, token, attendee_id):
    """A well-formed request to the route: what the pages themselves send."""
    if method == "GET":
        return client.get(path)
    bodies = {
        "facilitators.mark_attendance": {"attendee_id": attendee_id, "round": 1, "present": True},
        "facilitators.scan_badge": {"code": "NOTABADGE", "round": 1},
        "facilitators.save_notes": {"insights": "x", "base_version": 0, "save_id": f"save-{id(client)}-x"},
    }
    if endpoint in bodies:
        return post_json(client, path, bodies[endpoint], token)
    data = {"csrf_token": token}
    if endpoint == "facilitators.photos_page":
        data.update(round="1", photo=(io.BytesIO(png_bytes()), "p.png"))
    return client.post(path, data=data, content_type="multipart/form-data")


def test_every_route_is_closed_to_other_tables_other_roles_and_anonymous(
    app, client, event, make_staff, upload_dir
):
    table_a, table_b = event.tables[0], event.tables[1]
    attendee = register_someone(event)
    publish_seats(event, [(attendee, table_b, 1, 0)])
    photo = photos.save_photo(table_b, 1, io.BytesIO(png_bytes()), "", "test").photo
    _, own = facilitator_of(make_staff, table_a)
    _, desk = make_staff(Role.DESK)
    admin_user, admin = make_staff(Role.ADMIN)
    token = page_csrf(own, f"/brescia-citta-del-noi/facilitators/tables/{table_a.id}/notes/1")
    admin_token = page_csrf(admin, f"/brescia-citta-del-noi/facilitators/tables/{table_b.id}/notes/1")
    desk_token = csrf_from(desk.get("/brescia-citta-del-noi/desk/").get_data(as_text=True))

    anonymous_token = csrf_from(client.get("/staff/login").get_data(as_text=True))
    not_about_a_table = {
        "facilitators.index",
        "facilitators.openapi",
        "facilitators.service_worker",
        "synthesis.synthesis",
        "synthesis.synthesis_data",
    }

    for endpoint, method, path in staff_routes(app, table_b.id, photo.id):
        label = (method, path)
        anonymous = request_for(client, endpoint, method, path, anonymous_token, attendee.id)
        assert anonymous.status_code == 302 and "/staff/login" in anonymous.headers["Location"], label
        assert request_for(desk, endpoint, method, path, desk_token, attendee.id).status_code == 403, label
        facilitator_answer = request_for(own, endpoint, method, path, token, attendee.id).status_code
        assert facilitator_answer == (200 if endpoint in not_about_a_table else 403), label
        admin_answer = request_for(admin, endpoint, method, path, admin_token, attendee.id).status_code
        expected = {
            "facilitators.photos_page": (200, 302),
            "facilitators.delete_photo": (302,),
            "admin_facilitators.remove": (302,),
            "facilitators.table_commitments": (200, 422) if method == "POST" else (200,),  # an empty form
        }.get(endpoint, (200, 422) if endpoint == "facilitators.scan_badge" else (200,))
        if endpoint == "admin_facilitators.facilitators" and method == "POST":
            expected = (200, 302)
        assert admin_answer in expected, (label, admin_answer)
    assert db.session.scalar(select(NoteSheet.id).filter_by(cafe_table_id=table_a.id)) is None
    assert admin_user.role == Role.ADMIN


def test_a_facilitator_works_at_their_own_table_and_a_missing_table_is_404(event, make_staff):
    table = event.tables[2]
    _, own = facilitator_of(make_staff, table)
    for path in (
        f"/brescia-citta-del-noi/facilitators/tables/{table.id}/",
        f"/brescia-citta-del-noi/facilitators/tables/{table.id}/notes/0",
    ):
        assert own.get(path).status_code == 200
    assert own.get("/brescia-citta-del-noi/facilitators/tables/99999/").status_code == 404
    assert own.get(f"/brescia-citta-del-noi/facilitators/tables/{table.id}/notes/9").status_code == 404, (
        "no such round"
    )
    listing = own.get("/brescia-citta-del-noi/facilitators/").get_data(as_text=True)
    assert table.display_name in listing and event.tables[0].display_name not in listing


def test_json_saves_need_the_csrf_token(event, make_staff):
    table = event.tables[0]
    _, own = facilitator_of(make_staff, table)
    response = own.post(
        f"/brescia-citta-del-noi/facilitators/tables/{table.id}/notes/1",
        json={"base_version": 0, "save_id": "abcdefgh12"},
    )
    assert response.status_code == 400
    assert db.session.scalar(select(NoteSheet.id)) is None


# ---- Roster and attendance -----------------------------------------------------------------


def test_roster_lists_the_published_seats_per_round_with_check_in_and_presence(event):
    table, other = event.tables[0], event.tables[1]
    anna = register_someone(event, first_name="Anna", last_name="Zanardelli")
    bruno = register_someone(event, first_name="Bruno", last_name="Abeni")
    carla = register_someone(event, first_name="Carla", last_name="Rossi")
    publish_seats(
        event, [(anna, table, 1, 1), (bruno, table, 1, 0), (carla, other, 1, 0), (anna, table, 2, 2)]
    )
    publish_seats(event, [(carla, table, 1, 0)], published=False)  # a newer draft: not used
    db.session.add(
        CheckIn(event_id=event.id, attendee_id=anna.id, desk_name="Desk 1", checked_in_at=utcnow())
    )
    db.session.commit()

    first_round = facilitation.roster(table, 1)
    assert [e.attendee.first_name for e in first_round] == ["Bruno", "Anna"], "by small table, then name"
    assert [(e.small_table_letter, e.checked_in, e.present) for e in first_round] == [
        ("A", False, False),
        ("B", True, False),
    ]
    assert [e.attendee.first_name for e in facilitation.roster(table, 2)] == ["Anna"]

    outcome = facilitation.set_presence(table, bruno.id, 1, True, "f@example.org")
    assert outcome.result is facilitation.AttendanceResult.PRESENT
    not_yet = facilitation.scan_presence(table, badge_token(carla), 1, "f@example.org")
    assert not_yet.result is facilitation.AttendanceResult.NOT_CHECKED_IN, "a walk-up checks in first"
    db.session.add(
        CheckIn(event_id=event.id, attendee_id=carla.id, desk_name="Desk 1", checked_in_at=utcnow())
    )
    db.session.commit()
    walk_up = facilitation.scan_presence(table, badge_token(carla), 1, "f@example.org")
    assert walk_up.result is facilitation.AttendanceResult.WALK_UP
    entries = {e.attendee.first_name: e for e in facilitation.roster(table, 1)}
    assert entries["Bruno"].present and entries["Carla"].present and not entries["Carla"].on_roster
    assert entries["Carla"].walk_up and not entries["Bruno"].walk_up
    assert (
        facilitation.set_presence(table, bruno.id, 1, False, "f").result
        is facilitation.AttendanceResult.ABSENT
    )
    assert db.session.scalars(select(TableAttendance).filter_by(attendee_id=bruno.id)).one().present is False


def test_ticking_and_scanning_at_the_table_through_the_page_endpoints(event, make_staff):
    table = event.tables[0]
    person = register_someone(event, first_name="Lùcia")
    publish_seats(event, [(person, table, 1, 0)])
    _, own = facilitator_of(make_staff, table)
    page = own.get(f"/brescia-citta-del-noi/facilitators/tables/{table.id}/?round=1").get_data(as_text=True)
    assert "Lùcia" in page
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    url = f"/brescia-citta-del-noi/facilitators/tables/{table.id}"
    ticked = post_json(
        own, f"{url}/attendance", {"attendee_id": person.id, "round": 1, "present": True}, token
    )
    assert ticked.status_code == 200 and ticked.json["result"] == "present"
    scanned = post_json(own, f"{url}/scan", {"code": badge_token(person).lower(), "round": 1}, token)
    assert scanned.json == {
        "result": "present",
        "marked": True,
        "message": f"{person.full_name}: presente",
        "attendee": {"id": person.id, "name": person.full_name},
    }
    forged = post_json(own, f"{url}/scan", {"code": "A" * 24, "round": 1}, token)
    assert forged.status_code == 422 and forged.json["result"] == "forged"
    roster = own.get(f"{url}/roster.json?round=1").json
    assert roster["people"][0]["present"] is True and roster["people"][0]["name"] == person.full_name
    assert (
        post_json(
            own, f"{url}/attendance", {"attendee_id": person.id, "round": 7, "present": True}, token
        ).status_code
        == 404
    )


# ---- Notes through the page's endpoint --------------------------------------------------------


def test_notes_save_replay_and_conflict_through_the_endpoint(event, make_staff):
    table = event.tables[0]
    _, own = facilitator_of(make_staff, table)
    url = f"/brescia-citta-del-noi/facilitators/tables/{table.id}/notes/1"
    token = page_csrf(own, url)
    first = {
        "insights": "Più reti di vicinato\nCasa 🏠",
        "tags": ["casa", "#Casa", " reti "],
        "base_version": 0,
    }
    saved = post_json(own, url, {**first, "save_id": "save-000001"}, token)
    assert saved.status_code == 200 and saved.json["version"] == 1
    assert saved.json["content"]["tags"] == ["casa", "reti"]
    replay = post_json(own, url, {**first, "save_id": "save-000001"}, token)
    assert replay.status_code == 200 and replay.json["replayed"] and replay.json["version"] == 1
    stale = post_json(
        own, url, {"insights": "Un'altra idea", "base_version": 0, "save_id": "save-000002"}, token
    )
    assert stale.status_code == 409
    assert stale.json["content"]["insights"] == "Più reti di vicinato\nCasa 🏠" and stale.json["version"] == 1
    kept = db.session.get(NoteRevision, stale.json["revision_id"])
    assert kept.conflict and not kept.resolved and kept.content["insights"] == "Un'altra idea"

    merged = {"insights": "Più reti di vicinato\nCasa 🏠\nUn'altra idea", "base_version": 1}
    resolved = post_json(own, url, {**merged, "save_id": "save-000003", "resolves": [kept.id]}, token)
    assert resolved.status_code == 200 and resolved.json["version"] == 2
    db.session.refresh(kept)
    assert kept.resolved
    state = own.get(f"{url}.json").json
    assert (
        state["version"] == 2 and state["conflicts"] == [] and "Un'altra idea" in state["content"]["insights"]
    )
    history = own.get(f"{url}/history").get_data(as_text=True)
    assert "Un&#39;altra idea" in history
    bad = post_json(own, url, {"insights": 5, "base_version": 2, "save_id": "save-000004"}, token)
    assert bad.status_code == 400


def test_notes_page_escapes_what_was_typed(event, make_staff):
    table = event.tables[0]
    user, own = facilitator_of(make_staff, table)
    content = notes.SheetContent(insights="<script>alert(1)</script>")
    notes.save_sheet(table, 1, content, 0, "save-xss-1", user.email)
    page = own.get(f"/brescia-citta-del-noi/facilitators/tables/{table.id}/notes/1").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_items_are_one_per_line_without_list_markers():
    assert notes.items("- uno\n\n* due \n• tre\nquattro") == ["uno", "due", "tre", "quattro"]


# ---- The admin assigns facilitators ---------------------------------------------------------


def test_admin_assigns_and_removes_a_facilitator(event, make_staff):
    _, admin = make_staff(Role.ADMIN)
    facilitator, own = make_staff(Role.FACILITATOR, "giulia@example.org")
    table = event.tables[3]
    assert own.get(f"/brescia-citta-del-noi/facilitators/tables/{table.id}/").status_code == 403
    page = admin.get("/brescia-citta-del-noi/admin/facilitators/").get_data(as_text=True)
    assert "giulia@example.org" in page
    response = admin.post(
        "/brescia-citta-del-noi/admin/facilitators/",
        data={"csrf_token": csrf_from(page), "user_id": facilitator.id, "table_id": table.id},
    )
    assert response.status_code == 302
    assert own.get(f"/brescia-citta-del-noi/facilitators/tables/{table.id}/").status_code == 200
    page = admin.get("/brescia-citta-del-noi/admin/facilitators/").get_data(as_text=True)
    admin.post(
        f"/brescia-citta-del-noi/admin/facilitators/tables/{table.id}/users/{facilitator.id}/remove",
        data={"csrf_token": csrf_from(page)},
    )
    assert own.get(f"/brescia-citta-del-noi/facilitators/tables/{table.id}/").status_code == 403


def test_synthesis_shows_summary_first_else_the_rounds(event, make_staff):
    table = event.tables[0]
    notes.save_sheet(table, 1, notes.SheetContent(insights="Idea dal giro 1"), 0, "synth-0001", "f")
    _, admin = make_staff(Role.ADMIN)
    data = admin.get("/brescia-citta-del-noi/synthesis/data.json").json["tables"]
    assert data[0]["insights"] == ["Idea dal giro 1"] and data[0]["finished"] is False
    summary = notes.SheetContent(insights="Sintesi finale", proposals="Una proposta", finished=True)
    notes.save_sheet(table, 0, summary, 0, "synth-0002", "f")
    data = admin.get("/brescia-citta-del-noi/synthesis/data.json").json["tables"]
    assert data[0]["insights"] == ["Sintesi finale"] and data[0]["finished"] is True
    assert len(data) == len(event.tables)
    assert "Sintesi finale" in admin.get("/brescia-citta-del-noi/synthesis/").get_data(as_text=True)


def test_photo_files_are_served_only_for_their_own_table(event, make_staff, upload_dir):
    table, other = event.tables[0], event.tables[1]
    _, own = facilitator_of(make_staff, table)
    photo = photos.save_photo(other, 1, io.BytesIO(png_bytes()), "x", "t").photo
    _, admin = make_staff(Role.ADMIN)
    assert (
        admin.get(f"/brescia-citta-del-noi/facilitators/tables/{table.id}/photos/{photo.id}").status_code
        == 404
    ), "wrong table in URL"
    response = admin.get(f"/brescia-citta-del-noi/facilitators/tables/{other.id}/photos/{photo.id}/thumb")
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert db.session.get(TablePhoto, photo.id).cafe_table_id == other.id


def test_a_photo_uploaded_by_mistake_is_removed_with_its_files_and_an_audit_entry(
    event, make_staff, upload_dir
):
    table = event.tables[0]
    _, own = facilitator_of(make_staff, table)
    page = f"/brescia-citta-del-noi/facilitators/tables/{table.id}/photos"
    token = page_csrf(own, page)
    own.post(
        page,
        data={"csrf_token": token, "round": "1", "photo": (io.BytesIO(png_bytes()), "wrong.png")},
        content_type="multipart/form-data",
    )
    [photo] = photos.photos_of(table)
    photo_id = photo.id
    files = [photos.photo_path(photo), photos.photo_path(photo, thumbnail=True)]
    assert all(path.exists() for path in files)
    listing = own.get(page).get_data(as_text=True)
    assert f"/photos/{photo_id}/delete" in listing and "Elimina" in listing

    answer = own.post(f"{page}/{photo_id}/delete", data={"csrf_token": token})

    assert answer.status_code == 302
    assert "Foto eliminata" in own.get(page).get_data(as_text=True)
    db.session.expire_all()
    assert photos.photos_of(table) == [] and not any(path.exists() for path in files)
    entry = db.session.scalars(select(AuditEntry).filter_by(action="photo_deleted")).one()
    assert entry.actor == "facilitatore@example.org"
    assert own.post(f"{page}/{photo_id}/delete", data={"csrf_token": token}).status_code == 404
