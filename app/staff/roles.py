"""Role checks for staff pages."""

import hmac
from functools import wraps

from flask import abort
from flask_login import current_user

from app.extensions import db, login_manager
from app.models import User


@login_manager.user_loader
def load_user(session_id: str):
    """The user of a session id "<id>:<password fingerprint>" (User.get_id); None when the
    password changed since sign-in, which signs that session out."""
    user_id, _, fingerprint = session_id.partition(":")
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    if user is None or not hmac.compare_digest(user.password_fingerprint, fingerprint):
        return None
    return user


def roles_required(*roles):
    """Anonymous visitors go to the login page; signed-in staff without the role get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
