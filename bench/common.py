"""Shared by the benchmark scripts: a fresh database, gunicorn, wrk and the headline line.

Every HTTP benchmark serves our app and the bare Flask app (bench/bare_app.py) with the
same gunicorn settings, loads both with the same wrk settings and the same Lua script, in
the same run, and reports our throughput as a ratio to the bare app's. Traffic goes only
to 127.0.0.1, and every load run stops by itself after a fixed number of seconds.
"""

import argparse
import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MOCA = ROOT / "data" / "moca.yaml"
EVENT = "/brescia-citta-del-noi"  # the MO.CA day's address: every event page is under its slug
SECRET_KEY = "bench-secret-not-for-production"
PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")

# One gunicorn configuration for our app and for the bare app. The machine (and CI) has
# 2 cores, shared with wrk: one worker process per core, so the two do not fight over a
# core, and 8 threads each (gthread), so that a worker waiting on PostgreSQL, on SQLite's
# write lock or on Redis (rate limits) still serves other requests. 2 x 8 = 16 requests
# in progress at once; the other connections of the 32 wait in the workers' keep-alive
# pollers. No access log (writing it would be a large share of the bare app's time), and
# no max_requests recycling, so that a run never restarts a worker.
GUNICORN_SETTINGS = {
    "workers": 2,
    "threads": 8,
    "worker_class": "gthread",
    "keepalive": 5,
    "timeout": 60,
    "graceful_timeout": 20,
    "accesslog": None,
    "loglevel": "warning",
    "max_requests": 0,
}
# wrk: 32 connections (concurrent clients) from 2 threads, with its latency distribution.
# The timeout is well above any latency we see, so slow answers are measured, not dropped.
# The benchmarks measure the MO.CA day on an instance that serves others too (issue 17): 49
# more events with their attendees, 100,000 people in all.
OTHER_EVENTS, OTHER_ATTENDEES = 49, 2000
TEMPLATES = Path(tempfile.gettempdir()) / "noiday-bench-templates"
WRK_THREADS = 2
CONNECTIONS = 32
WRK_TIMEOUT = "10s"

# Prepended to every benchmark's wrk script. setup() numbers the threads (tid, from 1);
# init() reads what follows "--" on wrk's command line: a run label, so that ids made from
# run + tid + counter are unique across runs, and the run's number (0 for the warm-up, then
# 1, 2...), so that each run can take data of its own; done() prints "status <code> <count>"
# lines, so that each run is checked for errors and redirects are counted.
LUA_COMMON = """
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

function init(args)
  run = args[1] or "run"
  run_number = tonumber(args[2] or "0")
  counter = 0
  statuses = {}
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for code, count in pairs(thread:get("statuses")) do
      total[code] = (total[code] or 0) + count
    end
  end
  for code, count in pairs(total) do
    io.write(string.format("status %d %d\\n", code, count))
  end
end
"""


def lua_string(text: str) -> str:
    """A Lua string literal (our data is ASCII: tokens, cookies, urlencoded fields)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def lua_list(items) -> str:
    return "{\n" + ",\n".join(lua_string(item) for item in items) + "\n}"


def arguments(description: str, http: bool = True) -> argparse.Namespace:
    """The options every benchmark takes; `http` adds the load-run ones."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--smoke", action="store_true", help="tiny data and short runs, to check it works")
    parser.add_argument("--report", type=Path, help="also write the figures to this JSON file")
    parser.add_argument(
        "--pg-url", default=PG_ADMIN_URL, help="a PostgreSQL server to create bench_* databases on"
    )
    if http:
        parser.add_argument("--seconds", type=int, default=5, help="length of each load run")
        parser.add_argument("--rounds", type=int, default=4, help="load runs of each app, alternated")
    parser.add_argument(
        "--others",
        type=int,
        default=OTHER_EVENTS,
        help=f"other events loaded beside the MO.CA day, {OTHER_ATTENDEES:,} attendees each (smoke: 0)",
    )
    args = parser.parse_args()
    if args.smoke:
        args.others = 0
    if args.smoke and http:
        args.seconds, args.rounds = 1, 1  # checks that it runs: no figure to read
    args.warmup = 0 if args.smoke or not http else 2
    return args


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def log(message: str) -> None:
    print(message, flush=True)


# --- the database -------------------------------------------------------------------


def app_env(database_url: str) -> dict:
    """The environment our app runs with, in the CLI and under gunicorn: production. The
    messages a request writes stay queued in the outbox: no sender runs meanwhile."""
    return dict(
        os.environ,
        DATABASE_URL=database_url,
        FLASK_APP="wsgi.py",
        NOIDAY_CONFIG="production",
        SECRET_KEY=SECRET_KEY,
        MAIL_CATCH="0",
        PUBLIC_URL="https://127.0.0.1",  # behind TLS in production; the bench speaks plain HTTP on loopback
    )


def raised_capacity_event_file(directory: Path, capacity: int = 1_000_000) -> Path:
    """data/moca.yaml with the day's and each day part's capacity set to `capacity` and no
    registration window: capacities are still counted under the event's lock on every
    registration, but nobody is waitlisted, and the file accepts registrations whatever
    today's date. World café table sizes are left as bundled."""
    text = MOCA.read_text(encoding="utf-8")
    head, tables = text.split("\ntables:", 1)
    head, count = re.subn(r"(?m)^(\s*capacity:) \d+", rf"\1 {capacity}", head)
    assert count == 4, "expected the event's and three day parts' capacities"
    head, count = re.subn(r"(?m)^registration:\n(  .*\n)+", "", head)
    assert count == 1, "expected one registration window"
    path = directory / "moca-bench.yaml"
    path.write_text(head + "\ntables:" + tables, encoding="utf-8")
    return path


class BenchDatabase:
    """A fresh database, built with `flask db upgrade` and the event loaded with `flask
    event load`: a SQLite file in a temporary directory, or a PostgreSQL database
    bench_<label>_<pid>, dropped on exit.

    With `others`, that many other events and their attendees are loaded beside the MO.CA
    day. Loading them takes a minute or two, so it is done once into a template (a
    PostgreSQL database bench_tpl_<hash>, a SQLite file in TEMPLATES) named after what it
    holds (the migrations, the event file, the count), and each benchmark gets a copy;
    `drop_templates()` removes them (bench/run_all.py, when it is done)."""

    def __init__(
        self,
        kind: str,
        label: str,
        workdir: Path,
        event_file: Path = MOCA,
        pg_url=PG_ADMIN_URL,
        others: int = 0,
    ):
        self.kind, self.workdir, self.event_file, self.others = kind, workdir, event_file, others
        self.pg_admin_url = re.sub(r"^postgresql\+psycopg://", "postgresql://", pg_url)
        self.name = f"bench_{label}_{os.getpid()}"
        self.url = self._url_of(self.name)

    def _url_of(self, name: str) -> str:
        if self.kind == "sqlite":
            directory = TEMPLATES if name.startswith("bench_tpl_") else self.workdir
            return f"sqlite:///{directory / (name + '.db')}"
        return re.sub(r"/[^/]*$", f"/{name}", self.pg_admin_url)

    @property
    def sqlalchemy_url(self) -> str:
        return self.url.replace("postgresql://", "postgresql+psycopg://", 1)

    def __enter__(self):
        try:
            if self.others:
                self._copy_of(self._template())
            else:
                self._build(self.url)
        except BaseException:
            self.__exit__()
            raise
        return self

    def _build(self, url: str) -> None:
        if self.kind == "postgresql":
            self._admin(f'CREATE DATABASE "{url.rsplit("/", 1)[1]}"')
        for command in (["db", "upgrade"], ["event", "load", str(self.event_file)]):
            done = subprocess.run(
                [sys.executable, "-m", "flask", *command],
                cwd=ROOT,
                env=app_env(url),
                capture_output=True,
                text=True,
            )
            if done.returncode:
                raise RuntimeError(f"flask {' '.join(command)} failed:\n{done.stderr}")

    def _template(self) -> str:
        """The name of a database holding the MO.CA day and the others, built if missing."""
        what = hashlib.sha256(self.event_file.read_bytes() + str(self.others).encode())
        for migration in sorted((ROOT / "migrations" / "versions").glob("*.py")):
            what.update(migration.read_bytes())
        name = f"bench_tpl_{what.hexdigest()[:12]}"
        url = self._url_of(name)
        if self._exists(name):
            return name
        TEMPLATES.mkdir(exist_ok=True)
        try:
            self._build(url)
            self._load_others(url)
        except BaseException:
            self._drop(name)
            raise
        return name

    def _exists(self, name: str) -> bool:
        if self.kind == "sqlite":
            return (TEMPLATES / f"{name}.db").exists()
        import psycopg

        with psycopg.connect(self.pg_admin_url, autocommit=True) as conn:
            return (
                conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None
            )

    def _copy_of(self, template: str) -> None:
        if self.kind == "sqlite":
            shutil.copyfile(TEMPLATES / f"{template}.db", self.workdir / f"{self.name}.db")
        else:
            self._admin(f'CREATE DATABASE "{self.name}" TEMPLATE "{template}"')

    def _load_others(self, url: str) -> None:
        """The other events beside the MO.CA day, as on an instance that serves many: each
        with OTHER_ATTENDEES attendees, in organiser groups of five (bench/many_events.py)."""
        from bench.many_events import load_others

        started = time.perf_counter()
        app = make_app(self, SQLALCHEMY_DATABASE_URI=url.replace("postgresql://", "postgresql+psycopg://", 1))
        text = self.event_file.read_text(encoding="utf-8")
        events, attendees = load_others(app, text, self.others, OTHER_ATTENDEES)
        with app.app_context():
            from app.extensions import db

            db.engine.dispose()  # a template takes no connections
        if self.kind == "sqlite":  # everything in the file itself, which is what is copied
            import sqlite3

            with contextlib.closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as connection:
                connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        took = time.perf_counter() - started
        log(f"beside the MO.CA day: {events - 1} other events, {attendees} attendees in all ({took:.0f} s)")

    def __exit__(self, *exc):
        if self.kind == "postgresql":
            self._drop(self.name)

    def _drop(self, name: str) -> None:
        if self.kind == "sqlite":
            (TEMPLATES / f"{name}.db").unlink(missing_ok=True)
        else:
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _admin(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(self.pg_admin_url, autocommit=True) as conn:
            conn.execute(statement)


def drop_templates(pg_url: str = PG_ADMIN_URL) -> None:
    """Remove the databases BenchDatabase built for `others` (see there)."""
    import psycopg

    shutil.rmtree(TEMPLATES, ignore_errors=True)
    admin_url = re.sub(r"^postgresql\+psycopg://", "postgresql://", pg_url)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        names = [
            row[0] for row in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE 'bench_tpl_%'")
        ]
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def moca_event():
    """The MO.CA day's Event (in an app context): other events may be loaded beside it."""
    from app.extensions import db
    from app.models import Event

    return db.session.query(Event).filter_by(slug=EVENT.strip("/")).one()


def make_app(database: BenchDatabase, **overrides):
    """Our app in this process, configured as under gunicorn (production)."""
    sys.path.insert(0, str(ROOT))
    from app import create_app

    settings = dict(
        SQLALCHEMY_DATABASE_URI=database.sqlalchemy_url,
        SECRET_KEY=SECRET_KEY,
        MAIL_CATCH=False,
        PUBLIC_URL="https://127.0.0.1",  # behind TLS in production; the bench speaks plain HTTP on loopback
    )
    settings.update(overrides)
    return create_app("production", **settings)


def insert_attendees(event, count: int, prefix: str = "bench") -> list[int]:
    """Ids of `count` new confirmed attendees of every day part, written with bulk
    INSERTs, not through the registration service: the benchmarks using them measure what
    comes after registration (check-in, badges, e-mail)."""
    import itertools

    from sqlalchemy import insert, select

    from app.extensions import db
    from app.models import Attendee, AttendeePart, AttendeeStatus, PartStatus, utcnow
    from app.models.attendee import CODE_DIGITS, CODE_LETTERS

    now = utcnow()
    ids: list[int] = []
    # Badge codes are unique per event: the model's random default would collide in bulk
    # (400 people: a clash in about one run of three), so they are handed out in order.
    taken = set(db.session.scalars(select(Attendee.badge_code).where(Attendee.event_id == event.id)))
    every_code = (
        "".join(c) for c in itertools.product(CODE_LETTERS, CODE_LETTERS, CODE_LETTERS, *[CODE_DIGITS] * 3)
    )
    codes = (code for code in every_code if code not in taken)
    for start in range(0, count, 5000):
        rows = [
            dict(
                event_id=event.id,
                first_name="Giulia",
                last_name=f"Bianchi {n}",
                email=f"{prefix}.{n}@example.org",
                organisation_name="Auser Brescia",
                participant_type="network_member",
                language="it" if n % 3 else "en",
                consent_privacy_at=now,
                privacy_version=event.privacy_version,
                status=AttendeeStatus.CONFIRMED,
                badge_code=next(codes),
            )
            for n in range(start, min(start + 5000, count))
        ]
        returning = insert(Attendee).returning(Attendee.id, sort_by_parameter_order=True)
        batch = list(db.session.scalars(returning, rows))
        parts = [
            dict(attendee_id=attendee_id, day_part_id=part.id, status=PartStatus.CONFIRMED)
            for attendee_id in batch
            for part in event.day_parts
        ]
        db.session.execute(insert(AttendeePart), parts)
        db.session.commit()
        ids += batch
    return ids


def badge_tokens(event, attendee_ids: list[int]) -> list[str]:
    """The badge tokens of new attendees (badge version 1), without loading them."""
    from types import SimpleNamespace

    from app.checkin.badges import badge_token

    return [badge_token(SimpleNamespace(id=i, event_id=event.id, badge_version=1)) for i in attendee_ids]


# --- gunicorn -------------------------------------------------------------------------


class Server:
    """gunicorn serving `app_spec` (e.g. "wsgi:app") with GUNICORN_SETTINGS on a free
    loopback port; started on enter, once `health_path` answers, and stopped on exit."""

    def __init__(self, app_spec: str, env: dict, workdir: Path, health_path: str = "/"):
        self.app_spec, self.env, self.workdir, self.health_path = app_spec, env, workdir, health_path
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.name = re.sub(r"\W", "_", app_spec)
        self.log_path = workdir / f"gunicorn-{self.name}.log"
        self.process = None

    def __enter__(self):
        # Our own config file: gunicorn would otherwise read ./gunicorn.conf.py (production).
        config = self.workdir / f"gunicorn-{self.name}.conf.py"
        settings = dict(GUNICORN_SETTINGS, bind=f"127.0.0.1:{self.port}")
        config.write_text("".join(f"{key} = {value!r}\n" for key, value in settings.items()))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(config), self.app_spec],
            cwd=ROOT,
            env=self.env,
            stdout=open(self.log_path, "w"),  # noqa: SIM115 (closed with the process)
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while not self._answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.__exit__()
                raise RuntimeError(f"gunicorn did not start:\n{self.log_path.read_text()}")
            time.sleep(0.1)
        return self

    def _answers(self) -> bool:
        try:
            urllib.request.urlopen(self.url + self.health_path, timeout=5).close()
        except urllib.error.HTTPError:
            return True  # it answered
        except OSError:
            return False
        return True

    def __exit__(self, *exc):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # graceful: requests in progress finish
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def bare_server(workdir: Path, database_url: str | None = None) -> Server:
    """The bare app; with a database URL, its floors (/json-write, ...) use it."""
    env = dict(os.environ, BARE_DATABASE_URL=database_url) if database_url else dict(os.environ)
    return Server("bench.bare_app:app", env, workdir, health_path="/json")


def stack_server(workdir: Path, database_url: str) -> Server:
    """bench/stack_app.py: a registration's floor done by the required stack alone."""
    env = dict(os.environ, BARE_DATABASE_URL=database_url)
    return Server("bench.stack_app:app", env, workdir, health_path="/health")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def sign_in(base_url: str, email: str, password: str, page_path: str) -> tuple[str, str]:
    """The session cookie of a staff member signed in, and the CSRF token of the page at
    `page_path` (cookies are Secure in production, so they are carried by hand over the
    benchmark's plain HTTP)."""
    opener = urllib.request.build_opener(_NoRedirects())

    def cookie_of(response) -> str:
        # The session cookie (a sign-in also sets the throttle's known-device cookie).
        cookies = [value.split(";")[0] for value in response.headers.get_all("Set-Cookie") or []]
        return next((cookie for cookie in cookies if cookie.startswith("session=")), "")

    page = opener.open(base_url + "/staff/login", timeout=10)
    cookie = cookie_of(page)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.read().decode()).group(1)
    body = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": password})
    request = urllib.request.Request(
        base_url + "/staff/login", data=body.encode(), headers={"Cookie": cookie}
    )
    try:
        opener.open(request, timeout=10)
    except urllib.error.HTTPError as answer:  # the 302 after signing in
        cookie = cookie_of(answer) or cookie
    page = opener.open(urllib.request.Request(base_url + page_path, headers={"Cookie": cookie}), timeout=10)
    found = re.search(r'name="csrf-token" content="([^"]+)"', page.read().decode())
    return cookie, found.group(1) if found else ""


# --- wrk --------------------------------------------------------------------------------


@dataclass
class WrkResult:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    statuses: dict = field(default_factory=dict)  # HTTP status -> answers
    socket_errors: dict = field(default_factory=dict)  # connect, read, write, timeout
    non_2xx_3xx: int = 0

    @property
    def errors(self) -> int:
        """Answers that are not 2xx/3xx, and connections that failed or timed out."""
        return self.non_2xx_3xx + sum(self.socket_errors.values())


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([0-9.]+)(us|ms|s|m|h)", text).groups()
    return float(number) * _UNITS_MS[unit]


def parse_wrk(output: str) -> WrkResult:
    rps = float(re.search(r"^Requests/sec:\s+([0-9.]+)", output, re.M).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))
    requests = int(re.search(r"^\s+(\d+) requests in", output, re.M).group(1))
    statuses = {int(code): int(n) for code, n in re.findall(r"^status (\d+) (\d+)$", output, re.M)}
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    socket_errors = (
        dict(zip(("connect", "read", "write", "timeout"), map(int, socket.groups()), strict=True))
        if socket
        else {}
    )
    non_ok = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return WrkResult(rps, p50, p99, requests, statuses, socket_errors, int(non_ok.group(1)) if non_ok else 0)


def write_lua(workdir: Path, name: str, body: str) -> Path:
    path = workdir / f"{name}.lua"
    path.write_text(LUA_COMMON + "\n" + body)
    return path


def run_wrk(url: str, script: Path, seconds: float, label: str | None = None, number: int = 0) -> WrkResult:
    """One load run of `seconds` with CONNECTIONS clients; `label` and the run's `number`
    reach the script's init()."""
    command = [
        "wrk",
        f"-t{WRK_THREADS}",
        f"-c{CONNECTIONS}",
        f"-d{max(1, round(seconds))}s",
        f"--timeout={WRK_TIMEOUT}",
        "--latency",
        "-s",
        str(script),
        url,
        "--",
        label or secrets.token_hex(4),
        str(number),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    if done.returncode != 0 or "Requests/sec" not in done.stdout:
        raise RuntimeError(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return parse_wrk(done.stdout)


@dataclass
class Comparison:
    ours: WrkResult  # the rounds combined
    bare: WrkResult
    rounds: list  # (ours, bare) of each round
    warmups: list  # the warm-up runs (ours, bare), when there were any: not measured


def compare(
    ours: Server,
    ours_path: str,
    bare: Server,
    bare_path: str,
    script: Path,
    seconds: float,
    rounds: int = 1,
    warmup: float = 0,
) -> Comparison:
    """Load our endpoint and the bare one in turn, `rounds` times each (bare, ours, bare,
    ours...), so that other work on the machine weighs on both alike, after an optional
    warm-up run of each (first requests compile templates and open database connections).
    The script sees the run's number: 0 for the warm-up, then the round's.

    Combined results: the mean of the rounds' requests per second, the median of their
    p50 and p99 latencies, counts summed."""
    warmups = []
    if warmup:
        bare_warmup = run_wrk(bare.url + bare_path, script, warmup, "warmup-bare")
        warmups.append((run_wrk(ours.url + ours_path, script, warmup, "warmup-ours"), bare_warmup))
    pairs = []
    for number in range(1, rounds + 1):
        bare_result = run_wrk(bare.url + bare_path, script, seconds, f"bare{number}", number)
        ours_result = run_wrk(ours.url + ours_path, script, seconds, f"ours{number}", number)
        pairs.append((ours_result, bare_result))
    return Comparison(combine([p[0] for p in pairs]), combine([p[1] for p in pairs]), pairs, warmups)


def combine(results: list[WrkResult]) -> WrkResult:
    if len(results) == 1:
        return results[0]
    statuses: dict = {}
    socket_errors: dict = {}
    for result in results:
        for code, count in result.statuses.items():
            statuses[code] = statuses.get(code, 0) + count
        for kind, count in result.socket_errors.items():
            socket_errors[kind] = socket_errors.get(kind, 0) + count
    return WrkResult(
        rps=statistics.fmean(r.rps for r in results),
        p50_ms=statistics.median(r.p50_ms for r in results),
        p99_ms=statistics.median(r.p99_ms for r in results),
        requests=sum(r.requests for r in results),
        statuses=statuses,
        socket_errors=socket_errors,
        non_2xx_3xx=sum(r.non_2xx_3xx for r in results),
    )


# --- results -----------------------------------------------------------------------------


def ratio(ours: float, bare: float) -> float:
    return ours / bare if bare else 0.0


def describe(name: str, result: WrkResult) -> str:
    codes = ", ".join(f"{code}: {n}" for code, n in sorted(result.statuses.items()))
    return (
        f"{name}: {result.rps:.1f} req/s, p50 {result.p50_ms:.2f} ms, p99 {result.p99_ms:.2f} ms, "
        f"{result.requests} requests ({codes}), errors {result.errors}"
    )


def row(endpoint: str, db_kind: str, comparison: Comparison, **extra) -> dict:
    """One line of bench/RESULTS.md's table, with every round's figures."""
    ours, bare = comparison.ours, comparison.bare
    return dict(
        endpoint=endpoint,
        db=db_kind,
        rps=round(ours.rps, 1),
        p50_ms=round(ours.p50_ms, 2),
        p99_ms=round(ours.p99_ms, 2),
        bare_rps=round(bare.rps, 1),
        bare_p50_ms=round(bare.p50_ms, 2),
        bare_p99_ms=round(bare.p99_ms, 2),
        ratio=round(ratio(ours.rps, bare.rps), 3),
        round_ratios=[round(ratio(o.rps, b.rps), 3) for o, b in comparison.rounds],
        ours=asdict(ours),
        bare=asdict(bare),
        **extra,
    )


def headline(**figures) -> str:
    """The last line of a benchmark: name=value pairs, three significant figures (whole
    numbers from 100 up)."""

    def number(value) -> str:
        if isinstance(value, float):
            return f"{value:.0f}" if abs(value) >= 100 else f"{value:.3g}"
        return str(value)

    return " ".join(f"{name}={number(value)}" for name, value in figures.items())


def finish(args, report: dict, line: str, valid: bool = True) -> None:
    """Write the JSON report if asked, print the headline as the last line, and fail the
    process when the run was invalid (errors, lost registrations)."""
    settings = {name: getattr(args, name, None) for name in ("db", "seconds", "rounds", "warmup", "smoke")}
    report = dict(report, headline=line, valid=valid, **settings)
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(json.dumps(report, indent=2, default=str))
    print(line, flush=True)
    if not valid:
        sys.exit(1)


@contextlib.contextmanager
def workdir(name: str):
    with tempfile.TemporaryDirectory(prefix=f"noiday-bench-{name}-") as directory:
        yield Path(directory)
