"""Benchmark: the public programme page (GET /) against the bare app's small page (/html).

    python bench/public_page.py [--db sqlite|postgresql] [--seconds 5] [--rounds 4] [--smoke]

The event has its 400 confirmed attendees (the bundled capacity), whom the page's "places
left" counts. Both apps served by gunicorn with the same settings, loaded in turn by wrk
with 32 connections (bench/common.py). Last line: programme_ratio=R rps=N (our requests per second, and their
ratio to the bare app's).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

SCRIPT = """
request = function()
  return wrk.format("GET", nil, {["Accept-Language"] = "it"})
end
"""


def fill_the_day(database) -> None:
    from app.extensions import db

    app = common.make_app(database)
    with app.app_context():
        event = common.moca_event()
        common.insert_attendees(event, event.capacity or 400)
        db.session.remove()


def main() -> None:
    args = common.arguments(__doc__.splitlines()[0])
    with (
        common.workdir("public") as workdir,
        common.BenchDatabase(args.db, "public", workdir, pg_url=args.pg_url, others=args.others) as database,
    ):
        fill_the_day(database)
        script = common.write_lua(workdir, "get", SCRIPT)
        with (
            common.Server("wsgi:app", common.app_env(database.url), workdir) as server,
            common.bare_server(workdir) as bare_server,
        ):
            result = common.compare(
                server,
                f"{common.EVENT}/",
                bare_server,
                "/html",
                script,
                args.seconds,
                args.rounds,
                args.warmup,
            )
    ours, bare = result.ours, result.bare
    common.log(common.describe("programme page GET /", ours))
    common.log(common.describe("bare GET /html", bare))
    valid = ours.errors == 0 and bare.errors == 0 and set(ours.statuses) == {200}
    row = common.row("public programme page (GET /)", args.db, result)
    common.finish(
        args,
        {"name": "public_page", "rows": [row]},
        common.headline(programme_ratio=row["ratio"], rps=ours.rps),
        valid,
    )


if __name__ == "__main__":
    main()
