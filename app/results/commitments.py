"""Commitments taken on at the tables, and their progress after the day.

A commitment is public only while its table's outcomes are published (TableOutcome.published_at);
each change of its status or note is kept as a CommitmentUpdate, the first one at creation,
and those updates are the entries of the public Atom feed (app/results/commitments_feed.py).
"""

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.models import (
    CafeTable,
    Commitment,
    CommitmentOwner,
    CommitmentStatus,
    CommitmentUpdate,
    Event,
    Organisation,
    TableOutcome,
    localized,
    utcnow,
)
from app.results.names import NameGuard

# Shown as words (and a sign, never colour only) wherever a status appears.
STATUS_LABELS = {
    CommitmentStatus.OPEN: _l("open"),
    CommitmentStatus.IN_PROGRESS: _l("in progress"),
    CommitmentStatus.DONE: _l("done"),
    CommitmentStatus.DROPPED: _l("dropped"),
}
STATUS_SIGNS = {
    CommitmentStatus.OPEN: "○",
    CommitmentStatus.IN_PROGRESS: "◐",
    CommitmentStatus.DONE: "●",
    CommitmentStatus.DROPPED: "✕",
}
CITY_CHOICE, OTHER_CHOICE = "city", "other"
TEXT_MAX_CHARS, NOTE_MAX_CHARS, OWNER_MAX_CHARS = 1000, 1000, 200


@dataclass(frozen=True)
class Owner:
    kind: CommitmentOwner
    name: str
    organisation_id: int | None = None


@dataclass(frozen=True)
class PublicCommitment:
    """What the public pages show of a commitment, in the current locale."""

    id: int
    cafe_table_id: int
    text: str
    owner_name: str
    due_on: date | None
    status: CommitmentStatus
    status_label: str
    status_sign: str
    note: str
    changed_at: datetime


def parse_status(value: str | None) -> CommitmentStatus | None:
    """A status from a query string: None for "" (any); ValueError for one that is none."""
    if not value:
        return None
    return CommitmentStatus(value)


def owner_choices(event: Event) -> list[tuple[str, str]]:
    """The owners a form offers: the City (the event's organiser), each organisation of the
    event, and another organisation whose name is typed."""
    return [
        # gettext, not lazy: a lazy string counts as safe HTML, and the name is the event file's.
        (CITY_CHOICE, _("The City: %(name)s", name=city_name(event))),
        *((f"org:{o.id}", o.name) for o in event.organisations),
        (OTHER_CHOICE, _l("Another organisation (type its name)")),
    ]


def city_name(event: Event) -> str:
    return event.organiser or str(_l("The City"))


def owner_of(event: Event, choice: str, typed_name: str = "") -> Owner | None:
    """The owner a form's choice names; None when it names nothing of this event."""
    if choice == CITY_CHOICE:
        return Owner(CommitmentOwner.CITY, city_name(event)[:OWNER_MAX_CHARS])
    if choice == OTHER_CHOICE:
        name = (typed_name or "").strip()
        return Owner(CommitmentOwner.ORGANISATION, name[:OWNER_MAX_CHARS]) if name else None
    organisation_id = choice.removeprefix("org:")
    if not organisation_id.isdigit():
        return None
    organisation = db.session.scalars(
        select(Organisation).filter_by(id=int(organisation_id), event_id=event.id)
    ).first()
    if organisation is None:
        return None
    return Owner(CommitmentOwner.ORGANISATION, organisation.name, organisation.id)


def create_commitment(
    table: CafeTable, text: dict[str, str], owner: Owner, due_on: date | None, created_by: str
) -> Commitment:
    """A new open commitment of the table, with its first update; committed."""
    texts = {lang: value.strip() for lang, value in text.items() if value and value.strip()}
    if not texts:
        raise ValueError("a commitment needs a text")
    now = utcnow()
    commitment = Commitment(
        event_id=table.event_id,
        cafe_table_id=table.id,
        text=texts,
        owner_kind=owner.kind,
        organisation_id=owner.organisation_id,
        owner_name=owner.name,
        due_on=due_on,
        status=CommitmentStatus.OPEN,
        created_by=created_by,
        created_at=now,
        updated_at=now,
    )
    commitment.updates.append(
        CommitmentUpdate(status=CommitmentStatus.OPEN, changed_by=created_by, changed_at=now)
    )
    db.session.add(commitment)
    db.session.commit()
    return commitment


def change_status(
    commitment: Commitment, status: CommitmentStatus, note: dict[str, str], changed_by: str
) -> bool:
    """Set the status and the public note (one per language; empty ones dropped) and keep
    the change as an update; False, writing nothing, when neither changed."""
    notes = {lang: value.strip() for lang, value in note.items() if value and value.strip()} or None
    if status == commitment.status and notes == (commitment.public_note or None):
        return False
    now = utcnow()
    commitment.status, commitment.public_note, commitment.updated_at = status, notes, now
    commitment.updates.append(
        CommitmentUpdate(status=status, public_note=notes, changed_by=changed_by, changed_at=now)
    )
    db.session.commit()
    return True


def _published():
    """Commitments of tables whose outcomes are published now."""
    return (
        select(Commitment)
        .join(TableOutcome, TableOutcome.cafe_table_id == Commitment.cafe_table_id)
        .where(TableOutcome.published_at.is_not(None))
    )


def published_commitments(event: Event, status: CommitmentStatus | None = None) -> list[Commitment]:
    query = (
        _published()
        .join(CafeTable, CafeTable.id == Commitment.cafe_table_id)
        .where(Commitment.event_id == event.id)
        .order_by(CafeTable.position, Commitment.id)
    )
    if status is not None:
        query = query.where(Commitment.status == status)
    return db.session.scalars(query).all()


def is_public(commitment: Commitment) -> bool:
    return db.session.scalar(_published().where(Commitment.id == commitment.id)) is not None


def feed_updates(event: Event, limit: int = 200) -> list[CommitmentUpdate]:
    """The updates of published commitments, newest first."""
    published = _published().where(Commitment.event_id == event.id).with_only_columns(Commitment.id)
    query = (
        select(CommitmentUpdate)
        .where(CommitmentUpdate.commitment_id.in_(published))
        .order_by(CommitmentUpdate.changed_at.desc(), CommitmentUpdate.id.desc())
        .limit(limit)
    )
    return db.session.scalars(query).all()


def commitments_of(event: Event, table_id: int | None = None, status=None) -> list[Commitment]:
    """Every commitment of the event for the organisers, published or not."""
    query = (
        select(Commitment)
        .join(CafeTable, CafeTable.id == Commitment.cafe_table_id)
        .where(Commitment.event_id == event.id)
        .order_by(CafeTable.position, Commitment.id)
    )
    if table_id is not None:
        query = query.where(Commitment.cafe_table_id == table_id)
    if status is not None:
        query = query.where(Commitment.status == status)
    return db.session.scalars(query).all()


def shown(
    commitment: Commitment, locale: str | None = None, guard: NameGuard | None = None, public: bool = True
) -> PublicCommitment:
    """As the public sees it: the names of people who did not agree to be named blanked out
    (the text is a facilitator's or organiser's words, and may name someone). public=False:
    as written, for the staff's own pages."""
    blank = (guard or NameGuard.of_event_id(commitment.event_id)).blanked if public else _as_written
    status = CommitmentStatus(commitment.status)
    return PublicCommitment(
        id=commitment.id,
        cafe_table_id=commitment.cafe_table_id,
        text=blank(localized(commitment.text, locale)),
        owner_name=blank(commitment.owner_name),
        due_on=commitment.due_on,
        status=status,
        status_label=str(STATUS_LABELS[status]),
        status_sign=STATUS_SIGNS[status],
        note=blank(localized(commitment.public_note, locale)),
        changed_at=commitment.updated_at,
    )


def _as_written(text: str) -> str:
    return text or ""


def update_details(
    commitment: Commitment, table: CafeTable, text: dict[str, str], owner: Owner, due_on: date | None
) -> bool:
    """A correction of what was taken on, by whom, by when, or at which table (a table of the
    same event: the caller checks it); committed. Not a status change: the feed's entries are
    the status updates. False when nothing changed."""
    texts = {lang: value.strip() for lang, value in text.items() if value and value.strip()}
    if not texts:
        raise ValueError("a commitment needs a text")
    new = (table.id, texts, owner.kind, owner.organisation_id, owner.name, due_on)
    old = (commitment.cafe_table_id, commitment.text, commitment.owner_kind, commitment.organisation_id,
           commitment.owner_name, commitment.due_on)  # fmt: skip
    if new == old:
        return False
    commitment.cafe_table_id, commitment.text, commitment.due_on = table.id, texts, due_on
    commitment.owner_kind, commitment.organisation_id = owner.kind, owner.organisation_id
    commitment.owner_name, commitment.updated_at = owner.name, utcnow()
    db.session.commit()
    return True


def owner_choice(commitment: Commitment) -> tuple[str, str]:
    """The owner fields' values for a commitment: (choice, typed name)."""
    if commitment.owner_kind == CommitmentOwner.CITY:
        return CITY_CHOICE, ""
    if commitment.organisation_id is not None:
        return f"org:{commitment.organisation_id}", ""
    return OTHER_CHOICE, commitment.owner_name


def by_table(commitments: list[Commitment]) -> dict[int, list[PublicCommitment]]:
    found: dict[int, list[PublicCommitment]] = {}
    guard = NameGuard.of_event_id(commitments[0].event_id) if commitments else None
    for commitment in commitments:
        found.setdefault(commitment.cafe_table_id, []).append(shown(commitment, guard=guard))
    return found


def public_context(event) -> dict:
    """Variables for templates/results/_commitments.html on the public page."""
    return {"commitments_by_table": by_table(published_commitments(event))}


def proposal_lines(table: CafeTable) -> list[str]:
    """The proposals the facilitators noted at the table, one a line, each once, by round:
    what a facilitator's form offers to mark as a commitment."""
    from app.facilitation.notes import sheets_of  # the notes are the facilitation feature's

    lines: list[str] = []
    for _round, sheet in sorted(sheets_of(table).items()):
        for line in (sheet.proposals or "").splitlines():
            line = line.strip().lstrip("-•* ").strip()[:TEXT_MAX_CHARS]
            if line and line not in lines:
                lines.append(line)
    return lines
