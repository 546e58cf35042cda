"""Each benchmark still runs: a tiny smoke run (--smoke: a few attendees, 1-second load runs)
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
    "checkin": ["checkin_floor_fraction", "p50_ms", "p99_ms"],
    "registration": ["registration_floor_fraction", "regs_per_s", "stack_floor_fraction"],
    "public_page": ["programme_ratio", "rps"],
    "badges": ["mail_floor_fraction", "badges_per_s"],
    "facilitators": ["notes_floor_fraction", "p50_ms", "p99_ms"],
    "arrivals": ["arrivals_floor_fraction", "p50_ms", "p99_ms"],
    "many_events": ["many_events_growth_registration", "many_events_growth_scan", "many_events_growth_list"],
    "desk_browser": [
        "desk_p95_ms",
        "desk_cold_load_ms",
        "desk_p50_ms",
        "camera_first_frame_to_green_ms",
        "camera_start_to_green_ms",
        "desk_warm_load_ms",
    ],
    "scale": [
        "scale_growth_registration",
        "scale_growth_scan",
        "scale_growth_arrivals",
        "scale_growth_list",
        "scale_growth_search",
        "scale_growth_csv",
        "scale_growth_report",
    ],
}
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def database_options() -> list[str]:
    url = os.environ.get("TEST_DATABASE_URL", "")
    return ["--db", "postgresql", "--pg-url", url] if url.startswith("postgres") else ["--db", "sqlite"]


@pytest.mark.parametrize("script", sorted(EXPECTED_NAMES))
def test_benchmark_smoke_run_prints_its_headline(script):
    if script == "desk_browser" and not os.path.exists(CHROMIUM):
        pytest.skip(f"the desk's browser benchmark needs Chromium at {CHROMIUM}: apt-get install chromium")
    if script not in ("badges", "many_events", "desk_browser", "scale"):  # in one process, no HTTP load
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


def test_run_all_writes_results_even_when_every_script_failed(tmp_path):
    """bench/run_all.py's writer takes every section's reports, with figures or none (a
    failed script): a section that returns nothing would lose a whole `make bench`."""
    sys.path.insert(0, str(ROOT / "bench"))
    import run_all

    reports = [
        {
            "name": name,
            "db": db,
            "log": "bench/out/x.log",
            "headline": "",
            "returncode": 1,
            "failure": ["boom"],
        }
        for name in [*EXPECTED_NAMES, "assignment"]
        for db in run_all.DATABASES
    ]
    info = dict(nproc=2, cpu="cpu", python="3", wrk="wrk", gunicorn="gunicorn", started="a", finished="b")
    run_all.write_results(tmp_path / "RESULTS.md", reports, dict(info, load_before="0", load_after="0"), True)
    text = (tmp_path / "RESULTS.md").read_text()
    assert "## Aims (from the issues)" in text and "check-in at least 0.5 of its floor" in text
