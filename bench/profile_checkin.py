"""Where a scan's time goes, in one process: statements, Redis commands and CPU per scan.

    python bench/profile_checkin.py [--db sqlite|postgresql] [--scans 2000] [--profile] [--smoke]

Builds the production app (bench/common.make_app) on a fresh database with Redis for the rate
limits (RATELIMIT_STORAGE_URI, else redis://127.0.0.1:6379/0, with a key prefix of its own),
creates attendees and desks, and posts N first scans to /api/v1/scan through the test client.
Counts per scan: the database round trips (statements, BEGIN, COMMIT, ROLLBACK and the pool's
pre-ping), the Redis commands, and the CPU (process time) median over the scans; --profile adds
cProfile's top 30 by cumulative and by own time. No load from outside: the figures do not
depend on what else the machine is doing (CPU time a little).
Last line: statements_per_scan=S round_trips_per_scan=R redis_per_scan=C cpu_ms_per_scan=T
"""

import cProfile
import io
import os
import pstats
import statistics
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

REDIS_URL = os.environ.get("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")


class RoundTrips:
    """Counts what one engine sends the database, by kind, while installed."""

    def __init__(self, engine):
        from sqlalchemy import event

        self.counts = Counter()
        event.listen(engine, "before_cursor_execute", self._statement)
        for name in ("begin", "commit", "rollback"):
            event.listen(engine, name, self._counter(name))
        dialect = engine.dialect
        original_ping = dialect.do_ping

        def counting_ping(dbapi_connection):
            self.counts["pre_ping"] += 1
            return original_ping(dbapi_connection)

        dialect.do_ping = counting_ping

    def _statement(self, conn, cursor, statement, parameters, context, executemany):
        self.counts["statement"] += 1
        self.counts["statement: " + " ".join(statement.split())[:90]] += 1

    def _counter(self, name):
        def count(*args):
            self.counts[name] += 1

        return count

    def total(self) -> int:
        return sum(self.counts[k] for k in ("statement", "begin", "commit", "rollback", "pre_ping"))


class RedisCommands:
    """Counts the commands redis-py sends (pipelined ones each), while installed."""

    def __init__(self):
        import redis.connection

        self.count = 0
        self.names = Counter()
        connection = redis.connection.AbstractConnection
        send_command, pack_commands = connection.send_command, connection.pack_commands
        counter = self

        def counting_send(self, *args, **kwargs):
            counter.add(args)
            return send_command(self, *args, **kwargs)

        def counting_pack_commands(self, commands):
            commands = list(commands)
            for command in commands:
                counter.add(command)
            return pack_commands(self, commands)

        connection.send_command, connection.pack_commands = counting_send, counting_pack_commands

    def add(self, command) -> None:
        self.count += 1
        self.names[str(command[0])] += 1


def prepare(database, count: int, desks: int) -> tuple[list[str], list[str]]:
    """Badge tokens of `count` new confirmed attendees and the tokens of `desks` new desks
    (beside any a benchmark made before on this database)."""
    from app.checkin.desks import create_desk_device
    from app.extensions import db

    app = common.make_app(database)
    with app.app_context():
        event = common.moca_event()
        label = uuid.uuid4().hex[:6]
        codes = common.badge_tokens(event, common.insert_attendees(event, count, prefix=f"profile-{label}"))
        tokens = [create_desk_device(event, f"Profilo {label} {n}")[1] for n in range(1, desks + 1)]
        db.session.remove()
    return codes, tokens


def scan_once(client, code: str, token: str):
    body = {"code": code, "request_id": uuid.uuid4().hex}
    response = client.post(
        "/api/v1/scan", json=body, headers={"Authorization": f"Bearer {token}"}, base_url="https://127.0.0.1"
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json["reason"] == "checked_in", response.json
    return response


def measure(database, scans: int, desks: int, profile: bool, profile_file=None) -> dict:
    codes, tokens = prepare(database, scans + 20, desks)
    app = common.make_app(
        database, RATELIMIT_STORAGE_URI=REDIS_URL, RATELIMIT_KEY_PREFIX=f"profile-{uuid.uuid4().hex[:8]}"
    )
    from app.extensions import db

    with app.app_context():
        trips = RoundTrips(db.engine)
    redis_commands = RedisCommands()
    client = app.test_client()
    for n in range(20):  # warm-up: connections, first compilations, the limiter's script
        scan_once(client, codes[scans + n], tokens[n % len(tokens)])
    trips.counts.clear()
    redis_commands.count = 0
    redis_commands.names.clear()
    cpu = []
    # CPU time, not wall time: the waits for the database are counted as round trips instead.
    profiler = cProfile.Profile(time.process_time) if profile else None
    for n in range(scans):
        started = time.process_time()
        if profiler:
            profiler.enable()
        scan_once(client, codes[n], tokens[n % len(tokens)])
        if profiler:
            profiler.disable()
        cpu.append((time.process_time() - started) * 1000)
    if profiler:
        if profile_file:
            profiler.dump_stats(profile_file)
        for order in ("cumulative", "tottime"):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(30)
            common.log(out.getvalue())
    for name, count in sorted(trips.counts.items()):
        common.log(f"  {count / scans:6.2f} a scan  {name}")
    for name, count in sorted(redis_commands.names.items()):
        common.log(f"  {count / scans:6.2f} a scan  redis {name}")
    return {
        "statements_per_scan": trips.counts["statement"] / scans,
        "round_trips_per_scan": trips.total() / scans,
        "redis_per_scan": redis_commands.count / scans,
        "cpu_ms_per_scan": statistics.median(cpu),
    }


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--pg-url", default=common.PG_ADMIN_URL)
    parser.add_argument("--scans", type=int, default=2000)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--profile-file", help="also write cProfile's figures there (pstats)")
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args()
    scans = 20 if args.smoke else args.scans
    with (
        common.workdir("profile-checkin") as workdir,
        common.BenchDatabase(args.db, "profcheckin", workdir, pg_url=args.pg_url) as database,
    ):
        figures = measure(database, scans, 16, args.profile or bool(args.profile_file), args.profile_file)
    common.log(common.headline(**figures))


if __name__ == "__main__":
    main()
