"""Each benchmark still runs: a tiny smoke run (--smoke: a few attendees, 2-second load runs)
on the tests' database server (PostgreSQL when TEST_DATABASE_URL names one, else SQLite).

Only the shape of the headline is checked, never a speed: speed is measured by `make bench`.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEADLINE = re.compile(r"[a-z0-9_]+=-?[0-9.]+(e[+-]?[0-9]+)?( [a-z0-9_]+=-?[0-9.]+(e[+-]?[0-9]+)?)*")
EXPECTED_NAMES = {
    "checkin": ["checkin_ratio", "p50_ms", "p99_ms"],
    "registration": ["registration_floor_fraction", "regs_per_s"],
    "public_page": ["programme_ratio", "rps"],
    "badges": ["badges_per_s", "mail_ratio"],
    "facilitators": ["notes_ratio", "p50_ms", "p99_ms"],
    "many_events": ["many_events_growth_registration", "many_events_growth_scan", "many_events_growth_list"],
}


def database_options() -> list[str]:
    url = os.environ.get("TEST_DATABASE_URL", "")
    return ["--db", "postgresql", "--pg-url", url] if url.startswith("postgres") else ["--db", "sqlite"]


@pytest.mark.parametrize("script", sorted(EXPECTED_NAMES))
def test_benchmark_smoke_run_prints_its_headline(script):
    if script not in ("badges", "many_events"):  # in one process, no HTTP load
        assert shutil.which("wrk"), "the HTTP benchmarks need wrk: apt-get install wrk"
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / f"{script}.py"), "--smoke", *database_options()],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    last_line = done.stdout.strip().splitlines()[-1]
    assert HEADLINE.fullmatch(last_line), last_line
    assert [pair.split("=")[0] for pair in last_line.split()] == EXPECTED_NAMES[script]
