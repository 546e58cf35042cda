"""The assignment benchmark runs, and on its smoke instance the engine is optimal."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAST_LINE = re.compile(
    r"first_of_max=(?P<F>\d+\.\d+) outside_excess=(?P<X>-?\d+) greedy_first_pct=(?P<G>\d+\.\d+) "
    r"engine_first_pct=(?P<E>\d+\.\d+) solve_s_30000=(?P<S>\d+\.\d+)"
)


def test_smoke_benchmark_reports_an_optimal_engine():
    run = subprocess.run(
        [sys.executable, "bench/assignment.py", "--smoke"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    last = run.stdout.strip().splitlines()[-1]
    figures = LAST_LINE.fullmatch(last)
    assert figures, last
    assert float(figures["F"]) == 1.0
    assert int(figures["X"]) == 0
    assert float(figures["E"]) >= float(figures["G"])
