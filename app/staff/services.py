"""Staff accounts: the first admin from the command line, the others invited by an admin.

An invited person gets an e-mail with a link to choose their own password; nobody else
ever knows it. Password links are signed, expire, and name the password they replace
(User.password_fingerprint), so a link works once: choosing a password spends it. An
admin's "new password link" also forgets the current password, which signs the person
out everywhere (their sessions carry the same fingerprint).
"""

import secrets
from datetime import timedelta
from functools import cache

from flask import current_app, has_request_context
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from app.core.urls import external_url
from app.events.services import current_event
from app.extensions import db
from app.mail import outbox as mailer
from app.models import AuditAction, AuditEntry, Event, EventMembership, MailKind, Role, User, utcnow

MIN_PASSWORD_LENGTH = 10
# An invitation (or an admin's new link) waits a week to be opened; a link someone asked
# for themselves ("forgot my password") is used at once, so it lasts two hours.
LINK_LIFETIMES = {"invite": timedelta(days=7), "reset": timedelta(hours=2)}

ROLE_LABELS = {
    Role.ADMIN: _l("organiser (admin)"),
    Role.DESK: _l("check-in desk"),
    Role.FACILITATOR: _l("table facilitator"),
}


@cache
def _unusable_hash() -> str:
    return generate_password_hash(secrets.token_urlsafe(16))


class UserError(ValueError):
    pass


def create_user(
    email: str, name: str, password: str, role: str, events=(), instance_admin: bool = False
) -> User:
    """An account with a password (the command line's, the tests'): given ``events`` (all of
    one organiser group, whose account it becomes), or an instance administrator."""
    email = email.strip().lower()
    if role not in {r.value for r in Role}:
        raise UserError(f"role must be one of: {', '.join(r.value for r in Role)}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    if email_taken(email):
        raise UserError(f"a user with e-mail {email} already exists")
    if instance_admin and role != Role.ADMIN:
        raise UserError("an instance administrator has the role admin")
    if not instance_admin and not events:
        raise UserError("give the account an event (--event SLUG), or make it an instance administrator")
    if len({event.organiser_id for event in events}) > 1:
        raise UserError("the events belong to different organiser groups: one account works for one group")
    user = User(email=email, name=name, role=role, instance_admin=instance_admin)
    user.organiser_id = events[0].organiser_id if events else None
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    for event in events:
        db.session.add(EventMembership(user_id=user.id, event_id=event.id))
    db.session.commit()
    return user


def give_event(user: User, event: Event) -> bool:
    """Let ``user`` work on ``event`` too (an account of its group); False if already so."""
    if user.organiser_id != event.organiser_id and not user.instance_admin:
        raise UserError(f"{user.email} works for another organiser group")
    if db.session.execute(select(EventMembership.id).filter_by(user_id=user.id, event_id=event.id)).first():
        return False
    db.session.add(EventMembership(user_id=user.id, event_id=event.id))
    return True


def account_with_email(email: str) -> User | None:
    return _by_email(email)


def email_taken(email: str) -> bool:
    return _by_email(email) is not None


def authenticate(email: str, password: str) -> User | None:
    user = _by_email(email)
    if user is None:
        # As slow as a wrong password, so that timing does not tell which addresses exist.
        check_password_hash(_unusable_hash(), password)
        return None
    if not user.active or not user.check_password(password):
        return None
    user.last_login_at = utcnow()
    db.session.commit()
    return user


def staff(event: Event) -> list[User]:
    """The accounts given ``event`` (instance administrators work on every event, and are
    listed only on the instance's pages)."""
    query = (
        select(User)
        .join(EventMembership, EventMembership.user_id == User.id)
        .filter(EventMembership.event_id == event.id)
        .order_by(User.active.desc(), User.name, User.email)
    )
    return db.session.scalars(query).all()


def member_of(event: Event, user_id: int) -> User | None:
    """The account with this id when it is given ``event``; None for anyone else."""
    query = select(User).join(EventMembership, EventMembership.user_id == User.id)
    return db.session.execute(query.filter(User.id == user_id, EventMembership.event_id == event.id)).scalar()


def invite_user(email: str, name: str, role: Role, language: str, invited_by: str, event: Event) -> User:
    """A new account of the event's organiser group, given the event, without a password,
    and the e-mail that lets them choose one."""
    if email_taken(email):
        raise UserError(f"a user with e-mail {email} already exists")
    user = User(email=email.strip().lower(), name=name.strip(), role=role, language=language)
    user.organiser_id = event.organiser_id
    user.forget_password()
    db.session.add(user)
    try:
        db.session.flush()
        db.session.add(EventMembership(user_id=user.id, event_id=event.id))
        db.session.flush()
    except IntegrityError:  # the same address invited twice at once (a double click)
        db.session.rollback()
        raise UserError(f"a user with e-mail {email} already exists") from None
    _audit(invited_by, AuditAction.STAFF_INVITED, user, event, role=str(role))
    _send_link(user, "invite", event)
    db.session.commit()
    return user


def send_new_link(user: User, sent_by: str) -> None:
    """An admin's reset: the current password stops working, and a new link goes out."""
    user.forget_password()
    _audit(sent_by, AuditAction.STAFF_PASSWORD_RESET, user)
    _send_link(user, "invite")
    db.session.commit()


def request_password_link(email: str) -> bool:
    """Someone at the sign-in page forgot their password: a link, if the account is active.
    Whether it was sent is for the logs only: the page says the same either way."""
    user = _by_email(email)
    if user is None or not user.active:
        return False
    _send_link(user, "reset")
    db.session.commit()
    return True


def user_for_password_token(token: str) -> User | None:
    """The active user a password link was made for; None if forged, expired or spent."""
    serializer = _serializer()
    try:
        user_id, fingerprint, purpose = serializer.loads(token)
        lifetime = LINK_LIFETIMES[purpose]
        serializer.loads(token, max_age=int(lifetime.total_seconds()))
    except (BadSignature, SignatureExpired, ValueError, TypeError, KeyError):
        return None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not user.active or user.password_fingerprint != fingerprint:
        return None
    return user


def choose_password(user: User, password: str) -> None:
    """Set the password chosen from a link; this spends the link and ends other sessions."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    user.set_password(password)
    user.last_login_at = utcnow()  # they are signed in next
    _audit(user.email, AuditAction.STAFF_PASSWORD_CHOSEN, user)
    db.session.commit()


def change_role(user: User, role: Role, changed_by: str) -> bool:
    if user.role == role:
        return False
    _audit(changed_by, AuditAction.STAFF_ROLE_CHANGED, user, old=str(user.role), new=str(role))
    user.role = role
    db.session.commit()
    return True


def set_active(user: User, active: bool, changed_by: str) -> None:
    """Deactivating signs them out at their next request and keeps their history."""
    if user.active != active:
        user.active = active
        _audit(changed_by, AuditAction.STAFF_REACTIVATED if active else AuditAction.STAFF_DEACTIVATED, user)
        db.session.commit()


def _by_email(email: str) -> User | None:
    return db.session.scalars(select(User).where(func.lower(User.email) == email.strip().lower())).first()


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="staff-password")


def password_link(user: User, purpose: str) -> str:
    token = _serializer().dumps([user.id, user.password_fingerprint, purpose])
    return external_url("auth.choose_password", token=token)


def link_lifetime(purpose: str) -> dict[str, int]:
    """How long a password link works, as the e-mail says it: {"days": 7} when whole days
    ("within 7 days", not "168 hours"), else {"hours": 2}."""
    lifetime = LINK_LIFETIMES[purpose]
    days, rest = divmod(lifetime, timedelta(days=1))
    if days and not rest:
        return {"days": days}
    return {"hours": max(1, round(lifetime / timedelta(hours=1)))}


def _their_event(user: User, event: Event | None = None) -> Event | None:
    """The event a message or record about a staff account names: the one given, else the
    page's, else their latest (from the sign-in page or the command line)."""
    if event is not None:
        return event
    if has_request_context() and current_event() is not None:
        return current_event()
    from app.staff.roles import events_of

    return next(iter(events_of(user)), None) if not user.instance_admin else None


def _send_link(user: User, purpose: str, event: Event | None = None) -> None:
    kind = MailKind.STAFF_INVITE if purpose == "invite" else MailKind.STAFF_RESET
    mailer.enqueue_for_staff(
        kind,
        user,
        _their_event(user, event),
        link=password_link(user, purpose),
        lifetime=link_lifetime(purpose),
        role_label=ROLE_LABELS[Role(user.role)],
        login_url=external_url("auth.login"),
    )


def _audit(actor: str, action: AuditAction, user: User, event: Event | None = None, **details) -> None:
    event = _their_event(user, event)
    db.session.add(
        AuditEntry(
            event_id=event.id if event else None,
            actor=actor,
            action=action,
            details={"user": user.email, **details},
        )
    )
