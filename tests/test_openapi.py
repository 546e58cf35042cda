"""The OpenAPI document matches the app: schemathesis, with every check, over the served
document and a desk's token, finds nothing; and the document says what the views enforce."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import LiveServer
from helpers import register_someone

from app.checkin.badges import badge_token
from app.checkin.desks import create_desk_device
from app.checkin.points import point_named, scan_at_point
from app.checkin.services import ScanResult, check_in_attendee

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
# Per operation and phase: about 20 s a database on this machine (2 cores, shared).
EXAMPLES_PER_OPERATION = 25


@pytest.fixture
def spec(client):
    return client.get("/api/v1/openapi.json").get_json()


def test_bodies_are_required_where_the_app_requires_them(spec):
    assert spec["paths"]["/scan"]["post"]["requestBody"]["required"] is True
    assert spec["paths"]["/checkins"]["post"]["requestBody"]["required"] is True
    assert "requestBody" not in spec["paths"]["/checkins/{check_in_id}/undo"]["post"]


def test_every_answer_the_api_gives_is_declared_with_its_schema(spec):
    expected = {
        ("/me", "get"): {"200", "401", "429"},
        ("/scan", "post"): {"200", "400", "401", "404", "409", "429"},
        ("/point-scans/{scan_id}/undo", "post"): {"200", "401", "404", "429"},
        ("/checkins", "post"): {"200", "400", "401", "404", "409", "429"},
        ("/checkins/{check_in_id}/undo", "post"): {"200", "401", "404", "429"},
        ("/attendees", "get"): {"200", "400", "401", "429"},
        ("/counters", "get"): {"200", "401", "429"},
    }
    for (path, method), codes in expected.items():
        responses = spec["paths"][path][method]["responses"]
        assert set(responses) == codes, path
        for code, response in responses.items():
            schema = response["content"]["application/json"]["schema"]
            assert schema["$ref"].startswith("#/components/schemas/"), (path, code)
            if code != "200":
                assert schema["$ref"] == "#/components/schemas/Error"


def test_the_scan_reasons_are_those_of_the_check_in_service(spec):
    outcome = spec["components"]["schemas"]["Outcome"]["properties"]
    reasons = spec["components"]["schemas"][outcome["reason"]["$ref"].rsplit("/", 1)[1]]
    assert reasons["enum"] == [result.value for result in ScanResult]
    assert set(outcome["result"]["enum"]) == {result.colour for result in ScanResult}


def test_ids_and_limits_are_bounded_as_the_database_and_the_search_are(spec):
    undo = spec["paths"]["/checkins/{check_in_id}/undo"]["post"]["parameters"][0]["schema"]
    assert (undo["minimum"], undo["maximum"]) == (1, 2**31 - 1)
    attendee_id = spec["components"]["schemas"]["CheckInRequest"]["properties"]["attendee_id"]
    assert (attendee_id["minimum"], attendee_id["maximum"]) == (1, 2**31 - 1)
    limit = next(p for p in spec["paths"]["/attendees"]["get"]["parameters"] if p["name"] == "limit")
    assert (limit["schema"]["minimum"], limit["schema"]["maximum"]) == (1, 50)


def test_schemathesis_with_every_check_finds_nothing(app, event, tmp_path):
    """Coverage, fuzzing and stateful phases (a search's check-in, then its undo), with real
    attendees and check-ins to find, over HTTP against the app on this test's database."""
    people = [register_someone(event, first_name=name) for name in ("Ada", "Bruno", "Carla", "Dario")]
    device, token = create_desk_device(event, "Desk 1")
    check_in_attendee(event, people[0].id, device, "before-the-run")
    # A lunch scan too, so that undoing a point scan finds one (id 1, as the check-in's).
    scan_at_point(event, point_named(event, "lunch"), badge_token(people[0]), device, "lunch-before-the-run")
    # One desk's 600 requests a minute would answer 429 to most of the run (429 is declared,
    # so nothing would fail, and nothing would be tested either).
    production_limit, app.config["API_RATE_LIMIT"] = app.config["API_RATE_LIMIT"], "100000 per minute"
    server = LiveServer(app).start()
    try:
        run = subprocess.run(
            [
                str(SCHEMATHESIS),
                "run",
                f"{server.url}/api/v1/openapi.json",
                "--header",
                f"Authorization: Bearer {token}",
                "--checks",
                "all",
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
            timeout=240,
        )
    finally:
        server.stop()
        app.config["API_RATE_LIMIT"] = production_limit
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert "No issues found" in run.stdout
    # Every link followed: the check-in -> undo, and the point scan's undo (inferred).
    assert "Stateful" in run.stdout and re.search(r"API Links:\s+(\d+) covered / \1 selected", run.stdout), (
        "the check-in -> undo link was followed: " + run.stdout[-3000:]
    )
