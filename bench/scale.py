"""Benchmark: one event's requests as it grows from 400 to 3,000 and 30,000 attendees,
beside 49 other events and their 98,000 attendees.

    python bench/scale.py [--db sqlite|postgresql] [--smoke] [--report PATH]

In this process (Flask's test client of the production app, one request at a time: the
question is what each request costs, not how many a server answers). On a fresh database
with the MO.CA day, loads 49 other events with 2,000 attendees each (bench/many_events.py),
then gives the MO.CA day 400 attendees, then 3,000, then 30,000 (bulk inserts, then ANALYZE,
as autovacuum would). At each size it measures the median time of: a registration (the
real form POST with CSRF), a scan (a first check-in through the API), the arrivals list,
the organisers' attendee list (first page) and a search in it, the attendee CSV and the
report of the day (Markdown), with the peak of the memory Python allocated while each
was made (tracemalloc, one separate request), and the time of an assignment run with its
publication (each new person is e-mailed their table). Each median is of 30 requests (3
for the CSV and the report), or of fewer, 3 at least, once they pass 10 s in all. Growth:
median at the largest size over median at the smallest, in the same run (1.0: flat).

Last line: scale_growth_registration=G scale_growth_scan=G scale_growth_arrivals=G
scale_growth_list=G scale_growth_search=G scale_growth_csv=G scale_growth_report=G
"""

import logging
import re
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402
from bench.many_events import BASE, REFERER, Measures, prepare  # noqa: E402

ORGANISER = "organiser@example.org"
# Measured at every size: (name, expected status). The CSV and the report are timed on
# fewer repetitions (they grow with the event by nature: their growth is per person too).
REQUESTS = {
    "registration": 302,
    "scan": 200,
    "arrivals": 200,
    "attendee_list": 200,
    "search": 200,
}
EXPORTS = {"csv": 200, "report": 200}


class ScaleMeasures(Measures):
    """many_events.py's requests, and the arrivals list, the CSV, the report, and the
    assignment with its publication."""

    def refill(self, badges: list[str]) -> None:
        self.badges = iter(badges)

    def arrivals(self):
        return self.admin.get(f"{common.EVENT}/arrivals/", base_url=BASE)

    def csv(self, buffered=True):
        return self.admin.get(f"{common.EVENT}/admin/attendees.csv", base_url=BASE, buffered=buffered)

    def report(self, buffered=True):
        return self.admin.get(f"{common.EVENT}/admin/report.md", base_url=BASE, buffered=buffered)

    def assignment_with_publication(self) -> float:
        """Seconds of a run (POST), its publication page (GET) and the publication (POST)."""
        page = self.admin.get(f"{common.EVENT}/admin/assignment/", base_url=BASE).get_data(as_text=True)
        token = _csrf(page)
        started = time.perf_counter()
        answer = self.admin.post(
            f"{common.EVENT}/admin/assignment/",
            data={"csrf_token": token, "mixing_weight": "0", "seed": "0"},
            base_url=BASE,
            headers=REFERER,
        )
        assert answer.status_code == 302, f"assignment run: {answer.status_code}"
        publish_url = answer.headers["Location"].removeprefix(BASE) + "/publish"
        page = self.admin.get(publish_url, base_url=BASE)
        assert page.status_code == 200, f"publication page: {page.status_code}"
        plan = re.search(r'name="plan" type="hidden" value="([^"]+)"', page.get_data(as_text=True)).group(1)
        fields = {"csrf_token": token, "plan": plan}
        answer = self.admin.post(publish_url, data=fields, base_url=BASE, headers=REFERER)
        took = time.perf_counter() - started
        assert answer.status_code == 302, f"publication: {answer.status_code}"
        return took


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def timed(request, expected: int, repeats: int, budget_s: float = 10) -> float:
    """Median milliseconds of `repeats` requests, after one warm-up request; of fewer (3
    at least) when they take longer than `budget_s` in all, so a full run stays short."""
    answer = request()
    assert answer.status_code == expected, f"{request.__name__}: {answer.status_code}"
    times = []
    while len(times) < repeats and (len(times) < 3 or sum(times) < budget_s * 1000):
        start = time.perf_counter()
        answer = request()
        answer.get_data()
        times.append((time.perf_counter() - start) * 1000)
        assert answer.status_code == expected, f"{request.__name__}: {answer.status_code}"
    return statistics.median(times)


def peak_memory(request) -> tuple[float, int]:
    """(MB, bytes): the peak of what Python allocated while the answer was made and read
    chunk by chunk, as a server sends it (the client keeps none of it), and its size."""
    tracemalloc.start()
    try:
        answer = request(buffered=False)
        size = sum(len(chunk) for chunk in answer.iter_encoded())
        answer.close()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak / 1e6, size


def grow_to(app, size: int, have: int, scans: int) -> list[str]:
    """The MO.CA day's attendees up to `size` (bulk), statistics refreshed; badges of
    `scans` of the new ones, still to be scanned."""
    from sqlalchemy import select
    from sqlalchemy import text as sql

    from app.extensions import db
    from app.models import CafeTable, Event

    with app.app_context():
        event = db.session.execute(select(Event).filter_by(slug=common.EVENT.strip("/"))).scalar_one()
        ids = common.insert_attendees(event, size - have, prefix=f"size{size}")
        # Seats for everyone (30% to spare, as the organisers would plan for such a day).
        tables = db.session.scalars(select(CafeTable).filter_by(event_id=event.id)).all()
        for table in tables:
            table.capacity = max(table.capacity, -(-size * 13 // (10 * len(tables))))
        db.session.execute(sql("ANALYZE"))
        db.session.commit()
        badges = common.badge_tokens(event, ids[-scans:])
        db.session.remove()
    return badges


def measure_size(measures: ScaleMeasures, repeats: int, export_repeats: int) -> dict:
    figures = {name: timed(getattr(measures, name), ok, repeats) for name, ok in REQUESTS.items()}
    for name, ok in EXPORTS.items():
        figures[name] = timed(getattr(measures, name), ok, export_repeats)
        figures[f"{name}_peak_mb"], figures[f"{name}_bytes"] = peak_memory(getattr(measures, name))
    figures["assignment_s"] = measures.assignment_with_publication()
    return figures


def main() -> None:
    args = common.arguments(__doc__.splitlines()[0], http=False)
    if args.smoke:
        sizes, others, per_event, repeats, export_repeats = (40, 120), 0, 0, 3, 1
    else:
        sizes, others, per_event, repeats, export_repeats = (
            (400, 3000, 30000),
            args.others,
            common.OTHER_ATTENDEES,
            30,
            3,
        )
    results: dict[int, dict] = {}
    with common.workdir("scale") as workdir:
        event_file = common.raised_capacity_event_file(workdir)
        with common.BenchDatabase(
            args.db, "scale", workdir, event_file, pg_url=args.pg_url, others=others
        ) as database:
            app = common.make_app(database, RATELIMIT_ENABLED=False)  # one address sends everything
            logging.getLogger("noiday.requests").setLevel(logging.WARNING)  # a line per request
            have = 0
            fields, badges, desk_token = prepare(app, 0)  # the desk device and the organiser
            measures = ScaleMeasures(app, fields, [], desk_token, ORGANISER)
            for size in sizes:
                started = time.perf_counter()
                measures.refill(grow_to(app, size, have, scans=repeats + 1))
                have = size
                common.log(f"{size} attendees loaded in {time.perf_counter() - started:.1f} s")
                results[size] = measure_size(measures, repeats, export_repeats)
                common.log(f"{size}: " + ", ".join(f"{k} {v:.4g}" for k, v in results[size].items()))
    small, large = results[sizes[0]], results[sizes[-1]]
    measured = [*REQUESTS, *EXPORTS, *(f"{name}_peak_mb" for name in EXPORTS)]
    growth = {name: round(large[name] / small[name], 3) for name in measured}
    growth["assignment_per_person"] = round(
        (large["assignment_s"] / sizes[-1]) / (small["assignment_s"] / sizes[0]), 3
    )
    print_table(sizes, results, growth)
    report = {
        "sizes": list(sizes),
        "other_events": others,
        "other_attendees": others * per_event,
        "figures": {str(size): figures for size, figures in results.items()},
        "growth": growth,
    }
    line = common.headline(**{f"scale_growth_{name}": growth[_NAME.get(name, name)] for name in HEADLINE})
    common.finish(args, report, line)


HEADLINE = ["registration", "scan", "arrivals", "list", "search", "csv", "report"]
_NAME = {"list": "attendee_list"}


def _figure(value: float) -> str:
    return f"{value:,.0f}" if value >= 1000 else f"{value:.4g}"


def print_table(sizes, results: dict, growth: dict) -> None:
    rows = [*REQUESTS, *EXPORTS, "csv_peak_mb", "report_peak_mb", "csv_bytes", "assignment_s"]
    common.log("| request | " + " | ".join(f"{size:,}" for size in sizes) + " | growth |")
    for name in rows:
        unit = "" if name.endswith(("_mb", "_bytes", "_s")) else " ms"
        cells = " | ".join(f"{_figure(results[size][name])}{unit}" for size in sizes)
        common.log(f"| {name} | {cells} | {growth.get(name, '')} |")


if __name__ == "__main__":
    main()
