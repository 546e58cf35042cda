import os
import re
from datetime import date, datetime

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from app import create_app
from app.extensions import db
from app.registration.attendee_search import modelled


@pytest.fixture
def empty_database_url(database_url, tmp_path):
    if not database_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    name = f"noiday_migrations_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    admin = re.sub(r"^postgresql\+psycopg://", "postgresql://", database_url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield re.sub(r"/[^/]+$", f"/{name}", database_url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_migrations_build_the_models_schema_from_empty_and_go_back(empty_database_url):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"include_name": modelled})
            differences = compare_metadata(context, db.metadata)
        assert differences == [], "models and migrations disagree: run flask db migrate"
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        db.engine.dispose()
    engine = create_engine(empty_database_url)
    assert "attendees" in inspect(engine).get_table_names()
    engine.dispose()


def test_upgrading_keeps_the_rows_that_point_at_a_table_being_altered(empty_database_url):
    """SQLite alters a table by copying it: with foreign keys enforced, dropping the old
    attendees table would silently take every check-in with it (migrations/env.py)."""
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        upgrade(revision="0010")
        with db.engine.begin() as connection:
            for statement, values in DAY_BEFORE_0011:
                connection.execute(text(statement), values)
        upgrade()
        with db.engine.connect() as connection:
            counts = {t: connection.scalar(text(f"SELECT count(*) FROM {t}")) for t in COUNTED}
            codes = connection.scalars(text("SELECT badge_code FROM attendees")).all()
        db.engine.dispose()
    assert counts == {"attendees": 2, "check_ins": 1, "attendee_parts": 2, "outbox_messages": 1}
    assert len(set(codes)) == 2 and all(re.fullmatch(r"[A-Z]{3}[0-9]{3}", code) for code in codes)


COUNTED = ("attendees", "check_ins", "attendee_parts", "outbox_messages")
_WHEN = datetime(2027, 1, 1, 9, 0)
DAY_BEFORE_0011 = [
    (
        "INSERT INTO events (id, slug, name, venue_name, date, timezone, languages, privacy_version,"
        " cafe_rounds, cafe_rotation, updated_at) VALUES (1, 'e', :name, 'MO.CA', :day, 'Europe/Rome',"
        " :languages, '1', 1, 'stay', :when)",
        {"name": '{"it": "Giornata"}', "languages": '["it"]', "day": date(2027, 7, 12), "when": _WHEN},
    ),
    (
        "INSERT INTO day_parts (id, event_id, key, name, kind, position)"
        " VALUES (1, 1, 'am', :name, 'plenary', 0)",
        {"name": '{"it": "Mattina"}'},
    ),
    *[
        (
            "INSERT INTO attendees (id, event_id, first_name, last_name, email, participant_type, language,"
            " consent_privacy_at, privacy_version, consent_photos, status, needs_accessible_table, source,"
            " manage_token_version, badge_version, created_at, updated_at) VALUES (:id, 1, 'Ada', 'Rossi',"
            " :email, 'citizen', 'it', :when, '1', :no, 'confirmed', :no, 'online', 1, 1, :when, :when)",
            {"id": n, "email": f"ada{n}@example.org", "when": _WHEN, "no": False},
        )
        for n in (1, 2)
    ],
    *[
        (
            "INSERT INTO attendee_parts (attendee_id, day_part_id, status, created_at)"
            " VALUES (:id, 1, 'confirmed', :when)",
            {"id": n, "when": _WHEN},
        )
        for n in (1, 2)
    ],
    (
        "INSERT INTO check_ins (event_id, attendee_id, desk_name, method, checked_in_at, recorded_at)"
        " VALUES (1, 1, 'Banco 1', 'scan', :when, :when)",
        {"when": _WHEN},
    ),
    (
        "INSERT INTO outbox_messages (attendee_id, kind, recipient, subject, body_text, body_html, status,"
        " attempts, next_attempt_at, created_at, attachments, message_id) VALUES (1, 'confirmation',"
        " 'ada1@example.org', 's', 't', 'h', 'sent', 1, :when, :when, '[]', '<m@x>')",
        {"when": _WHEN},
    ),
]


def test_a_one_event_database_upgrades_to_many_events_with_its_people_badges_and_links(empty_database_url):
    """A database made before events had their own address and their own organisers: its
    event, people, badges and links come through; its staff keep their work."""
    from werkzeug.security import generate_password_hash

    from app.checkin.badges import BadgeCheck, badge_token, verify_badge
    from app.models import Attendee, Event, EventMembership, User
    from app.registration.tokens import manage_token

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=empty_database_url, SECRET_KEY="s")
    with app.app_context():
        upgrade(revision="0010")
        with db.engine.begin() as connection:
            for statement, values in DAY_BEFORE_0011:
                connection.execute(text(statement), values)
        upgrade(revision="0013")
        with db.engine.begin() as connection:
            connection.execute(text("UPDATE events SET organiser = 'Comune di Brescia'"))
            for email, role in (("boss@example.org", "admin"), ("banco@example.org", "desk")):
                connection.execute(
                    text(
                        "INSERT INTO users (email, name, password_hash, role, active, language, created_at,"
                        " password_set_at) VALUES (:email, 'X', :hash, :role, :yes, 'it', :when, :when)"
                    ),
                    {
                        "email": email,
                        "hash": generate_password_hash("a long password"),
                        "role": role,
                        "yes": True,
                        "when": _WHEN,
                    },  # fmt: skip
                )
        upgrade()
        event = db.session.scalars(db.select(Event)).one()
        assert event.organiser_group.name == "Comune di Brescia"
        users = {user.email: user for user in db.session.scalars(db.select(User))}
        assert users["boss@example.org"].instance_admin and not users["banco@example.org"].instance_admin
        assert {u.organiser_id for u in users.values()} == {event.organiser_id}
        memberships = db.session.scalars(
            db.select(EventMembership.user_id).filter_by(event_id=event.id)
        ).all()
        assert sorted(memberships) == sorted(u.id for u in users.values()), "everyone keeps the event"

        person = db.session.get(Attendee, 1)
        assert verify_badge(badge_token(person), event).check is BadgeCheck.VALID
        client = app.test_client()
        token = manage_token(person)
        assert client.get(f"/e/r/{token}").status_code == 200
        old = client.get(f"/r/{token}")
        assert (old.status_code, old.headers["Location"]) == (308, f"/e/r/{token}"), "links already sent"
        page = client.get("/staff/login").get_data(as_text=True)
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        signed_in = client.post(
            "/staff/login",
            data={"csrf_token": csrf, "email": "banco@example.org", "password": "a long password"},
        )
        assert signed_in.headers["Location"] == "/e/desk/"
        db.session.remove()
        db.engine.dispose()
