"""The audit log's entries about an attendee: who did what for them, and when."""

from app.extensions import db
from app.models import Attendee, AuditAction, AuditEntry


def audit(actor: str, action: AuditAction, attendee: Attendee, **details) -> None:
    """Add (uncommitted) an entry: actor is who did it, e.g. an organiser's e-mail."""
    db.session.add(
        AuditEntry(
            event_id=attendee.event_id, actor=actor, action=action, attendee_id=attendee.id, details=details
        )
    )
