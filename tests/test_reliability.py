"""The app holds when a worker dies mid-load and when PostgreSQL restarts under load."""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from conftest import free_port, running_gunicorn
from helpers import form_fields, register_someone
from sqlalchemy import func, select

from app.checkin.badges import badge_token
from app.checkin.desks import create_desk_device
from app.extensions import db
from app.models import Attendee, CheckIn


def worker_pids(master) -> list[int]:
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    return [int(pid) for pid in children]


def register_until_acknowledged(base, fields, deadline):
    """A patient attendee: on a dropped connection, submit again (same e-mail)."""
    while time.time() < deadline:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()), NoRedirect())
        try:
            page = opener.open(f"{base}/brescia-citta-del-noi/register", timeout=10).read().decode()
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
            body = urllib.parse.urlencode({"csrf_token": token, **fields}, doseq=True).encode()
            status = opener.open(f"{base}/brescia-citta-del-noi/register", data=body, timeout=10).status
        except urllib.error.HTTPError as answer:
            status = answer.code
        except (OSError, urllib.error.URLError):
            time.sleep(0.2)
            continue
        if status in (200, 302):  # 200: "already registered" after a retry whose first try landed
            return status
        time.sleep(0.2)
    return None


def scan_until_acknowledged(base, token, code, request_id, deadline):
    while time.time() < deadline:
        request = urllib.request.Request(
            f"{base}/api/v1/scan",
            data=json.dumps({"code": code, "request_id": request_id}).encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        try:
            return json.loads(urllib.request.urlopen(request, timeout=10).read())["reason"]
        except (OSError, urllib.error.URLError, ValueError):
            time.sleep(0.2)
    return None


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_killing_a_worker_mid_load_loses_and_doubles_nothing(app, event, database_url, tmp_path):
    people = [register_someone(event) for _ in range(30)]
    codes = [badge_token(p) for p in people]
    _, desk_token = create_desk_device(event, "Desk 1")
    newcomers = [form_fields(event, email=f"newcomer{n}@example.org") for n in range(30)]
    with running_gunicorn(database_url, tmp_path / "g.log", workers=3, threads=2) as (base, master):
        deadline = time.time() + 90
        killed = []

        def kill_a_worker():
            killed.append(worker_pids(master)[0])
            os.kill(killed[0], signal.SIGKILL)

        killer = threading.Timer(0.5, kill_a_worker)
        killer.start()
        with ThreadPoolExecutor(8) as pool:
            registrations = list(
                pool.map(lambda f: register_until_acknowledged(base, f, deadline), newcomers)
            )
            scans = list(
                pool.map(
                    lambda n: scan_until_acknowledged(base, desk_token, codes[n], f"req-{n}", deadline),
                    range(30),
                )
            )
        killer.join()
        assert killed and killed[0] not in worker_pids(master), "a worker really died mid-load"
    assert None not in registrations and None not in scans, "every request was acknowledged in the end"
    db.session.expire_all()
    emails = set(db.session.scalars(select(Attendee.email).where(Attendee.email.like("newcomer%"))))
    assert emails == {f["email"].lower() for f in newcomers}, "every acknowledged registration is there, once"
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 30, (
        "one check-in per scanned badge"
    )
    assert set(scans) <= {"checked_in"}, "a retried scan answers as the first one did"


def _postgres_bin() -> Path | None:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return versions[-1].parent if versions else None


@pytest.fixture
def own_postgres(tmp_path):
    """A PostgreSQL server of this test's own (so restarting it disturbs no other test)."""
    bin_dir = _postgres_bin()
    if bin_dir is None or shutil.which("runuser") is None:
        pytest.fail("PostgreSQL server binaries are needed (scripts/postgres-up.sh installs them)")
    data = Path(f"/tmp/noiday-pg-{os.getpid()}-{free_port()}")
    data.mkdir()
    shutil.chown(data, "postgres")
    port = free_port()
    as_postgres = ["runuser", "-u", "postgres", "--"]
    subprocess.run(as_postgres + [str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"],
                   check=True, capture_output=True)  # fmt: skip

    def pg_ctl(*args):
        command = [str(bin_dir / "pg_ctl"), "-D", str(data), "-w", "-l", str(data / "log")]
        subprocess.run(as_postgres + command + list(args), check=True, capture_output=True)

    pg_ctl("-o", f"-p {port} -k /tmp -h 127.0.0.1", "start")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", pg_ctl
    finally:
        pg_ctl("-m", "immediate", "stop")
        shutil.rmtree(data, ignore_errors=True)


def test_the_app_recovers_by_itself_after_postgresql_restarts(own_postgres, tmp_path):
    url, pg_ctl = own_postgres
    env = dict(os.environ, DATABASE_URL=url, FLASK_APP="wsgi.py")
    root = Path(__file__).resolve().parent.parent
    flask = str(Path(sys.executable).parent / "flask")
    subprocess.run([flask, "db", "upgrade"], cwd=root, env=env, check=True, capture_output=True)
    subprocess.run(
        [flask, "event", "load", "data/moca.yaml"], cwd=root, env=env, check=True, capture_output=True
    )
    with running_gunicorn(url, tmp_path / "g.log", workers=2, threads=2) as (base, _):

        def health():
            try:
                return urllib.request.urlopen(f"{base}/healthz", timeout=5).status
            except urllib.error.HTTPError as error:
                return error.code
            except OSError:
                return None

        assert health() == 200
        pg_ctl("-m", "fast", "restart")
        answers = []
        deadline = time.time() + 20
        while time.time() < deadline:
            answers.append(health())
            if answers[-1] == 200 and len(answers) > 3:
                break
            time.sleep(0.2)
        assert answers[-1] == 200, f"the app did not recover: {answers}"
        fields = form_fields_for_any_event()
        assert register_until_acknowledged(base, fields, time.time() + 20) == 302


def form_fields_for_any_event():
    """What a person types, with the MO.CA ids as loaded into a fresh database."""
    return {
        "first_name": "Ripresa",
        "last_name": "Dopo il riavvio",
        "email": "after.restart@example.org",
        "participant_type": "citizen",
        "day_parts": ["1"],
        "language": "it",
        "consent_privacy": "y",
    }
