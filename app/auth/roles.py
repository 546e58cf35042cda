"""Role checks for staff pages."""

from functools import wraps

from flask import abort
from flask_login import current_user

from ..extensions import db, login_manager
from ..models import User


@login_manager.user_loader
def load_user(user_id: str):
    return db.session.get(User, int(user_id))


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
