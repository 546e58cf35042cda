"""Role checks for staff pages: the role, and the event.

Staff work only on the events they are given (EventMembership); instance administrators on
every event. Someone signed in who was not given the event in the URL gets 404, as for an
event that does not exist (another city's events are not even confirmed to exist); given
it without the role, 403.
"""

import hmac
from functools import wraps

from flask import abort, g
from flask_login import current_user
from sqlalchemy import literal, select

from app.extensions import db, login_manager
from app.models import Event, EventMembership, User


@login_manager.user_loader
def load_user(session_id: str):
    """The user of a session id "<id>:<password fingerprint>" (User.get_id); None when the
    password changed since sign-in, which signs that session out. Under an event's URL the
    same statement says whether they work on it (one round trip a staff request, not two)."""
    user_id, _, fingerprint = session_id.partition(":")
    if not user_id.isdigit():
        return None
    event = g.get("event")
    query = select(User, EventMembership.id if event else literal(None)).where(User.id == int(user_id))
    if event is not None:
        given = (EventMembership.user_id == User.id) & (EventMembership.event_id == event.id)
        query = query.outerjoin(EventMembership, given)
    row = db.session.execute(query).first()
    if row is None or not hmac.compare_digest(row[0].password_fingerprint, fingerprint):
        return None
    if event is not None:
        g.staff_works_on = (row[0].id, event.id, row[1] is not None)
    return row[0]


def works_on(user: User, event: Event) -> bool:
    if user.instance_admin:
        return True
    if g.get("staff_works_on", (None, None, None))[:2] == (user.id, event.id):
        return g.staff_works_on[2]  # read with the signed-in user (load_user)
    membership = select(EventMembership.id).filter_by(user_id=user.id, event_id=event.id)
    return db.session.execute(membership).first() is not None


def events_of(user: User) -> list[Event]:
    """The events a staff member works on, the latest first."""
    query = select(Event).order_by(Event.date.desc(), Event.id.desc())
    if not user.instance_admin:
        query = query.join(EventMembership, EventMembership.event_id == Event.id).filter(
            EventMembership.user_id == user.id
        )
    return db.session.scalars(query).all()


def roles_required(*roles):
    """Anonymous visitors go to the login page; signed-in staff not given the URL's event
    get 404, those without the role 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            event = g.get("event")
            if event is None or not works_on(current_user, event):
                abort(404)
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def instance_admin_required(view):
    """The instance's own staff pages (groups, events): instance administrators only."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.instance_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped
