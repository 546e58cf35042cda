"""Benchmark: the check-in API (POST /api/v1/scan) against a bare Flask JSON endpoint.

    python bench/checkin.py [--db sqlite|postgresql] [--seconds 5] [--rounds 4] [--smoke]

Creates confirmed attendees and desk devices, then wrk (32 connections) POSTs
{"code": <a badge token>, "request_id": <unique>} with a desk's bearer token, cycling
through the badges, to our app, and the same requests to the bare app's /json, both
under gunicorn with the same settings (bench/common.py). There are enough attendees for
every scan of a full run to be a first check-in (a write), the busiest case at the doors.
The floor (a second table row): the bare app's /json-write, which writes each scan as one row
and commits, against its /json, in the same run: what any check-in that records the scan
can reach under this server at most. The required floor (a third row): its /json-checkin,
the driver alone doing what the issue asks of a scan (the attendee's row locked and read, to
show who it is, and the scan written, in one transaction).
After the load runs, a few scans in this process count what one scan costs (bench/
profile_checkin.py): database statements, round trips (with BEGIN, COMMIT and any pre-ping)
and Redis commands, in the log and in the first row (statements_per_scan, round_trips_per_scan,
redis_per_scan, cpu_ms_per_scan).
Last line: checkin_floor_fraction=F p50_ms=A p99_ms=B: F is our scans a second over the
required floor's (/json-checkin) in the same run; our p50/p99 latency.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import bare_app, common, profile_checkin  # noqa: E402

SCRIPT = """
codes = %(codes)s
attendees = %(attendees)s
desks = %(desks)s
-- Each run (the warm-up is number 0) scans its own share of the badges, each thread its
-- own half of that share, so that a badge is scanned once; request ids are unique per run.
share = math.floor(#codes / %(runs)d / 2)

request = function()
  counter = counter + 1
  local index = ((run_number * 2 + tid - 1) * share + (counter - 1) %% share) %% #codes + 1
  local request_id = run .. "-" .. tid .. "-" .. counter
  -- "attendee" is for the bare app's /json-checkin floor (our API reads only the code).
  local body = '{"code": "' .. codes[index] .. '", "request_id": "' .. request_id
    .. '", "attendee": ' .. attendees[index] .. '}'
  local headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. desks[(counter * 2 + tid) %% #desks + 1],
  }
  return wrk.format("POST", nil, headers, body)
end
"""


def prepare(database, count: int, desks: int) -> tuple[list[int], list[str], list[str]]:
    """The ids and badge tokens of `count` confirmed attendees, and the tokens of `desks`
    desk devices."""
    from app.checkin.desks import create_desk_device
    from app.extensions import db

    app = common.make_app(database)
    with app.app_context():
        event = common.moca_event()
        ids = common.insert_attendees(event, count)
        codes = common.badge_tokens(event, ids)
        tokens = [create_desk_device(event, f"Banco {n}")[1] for n in range(1, desks + 1)]
        db.session.remove()
    return ids, codes, tokens


def count_check_ins(database) -> int:
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import CheckIn

    app = common.make_app(database)
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(CheckIn))


def main() -> None:
    args = common.arguments(__doc__.splitlines()[0])
    # Badges for 1,000 scans a second in every run (the warm-up's share as large as a round's):
    # several times what we see, so that every scan is a first check-in.
    attendees = 50 if args.smoke else 1000 * args.seconds * (args.rounds + 1)
    # The API allows a desk 600 scans a minute (a runaway client, not a busy desk, hits
    # that), so the load comes from many desks, each well under its limit, as at the doors.
    desks = 16 if args.smoke else 256
    with (
        common.workdir("checkin") as workdir,
        common.BenchDatabase(args.db, "checkin", workdir, pg_url=args.pg_url, others=args.others) as database,
    ):
        ids, codes, tokens = prepare(database, attendees, desks)
        bare_app.create_floor_table(database.url)
        lua = {
            "codes": common.lua_list(codes),
            "attendees": "{" + ", ".join(map(str, ids)) + "}",
            "desks": common.lua_list(tokens),
            "runs": args.rounds + 1,
        }
        script = common.write_lua(workdir, "scan", SCRIPT % lua)
        with (
            common.Server("wsgi:app", common.app_env(database.url), workdir) as server,
            common.bare_server(workdir, database.url) as bare_server,
        ):
            result = common.compare(
                server, "/api/v1/scan", bare_server, "/json", script, args.seconds, args.rounds, args.warmup
            )
            check_ins = count_check_ins(database)
            # The floor: the bare app writing one row a request, against the bare /json.
            floor = common.compare(bare_server, "/json-write", bare_server, "/json", script, args.seconds, 1)
            required = common.compare(
                bare_server, "/json-checkin", bare_server, "/json", script, args.seconds, 1
            )
        # The servers stopped: what one scan costs, counted in this process on the same database.
        costs = profile_checkin.measure(database, scans=20 if args.smoke else 200, desks=4, profile=False)
    ours, bare = result.ours, result.bare
    common.log(common.describe("check-in POST /api/v1/scan", ours))
    common.log(common.describe("bare POST /json", bare))
    scans = sum(run.statuses.get(200, 0) for run, _ in result.rounds + result.warmups)
    first_scans = min(1.0, check_ins / scans) if scans else 0.0
    common.log(
        f"attendees: {attendees}, desks: {desks}; scans answered (warm-up included): {scans}, "
        f"check-ins recorded: {check_ins} (a few more: scans in progress when a run stopped); "
        f"first check-ins: {first_scans:.0%} of the scans"
    )
    if first_scans < 0.99 and not args.smoke:
        common.log("NOTE: badges were scanned again (ALREADY_CHECKED_IN); create more attendees")
    valid = ours.errors == 0 and bare.errors == 0 and set(ours.statuses) == {200} and check_ins > 0
    row = common.row(
        "check-in API (POST /api/v1/scan)",
        args.db,
        result,
        attendees=attendees,
        desks=desks,
        scans=scans,
        check_ins=check_ins,
        first_check_in_share=round(first_scans, 3),
        floor_fraction=round(common.ratio(ours.rps, required.ours.rps), 3),
        **{name: round(value, 2) for name, value in costs.items()},
    )
    common.log(common.describe("floor: bare POST /json-write (one INSERT, COMMIT)", floor.ours))
    common.log(
        f"floor_ratio={common.ratio(floor.ours.rps, floor.bare.rps):.3f}: no check-in that records the "
        "scan can score more than this under this server; ours against the floor: "
        f"{common.ratio(ours.rps, floor.ours.rps):.3f}"
    )
    common.log(
        "a scan costs {statements_per_scan:.2f} statements, {round_trips_per_scan:.2f} database round "
        "trips, {redis_per_scan:.2f} Redis commands, {cpu_ms_per_scan:.2f} ms CPU (in-process median); "
        "the required floor: 4 round trips (BEGIN, the locked read, the INSERT, COMMIT)".format(**costs)
    )
    common.log(common.describe("required floor: bare POST /json-checkin", required.ours))
    common.log(
        f"required_floor_ratio={common.ratio(required.ours.rps, required.bare.rps):.3f}: the driver "
        "alone locking and reading the attendee, then writing the scan, in one transaction; ours "
        f"against it: {common.ratio(ours.rps, required.ours.rps):.3f}"
    )
    floor_row = common.row("floor: bare app, one INSERT + COMMIT (bench/bare_app.py)", args.db, floor)
    required_row = common.row(
        "floor: bare app, locked read of the attendee + INSERT, one transaction (bench/bare_app.py)",
        args.db,
        required,
    )
    valid = valid and all(
        run.ours.errors == 0 and set(run.ours.statuses) == {200} for run in (floor, required)
    )
    common.finish(
        args,
        {"name": "checkin", "rows": [row, floor_row, required_row]},
        common.headline(checkin_floor_fraction=row["floor_fraction"], p50_ms=ours.p50_ms, p99_ms=ours.p99_ms),
        valid,
    )


if __name__ == "__main__":
    main()
