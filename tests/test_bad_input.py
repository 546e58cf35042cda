"""Input the database cannot store gets a clear 4xx, never a 500: ids past its integer range
in URLs, query strings and JSON, NUL characters in forms and URLs, bad API requests. Under
/api/ every answer, errors and unmatched paths included, is JSON."""

import re
import uuid

import pytest
from conftest import csrf_from
from flask_wtf import FlaskForm
from helpers import form_fields, post_registration, register_someone
from sqlalchemy import func, select

from app import create_app
from app.checkin.badges import badge_token
from app.checkin.desks import create_desk_device
from app.core.forms import AppForm
from app.extensions import db
from app.models import Attendee, CheckIn
from app.registration.tokens import manage_token

PAST_POSTGRESQL = 2**31  # one past PostgreSQL's integer
PAST_SQLITE = 2**63  # one past SQLite's
PAST_BOTH = (PAST_POSTGRESQL, PAST_SQLITE, 10**30)
NUL_MESSAGE = "holds a character that cannot be saved"


@pytest.fixture
def desk(event):
    device, token = create_desk_device(event, "Desk 2")
    return device, {"Authorization": f"Bearer {token}"}


@pytest.fixture
def admin(make_staff):
    return make_staff("admin")[1]


def errors(html: str) -> list[str]:
    return re.findall(r'class="error" id="([^"]+)-error"', html)


def answer_of(call):
    """(status, is JSON) of a request; an exception that escaped the app counts as a 500."""
    try:
        response = call()
    except Exception as escaped:  # TESTING propagates exceptions: what would be a 500
        return 500, f"{type(escaped).__name__}: {str(escaped)[:80]}"
    return response.status_code, response.is_json


# ---- Ids past the database's range --------------------------------------------------------


def test_ids_past_the_database_range_are_not_found_on_every_int_route(app, event, admin, desk):
    """Signed in as an admin (who reaches every staff page) and with a desk token."""
    token = csrf_from(admin.get("/brescia-citta-del-noi/admin/desks").get_data(as_text=True))
    routes = [rule for rule in app.url_map.iter_rules() if "int" in rule.rule]
    assert len(routes) > 20, "every <int:...> route of the app"
    wrong = []
    for rule in routes:
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for number in PAST_BOTH:
                path = rule.build(
                    {name: event.slug if name == "event_slug" else number for name in rule.arguments},
                    append_unknown=False,
                )[1]
                if method == "GET":
                    status = answer_of(lambda p=path: admin.get(p, headers=desk[1]))
                else:
                    data = {"csrf_token": token}
                    status = answer_of(lambda p=path, d=data: admin.post(p, data=d, headers=desk[1]))
                # 405 where another method's route shares the path: Werkzeug checks the
                # method before the number, and then no route of that method matches.
                if status[0] not in (404, 405) or status[1] != rule.rule.startswith("/api/"):
                    wrong.append((method, path, status))
    assert wrong == []


@pytest.mark.parametrize("number", PAST_BOTH)
def test_an_attendee_id_past_the_range_in_json_is_a_400(client, event, desk, number):
    response = client.post("/api/v1/checkins", json={"attendee_id": number}, headers=desk[1])
    assert response.status_code == 400
    assert response.get_json()["error"] == "bad_request"
    assert "attendee_id" in response.get_json()["detail"]


@pytest.mark.parametrize("name", ["part", "table"])
@pytest.mark.parametrize(
    "path",
    [
        "/brescia-citta-del-noi/admin/",
        "/brescia-citta-del-noi/admin/attendees.csv",
        "/brescia-citta-del-noi/admin/badges.pdf",
    ],
)
def test_attendee_list_filters_past_the_range_are_refused_with_a_message(client, event, admin, path, name):
    register_someone(event)
    admin.get("/lang/en")
    for value in [*PAST_BOTH, "-1", "abc"]:
        status = answer_of(lambda v=value: admin.get(f"{path}?{name}={v}"))
        assert status == (400, False), (value, status)
        page = admin.get(f"{path}?{name}={value}").get_data(as_text=True)
        assert "names no part of the day or table of this event" in page
    assert admin.get(f"{path}?{name}=").status_code in (200, 302), "an empty filter is no filter"


def test_attendee_list_pages_past_the_range_do_not_exist(client, event, admin):
    register_someone(event)
    for page in PAST_BOTH:
        assert answer_of(lambda p=page: admin.get(f"/brescia-citta-del-noi/admin/?page={p}")) == (404, False)
    assert admin.get("/brescia-citta-del-noi/admin/?page=1").status_code == 200


def test_a_nul_in_the_attendee_list_search_is_refused_with_a_message(client, event, admin):
    register_someone(event)
    admin.get("/lang/en")
    for query in ("q=Giu%00lia", "organisation=Auser%00"):
        assert answer_of(lambda q=query: admin.get(f"/brescia-citta-del-noi/admin/?{q}")) == (400, False)
        assert "cannot be searched for" in admin.get(f"/brescia-citta-del-noi/admin/?{query}").get_data(
            as_text=True
        )


# ---- The search's limit ----------------------------------------------------------------------


@pytest.mark.parametrize("limit", ["-1", "0", "51", "abc", str(PAST_SQLITE)])
def test_search_limits_outside_1_to_50_are_a_400(client, event, desk, limit):
    for _ in range(3):
        register_someone(event, first_name="Ada")
    response = client.get(f"/api/v1/attendees?q=ada&limit={limit}", headers=desk[1])
    assert response.status_code == 400, response.get_json()
    assert "limit" in response.get_json()["detail"]


def test_search_limit_caps_the_results(client, event, desk):
    for _ in range(3):
        register_someone(event, first_name="Ada")
    results = client.get("/api/v1/attendees?q=ada&limit=2", headers=desk[1]).get_json()["results"]
    assert len(results) == 2
    assert client.get("/api/v1/attendees?q=ada", headers=desk[1]).status_code == 200


# ---- NUL characters --------------------------------------------------------------------------

TYPED_FIELDS = ["first_name", "last_name", "email", "phone", "organisation", "dietary_needs"]


@pytest.mark.parametrize("field", [*TYPED_FIELDS, "accessibility_needs", "participant_type"])
def test_a_nul_in_a_registration_field_is_refused_beside_it_keeping_what_was_typed(client, event, field):
    client.get("/lang/en")
    typed = form_fields(event)
    response, fields = post_registration(
        client, event, **{field: typed[field][:3] + "\x00" + typed[field][3:]}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert field in errors(html) and NUL_MESSAGE in html
    assert "\x00" not in html, "the refused character shows as �, not as itself"
    assert "Senza glutine" in html or field == "dietary_needs", "what was typed is kept"
    assert db.session.scalar(select(func.count()).select_from(Attendee)) == 0


def test_a_nul_in_the_personal_edit_form_is_refused_and_nothing_changes(client, event):
    attendee = register_someone(event, first_name="Ada")
    client.get("/lang/en")
    url = f"/brescia-citta-del-noi/r/{manage_token(attendee)}/edit"
    page = client.get(url).get_data(as_text=True)
    fields = form_fields(event, first_name="Ad\x00a", email=attendee.email)
    response = client.post(url, data={"csrf_token": csrf_from(page), **fields})
    assert response.status_code == 200 and NUL_MESSAGE in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Attendee, attendee.id).first_name == "Ada"


@pytest.mark.parametrize(
    ("path", "fields"),
    [
        ("/staff/login", {"email": "admin\x00@example.org", "password": "x"}),
        ("/staff/password/forgot", {"email": "admin\x00@example.org"}),
        ("/brescia-citta-del-noi/register/link", {"email": "someone\x00@example.org"}),
    ],
)
def test_a_nul_in_the_sign_in_and_link_forms_is_refused(client, event, path, fields):
    client.get("/lang/en")
    page = client.get(path).get_data(as_text=True)
    response = client.post(path, data={"csrf_token": csrf_from(page), **fields})
    assert response.status_code == 200
    assert NUL_MESSAGE in response.get_data(as_text=True)


def test_a_nul_in_a_staff_form_is_refused(client, event, admin):
    admin.get("/lang/en")
    page = admin.get("/brescia-citta-del-noi/admin/desks").get_data(as_text=True)
    response = admin.post(
        "/brescia-citta-del-noi/admin/desks", data={"csrf_token": csrf_from(page), "name": "Desk\x00 9"}
    )
    assert response.status_code == 200 and NUL_MESSAGE in response.get_data(as_text=True)
    assert "Desk� 9" in response.get_data(as_text=True)


def test_every_form_of_the_app_is_built_on_the_shared_base(app):
    """The NUL and number checks live in AppForm, so a form on plain FlaskForm misses them."""

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    forms = [form for form in subclasses(FlaskForm) if form.__module__.startswith("app.")]
    assert len(forms) > 15
    assert [f"{f.__module__}.{f.__name__}" for f in forms if not issubclass(f, AppForm)] == []


def test_a_number_past_the_range_in_a_form_is_refused(client, event, admin):
    """The assignment's seed is the one whole number typed into a form (people are moved by
    name): past what the database stores, it is refused beside the field, nothing is run."""
    from app.models import AssignmentRun

    admin.get("/lang/en")
    url = "/brescia-citta-del-noi/admin/assignment/"
    page = admin.get(url).get_data(as_text=True)
    response = admin.post(url, data={"csrf_token": csrf_from(page), "mixing": "0", "seed": str(PAST_SQLITE)})
    assert response.status_code == 200
    assert "Enter a smaller number." in response.get_data(as_text=True)
    assert db.session.scalars(select(AssignmentRun)).all() == []


@pytest.mark.parametrize(
    "body",
    [
        {"code": "AB\x00CD"},
        {"code": "x", "request_id": "r\x00"},
        {"attendee_id": 1, "request_id": "r\x00"},
    ],
)
def test_a_nul_in_api_json_is_a_400(client, event, desk, body):
    attendee = register_someone(event)
    path = "/api/v1/checkins" if "attendee_id" in body else "/api/v1/scan"
    if "attendee_id" in body:
        body = {**body, "attendee_id": attendee.id}
    else:
        body = {**body, "code": body["code"] if "\x00" in body["code"] else badge_token(attendee)}
    response = client.post(path, json=body, headers=desk[1])
    assert response.status_code == 400 and "NUL" in response.get_json()["detail"]
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 0


def test_a_nul_in_the_api_search_is_a_400(client, event, desk):
    response = client.get("/api/v1/attendees?q=Ada%00", headers=desk[1])
    assert response.status_code == 400 and response.get_json()["error"] == "bad_request"


# ---- The API answers JSON, whatever goes wrong ------------------------------------------------


def test_unmatched_api_paths_and_methods_answer_json(client, event, desk):
    for path in ("/api/v1/nothing", "/api/v1/checkins/abc/undo", "/api/v2/scan", "/api/"):
        response = client.get(path, headers=desk[1])
        assert (response.status_code, response.is_json) == (404, True), path
        assert response.get_json()["error"] == "not_found"
    response = client.get("/api/v1/scan", headers=desk[1])
    assert (response.status_code, response.get_json()["error"]) == (405, "method_not_allowed")
    assert "POST" in response.headers["Allow"]
    page = client.get("/no-such-page")
    assert (page.status_code, page.is_json) == (404, False), "pages keep their HTML 404"


@pytest.mark.parametrize("content_type", [None, "application/json", "text/plain"])
def test_an_empty_body_is_a_400_where_the_api_needs_one(client, event, desk, content_type):
    headers = {**desk[1], **({"Content-Type": content_type} if content_type else {})}
    for path in ("/api/v1/scan", "/api/v1/checkins"):
        response = client.post(path, data=b"", headers=headers)
        assert (response.status_code, response.get_json()["error"]) == (400, "bad_request")
        assert response.get_json()["detail"]


def test_an_undo_needs_no_body(client, event, desk):
    attendee = register_someone(event)
    answer = client.post("/api/v1/checkins", json={"attendee_id": attendee.id}, headers=desk[1]).get_json()
    response = client.post(f"/api/v1/checkins/{answer['check_in']['id']}/undo", headers=desk[1])
    assert response.status_code == 200 and response.get_json()["ok"] is True


@pytest.mark.parametrize(
    "body",
    [
        {"code": "x", "scanned_at": "yesterday"},
        {"code": "x", "scanned_at": 1700000000},
        {"code": "x", "scanned_at": "2026-01-01T10:00:00"},  # no offset: whose 10:00?
        {"code": "x", "request_id": "r" * 65},
        {"code": "x", "request_id": 7},
    ],
)
def test_malformed_optional_fields_are_a_400_not_ignored(client, event, desk, body):
    response = client.post("/api/v1/scan", json=body, headers=desk[1])
    assert response.status_code == 400, response.get_json()


def test_a_scan_time_before_utc_can_hold_it_is_no_time(client, event, desk):
    attendee = register_someone(event)
    body = {"code": badge_token(attendee), "scanned_at": "0001-01-01T00:00:00+03:00"}
    response = client.post("/api/v1/scan", json=body, headers=desk[1])
    assert response.status_code == 200 and response.get_json()["result"] == "green"


def test_a_request_id_of_another_persons_check_in_is_a_409(client, event, desk):
    first, second = register_someone(event), register_someone(event)
    request_id = str(uuid.uuid4())
    ok = client.post(
        "/api/v1/checkins", json={"attendee_id": first.id, "request_id": request_id}, headers=desk[1]
    )
    assert ok.get_json()["result"] == "green"
    for path, body in [
        ("/api/v1/checkins", {"attendee_id": second.id, "request_id": request_id}),
        ("/api/v1/scan", {"code": badge_token(second), "request_id": request_id}),
    ]:
        response = client.post(path, json=body, headers=desk[1])
        assert (response.status_code, response.get_json()["error"]) == (409, "conflict")
    checked_in = db.session.scalars(select(CheckIn.attendee_id).where(CheckIn.undone_at.is_(None))).all()
    assert checked_in == [first.id], "the second person is not checked in"


def test_a_failure_inside_the_api_answers_json_500(database_url, tmp_path):
    """The database unreachable: the desk gets JSON it can read (and retries), not HTML."""
    unreachable = (
        "postgresql+psycopg://postgres@127.0.0.1:1/none"
        if database_url.startswith("postgres")
        else f"sqlite:///{tmp_path}/no/such/dir/noiday.db"
    )
    broken = create_app("testing", SQLALCHEMY_DATABASE_URI=unreachable, PROPAGATE_EXCEPTIONS=False)
    response = broken.test_client().get("/api/v1/me", headers={"Authorization": "Bearer whatever"})
    assert (response.status_code, response.is_json) == (500, True)
    assert response.get_json()["error"] == "internal_server_error"


def test_an_id_written_as_a_whole_float_is_that_id(client, event, desk):
    """JSON Schema's "integer" (the document's type) includes 7.0; a string "7" is no id."""
    attendee = register_someone(event)
    answer = client.post("/api/v1/checkins", json={"attendee_id": float(attendee.id)}, headers=desk[1])
    assert (answer.status_code, answer.get_json()["result"]) == (200, "green")
    refused = client.post("/api/v1/checkins", json={"attendee_id": str(attendee.id)}, headers=desk[1])
    assert refused.status_code == 400


def test_an_answer_in_an_unknown_language_is_a_400(client, event, desk):
    attendee = register_someone(event)
    refused = client.post("/api/v1/scan?lang=xx", json={"code": badge_token(attendee)}, headers=desk[1])
    assert refused.status_code == 400 and "lang" in refused.get_json()["detail"]
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 0
    answer = client.post("/api/v1/scan?lang=en", json={"code": badge_token(attendee)}, headers=desk[1])
    assert answer.get_json()["message"].startswith("Welcome")


@pytest.mark.parametrize("number", PAST_BOTH)
def test_a_run_to_compare_past_the_range_is_no_comparison(client, event, admin, number):
    from app.worldcafe.services import run_assignment

    run = run_assignment(event, "admin@example.org")
    response = admin.get(f"/brescia-citta-del-noi/admin/assignment/runs/{run.id}?compare={number}")
    assert response.status_code == 200


@pytest.mark.parametrize(
    "path, body",
    [
        ("attendance", {"attendee_id": 1, "round": 1, "present": True, "note\x00": 1}),
        ("scan", {"code": "AB\x00CD", "round": 1}),
        ("notes/1", {"base_version": 0, "insights": "idea\x00", "save_id": "s-1"}),
    ],
)
def test_a_nul_in_the_facilitators_json_is_a_400(app, event, make_staff, path, body):
    from test_facilitators import facilitator_of, page_csrf

    table = event.tables[0]
    _, facilitator = facilitator_of(make_staff, table)
    token = page_csrf(facilitator, f"/brescia-citta-del-noi/facilitators/tables/{table.id}/notes/1")
    response = facilitator.post(
        f"/brescia-citta-del-noi/facilitators/tables/{table.id}/{path}",
        json=body,
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 400 and response.get_json()["error"] == "bad_request"
