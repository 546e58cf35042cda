"""Benchmark: a facilitator's note save (the page's autosave) against a bare Flask JSON endpoint.

    python bench/facilitators.py [--db sqlite|postgresql] [--seconds 5] [--rounds 4] [--smoke]

Signs in an admin (who may write at every table), then wrk (32 connections) POSTs the
notes page's JSON save to the six tables' sheets of rounds 1-3, with the session cookie
and the CSRF header the page sends. Each save carries a fresh save id and base version 0:
the first save of a sheet applies, later ones are kept as conflicts (409), which takes
the same work (lock the sheet, compare, record a revision). Both answers count as saved.
Last line: notes_ratio=R p50_ms=A p99_ms=B.
"""

import json
import re
import sys
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

SCRIPT = """
paths = %(paths)s
request = function()
  counter = counter + 1
  local body = '{"insights": "Idea ' .. counter .. ' della rete", "proposals": "", "questions": "", '
    .. '"developments": "", "free_text": "", "tags": ["rete"], "base_version": 0, '
    .. '"save_id": "' .. run .. '-' .. tid .. '-' .. counter .. '"}'
  local headers = {
    ["Content-Type"] = "application/json",
    ["Cookie"] = %(cookie)s,
    ["X-CSRFToken"] = %(token)s,
  }
  -- The bare app gets the same request at its own /json.
  local path = nil
  if not string.find(wrk.path, "/json", 1, true) then path = paths[(counter + tid) %% #paths + 1] end
  return wrk.format("POST", path, headers, body)
end
"""
PASSWORD = "bench-password-0123"


def prepare(database) -> list[str]:
    from app.extensions import db
    from app.models import Event
    from app.staff.services import create_user

    app = common.make_app(database)
    with app.app_context():
        event = db.session.query(Event).one()
        create_user("bench-admin@example.org", "Bench", PASSWORD, "admin", events=[event])
        paths = [
            f"{common.EVENT}/facilitators/tables/{t.id}/notes/{r}" for t in event.tables for r in (1, 2, 3)
        ]
        db.session.remove()
    return paths


class KeepCookies(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def sign_in(base_url: str, notes_path: str) -> tuple[str, str]:
    """The session cookie and CSRF token a signed-in page has (cookies are Secure in
    production, so they are carried by hand over the benchmark's plain HTTP)."""
    opener = urllib.request.build_opener(KeepCookies())

    def cookie_of(response) -> str:
        # The session cookie (a sign-in also sets the throttle's known-device cookie).
        cookies = [value.split(";")[0] for value in response.headers.get_all("Set-Cookie") or []]
        return next((cookie for cookie in cookies if cookie.startswith("session=")), "")

    page = opener.open(base_url + "/staff/login", timeout=10)
    cookie = cookie_of(page)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.read().decode()).group(1)
    body = urllib.parse.urlencode(
        {"csrf_token": token, "email": "bench-admin@example.org", "password": PASSWORD}
    )
    request = urllib.request.Request(
        base_url + "/staff/login", data=body.encode(), headers={"Cookie": cookie}
    )
    try:
        opener.open(request, timeout=10)
    except urllib.error.HTTPError as answer:  # the 302 after signing in
        cookie = cookie_of(answer) or cookie
    page = opener.open(urllib.request.Request(base_url + notes_path, headers={"Cookie": cookie}), timeout=10)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.read().decode()).group(1)
    return cookie, token


def main() -> None:
    args = common.arguments(__doc__.splitlines()[0])
    with (
        common.workdir("facilitators") as workdir,
        common.BenchDatabase(args.db, "facilitators", workdir, pg_url=args.pg_url) as database,
    ):
        paths = prepare(database)
        with (
            common.Server("wsgi:app", common.app_env(database.url), workdir) as server,
            common.bare_server(workdir) as bare_server,
        ):
            cookie, token = sign_in(server.url, paths[0])
            lua = {"paths": common.lua_list(paths), "cookie": json.dumps(cookie), "token": json.dumps(token)}
            script = common.write_lua(workdir, "notes", SCRIPT % lua)
            result = common.compare(
                server, paths[0], bare_server, "/json", script, args.seconds, args.rounds, args.warmup
            )
    ours, bare = result.ours, result.bare
    common.log(common.describe("note save POST /facilitators/tables/<id>/notes/<round>", ours))
    common.log(common.describe("bare POST /json", bare))
    # wrk counts 409 among its "errors"; here it is an answer: the save kept as a conflict.
    valid = set(ours.statuses) <= {200, 409} and set(bare.statuses) == {200}
    row = common.row("facilitators' note save (POST, JSON)", args.db, result)
    common.finish(
        args,
        {"name": "facilitators", "rows": [row]},
        common.headline(notes_ratio=row["ratio"], p50_ms=ours.p50_ms, p99_ms=ours.p99_ms),
        valid,
    )


if __name__ == "__main__":
    main()
