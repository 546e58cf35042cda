"""Fixtures: the app on SQLite or PostgreSQL (TEST_DATABASE_URL), a clean database per
test, the bundled MO.CA event, a logged-in staff client, a live server, a real SMTP server.

With pytest-xdist each worker gets its own database (a SQLite file, or a PostgreSQL
database named after the worker), built from empty by the Alembic migrations.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

# The browser fixtures live in browser.py; defined here once, they are one Chromium per
# worker for every test module (imported into each module, they would be one per module).
from browser import browser, desktop_page, page  # noqa: E402, F401
from flask.testing import FlaskClient
from flask_babel import force_locale, gettext
from sqlalchemy import text
from werkzeug.serving import make_server

from app import create_app
from app.events.services import load_event_file
from app.extensions import db
from app.staff.services import create_user

ROOT = Path(__file__).resolve().parent.parent
MOCA = ROOT / "data" / "moca.yaml"
PASSWORD = "correct horse battery"


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """A database of this worker's own, empty, for the whole session."""
    base = os.environ.get("TEST_DATABASE_URL", "")
    if not base.startswith("postgres"):
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        return
    import psycopg

    # Unique per run: two runs on one server never drop each other's database.
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID", str(os.getpid()))[:8]
    name = f"noiday_test_{run}_{_worker()}"
    admin_url = re.sub(r"^postgresql\+psycopg://", "postgresql://", base)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield re.sub(r"/[^/]+$", f"/{name}", base.replace("postgresql://", "postgresql+psycopg://", 1))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class FreshContextClient(FlaskClient):
    """Each request gets its own app context (fresh ``g`` and session), as in production,
    even though the test itself holds one open to use the database."""

    def open(self, *args, **kwargs):
        # A streamed answer (the attendee CSV) is read whole within its request, as a server
        # sends it: left unread, its generator would end later, when collected, and pop its
        # contexts off whatever test runs then. A test of the streaming passes buffered=False
        # and reads it.
        kwargs.setdefault("buffered", True)
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def _migrated_app(database_url):
    from flask_migrate import upgrade

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, SECRET_KEY="test-secret")
    app.test_client_class = FreshContextClient
    with app.app_context():
        upgrade()
    return app


def _empty_all_tables():
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        _truncate(tables)
    else:
        for name in tables:
            db.session.execute(text(f"DELETE FROM {name}"))
    db.session.commit()


def _truncate(tables, attempts=3):
    """TRUNCATE every table; a request of the previous test's browser may still hold a
    lock on one of them (PostgreSQL then reports a deadlock): roll back and try again."""
    from sqlalchemy.exc import OperationalError

    for attempt in range(attempts):
        try:
            db.session.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            return
        except OperationalError:
            db.session.rollback()
            if attempt == attempts - 1:
                raise
            time.sleep(0.5)


@pytest.fixture
def app(_migrated_app):
    from app.extensions import limiter

    with _migrated_app.app_context():
        _empty_all_tables()
        limiter.reset()  # rate limits are on, as in production; each test starts afresh
        yield _migrated_app
        db.session.remove()
        _assert_places_counted()
        _assert_search_index_in_step()


def _assert_places_counted():
    """After every test, whatever paths it took: the place counters the database keeps
    (migration 0016) agree with a real COUNT of the confirmed rows."""
    from app.registration.places import miscounted_places

    try:
        wrong = miscounted_places()
    finally:
        db.session.remove()
    assert wrong == [], f"place counters drifted (what, id, counter, real count): {wrong}"


def _assert_search_index_in_step():
    """After every test on SQLite: the search's FTS5 table (migration 0019), kept by
    triggers, holds every attendee's name, e-mail and organisation as they are now."""
    from app.registration.attendee_search import fts_drift

    try:
        drifted = fts_drift()
    finally:
        db.session.remove()
    assert drifted == [], f"the search index drifted from these attendees: {drifted}"


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def event(app):
    """The bundled MO.CA day, its registration kept open whatever today's date."""
    event = load_event_file(str(MOCA))
    event.registration_opens_at = event.registration_closes_at = None
    db.session.commit()
    return event


@pytest.fixture
def italian(app):
    """italian("English message", **params) -> the Italian text the page shows; fails when
    the catalogue has none."""

    def translate(message, **params):
        with app.test_request_context(), force_locale("it"):
            text = gettext(message, **params)
        assert text != message % params, f"no Italian translation of {message!r}: run `make translations`"
        return text

    return translate


@pytest.fixture
def desk_token(event):
    """The pairing token of a desk device, "Desk 2", for the browser that opens the desk."""
    from app.checkin.desks import create_desk_device

    return create_desk_device(event, "Desk 2")[1]


def staff_account(email, name, password, role, events=None):
    """A staff account given ``events``; by default the MO.CA day (loaded by the ``event``
    fixture), as staff are given their event when invited."""
    from app.events.services import default_event

    if events is None:
        events = [event for event in [default_event()] if event is not None]
    return create_user(email, name, password, role, events=events)


@pytest.fixture
def desk_user(event):
    return staff_account("desk@example.org", "Desk Staff", PASSWORD, "desk")


@pytest.fixture
def make_staff(app, event):
    """make_staff(role) -> (user, client signed in as that user), given the MO.CA day
    (``events``: others instead)."""

    def make(role: str, email: str | None = None, events=None):
        user = staff_account(email or f"{role}@example.org", role.title(), PASSWORD, role, events)
        return user, signed_in(app, user)

    return make


def signed_in(app, user):
    """A client signed in as ``user`` (whose password is PASSWORD)."""
    staff_client = app.test_client()
    login_page = staff_client.get("/staff/login").get_data(as_text=True)
    response = staff_client.post(
        "/staff/login",
        data={"csrf_token": csrf_from(login_page), "email": user.email, "password": PASSWORD},
    )
    assert response.status_code == 302, "login failed"
    return staff_client


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token in page"
    return match.group(1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _InFlight:
    """WSGI middleware counting the requests being served, so that stopping the server
    can wait for them: one left running would hold locks while the next test empties
    the database."""

    def __init__(self, app):
        self.app = app
        self.count = 0
        self.idle = threading.Condition()

    def __call__(self, environ, start_response):
        with self.idle:
            self.count += 1
        iterable = None
        try:
            iterable = self.app(environ, start_response)
            yield from iterable
        finally:
            if hasattr(iterable, "close"):
                iterable.close()
            with self.idle:
                self.count -= 1
                self.idle.notify_all()

    def wait_idle(self, timeout=10):
        with self.idle:
            self.idle.wait_for(lambda: self.count == 0, timeout)


class LiveServer:
    def __init__(self, app):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._requests = _InFlight(app)
        self._server = make_server("127.0.0.1", self.port, self._requests, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._requests.wait_idle()


@pytest.fixture
def live_server(app, event):
    """The app served over real HTTP in a thread (threaded Werkzeug server)."""
    server = LiveServer(app).start()
    yield server
    server.stop()


@contextmanager
def running_gunicorn(database_url, log_path, workers=4, threads=4, **env_overrides):
    """The app under gunicorn (worker processes) on a database; yields (url, master process)."""
    port = free_port()
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        SECRET_KEY="test-secret",
        NOIDAY_CONFIG="development",
        MAIL_CATCH="1",
        RATELIMIT_ENABLED="0",  # the load comes from one address: limits are tested apart
    )
    env.update(env_overrides)
    command = [sys.executable, "-m", "gunicorn", "-w", str(workers), "--threads", str(threads)]
    command += ["-b", f"127.0.0.1:{port}", "wsgi:app"]
    with open(log_path, "w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if time.time() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError(Path(log_path).read_text()) from None
            time.sleep(0.1)
    try:
        yield f"http://127.0.0.1:{port}", process
    finally:
        process.send_signal(signal.SIGQUIT)  # gunicorn's quick shutdown; TERM waits for clients
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@pytest.fixture
def gunicorn_server(app, event, database_url, tmp_path):
    """The app under gunicorn (4 worker processes) on the test database."""
    with running_gunicorn(database_url, tmp_path / "gunicorn.log") as (url, _):
        yield url


class SmtpServer:
    """A real SMTP server (aiosmtpd) on a free loopback port that can be stopped and
    started again on the same port; .messages and .sessions collect what it received."""

    def __init__(self):
        self.port = free_port()
        self.messages = []
        self.sessions = set()  # one per SMTP connection that delivered mail
        self._controller = None

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        self.sessions.add(id(session))
        return "250 OK"

    def start(self):
        from aiosmtpd.controller import Controller

        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self):
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def smtp_server():
    server = SmtpServer().start()
    yield server
    server.stop()
