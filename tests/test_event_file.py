from pathlib import Path

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from app.events.event_file import EventFileError
from app.events.services import load_event
from app.extensions import db
from app.models import CafeTable, DayPart, Event, Organisation, ProgrammeItem

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
        (
            ("check_in: true  # its own entrance", "check_in: maybe  # its own entrance"),
            "day_parts[2].check_in",
        ),
        (("  - key: lunch", "  - key: exit"), "day_parts[2].key"),
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


@pytest.mark.parametrize(
    ("original", "broken", "field"),
    [
        (
            '  it: "Brescia Città del Noi compie un anno"',
            '  it: "Brescia Città del Noi\\r\\nBcc: victim@example.org"',
            "name.it",
        ),
        (
            '  en: "Brescia Città del Noi turns one"',
            "  en: |\n    Brescia Città del Noi\n    turns one",
            "name.en",
        ),
        (
            "organiser: Comune di Brescia – Brescia Città del Noi",
            'organiser: "Comune di Brescia\\u2028Brescia Città del Noi"',
            "organiser",
        ),
        (
            "contact_email: comunicazione@bresciacittadelnoi.it",
            'contact_email: "comunicazione@bresciacittadelnoi.it\\nBcc: victim@example.org"',
            "contact_email",
        ),
    ],
)
def test_text_that_reaches_a_mail_header_must_be_on_one_line(event, original, broken, field):
    """The event's name is in every message's subject: a line break there ended the header."""
    name_before = event.name
    line = MOCA_TEXT.split(original)[0].count("\n") + 1
    with pytest.raises(EventFileError) as error, force_locale("en"):
        load_event(MOCA_TEXT.replace(original, broken), "moca.yaml")
    with force_locale("en"):
        assert str(error.value) == (
            f"moca.yaml, line {line}: {field}: must be on one line, without line breaks or control characters"
        )
    db.session.expire_all()
    assert event.name == name_before, "nothing was changed"


def test_the_event_name_may_still_be_folded_over_lines_in_the_file(event):
    """YAML's folded text joins its lines with spaces: one line, as the subject needs."""
    folded = load_event(
        MOCA_TEXT.replace('  en: "Brescia Città del Noi turns one"', "  en: >-\n    Brescia\n    turns one")
    )
    assert folded.name["en"] == "Brescia turns one"


def test_two_tables_without_a_key_are_reported_not_a_crash(app):
    """Two entries missing their key used to raise KeyError (a 500 on the admin page)."""
    text = MOCA_TEXT.replace("  - key: cento-leve\n    name:", "  - name:").replace(
        "  - key: poverta-lavoro\n    name:", "  - name:"
    )
    with pytest.raises(EventFileError) as error:
        load_event(text, "moca.yaml")
    fields = [problem[1] for problem in error.value.problems]
    assert "tables[4].key" in fields and "tables[5].key" in fields, fields
    assert count(Event) == 0


GROUPS_LINE = "  groups: {policy: all_or_nothing, max_size: 10}"


@pytest.mark.parametrize(
    ("broken", "field", "message"),
    [
        ("  groups: {policy: together, max_size: 10}", "registration.groups.policy", "'together'"),
        ("  groups: {policy: all_or_nothing, max_size: 1}", "registration.groups.max_size", "'1'"),
        ("  groups: {policy: all_or_nothing, max_size: 500}", "registration.groups.max_size", "50"),
        ("  groups: {policy: all_or_nothing, size: 5}", "registration.groups.size", "policy, max_size"),
    ],
)
def test_a_bad_group_setting_is_named_with_its_line(event, broken, field, message):
    line = MOCA_TEXT.split(GROUPS_LINE)[0].count("\n") + 1
    with pytest.raises(EventFileError) as error:
        load_event(MOCA_TEXT.replace(GROUPS_LINE, broken), "moca.yaml")
    assert f"moca.yaml, line {line}: {field}:" in str(error.value) and message in str(error.value)


def test_groups_default_to_as_many_as_fit_and_are_off_without_the_setting(event):
    load_event(MOCA_TEXT.replace(GROUPS_LINE, "  groups: {}"), "moca.yaml")
    assert event.group_registration == {"policy": "as_many_as_fit", "max_size": 10}
    load_event(MOCA_TEXT.replace(GROUPS_LINE, ""), "moca.yaml")
    assert event.group_registration is None and not event.takes_groups


def test_day_parts_with_their_own_entrance_and_exit_scans_come_from_the_file(event):
    assert [(part.key, part.check_in) for part in event.day_parts] == [
        ("plenary", False),
        ("lunch", True),
        ("world-cafe", True),
    ]
    assert event.exit_scans is False
    reloaded = load_event(MOCA_TEXT + "\nexit_scans: true\n", "moca.yaml")
    assert reloaded.exit_scans is True
