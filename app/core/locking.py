"""Serialise changes to one event's places across processes and machines."""

from sqlalchemy import select, text

from app.extensions import db
from app.models import Event


def lock_event(event_id: int) -> None:
    """Hold the event's row lock until the transaction ends.

    Every change that takes or frees a place calls this before counting, so counting free
    places and taking one happen as one step. PostgreSQL: SELECT ... FOR NO KEY UPDATE,
    which excludes every other holder of this lock but not the key-share locks that rows
    pointing at the event take (a registration writes its rows before it locks: FOR UPDATE
    would deadlock two of them). SQLite: a no-op UPDATE, which takes the database's single
    write lock (waiting for it, see busy_timeout).
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(Event.id).where(Event.id == event_id).with_for_update(key_share=True))
    else:
        db.session.execute(text("UPDATE events SET id = id WHERE id = :id"), {"id": event_id})
