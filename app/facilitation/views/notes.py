"""A table's notes, one sheet per round and the closing summary: the page, its autosave
(based on a version, 409 on a conflict), its state as JSON, the history; and the pages'
service worker, which keeps them usable offline."""

from flask import g, render_template
from flask_login import current_user

from app.core import offline
from app.facilitation import notes
from app.facilitation.schemas import Conflict, NoteFields, NotesState, SaveAnswer, SaveNotes
from app.facilitation.views.blueprint import bp, json_answer, json_body, nav, refuse, round_or_404
from app.models import NOTE_KINDS, NoteRevision
from app.reporting.report import KIND_LABELS


@bp.route("/sw.js")
def service_worker():
    """The notes pages' service worker, served here so that its scope covers them; its list
    of files comes from what the notes page loads (app/core/offline.py)."""
    return offline.worker_response(offline.NOTES)


def _utc(moment) -> str | None:
    return moment.isoformat() + "Z" if moment else None


def _sheet_state(round: int) -> NotesState:
    sheet = notes.sheet_for(g.table, round)
    conflicts = notes.open_conflicts(sheet)
    updated_by = sheet.updated_by if sheet else None
    names = notes.writer_names([updated_by, *(revision.author for revision in conflicts)])
    return NotesState(
        round=round,
        version=sheet.version if sheet else 0,
        content=notes.SheetContent.of(sheet).as_json(),
        updated_by=updated_by,
        updated_by_name=names.get(updated_by),
        updated_at=_utc(sheet.updated_at) if sheet else None,
        conflicts=[_conflict(revision, names) for revision in conflicts],
    )


def _conflict(revision: NoteRevision, names: dict[str, str]) -> Conflict:
    return Conflict(
        id=revision.id,
        author=revision.author,
        author_name=names.get(revision.author),
        content=notes.SheetContent.from_json(revision.content).as_json(),
        at=_utc(revision.created_at),
    )


@bp.get("/tables/<int:table_id>/notes/<int:round>")
def notes_page(table_id, round):
    round_or_404(round, with_summary=True)
    return render_template(
        "facilitation/notes.html",
        state=_sheet_state(round).model_dump(mode="json"),
        kinds=[(kind, KIND_LABELS[kind]) for kind in NOTE_KINDS],
        storage_key=f"noiday.notes.u{current_user.id}.t{g.table.id}.r{round}",
        **nav("notes", round),
    )


@bp.get("/tables/<int:table_id>/notes/<int:round>.json")
def notes_state(table_id, round):
    round_or_404(round, with_summary=True)
    return json_answer(_sheet_state(round))


@bp.post("/tables/<int:table_id>/notes/<int:round>")
def save_notes(table_id, round):
    """The page's autosave: 200 saved (or replayed), 409 conflict (kept, nothing overwritten)."""
    round_or_404(round, with_summary=True)
    data = json_body(SaveNotes)
    content = notes.SheetContent.from_json(data.model_dump(include=set(NoteFields.model_fields)))
    try:
        outcome = notes.save_sheet(
            g.table, round, content, data.base_version, data.save_id, current_user.email, data.resolves or ()
        )
    except ValueError as error:  # a save id of another sheet
        refuse(str(error))
    answer = SaveAnswer(
        result=outcome.result,
        version=outcome.version,
        content=outcome.content.as_json(),
        updated_by=outcome.updated_by,
        updated_by_name=_writer_name(outcome.updated_by),
        updated_at=_utc(outcome.updated_at),
        revision_id=outcome.revision.id,
        replayed=outcome.replayed,
    )
    return json_answer(answer, 200 if outcome.result is notes.SaveResult.SAVED else 409)


def _writer_name(email: str | None) -> str | None:
    """Most saves apply, and their writer is the one saving: no need to look them up."""
    if email and email.lower() == current_user.email.lower():
        return current_user.name
    return notes.writer_names([email]).get(email)


@bp.get("/tables/<int:table_id>/notes/<int:round>/history")
def notes_history(table_id, round):
    round_or_404(round, with_summary=True)
    sheet = notes.sheet_for(g.table, round)
    revisions = notes.revisions_of(sheet)
    return render_template(
        "facilitation/history.html",
        revisions=revisions,
        writers=notes.writer_names(revision.author for revision in revisions),
        kinds=[(kind, KIND_LABELS[kind]) for kind in NOTE_KINDS],
        **nav("notes", round),
    )
