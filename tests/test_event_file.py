from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import CafeTable, DayPart, Event, Organisation, ProgrammeItem
from app.services.event_file import EventFileError
from app.services.events import load_event

MOCA_TEXT = (Path(__file__).resolve().parent.parent / "data" / "moca.yaml").read_text()


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_moca_file_loads_programme_six_tables_and_partners(event):
    assert event.slug == "brescia-citta-del-noi"
    assert event.venue_name.startswith("MO.CA")
    assert [t.name["it"] for t in event.tables][1] == "Prima infanzia"
    assert len(event.tables) == 6
    assert {p.kind for p in event.day_parts} == {"plenary", "lunch", "world_cafe"}
    assert "Auser Brescia" in [o.name for o in event.organisations]
    cafe = event.programme[6]
    assert (cafe.starts_at.strftime("%H:%M"), cafe.ends_at.strftime("%H:%M")) == ("14:10", "15:45")
    as_shipped = load_event(MOCA_TEXT)  # the fixture opened the window for the other tests
    assert as_shipped.registration_is_open(), "the bundled demo must accept registrations today"


def test_loading_again_updates_in_place_and_never_duplicates(event):
    before = {m: count(m) for m in (Event, ProgrammeItem, DayPart, CafeTable, Organisation)}
    table_ids = [t.id for t in event.tables]
    changed = MOCA_TEXT.replace("capacity: 350", "capacity: 300").replace(
        "it: Prima infanzia", "it: Prima infanzia (0-6)"
    )
    reloaded = load_event(changed)
    assert {m: count(m) for m in before} == before
    assert [t.id for t in reloaded.tables] == table_ids
    assert reloaded.tables[1].name["it"] == "Prima infanzia (0-6)"
    assert reloaded.day_parts[0].capacity == 300


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (("capacity: 250", "capacity: lots"), "day_parts[2].capacity"),
        (('time: "10:30"', 'time: "25:30"'), "programme[2].time"),
        (("timezone: Europe/Rome", "timezone: Europe/Brescia"), "timezone"),
        (("  - key: cento-leve", "  - key: comunita"), "tables[4].key"),
        (("date: 2027-07-13", "date: 13/07/2027"), "date"),
    ],
)
def test_bad_file_names_field_and_line_and_changes_nothing(event, change, field):
    before = (event.tables[0].name, event.day_parts[1].capacity)
    text = MOCA_TEXT.replace("capacity: 350", "capacity: 10")
    line = text.split(change[0])[0].count("\n") + 1  # the line being broken
    text = text.replace(*change)
    with pytest.raises(EventFileError) as error:
        load_event(text, "moca.yaml")
    message = str(error.value)
    assert f"moca.yaml, line {line}: {field}:" in message, message
    db.session.expire_all()
    assert (event.tables[0].name, event.day_parts[1].capacity) == before
    assert event.day_parts[0].capacity == 350


def test_missing_required_fields_are_all_reported(app):
    with pytest.raises(EventFileError) as error:
        load_event("slug: x\nlanguages: [it]\n", "bad.yaml")
    fields = [problem[1] for problem in error.value.problems]
    for name in ("name", "date", "timezone", "venue"):
        assert name in fields
    assert count(Event) == 0


def test_yaml_syntax_error_reports_its_line(app):
    with pytest.raises(EventFileError) as error:
        load_event("slug: x\nname: [unclosed\n", "bad.yaml")
    assert "bad.yaml, line" in str(error.value)


def test_cli_loads_the_file_and_reports_errors(app, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["event", "load", "data/moca.yaml"])
    assert result.exit_code == 0, result.output
    assert "6 tables" in result.output
    bad = tmp_path / "bad.yaml"
    bad.write_text(MOCA_TEXT.replace("capacity: 240", "capacity: -5"))
    result = runner.invoke(args=["event", "load", str(bad)])
    assert result.exit_code != 0
    assert "nothing was changed" in result.output
    assert "day_parts[3].capacity: expected a whole number of at least 0, got '-5'" in result.output
