"""Two desks scan the same badge at the same moment.

Each desk's transaction pauses after the scan's read (scan_statements.read_for_scan) until
the other desk has read too (or 1.5 s pass). Without the row lock (the read told not to
lock) both desks read "not checked in" at once and both go on to write: the race is real
(the unique index then refuses the second row). With the lock the second desk waits for
the first desk's transaction to end before it reads: on SQLite it then reads the first
desk's check-in; on PostgreSQL its one locked statement re-reads only the attendee's row,
so it still reads "not checked in" and its INSERT is refused by the index.
"""

import threading

import pytest
from helpers import register_someone
from sqlalchemy import func, select

from app.checkin import scan_statements
from app.checkin import services as checkin
from app.checkin.badges import badge_token
from app.checkin.desks import create_desk_device
from app.extensions import db
from app.models import CheckIn


def scan_at_two_desks_at_once(app, event, monkeypatch, lock: bool):
    attendee = register_someone(event)
    token = badge_token(attendee)
    desks = [create_desk_device(event, f"Desk {n}")[0] for n in (1, 2)]
    event_id, desk_ids = event.id, [d.id for d in desks]
    both_read = threading.Barrier(2, timeout=1.5)
    decided, read_together = [], []
    read_for_scan = scan_statements.read_for_scan

    def read_then_hold_until_the_other_desk_reads(attendee_id):
        attendee, current = read_for_scan(attendee_id, lock=lock)
        if current is None:
            decided.append(attendee.id)  # read "not checked in": this desk will write
        # A broken barrier means the other desk is waiting for our lock: go on.
        try:
            both_read.wait()
            read_together.append(True)
        except threading.BrokenBarrierError:
            read_together.append(False)
        return attendee, current

    monkeypatch.setattr(scan_statements, "read_for_scan", read_then_hold_until_the_other_desk_reads)
    results = []

    def desk(desk_id):
        with app.app_context():
            from app.models import DeskDevice, Event

            device = db.session.get(DeskDevice, desk_id)
            outcome = checkin.scan(db.session.get(Event, event_id), token, device, request_id=None)
            results.append(outcome.result)
            db.session.remove()

    threads = [threading.Thread(target=desk, args=(desk_id,)) for desk_id in desk_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    check_ins = db.session.scalar(
        select(func.count()).select_from(CheckIn).where(CheckIn.undone_at.is_(None))
    )
    return sorted(r.value for r in results), len(decided), read_together, check_ins


def test_without_the_row_lock_both_desks_decide_to_check_in(app, event, monkeypatch):
    results, decided, read_together, check_ins = scan_at_two_desks_at_once(
        app, event, monkeypatch, lock=False
    )
    assert read_together == [True, True], "the race happens: both desks read at once"
    assert decided == 2, "both read 'not checked in'"
    assert check_ins == 1, "the unique index is the last word"
    assert results == ["already_checked_in", "checked_in"]


def test_with_the_row_lock_one_check_in_and_one_already(app, event, monkeypatch):
    results, decided, read_together, check_ins = scan_at_two_desks_at_once(app, event, monkeypatch, lock=True)
    assert read_together == [False, False], "the second desk read only after the first desk's commit"
    if db.engine.dialect.name == "sqlite":
        assert decided == 1, "the second desk saw the first desk's check-in"
    else:
        assert decided == 2, "one locked statement: the index refuses the second desk's row"
    assert check_ins == 1
    assert results == ["already_checked_in", "checked_in"]


@pytest.mark.parametrize("desks", [8])
def test_many_desks_scanning_one_badge_over_http_check_in_once(gunicorn_server, event, desks):
    import json
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    attendee = register_someone(event)
    token = badge_token(attendee)
    headers = [{"Authorization": f"Bearer {create_desk_device(event, f'Desk {n}')[1]}"} for n in range(desks)]
    start = threading.Barrier(desks)

    def scan(header):
        request = urllib.request.Request(
            f"{gunicorn_server}/api/v1/scan",
            data=json.dumps({"code": token}).encode(),
            headers={**header, "Content-Type": "application/json"},
        )
        start.wait()
        return json.loads(urllib.request.urlopen(request, timeout=30).read())["reason"]

    with ThreadPoolExecutor(desks) as pool:
        reasons = sorted(pool.map(scan, headers))
    assert reasons == ["already_checked_in"] * (desks - 1) + ["checked_in"]
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 1
