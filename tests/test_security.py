"""Security by default: headers, CSP the pages pass, secrets, rate limits."""

import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT, csrf_from, running_gunicorn
from helpers import form_fields

from app import create_app
from app.extensions import limiter
from app.models import Role

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def test_pages_send_security_headers_and_a_strict_csp(client, event):
    response = client.get("/brescia-citta-del-noi/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_no_template_has_inline_script_style_or_event_handlers():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        if "emails" in path.parts:
            continue  # e-mail clients need inline styles; mail is never served under our CSP
        text = path.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"\sstyle=", text):
            offenders.append(path.name)
        if re.search(r"\son[a-z]+=", text):
            offenders.append(path.name)
    assert offenders == []


def test_production_refuses_to_start_without_a_real_secret(monkeypatch):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production", SECRET_KEY="dev-only-insecure-secret")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production", SECRET_KEY="")
    app = create_app(
        "production", SECRET_KEY="a-real-long-random-secret-value-0123456789", PUBLIC_URL="https://localhost"
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_registration_posts_are_rate_limited_per_address(client, event):
    page = client.get("/brescia-citta-del-noi/register").get_data(as_text=True)
    token = csrf_from(page)
    statuses = []
    for _ in range(21):
        response = client.post(
            "/brescia-citta-del-noi/register", data={"csrf_token": token, **form_fields(event)}
        )
        statuses.append(response.status_code)
    assert statuses[:20] == [302] * 20
    assert statuses[20] == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 61, "the refusal says when to try again"
    assert client.get("/brescia-citta-del-noi/register").status_code == 200, (
        "reading the form is never limited"
    )


def test_failed_logins_are_slowed_per_account_without_locking_it(app, client, make_staff):
    user, _ = make_staff(Role.ADMIN)
    page = client.get("/staff/login").get_data(as_text=True)

    def login(email, password):
        return client.post(
            "/staff/login", data={"csrf_token": csrf_from(page), "email": email, "password": password}
        ).status_code

    assert [login(user.email, "wrong") for _ in range(5)] == [200] * 5
    assert login(user.email, "wrong") == 429
    assert login("someone.else@example.org", "wrong") == 200, "other accounts are not affected"
    limiter.reset()
    from conftest import PASSWORD

    assert login(user.email, PASSWORD) == 302, "after the pause the real user signs in"


def test_link_resend_is_rate_limited(client, event):
    page = client.get("/brescia-citta-del-noi/register/link").get_data(as_text=True)
    form = {"csrf_token": csrf_from(page), "email": "a@example.org"}
    statuses = [client.post("/brescia-citta-del-noi/register/link", data=form).status_code for _ in range(6)]
    assert statuses == [302] * 5 + [429]


def test_rate_limits_hold_across_gunicorn_workers_with_redis(app, event, database_url, tmp_path):
    """Four worker processes share one count in Redis: the sixth failed login is refused."""
    subprocess.run(
        [sys.executable, "-c", "import redis; redis.Redis(port=6379, db=15).flushdb()"], check=True, cwd=ROOT
    )
    shared = {"RATELIMIT_ENABLED": "1", "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/15"}
    with running_gunicorn(database_url, tmp_path / "gunicorn.log", workers=4, threads=1, **shared) as (
        base,
        _,
    ):
        statuses = []
        for _ in range(6):
            # A new connection and session each time, so requests spread over the workers.
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
            # Generous timeouts: a failed sign-in checks a password hash (scrypt) on purpose, and
            # CI runs browsers beside this test; what is checked here is the count, not speed.
            token = csrf_from(opener.open(base + "/staff/login", timeout=30).read().decode())
            body = urllib.parse.urlencode({"csrf_token": token, "email": "x@example.org", "password": "nope"})
            try:
                statuses.append(opener.open(base + "/staff/login", data=body.encode(), timeout=30).status)
            except urllib.error.HTTPError as error:
                statuses.append(error.code)
    assert statuses == [200] * 5 + [429]


def test_health_endpoint_checks_the_database(client, app):
    assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}


def test_json_logs_name_the_request_but_never_its_query(app, event, capsys):
    production = create_app(
        "production",
        SECRET_KEY="a-real-long-random-secret-value-0123456789",
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        RATELIMIT_STORAGE_URI="memory://",
        PUBLIC_URL="https://localhost",
    )
    response = production.test_client().get(
        "/brescia-citta-del-noi/?email=secret@example.org", base_url="https://localhost"
    )
    assert response.status_code == 200
    line = [json_line for json_line in capsys.readouterr().err.splitlines() if '"request"' in json_line][-1]
    import json

    entry = json.loads(line)
    assert entry["path"] == "/brescia-citta-del-noi/" and entry["status"] == 200 and "secret@" not in line


def test_request_logs_survive_the_migration_gunicorn_runs_before_its_workers(app, event, capsys):
    """gunicorn.conf.py migrates in the master, then forks workers: Alembic's logging set-up
    must not switch off the app's loggers that the workers inherit."""
    from flask_migrate import upgrade

    settings = dict(
        SECRET_KEY="a-real-long-random-secret-value-0123456789",
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        RATELIMIT_STORAGE_URI="memory://",
        PUBLIC_URL="https://localhost",
    )
    master = create_app("production", **settings)
    with master.app_context():
        upgrade()
    worker = create_app("production", **settings)
    assert (
        worker.test_client().get("/brescia-citta-del-noi/", base_url="https://localhost").status_code == 200
    )
    assert any('"request"' in line for line in capsys.readouterr().err.splitlines())
