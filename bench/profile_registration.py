"""Profile one registration in-process: the real form, through the production app.

    python bench/profile_registration.py [--db sqlite|postgresql] [--count 200] [--sizes 400,3000,30000]

Each visitor opens the form (GET /<slug>/register: session cookie and CSRF token) through
the test client of the production app, then POSTs it with a new address (X-Forwarded-For
style, a REMOTE_ADDR of its own, so the per-address rate limit stays out of the way). Prints
the SQL statements of one registration (SQLAlchemy's before_cursor_execute) and their
count, the median CPU time of a POST over --count registrations, the cProfile top 30, then
the median of a POST with 400, 3,000 and 30,000 confirmed attendees already in the event
(bench/common.insert_attendees). No load generator: figures that the machine's other work
changes little (statements, CPU time of this process).
Last line: registration_statements=S registration_cpu_ms=C.
"""

import argparse
import cProfile
import pstats
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402
from bench.registration import form_fields  # noqa: E402

BASE = "http://127.0.0.1"  # PUBLIC_URL's host: the only one production answers for
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class Visitors:
    """Test clients that open the form and post it, each from an address of its own."""

    def __init__(self, app, fields: str):
        self.app, self.fields, self.number = app, fields, 0

    def opened_form(self):
        self.number += 1
        address = f"10.9.{self.number // 256 % 256}.{self.number % 256}"
        client = self.app.test_client()
        client.environ_base["REMOTE_ADDR"] = address
        page = client.get(common.EVENT + "/register", base_url=BASE).get_data(as_text=True)
        return client, TOKEN.search(page).group(1)

    def post(self, client, token: str) -> None:
        body = f"{self.fields}&csrf_token={token}&email=profile-{self.number}-{time.time_ns()}%40example.org"
        answer = client.post(
            common.EVENT + "/register",
            base_url=BASE,
            data=body,
            content_type="application/x-www-form-urlencoded",
        )
        assert answer.status_code == 302, answer.get_data(as_text=True)[:2000]


def statements_of_one(app, visitors: Visitors) -> list[str]:
    from sqlalchemy import event as sa_event

    from app.extensions import db

    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(" ".join(statement.split())[:160])

    client, token = visitors.opened_form()
    with app.app_context():
        engine = db.engine
    sa_event.listen(engine, "before_cursor_execute", record)
    try:
        visitors.post(client, token)
    finally:
        sa_event.remove(engine, "before_cursor_execute", record)
    return seen


def cpu_ms(visitors: Visitors, count: int) -> tuple[float, float]:
    """Median CPU and wall milliseconds of a POST."""
    cpu, wall = [], []
    for _ in range(count):
        client, token = visitors.opened_form()
        c0, w0 = time.process_time(), time.perf_counter()
        visitors.post(client, token)
        cpu.append((time.process_time() - c0) * 1000)
        wall.append((time.perf_counter() - w0) * 1000)
    return statistics.median(cpu), statistics.median(wall)


def profile(visitors: Visitors, count: int) -> None:
    forms = [visitors.opened_form() for _ in range(count)]
    profiler = cProfile.Profile(time.process_time)  # CPU, not waits on the database
    profiler.enable()
    for client, token in forms:
        visitors.post(client, token)
    profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stderr)
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(30)


def grow_to(app, size: int) -> None:
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import Attendee, AttendeeStatus

    with app.app_context():
        event = common.moca_event()
        have = db.session.scalar(
            select(func.count())
            .select_from(Attendee)
            .filter_by(event_id=event.id, status=AttendeeStatus.CONFIRMED)
        )
        if size > have:
            common.insert_attendees(event, size - have, prefix=f"grow{size}")
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("ANALYZE")  # as autovacuum would after a bulk load
        db.session.remove()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--sizes", default="400,3000,30000")
    parser.add_argument("--no-profile", action="store_true")
    args = parser.parse_args()
    with common.workdir("profile_registration") as workdir:
        event_file = common.raised_capacity_event_file(workdir)
        with common.BenchDatabase(args.db, "profile_registration", workdir, event_file) as database:
            fields = form_fields(database)
            app = common.make_app(database, RATELIMIT_STORAGE_URI="memory://")
            visitors = Visitors(app, fields)
            cpu_ms(visitors, 20)  # warm: templates compiled, pools filled
            statements = statements_of_one(app, visitors)
            for statement in statements:
                common.log(f"  SQL {statement}")
            common.log(f"statements per registration: {len(statements)}")
            cpu, wall = cpu_ms(visitors, args.count)
            common.log(f"median of {args.count} POSTs: cpu {cpu:.2f} ms, wall {wall:.2f} ms")
            if not args.no_profile:
                profile(visitors, args.count)
            for size in [int(s) for s in args.sizes.split(",") if s]:
                grow_to(app, size)
                cpu_at, wall_at = cpu_ms(visitors, max(args.count // 2, 20))
                common.log(f"{size} confirmed attendees: median cpu {cpu_at:.2f} ms, wall {wall_at:.2f} ms")
    print(f"registration_statements={len(statements)} registration_cpu_ms={cpu:.2f}")


if __name__ == "__main__":
    main()
