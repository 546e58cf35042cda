"""The facilitators' JSON endpoints keep the contract their OpenAPI document declares: it is
served to staff only; a malformed body is a 400 that says what is wrong and changes nothing;
and schemathesis, with every check, over the served document and a signed-in facilitator's
session, finds nothing."""

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import LiveServer
from helpers import database_state, register_someone
from sqlalchemy import select
from test_facilitators import facilitator_of, page_csrf, post_json, publish_seats

from app.checkin.badges import badge_token
from app.extensions import db
from app.facilitation import notes
from app.facilitation.attendance import attendance_rounds
from app.models import CheckIn, NoteSheet, Role, utcnow

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
EXAMPLES_PER_OPERATION = 25
JSON_OPERATIONS = {
    ("/facilitators/tables/{table_id}/attendance", "post"),
    ("/facilitators/tables/{table_id}/scan", "post"),
    ("/facilitators/tables/{table_id}/roster.json", "get"),
    ("/facilitators/tables/{table_id}/notes/{round}.json", "get"),
    ("/facilitators/tables/{table_id}/notes/{round}", "post"),
    ("/synthesis/data.json", "get"),
}


@pytest.fixture
def table_day(event, make_staff):
    """A facilitator at the first table (signed in, with the page's CSRF token) and two
    people checked in at the desk: one seated there, one seated elsewhere."""
    table = event.tables[0]
    seated = register_someone(event, first_name="Anna")
    elsewhere = register_someone(event, first_name="Bruno")
    publish_seats(event, [(seated, table, 1, 0), (elsewhere, event.tables[1], 1, 0)])
    for person in (seated, elsewhere):
        db.session.add(
            CheckIn(event_id=event.id, attendee_id=person.id, desk_name="Banco", checked_in_at=utcnow())
        )
    db.session.commit()
    _, client = facilitator_of(make_staff, table)
    token = page_csrf(client, f"/brescia-citta-del-noi/facilitators/tables/{table.id}/notes/1")
    return {"event": event, "table": table, "client": client, "token": token, "people": (seated, elsewhere)}


# ---- The document ----------------------------------------------------------------------------


def test_the_document_is_for_facilitators_and_admins_only(client, event, make_staff):
    _, facilitator = facilitator_of(make_staff, event.tables[0])
    _, admin = make_staff(Role.ADMIN)
    _, desk = make_staff(Role.DESK)
    for staff in (facilitator, admin):
        answer = staff.get("/brescia-citta-del-noi/facilitators/openapi.json")
        assert answer.status_code == 200 and answer.get_json()["openapi"].startswith("3.1")
        assert answer.headers["Cache-Control"] == "no-store"
    assert desk.get("/brescia-citta-del-noi/facilitators/openapi.json").status_code == 403
    anonymous = client.get("/brescia-citta-del-noi/facilitators/openapi.json")
    assert anonymous.status_code == 302 and "/staff/login" in anonymous.headers["Location"]


def test_every_json_endpoint_is_declared_with_its_answers(table_day):
    spec = table_day["client"].get("/brescia-citta-del-noi/facilitators/openapi.json").get_json()
    declared = {(path, method) for path, item in spec["paths"].items() for method in item}
    assert declared >= JSON_OPERATIONS
    for path, method in JSON_OPERATIONS:
        operation = spec["paths"][path][method]
        ok = operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert ok["$ref"].startswith("#/components/schemas/"), path
        if method == "post":
            assert operation["requestBody"]["required"] is True, path
            assert {"session": [], "csrfToken": []} in operation["security"], path
    save = spec["paths"]["/facilitators/tables/{table_id}/notes/{round}"]["post"]["responses"]
    assert (
        save["409"]["content"]["application/json"]["schema"]
        == save["200"]["content"]["application/json"]["schema"]
    )


def test_the_declared_limits_are_those_the_service_keeps(table_day):
    schemas = (
        table_day["client"]
        .get("/brescia-citta-del-noi/facilitators/openapi.json")
        .get_json()["components"]["schemas"]
    )
    save = schemas["SaveNotes"]
    assert save["properties"]["insights"]["maxLength"] == notes.FIELD_MAX_CHARS
    assert (save["properties"]["save_id"]["minLength"], save["properties"]["save_id"]["maxLength"]) == (8, 64)
    assert set(save["required"]) == {"base_version", "save_id"}
    assert save["propertyNames"] == {"pattern": "^[^\\x00]*$"}, "no NUL, field names included"
    mark = schemas["MarkAttendance"]["properties"]
    assert (mark["attendee_id"]["minimum"], mark["attendee_id"]["maximum"]) == (1, 2**31 - 1)


# ---- Malformed bodies ------------------------------------------------------------------------

MALFORMED = [
    ("attendance", {"attendee_id": "1", "round": 1, "present": True}, "attendee_id"),
    ("attendance", {"attendee_id": 1, "round": 1, "present": "yes"}, "present"),
    ("attendance", {"attendee_id": 1, "present": True}, "'round' is required"),
    ("attendance", {"attendee_id": 1.5, "round": 1, "present": True}, "attendee_id"),
    ("attendance", [1, 1, True], "the body must be a JSON object"),
    ("scan", {"round": 1}, "'code' is required"),
    ("scan", {"code": 12345, "round": 1}, "code"),
    ("scan", {"code": "AB\x00CD", "round": 1}, "NUL"),
    ("notes/1", {"insights": "idea", "save_id": "save-0001"}, "'base_version' is required"),
    ("notes/1", {"insights": 5, "base_version": 0, "save_id": "save-0001"}, "insights"),
    ("notes/1", {"tags": [1, 2], "base_version": 0, "save_id": "save-0001"}, "tags"),
    ("notes/1", {"base_version": 0, "save_id": "short"}, "save_id"),
    ("notes/1", {"base_version": 0, "save_id": "save-0001", "resolves": "all"}, "resolves"),
    ("notes/1", {"base_version": 0, "save_id": "save-0001", "finished": "yes"}, "finished"),
    ("notes/1", {"insights": "x" * 20_001, "base_version": 0, "save_id": "save-0001"}, "insights"),
    ("notes/1", {"base_version": 0, "save_id": "save-0001", "idea\x00": "x"}, "NUL"),
    ("notes/1", {"base_version": -1, "save_id": "save-0001"}, "base_version"),
]


@pytest.mark.parametrize("path, body, detail", MALFORMED)
def test_a_malformed_body_is_a_400_that_says_why_and_changes_nothing(table_day, path, body, detail):
    table, seated = table_day["table"], table_day["people"][0]
    if isinstance(body, dict) and body.get("attendee_id") == 1:
        body = {**body, "attendee_id": seated.id}  # a real person: only the shape is wrong
    before = database_state()
    url = f"/brescia-citta-del-noi/facilitators/tables/{table.id}/{path}"
    answer = post_json(table_day["client"], url, body, table_day["token"])
    assert answer.status_code == 400, answer.get_data(as_text=True)
    assert answer.get_json()["error"] == "bad_request"
    assert detail in answer.get_json()["detail"]
    assert database_state() == before


@pytest.mark.parametrize("data", [b"", b"{not json", b'{"round": 1'])
def test_a_body_that_is_not_json_is_a_400(table_day, data):
    url = f"/brescia-citta-del-noi/facilitators/tables/{table_day['table'].id}/attendance"
    for content_type in ("application/json", "text/plain"):
        answer = table_day["client"].post(
            url, data=data, headers={"X-CSRFToken": table_day["token"], "Content-Type": content_type}
        )
        assert (answer.status_code, answer.get_json()["error"]) == (400, "bad_request")
        assert answer.get_json()["detail"]


def test_a_round_in_the_roster_query_that_is_no_number_is_a_400(table_day):
    url = f"/brescia-citta-del-noi/facilitators/tables/{table_day['table'].id}/roster.json"
    answer = table_day["client"].get(f"{url}?round=one")
    assert answer.status_code == 400 and "round" in answer.get_json()["detail"]
    assert table_day["client"].get(f"{url}?round=1").status_code == 200


def test_a_well_formed_save_still_saves(table_day):
    url = f"/brescia-citta-del-noi/facilitators/tables/{table_day['table'].id}/notes/1"
    body = {
        "insights": "Una rete\r\ndi vicinato",
        "tags": "casa, #Casa",
        "base_version": 0,
        "save_id": "save-0001",
    }
    saved = post_json(table_day["client"], url, body, table_day["token"])
    assert saved.status_code == 200 and saved.json["content"]["insights"] == "Una rete\ndi vicinato"
    assert saved.json["content"]["tags"] == ["casa"]
    assert db.session.scalar(select(NoteSheet.version)) == 1


# ---- Schemathesis ----------------------------------------------------------------------------


def _schemathesis_config(table_day) -> str:
    """Most requests go to the facilitator's own table, its rounds and its people (drawn at
    random, they would nearly all be 404s and test little)."""
    table, (seated, elsewhere) = table_day["table"], table_day["people"]
    codes = ", ".join(f'"{badge_token(person)}"' for person in (seated, elsewhere))
    rounds = ", ".join(str(r) for r in [notes.SUMMARY_ROUND, *attendance_rounds(table_day["event"])])
    return f"""
max-redirects = 0  # signed out, the answer is the redirect to the sign-in page
# Nearly every code a schema allows is no badge at all: a scan's answer is then 422 "Not a
# badge", the rules' refusal, which the validation_mismatch warning would take for the
# schema being looser than the API. Every other warning shown by default is (and fails the test).
warnings.display = [
    "missing_auth", "missing_test_data", "base_url_mismatch", "missing_deserializer",
    "unused_openapi_auth", "unsupported_regex", "method_not_allowed", "constants_extraction",
    "unmatched_filter", "unresolvable_reference", "rate_limited", "dictionary_mismatch", "timeout_units",
]

[checks]
enabled = true  # every check, as --checks all would (which no operation could then override)

[checks.negative_data_rejection]  # without the session cookie: sent to sign in
expected-statuses = ["302", "400", "401", "403", "404", "405", "406", "409", "415", "422", "428"]

[auth.openapi.session]
api_key = "{table_day["client"].get_cookie("session").value}"

[auth.openapi.csrfToken]
api_key = "{table_day["token"]}"

[dictionaries]
tables = {{ values = [{table.id}] }}
rounds = {{ values = [{rounds}] }}
people = {{ values = [{seated.id}, {elsewhere.id}] }}
badges = {{ values = [{codes}] }}

[parameters]
"path.table_id" = {{ dictionary = "tables", probability = 0.9 }}
"path.round" = {{ dictionary = "rounds", probability = 0.8 }}
"query.round" = {{ dictionary = "rounds", probability = 0.8 }}
"body.round" = {{ dictionary = "rounds", probability = 0.8 }}
"body.attendee_id" = {{ dictionary = "people", probability = 0.8 }}
"body.code" = {{ dictionary = "badges", probability = 0.9 }}

# A well-formed tick or scan the rules refuse (not on this table's list, not a badge) is a
# 422 with its reason, as the document declares: well-formed, and refused.
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "401", "403", "404", "409", "422"]

# Without a session, a POST is refused by its CSRF check (400) before the sign-in one;
# that anonymous visitors and other roles are refused everywhere is proved by
# test_facilitators.py and test_authorisation.py.
[[operations]]
include-method = "POST"
checks.ignored_auth.enabled = false

# A save id is unique across every sheet, which a schema cannot say: one already used on
# another sheet is refused (400), and the page then makes a new one. Schemathesis sends
# the same ids to several rounds.
[[operations]]
include-operation-id = "saveNotes"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "403", "404", "409"]
"""


def test_schemathesis_with_every_check_finds_nothing(app, table_day, tmp_path):
    config = tmp_path / "schemathesis.toml"
    config.write_text(_schemathesis_config(table_day))
    # The served document, as a facilitator gets it (it is staff-only, like the endpoints).
    document = tmp_path / "openapi.json"
    document.write_bytes(
        table_day["client"].get("/brescia-citta-del-noi/facilitators/openapi.json").get_data()
    )
    server = LiveServer(app).start()
    try:
        run = subprocess.run(
            [
                str(SCHEMATHESIS),
                "--config-file",
                str(config),
                "run",
                str(document),
                "--url",
                f"{server.url}/brescia-citta-del-noi",  # the document's paths are the event's
                "--max-examples",
                str(EXAMPLES_PER_OPERATION),
                "--seed",
                "13",
                "--generation-database",
                "none",
                "--no-color",
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        server.stop()
    assert run.returncode == 0, run.stdout[-8000:] + run.stderr[-2000:]
    assert "No issues found" in run.stdout, run.stdout[-3000:]
