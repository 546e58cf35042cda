"""Every POST route refuses a request without its CSRF token (400, nothing changed), sent
by someone signed in with the right role, as a form and as JSON alike. The routes come
from the url_map, so none escapes. The check-in API is exempt by design: it takes no
cookies, only a desk device's token, so a signed-in browser cannot be made to use it.
"""

from helpers import database_state
from test_authorisation import GROUP_PAGES, allowed_for, routes, world_fixture  # noqa: F401
from test_facilitators import upload_dir  # noqa: F401
from test_reach import well_formed_body

from app.extensions import db
from app.models import Attendee
from app.registration.tokens import manage_token

# Who sends each route's request: the first of these the matrix lets in.
SENDERS = ("admin", "desk", "facilitator", "anonymous", "instance")


def _path(world, rule) -> str:
    values = dict(world["ids"])
    values["token"] = manage_token(db.session.get(Attendee, values["attendee_id"]))  # refused: unharmed
    if rule.endpoint.startswith(GROUP_PAGES):  # the group's own link and member: a real target
        values.update(world["group"])
    return rule.build({name: values[name] for name in rule.arguments})[1]


def test_every_post_route_refuses_a_request_without_its_csrf_token(app, world):
    before, wrong, checked = database_state(), [], 0
    for rule, method in routes(app, world["ids"]):
        if method != "POST" or rule.endpoint.startswith("api."):
            continue
        identity = next(who for who in SENDERS if who in allowed_for(rule.endpoint))
        client = world["clients"][identity]  # its session holds a CSRF token: the request lacks it
        path = _path(world, rule)
        body = well_formed_body(rule.endpoint, world["ids"])
        attempts = {
            "form": {"data": body, "content_type": "multipart/form-data"},
            "JSON": {"json": {key: value for key, value in body.items() if key != "photo"}},
        }
        for kind, request in attempts.items():
            response = client.post(path, **request)
            label = f"{identity} POST {path} as {kind} without a CSRF token"
            if response.status_code != 400 or "CSRF" not in response.get_data(as_text=True):
                wrong.append(f"{label}: expected 400 (CSRF), got {response.status_code}")
            if database_state() != before:
                wrong.append(f"{label}: changed the database")
                before = database_state()
            checked += 1
    assert not wrong, "\n".join(wrong)
    assert checked > 60, "routes went missing"


def test_the_check_in_api_takes_no_cookies_so_needs_no_csrf_token(app, world):
    """Signed-in desk staff and admins, cookies and CSRF token in hand, are still strangers
    to the API without a device token: a forged cross-site request has nothing to ride on."""
    before, wrong, checked = database_state(), [], 0
    for rule, method in routes(app, world["ids"]):
        if not rule.endpoint.startswith("api.") or rule.endpoint == "api.openapi":
            continue
        path = _path(world, rule)
        body = well_formed_body(rule.endpoint, world["ids"])
        for identity in ("desk", "admin"):
            client, token = world["clients"][identity], world["tokens"][identity]
            if method == "GET":
                response = client.get(path)
            else:
                response = client.post(path, json=body, headers={"X-CSRFToken": token})
            label = f"{identity} {method} {path} with cookies, no device token"
            if response.status_code != 401 or response.get_json().get("error") != "unauthorized":
                wrong.append(f"{label}: expected 401, got {response.status_code}")
            if database_state() != before:
                wrong.append(f"{label}: changed the database")
                before = database_state()
            checked += 1
    assert not wrong, "\n".join(wrong)
    assert checked >= 10, "routes went missing"
