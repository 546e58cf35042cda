"""The assignment benchmark runs, and on its smoke instance the engine is optimal and
places groups at no cost in first choices."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAST_LINE = re.compile(
    r"first_of_max=(?P<F>\d+\.\d+) outside_excess=(?P<X>-?\d+) greedy_first_pct=(?P<G>\d+\.\d+) "
    r"engine_first_pct=(?P<E>\d+\.\d+) solve_s_30000=(?P<S>\d+\.\d+)"
)

GROUPS_LINE = re.compile(
    r"groups mode=(?P<mode>\w+) n=\d+ groups=(?P<G>\d+) kept=(?P<K>\d+) kept_ignoring=(?P<KI>\d+) "
    r"pairs=(?P<P>\d+) pairs_ignoring=(?P<PI>\d+) first_given_up=(?P<F>-?\d+) proven=True "
    r"seconds=\d+\.\d+ of_ignoring=\d+\.\d+"
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
    groups = {m["mode"]: m for m in map(GROUPS_LINE.fullmatch, run.stdout.splitlines()) if m}
    assert set(groups) == {"together", "spread"}
    together, spread = groups["together"], groups["spread"]
    assert int(together["G"]) > 0 and int(together["F"]) == int(spread["F"]) == 0
    assert int(together["K"]) >= int(together["KI"]) and int(spread["P"]) <= int(spread["PI"])
