"""Open data: the day in figures, the published outcomes and their commitments, as CSV and
JSON under the licence the event file names (its ``open_data:`` section), so that the City
can put them on its portal as they are. The DCAT-AP_IT metadata is in open_data_dcat.py.

Only what is already public goes out: the figures of ``public_figures`` (counts, small
groups merged), the outcomes an organiser published and the commitments of those tables.
No person's name or e-mail is read here at all.

The CSV files are RFC 4180 (comma, CRLF, UTF-8 without a byte-order mark: what portals and
csv readers expect), one file per dataset, with stable column keys in the header. The
figures, each with columns of its own, go into one long ("tidy") file: one line per cell,
``figure,row,column,value``, so that its header never changes when a figure does.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l

from app.core.urls import external_url
from app.events.event_file_results import LICENCES
from app.models import Event, utcnow
from app.registration.attendee_list import safe_cell
from app.results import commitments, outcomes
from app.results.figures import Figure
from app.results.figures_public import public_figures
from app.results.names import NameGuard

FORMATS = ("csv", "json")
FIGURE_COLUMNS = ["figure", "row", "column", "value"]


@dataclass(frozen=True)
class OpenDataset:
    key: str  # in the file names and the DCAT identifier: "<ipa>:<slug>-<key>"
    title: str
    description: str


DATASETS = (
    OpenDataset(
        "figures",
        _l("Figures of the day"),
        _l("Counts of the day: arrivals, participants by type, day parts, tables, languages and "
           "the network that came. Groups smaller than 5 are merged: no one can be identified."),
    ),
    OpenDataset(
        "outcomes",
        _l("Published outcomes of the tables"),
        _l("What each world café table produced, as the organisers reviewed and published it."),
    ),
    OpenDataset(
        "commitments",
        _l("Commitments of the tables"),
        _l("What the tables' organisations and the City took on: who, by when, and how far it has come."),
    ),
)  # fmt: skip
DATASET_KEYS = tuple(dataset.key for dataset in DATASETS)


def open_data_settings(event: Event) -> dict | None:
    """The event file's open data section with its licence spelled out, or None when the
    file has none (then nothing is published as open data)."""
    if not event.open_data:
        return None
    settings = dict(event.open_data)
    name, url = LICENCES[settings["licence"]]
    settings["licence"] = {"id": settings["licence"], "name": name, "url": url}
    settings["contact_email"] = settings.get("contact_email") or event.contact_email
    return settings


def file_name(event: Event, dataset: str, fmt: str) -> str:
    return f"{event.slug}-{dataset}.{fmt}"


def _plain(value):
    """A cell as JSON can hold it: numbers, text, booleans and null as they are, moments as ISO 8601."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime):
        return value.isoformat() + ("Z" if value.tzinfo is None else "")  # ours are naive UTC
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


# --- what each dataset holds --------------------------------------------------------------


def figure_records(event: Event) -> list[dict]:
    """Every cell of every public figure, one record each (the long CSV's lines)."""
    return [
        {"figure": figure.key, "row": number, "column": column, "value": _plain(value)}
        for figure in public_figures(event)
        for number, row in enumerate(figure.rows, start=1)
        for column, value in zip(_keys(figure), row, strict=True)
    ]


def _keys(figure: Figure) -> list[str]:
    """The figure's stable column names; a figure without them gets column_1, column_2..."""
    return list(figure.column_keys) or [f"column_{n}" for n in range(1, len(figure.columns) + 1)]


def _figure_json(figure: Figure) -> dict:
    keys = _keys(figure)
    return {
        "key": figure.key,
        "title": str(figure.title),
        "columns": [
            {"key": key, "label": str(label)} for key, label in zip(keys, figure.columns, strict=True)
        ],
        "rows": [{key: _plain(value) for key, value in zip(keys, row, strict=True)} for row in figure.rows],
    }


def _per_language(event: Event, field: str, value) -> dict:
    """A text kept per language as one column per language of the event: text_it, text_en;
    exactly what was written in each (no fallback to another language), "" where none was."""
    if not isinstance(value, dict):
        return {f"{field}_{language}": value or "" for language in event.languages}
    return {f"{field}_{language}": value.get(language) or "" for language in event.languages}


def outcome_records(event: Event) -> list[dict]:
    """The published outcomes, as the public page shows them (names without consent blanked)."""
    return [
        {
            "table": table.key,
            **_per_language(event, "table_name", table.name),
            **_per_language(event, "text", texts),
            "published_at": _plain(published_at),
        }
        for table, texts, published_at in outcomes.public_texts(event)
    ]


def commitment_records(event: Event) -> list[dict]:
    """The public commitments (their tables' outcomes published), names without consent blanked."""
    blank = NameGuard.of_event(event).blanked

    def blanked(texts) -> dict:
        return {lang: blank(text) for lang, text in (texts or {}).items()}

    return [
        {
            "id": commitment.id,
            "table": commitment.cafe_table.key,
            **_per_language(event, "text", blanked(commitment.text)),
            "owner_kind": commitment.owner_kind,
            "owner_name": blank(commitment.owner_name),
            "due_on": _plain(commitment.due_on),
            "status": commitment.status,
            **_per_language(event, "public_note", blanked(commitment.public_note)),
            "updated_at": _plain(commitment.updated_at),
        }
        for commitment in commitments.published_commitments(event)
    ]


def columns(event: Event, dataset: str) -> list[str]:
    """The CSV header: fixed for the figures, and for the others fixed by the event's languages."""
    languages = event.languages
    if dataset == "figures":
        return FIGURE_COLUMNS
    if dataset == "outcomes":
        names = [f"table_name_{lang}" for lang in languages]
        return ["table", *names, *(f"text_{lang}" for lang in languages), "published_at"]
    return ["id", "table", *(f"text_{lang}" for lang in languages), "owner_kind", "owner_name", "due_on",
            "status", *(f"public_note_{lang}" for lang in languages), "updated_at"]  # fmt: skip


RECORDS = {"figures": figure_records, "outcomes": outcome_records, "commitments": commitment_records}


# --- the files ----------------------------------------------------------------------------


def dataset_csv(event: Event, dataset: str) -> bytes:
    """The dataset as CSV; a text cell that a spreadsheet would run as a formula is prefixed."""
    out = io.StringIO()
    header = columns(event, dataset)
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\r\n")
    writer.writeheader()
    for record in RECORDS[dataset](event):
        writer.writerow(
            {key: safe_cell(value) if isinstance(value, str) else value for key, value in record.items()}
        )
    return out.getvalue().encode("utf-8")


def dataset_json(event: Event, dataset: str, settings: dict) -> bytes:
    """The dataset as JSON, with its licence, its publisher, its source and when it was made."""
    document = {
        "dataset": dataset,
        "identifier": dataset_identifier(event, settings, dataset),
        "title": str(_dataset(dataset).title),
        "licence": settings["licence"],
        "publisher": settings["publisher"],
        "source": {
            "event": event.display_name,
            "slug": event.slug,
            "date": event.date.isoformat(),
            "url": external_url("open_data.index"),
        },
        "generated_at": _plain(utcnow().replace(microsecond=0)),
    }
    if dataset == "figures":
        document["figures"] = [_figure_json(figure) for figure in public_figures(event)]
    else:
        document["columns"] = columns(event, dataset)
        document["records"] = RECORDS[dataset](event)
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


def dataset_identifier(event: Event, settings: dict, dataset: str) -> str:
    return f"{settings['publisher']['identifier']}:{event.slug}-{dataset}"


def _dataset(key: str) -> OpenDataset:
    return next(dataset for dataset in DATASETS if dataset.key == key)


def last_changes(event: Event) -> dict[str, date]:
    """When each dataset last changed (DCAT's dct:modified). The figures move until the day
    is over, then stay; the outcomes change when published, the commitments when updated;
    an empty one, when the event file was last loaded (never a date still to come)."""
    today = utcnow().date()
    empty = min(today, event.updated_at.date()) if event.updated_at else today
    published = [published_at for _, _, published_at in outcomes.public_texts(event)]
    updated = [c.updated_at for c in commitments.published_commitments(event)]
    return {
        "figures": min(today, event.date),
        "outcomes": max(published).date() if published else empty,
        "commitments": max(updated).date() if updated else empty,
    }
