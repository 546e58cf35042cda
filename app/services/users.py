"""Staff accounts."""

from sqlalchemy import func, select

from ..extensions import db
from ..models import Role, User


class UserError(ValueError):
    pass


def create_user(email: str, name: str, password: str, role: str) -> User:
    email = email.strip().lower()
    if role not in {r.value for r in Role}:
        raise UserError(f"role must be one of: {', '.join(r.value for r in Role)}")
    if len(password) < 10:
        raise UserError("the password needs at least 10 characters")
    if db.session.scalar(select(User.id).filter_by(email=email)):
        raise UserError(f"a user with e-mail {email} already exists")
    user = User(email=email, name=name, role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> User | None:
    user = db.session.scalars(select(User).where(func.lower(User.email) == email.strip().lower())).first()
    if user is None or not user.active or not user.check_password(password):
        return None
    return user
