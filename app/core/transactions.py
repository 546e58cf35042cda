"""Commits that keep what is loaded.

After a commit SQLAlchemy expires every loaded object, so the next read of any attribute
queries again. Where a request or a batch goes on using what it loaded (the desk's answer
after a check-in, the next messages of a mail batch), that would multiply its queries.
"""

import contextlib

from app.extensions import db


@contextlib.contextmanager
def keeping_loaded():
    """Commits inside the block leave loaded objects as they are (not expired)."""
    session = db.session()
    before = session.expire_on_commit
    session.expire_on_commit = False
    try:
        yield
    finally:
        session.expire_on_commit = before


def commit_keeping_loaded() -> None:
    with keeping_loaded():
        db.session.commit()
