"""The badge's short code, printed under its QR ("KLM 479"): what staff read aloud or type
when the QR will not scan. Alphabet and shape: CODE_LETTERS in app/models/attendee.py.

The code is no signature, only a key unique per event: it names a registration, and every
check of the QR (event, status, badge replaced) applies to it unchanged. A reissued badge
gets a new code; the old one is kept in the audit entry of the reissue, so that it is
refused as "replaced" and never handed to someone else.
"""

import re

from sqlalchemy import select, text, union_all
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Attendee, AuditAction, AuditEntry
from app.models.attendee import new_badge_code

CODE_LENGTH = 6
# Any three letters and three digits: a code mistyped with a letter we never print is still
# a code, refused as unknown ("check it"), not "not a badge".
_CODE_SHAPE = re.compile(r"[A-Z]{3}[0-9]{3}")
# Dashes a person may type between the groups (a keyboard's, or a word processor's).
_DASHES = str.maketrans("", "", "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212")
# Where a queued message shows the code: filled in at delivery (mail/sender.py) from the
# badge as it is then, like the QR and the PDF, so that no message carries a replaced code.
BADGE_CODE_SLOT = "[[badge-code]]"
_CANDIDATES = 12  # codes tried per query when choosing one: 216,000 exist per event
_ATTEMPTS = 5


def typed_badge_code(typed) -> str | None:
    """The code as stored ("klm 479", "KLM-479" give "KLM479"), or None when the text cannot be
    one: any case, spaces and dashes ignored."""
    if not isinstance(typed, str) or len(typed) > 40:
        return None
    compact = "".join(typed.split()).translate(_DASHES)
    # isascii() first: str.upper() would turn some non-ASCII letters (ſ) into A-Z.
    if len(compact) != CODE_LENGTH or not compact.isascii():
        return None
    compact = compact.upper()
    return compact if _CODE_SHAPE.fullmatch(compact) else None


def formatted_badge_code(code: str) -> str:
    """As printed: two groups of three, easier to read aloud ("KLM 479")."""
    return f"{code[:3]} {code[3:]}"


def with_badge_code(body: str, attendee: Attendee | None) -> str:
    """A message's stored text with the attendee's current code in its slot."""
    if attendee is None or BADGE_CODE_SLOT not in body:
        return body
    return body.replace(BADGE_CODE_SLOT, formatted_badge_code(attendee.badge_code))


def holder_of_code(event_id: int, code: str) -> Attendee | None:
    """The attendee of the event whose current badge has this code (one query)."""
    return db.session.scalars(select(Attendee).filter_by(event_id=event_id, badge_code=code)).first()


def replaced_code_holder(event_id: int, code: str) -> Attendee | None:
    """The attendee whose replaced badge had this code, if any (see ``give_new_badge_code``)."""
    entry = db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.event_id == event_id,
            AuditEntry.action == AuditAction.BADGE_REISSUED,
            AuditEntry.details["replaced_code"].as_string() == code,
        )
    ).first()
    return db.session.get(Attendee, entry.attendee_id) if entry and entry.attendee_id else None


def unused_badge_code(event_id: int) -> str:
    """A code no badge of the event has, or had before a reissue (so an old code can never
    name someone else); the UNIQUE constraint still has the last word."""
    for _ in range(_ATTEMPTS):
        candidates = {new_badge_code() for _ in range(_CANDIDATES)}
        in_use = select(Attendee.badge_code).where(
            Attendee.event_id == event_id, Attendee.badge_code.in_(candidates)
        )
        replaced = select(AuditEntry.details["replaced_code"].as_string()).where(
            AuditEntry.event_id == event_id,
            AuditEntry.action == AuditAction.BADGE_REISSUED,
            AuditEntry.details["replaced_code"].as_string().in_(candidates),
        )
        taken = set(db.session.scalars(union_all(in_use, replaced)))  # one round trip
        free = sorted(candidates - taken)
        if free:
            return free[0]
    raise RuntimeError("no free badge code found for this event")


def give_new_badge_code(attendee: Attendee) -> str:
    """Write a new, unused code on the attendee's row (flushed, not committed) and return
    the code it replaces: the caller records it in the reissue's audit entry, or not."""
    old = attendee.badge_code
    if db.session.get_bind().dialect.name != "postgresql":
        # SQLite: its one write lock, taken now, keeps other writers out until the commit
        # (and opens the transaction the savepoint below needs).
        db.session.execute(text("UPDATE attendees SET id = id WHERE id = :id"), {"id": attendee.id})
    for _ in range(_ATTEMPTS):
        try:
            with db.session.begin_nested():  # a code taken meanwhile undoes this write only
                attendee.badge_code = unused_badge_code(attendee.event_id)
            return old
        except IntegrityError:
            continue
    raise RuntimeError("no free badge code found for this event")
