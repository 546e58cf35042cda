"""The synthesis on the projector at 16:00: each table's key insights and proposals."""

from app.facilitation.notes import SUMMARY_ROUND, items, sheets_of
from app.models import Event, NoteSheet

SHOWN_KINDS = ("insights", "proposals")


def synthesis_columns(event: Event) -> list[dict]:
    """One column per table: from its closing summary once written there, else gathered
    from its rounds as they are typed."""
    return [_column(table, sheets_of(table)) for table in event.tables]


def _column(table, sheets: dict[int, NoteSheet]) -> dict:
    summary = sheets.get(SUMMARY_ROUND)
    column = {
        "id": table.id,
        "name": table.display_name,
        "finished": bool(summary and summary.finished),
        "version": sum(sheet.version for sheet in sheets.values()),  # changes when any sheet does
    }
    for kind in SHOWN_KINDS:
        column[kind] = (items(getattr(summary, kind)) if summary else []) or _gathered(sheets, kind)
    return column


def _gathered(sheets: dict[int, NoteSheet], kind: str) -> list[str]:
    """The items of one kind from every round's sheet, in round order, each once."""
    gathered: list[str] = []
    for round in sorted(r for r in sheets if r != SUMMARY_ROUND):
        gathered += [item for item in items(getattr(sheets[round], kind)) if item not in gathered]
    return gathered
