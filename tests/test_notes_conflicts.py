"""Two facilitators save the same sheet at the same moment, from the same version.

The hook between "read the sheet's version" and the write holds each save until the other
has read too (or 1 s passes). Under the sheet's row lock the second save waits, then reads
the first one's version: one save applies, the other is kept as a conflict. Nothing is
overwritten, nothing is lost. Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL.
"""

import contextlib
import threading

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.facilitation import notes
from app.models import CafeTable, NoteRevision, NoteSheet


def save_from_two_threads(app, table, monkeypatch, saves):
    """Run each (content, base_version, save_id) in its own thread and session, together."""
    both_read = threading.Barrier(len(saves), timeout=1.0)
    decided = []

    def hold_until_the_other_reads(sheet):
        decided.append(sheet.version)
        with contextlib.suppress(threading.BrokenBarrierError):
            both_read.wait()  # broken: the other save is waiting for our lock

    monkeypatch.setattr(notes, "_decided_to_save", hold_until_the_other_reads)
    outcomes, errors = [], []

    def facilitator(content, base_version, save_id, author):
        with app.app_context():
            try:
                own_table = db.session.get(CafeTable, table.id)
                outcome = notes.save_sheet(own_table, 1, content, base_version, save_id, author)
                outcomes.append((author, outcome.result, outcome.version, outcome.replayed))
            except Exception as error:  # pragma: no cover - shown by the assertion below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=facilitator, args=(*save, f"author{n}@example.org"))
        for n, save in enumerate(saves)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    db.session.rollback()
    return sorted(outcomes, key=lambda o: o[1].value), decided


@pytest.mark.parametrize("sheet_exists", [False, True], ids=["first-save", "later-save"])
def test_two_saves_from_one_version_one_applies_and_the_other_is_kept(app, event, monkeypatch, sheet_exists):
    table = event.tables[0]
    base = 0
    if sheet_exists:
        notes.save_sheet(table, 1, notes.SheetContent(insights="Inizio"), 0, "setup-save-1", "setup")
        base = 1
    mine = notes.SheetContent(insights="Servizi per l'infanzia più vicini")
    theirs = notes.SheetContent(insights="Coinvolgere i giovani ✨")

    outcomes, decided = save_from_two_threads(
        app, table, monkeypatch, [(mine, base, "parallel-save-a"), (theirs, base, "parallel-save-b")]
    )

    assert [o[1] for o in outcomes] == [notes.SaveResult.CONFLICT, notes.SaveResult.SAVED]
    assert decided == [base, base + 1], "the second save read the first one's version: it waited"
    sheet = db.session.scalars(select(NoteSheet).filter_by(cafe_table_id=table.id, round=1)).one()
    assert sheet.version == base + 1
    revisions = db.session.scalars(
        select(NoteRevision).filter_by(sheet_id=sheet.id).order_by(NoteRevision.id)
    ).all()
    kept = [r for r in revisions if r.save_id.startswith("parallel")]
    assert sorted(r.conflict for r in kept) == [False, True]
    texts = {r.content["insights"] for r in kept}
    assert texts == {mine.insights, theirs.insights}, "both versions are kept"
    applied = next(r for r in kept if not r.conflict)
    assert sheet.insights == applied.content["insights"]


def test_a_replayed_save_is_applied_once(app, event, monkeypatch):
    table = event.tables[0]
    content = notes.SheetContent(proposals="Una rete di sportelli di quartiere")

    outcomes, _ = save_from_two_threads(
        app, table, monkeypatch, [(content, 0, "same-save-id-1"), (content, 0, "same-save-id-1")]
    )

    assert [(o[1], o[2]) for o in outcomes] == [(notes.SaveResult.SAVED, 1), (notes.SaveResult.SAVED, 1)]
    assert sorted(o[3] for o in outcomes) == [False, True], "the second answer is the recorded one"
    assert db.session.scalar(select(func.count()).select_from(NoteRevision)) == 1
    sheet = db.session.scalars(select(NoteSheet)).one()
    assert sheet.version == 1 and sheet.proposals == content.proposals

    again = notes.save_sheet(table, 1, content, 0, "same-save-id-1", "late@example.org")
    assert again.result is notes.SaveResult.SAVED and again.replayed and again.version == 1


def test_a_replayed_save_answers_with_the_version_it_made_not_a_later_one(event):
    table = event.tables[0]
    notes.save_sheet(table, 1, notes.SheetContent(insights="a"), 0, "replay-first", "one")
    notes.save_sheet(table, 1, notes.SheetContent(insights="a\nb"), 1, "replay-second", "two")
    replay = notes.save_sheet(table, 1, notes.SheetContent(insights="a"), 0, "replay-first", "one")
    # The page rebases its next save on version 1: the second author's save then shows up
    # as a conflict instead of being overwritten.
    assert replay.version == 1 and replay.content.insights == "a"
    follow_up = notes.save_sheet(
        table, 1, notes.SheetContent(insights="a\nc"), replay.version, "replay-third", "one"
    )
    assert follow_up.result is notes.SaveResult.CONFLICT and follow_up.content.insights == "a\nb"
