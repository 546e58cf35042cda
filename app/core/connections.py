"""Pooled database connections, checked without a round trip.

SQLAlchemy's pool_pre_ping sends a SELECT 1 before every request's first statement: a round
trip per request (one of seven in a scan). Instead, a connection taken from the pool is
refused when the driver knows it is closed, or when its socket has something to read: idle
in the pool, it has nothing to read unless the server ended it (a restart,
pg_terminate_backend, an idle timeout), so the pool opens a fresh one and the request never
sees the dead one. What this cannot see, a connection cut silently on the network (no FIN
from a firewall), fails that request's first statement, and SQLAlchemy then discards every
connection older than it; pool_recycle (config.py) bounds how long a connection lives.
"""

import select

from flask import Flask
from sqlalchemy import event, exc

from app.extensions import db


def init_app(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "postgresql":
        event.listen(engine, "checkout", refuse_closed_connection)


def refuse_closed_connection(dbapi_connection, connection_record, connection_proxy) -> None:
    """Raising DisconnectionError makes the pool discard this connection and open another."""
    if dbapi_connection.closed or _has_unread_data(dbapi_connection.fileno()):
        raise exc.DisconnectionError("the server closed this pooled connection")


def _has_unread_data(fileno: int) -> bool:
    readable, _, _ = select.select([fileno], [], [], 0)
    return bool(readable)
