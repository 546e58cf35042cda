"""What publishing a run does, shown to the organisers before they confirm it (computed by
services.publication_plan, the same code that then publishes), and why a publication is refused."""

import enum
import hashlib
import json
from dataclasses import dataclass

from app.models import SeatAssignment


class PublishRefusal(enum.Enum):
    ALREADY_PUBLISHED = "already_published"  # a double click, or the answer replayed
    PLAN_CHANGED = "plan_changed"  # the run or the published one changed since it was shown


class PublishRefused(Exception):
    def __init__(self, reason: PublishRefusal):
        super().__init__(reason.value)
        self.reason = reason


@dataclass
class TableChange:
    seat: SeatAssignment  # the person's round-1 seat in the run to publish
    old_table_id: int | None  # their table in the run published before, if any


@dataclass
class PublicationPlan:
    """What publishing a run does: who gets an e-mail about their table, and whose table
    changes but who has no address to write to (tell them at the desk)."""

    to_email: list[TableChange]
    without_email: list[TableChange]

    @property
    def fingerprint(self) -> str:
        """Names this plan: the confirmation sends it back, and publish() checks it."""
        changes = sorted(
            (c.seat.attendee_id, c.seat.cafe_table_id, c.old_table_id or 0) for c in self.to_email
        )
        return hashlib.sha256(json.dumps(changes).encode()).hexdigest()[:16]
