"""A pooled connection the database server closed is never handed to a request
(app/core/connections.py): the pool opens a fresh one, with no pre-ping round trip."""

import time
import uuid

import psycopg
import pytest
from helpers import register_someone

from app.checkin.badges import badge_token
from app.checkin.desks import create_desk_device
from app.extensions import db


def end_the_apps_connections() -> None:
    """What a server restart or an administrator's pg_terminate_backend does to the pool."""
    url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as admin:
        ended = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    assert ended, "the pool held connections to end"
    time.sleep(0.2)  # the server's goodbye reaches the sockets


def test_a_scan_after_the_server_closed_the_pooled_connections_is_answered(app, client, event):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("a server that closes connections: PostgreSQL")
    badge = badge_token(register_someone(event))
    token = create_desk_device(event, "Desk 1")[1]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    db.session.remove()
    end_the_apps_connections()

    body = {"code": badge, "request_id": str(uuid.uuid4())}
    response = client.post("/api/v1/scan", json=body, headers=headers)

    assert response.status_code == 200
    assert response.get_json()["reason"] == "checked_in"
