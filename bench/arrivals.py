"""Benchmark: the arrivals list the desk page polls (GET /arrivals/list.json) against its floor.

    python bench/arrivals.py [--db sqlite|postgresql] [--seconds 5] [--rounds 4] [--smoke]

The MO.CA day full (400 confirmed attendees, the world café assignment published, half of
them checked in), a desk account signed in; wrk (32 connections) GETs the list as the page
does every few seconds, with the session cookie, against the bare app's /json (a small JSON
answer) in the same run. The floor (a second row): the bare app's /json-arrivals, which reads
the same rows in one statement with the driver alone and answers the same people as JSON:
what any arrivals list can reach under this server.
Last line: arrivals_floor_fraction=F p50_ms=A p99_ms=B (F: our lists a second over the floor's).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

SCRIPT = """
request = function()
  return wrk.format("GET", nil, {["Cookie"] = %(cookie)s})
end
"""
EMAIL, PASSWORD = "bench-desk@example.org", "bench-password-0123"


def prepare(database, attendees: int) -> int:
    """The day filled, seated and half arrived; a desk account. Returns the event's id."""
    from sqlalchemy import insert, text

    from app.extensions import db
    from app.models import CheckIn, CheckInMethod, utcnow
    from app.staff.services import create_user
    from app.worldcafe.services import publish, run_assignment

    app = common.make_app(database)
    with app.app_context():
        event = common.moca_event()
        ids = common.insert_attendees(event, attendees)
        publish(run_assignment(event, created_by="bench"), published_by="bench")
        rows = [
            dict(
                event_id=event.id,
                attendee_id=i,
                desk_name="Banco 1",
                method=CheckInMethod.SCAN,
                checked_in_at=utcnow(),
            )
            for i in ids[::2]
        ]
        db.session.execute(insert(CheckIn), rows)
        create_user(EMAIL, "Banco", PASSWORD, "desk", events=[event])
        db.session.commit()
        # As autovacuum does within a minute of a publication (its seats are new rows):
        # without statistics, PostgreSQL planned the list's joins as if the tables were empty.
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        event_id = event.id
        db.session.remove()
    return event_id


def main() -> None:
    args = common.arguments(__doc__.splitlines()[0])
    attendees = 40 if args.smoke else 400
    with (
        common.workdir("arrivals") as workdir,
        common.BenchDatabase(
            args.db, "arrivals", workdir, pg_url=args.pg_url, others=args.others
        ) as database,
    ):
        event_id = prepare(database, attendees)
        path = f"{common.EVENT}/arrivals/list.json"
        with (
            common.Server("wsgi:app", common.app_env(database.url), workdir) as server,
            common.bare_server(workdir, database.url) as bare_server,
        ):
            cookie, _ = common.sign_in(server.url, EMAIL, PASSWORD, f"{common.EVENT}/arrivals/")
            script = common.write_lua(workdir, "arrivals", SCRIPT % {"cookie": common.lua_string(cookie)})
            result = common.compare(
                server, path, bare_server, "/json", script, args.seconds, args.rounds, args.warmup
            )
            floor = common.compare(
                bare_server, f"/json-arrivals?event={event_id}", bare_server, "/json", script, args.seconds, 1
            )
    ours = result.ours
    common.log(common.describe("arrivals GET /arrivals/list.json", ours))
    common.log(common.describe("bare GET /json", result.bare))
    common.log(common.describe("floor: bare GET /json-arrivals", floor.ours))
    fraction = common.ratio(ours.rps, floor.ours.rps)
    common.log(f"arrivals_floor_fraction={fraction:.3f}: our lists a second over the floor's, same run")
    valid = all(set(run.statuses) == {200} for run in (ours, result.bare, floor.ours))
    row = common.row("arrivals list (GET list.json, 400 expected)", args.db, result, attendees=attendees)
    row["floor_fraction"] = round(fraction, 3)
    floor_row = common.row("floor: bare app, the list's statement + JSON (bench/bare_app.py)", args.db, floor)
    common.finish(
        args,
        {"name": "arrivals", "rows": [row, floor_row], "floor_fraction": round(fraction, 3)},
        common.headline(arrivals_floor_fraction=fraction, p50_ms=ours.p50_ms, p99_ms=ours.p99_ms),
        valid,
    )


if __name__ == "__main__":
    main()
