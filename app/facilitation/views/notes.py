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


def _sheet_state(round: int) -> NotesState:
    sheet = notes.sheet_for(g.table, round)
    return NotesState(
        round=round,
        version=sheet.version if sheet else 0,
        content=notes.SheetContent.of(sheet).as_json(),
        updated_by=sheet.updated_by if sheet else None,
        conflicts=[_conflict(revision) for revision in notes.open_conflicts(sheet)],
    )


def _conflict(revision: NoteRevision) -> Conflict:
    return Conflict(
        id=revision.id,
        author=revision.author,
        content=notes.SheetContent.from_json(revision.content).as_json(),
        at=revision.created_at.isoformat() + "Z",
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
        revision_id=outcome.revision.id,
        replayed=outcome.replayed,
    )
    return json_answer(answer, 200 if outcome.result is notes.SaveResult.SAVED else 409)


@bp.get("/tables/<int:table_id>/notes/<int:round>/history")
def notes_history(table_id, round):
    round_or_404(round, with_summary=True)
    sheet = notes.sheet_for(g.table, round)
    return render_template(
        "facilitation/history.html",
        revisions=notes.revisions_of(sheet),
        kinds=[(kind, KIND_LABELS[kind]) for kind in NOTE_KINDS],
        **nav("notes", round),
    )
