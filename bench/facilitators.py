"""Benchmark: a facilitator's note save (the page's autosave) against a bare Flask JSON endpoint.

    python bench/facilitators.py [--db sqlite|postgresql] [--seconds 5] [--rounds 4] [--smoke]

Signs in an admin (who may write at every table), then wrk (32 connections) POSTs the
notes page's JSON save to the six tables' sheets of rounds 1-3, with the session cookie
and the CSRF header the page sends. Each save carries a fresh save id and base version 0:
the first save of a sheet applies, later ones are kept as conflicts (409), which takes
the same work (lock the sheet, compare, record a revision). Both answers count as saved.
The floor (a second table row): the bare app's /json-note/<table>/<round>, the driver alone
doing the save's database work on the same sheets (bench/bare_app.py), in the same run.
Last line: notes_floor_fraction=F p50_ms=A p99_ms=B (F: our saves a second over the floor's).
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

SCRIPT = """
paths = %(paths)s
sheets = %(sheets)s
floor = string.find(wrk.path, "/json-note", 1, true)
request = function()
  counter = counter + 1
  local sheet = (counter + tid) %% #paths + 1
  -- The floor writes into our app's tables: its save ids must not replay ours.
  local save_id = (floor and "floor-" or "") .. run .. '-' .. tid .. '-' .. counter
  local body = '{"insights": "Idea ' .. counter .. ' della rete", "proposals": "", "questions": "", '
    .. '"developments": "", "free_text": "", "tags": ["rete"], "base_version": 0, '
    .. '"save_id": "' .. save_id .. '"}'
  local headers = {
    ["Content-Type"] = "application/json",
    ["Cookie"] = %(cookie)s,
    ["X-CSRFToken"] = %(token)s,
  }
  -- The bare app gets the same request at its own /json, the floor at /json-note/<sheet>.
  local path = paths[sheet]
  if floor then path = "/json-note/" .. sheets[sheet]
  elseif string.find(wrk.path, "/json", 1, true) then path = nil end
  return wrk.format("POST", path, headers, body)
end
"""
PASSWORD = "bench-password-0123"


def prepare(database) -> tuple[list[str], list[str]]:
    """The notes pages' save paths and, for the floor, their sheets as "<table>/<round>";
    the sheets are made empty beforehand (the floor locks existing rows; ours finds them)."""
    from app.extensions import db
    from app.models import NoteSheet
    from app.staff.services import create_user

    app = common.make_app(database)
    with app.app_context():
        event = common.moca_event()
        create_user("bench-admin@example.org", "Bench", PASSWORD, "admin", events=[event])
        sheets = [(t.id, r) for t in event.tables for r in (1, 2, 3)]
        db.session.add_all(NoteSheet(cafe_table_id=t, round=r, version=0, tags=[]) for t, r in sheets)
        db.session.commit()
        db.session.remove()
    paths = [f"{common.EVENT}/facilitators/tables/{t}/notes/{r}" for t, r in sheets]
    return paths, [f"{t}/{r}" for t, r in sheets]


def main() -> None:
    args = common.arguments(__doc__.splitlines()[0])
    with (
        common.workdir("facilitators") as workdir,
        common.BenchDatabase(
            args.db, "facilitators", workdir, pg_url=args.pg_url, others=args.others
        ) as database,
    ):
        paths, sheets = prepare(database)
        with (
            common.Server("wsgi:app", common.app_env(database.url), workdir) as server,
            common.bare_server(workdir, database.url) as bare_server,
        ):
            cookie, token = common.sign_in(server.url, "bench-admin@example.org", PASSWORD, paths[0])
            lua = {
                "paths": common.lua_list(paths),
                "sheets": common.lua_list(sheets),
                "cookie": json.dumps(cookie),
                "token": json.dumps(token),
            }
            script = common.write_lua(workdir, "notes", SCRIPT % lua)
            result = common.compare(
                server, paths[0], bare_server, "/json", script, args.seconds, args.rounds, args.warmup
            )
            floor = common.compare(
                bare_server, "/json-note/" + sheets[0], bare_server, "/json", script, args.seconds, 1
            )
    ours, bare = result.ours, result.bare
    common.log(common.describe("note save POST /facilitators/tables/<id>/notes/<round>", ours))
    common.log(common.describe("bare POST /json", bare))
    # wrk counts 409 among its "errors"; here it is an answer: the save kept as a conflict.
    valid = set(ours.statuses) <= {200, 409} and set(bare.statuses) == {200}
    valid = valid and set(floor.ours.statuses) <= {200, 409}
    row = common.row("facilitators' note save (POST, JSON)", args.db, result)
    floor_row = common.row(
        "floor: bare app, locked read of the sheet + save id + revision + update (bench/bare_app.py)",
        args.db,
        floor,
    )
    fraction = common.ratio(ours.rps, floor.ours.rps)
    row["floor_fraction"] = round(fraction, 3)
    common.log(common.describe("floor: bare POST /json-note/<table>/<round>", floor.ours))
    common.log(f"notes_floor_fraction={fraction:.3f}: our saves a second over the floor's, same run")
    common.finish(
        args,
        {"name": "facilitators", "rows": [row, floor_row], "floor_fraction": round(fraction, 3)},
        common.headline(notes_floor_fraction=fraction, p50_ms=ours.p50_ms, p99_ms=ours.p99_ms),
        valid,
    )


if __name__ == "__main__":
    main()
