"""The authorisation matrix: every route, for anonymous visitors, each staff role and a desk
device, gets exactly the answer it should. A route missing from ACCESS fails the test, so a
new route cannot ship unchecked."""

import io

import pytest
from conftest import PASSWORD, csrf_from
from helpers import register_someone
from test_facilitators import facilitator_of, png_bytes, upload_dir  # noqa: F401

from app.models import Role
from app.services import photos, world_cafe
from app.services.checkin import check_in_attendee
from app.services.desks import create_desk_device
from app.services.tokens import manage_token
from app.services.users import create_user

EVERYONE = {"anonymous", "admin", "desk", "facilitator", "device"}
STAFF_FACILITATORS = {"admin", "facilitator"}
# Who may use each route (endpoint -> identities). Anything not allowed is refused: anonymous
# visitors are sent to sign in, signed-in staff get 403, the API answers 401 without a token.
ACCESS = {
    "public.": EVERYONE,
    "registration.": EVERYONE,
    "auth.login": EVERYONE,
    "auth.forgot_password": EVERYONE,
    "auth.choose_password": EVERYONE,
    "auth.logout": {"admin", "desk", "facilitator"},
    "api.openapi": EVERYONE,
    "api.": {"device"},
    "admin.": {"admin"},
    "admin_assignment.": {"admin"},
    "admin_announcements.": {"admin"},
    "admin_staff.": {"admin"},
    "admin_event.": {"admin"},
    "admin_facilitators.": {"admin"},
    "admin_report.": {"admin"},
    "desk.": {"admin", "desk"},
    "facilitators.": STAFF_FACILITATORS,
    "synthesis.": STAFF_FACILITATORS,
}
# Routes that end a session or destroy their sample: checked last.
LAST = ("auth.logout", "registration.delete", "registration.cancel", "admin.revoke_desk")


def allowed_for(endpoint: str) -> set[str]:
    matches = [key for key in ACCESS if endpoint == key or (key.endswith(".") and endpoint.startswith(key))]
    assert matches, f"route {endpoint} is not in the authorisation matrix"
    return ACCESS[max(matches, key=len)]


@pytest.fixture
def world(app, event, make_staff, upload_dir):  # noqa: F811
    table = event.tables[0]
    attendee = register_someone(event)
    run = world_cafe.run_assignment(event, "admin@example.org")
    world_cafe.publish(run, "admin@example.org")
    device, token = create_desk_device(event, "Desk 1")
    check_in = check_in_attendee(event, attendee.id, device, "r-1").check_in
    photo = photos.save_photo(table, 1, io.BytesIO(png_bytes()), "", "test").photo
    clients = {"anonymous": app.test_client(), "device": app.test_client()}
    for role in (Role.ADMIN, Role.DESK):
        clients[role.value] = make_staff(role)[1]
    clients["facilitator"] = facilitator_of(make_staff, table)[1]
    # The staff pages' actions act on someone else (never on the admin's own account).
    colleague = create_user("colleague@example.org", "Colleague", PASSWORD, Role.DESK)
    tokens = {name: csrf_from(c.get("/staff/login").get_data(as_text=True)) for name, c in clients.items()}
    ids = {
        "attendee_id": attendee.id, "run_id": run.id, "device_id": device.id, "message_id": 1,
        "table_id": table.id, "user_id": colleague.id, "round": 1, "photo_id": photo.id,
        "check_in_id": check_in.id, "code": "en", "filename": "static.css", "announcement_id": 1,
        "file_id": 1,
    }  # fmt: skip
    return {"event": event, "clients": clients, "tokens": tokens, "ids": ids, "device_token": token}


def routes(app, ids):
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((rule, method))
    return sorted(found, key=lambda item: (item[0].endpoint in LAST, item[0].endpoint, item[1]))


def call(world, identity, rule, method):
    event = world["event"]
    values = dict(world["ids"])
    if "token" in rule.arguments:  # a fresh attendee: cancelling or deleting one spoils no other check
        values["token"] = manage_token(register_someone(event))
    path = rule.build({name: values[name] for name in rule.arguments})[1]
    client = world["clients"][identity]
    headers = {"Authorization": f"Bearer {world['device_token']}"} if identity == "device" else {}
    if method == "GET":
        return client.get(path, headers=headers)
    token = world["tokens"][identity]
    if rule.endpoint.startswith("api.") or path.endswith(("/scan", "/attendance")) or "/notes/" in path:
        return client.post(path, json={}, headers={**headers, "X-CSRFToken": token})
    return client.post(path, data={"csrf_token": token}, headers=headers)


def test_every_route_answers_each_identity_as_the_matrix_says(app, world):
    checked = 0
    for rule, method in routes(app, world["ids"]):
        allowed = allowed_for(rule.endpoint)
        for identity in ("anonymous", "desk", "facilitator", "device", "admin"):
            response = call(world, identity, rule, method)
            label = (method, rule.rule, identity, response.status_code)
            location = response.headers.get("Location", "")
            to_login = response.status_code == 302 and "/staff/login?next=" in location
            if identity in allowed:
                assert response.status_code not in (401, 403) and not to_login, label
            elif rule.endpoint.startswith("api."):
                assert response.status_code == 401, label
            elif identity in ("anonymous", "device"):
                assert to_login, label
            else:
                assert response.status_code == 403, label
            checked += 1
    assert checked > 300
