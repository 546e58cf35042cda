"""Staff accounts: admin, desk and facilitator."""

import enum
import hashlib
import secrets

from flask_login import UserMixin
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models.base import one_of, utcnow


class Role(enum.StrEnum):
    ADMIN = "admin"
    DESK = "desk"
    FACILITATOR = "facilitator"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(254), nullable=False, unique=True)
    name = db.Column(db.String(200), nullable=False)
    password_hash = db.Column(db.String(256), nullable=False)
    role = db.Column(db.String(20), nullable=False)
    # The organiser group the account belongs to; None for instance administrators, who
    # create groups and events and work on every event (app/models/organiser.py).
    organiser_id = db.Column(db.Integer, db.ForeignKey("organisers.id"), index=True)
    instance_admin = db.Column(db.Boolean, nullable=False, default=False, server_default="0")
    active = db.Column(db.Boolean, nullable=False, default=True)
    language = db.Column(db.String(5), nullable=False, default="it", server_default="it")  # of their e-mails
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    # None until an invited person chooses a password from their link.
    password_set_at = db.Column(db.DateTime)
    last_login_at = db.Column(db.DateTime)

    __table_args__ = (one_of("role", Role),)

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def invited(self) -> bool:
        """Invited by an admin, and has not chosen a password yet."""
        return self.password_set_at is None

    @property
    def password_fingerprint(self) -> str:
        """Changes with every new password (each hash has its own salt): sessions and
        password links carry it, so a new password ends the others and spends the link."""
        return hashlib.sha256(self.password_hash.encode("utf-8")).hexdigest()[:16]

    def get_id(self) -> str:
        return f"{self.id}:{self.password_fingerprint}"

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)
        self.password_set_at = utcnow()

    def forget_password(self) -> None:
        """An unguessable password nobody knows: the old one, its sessions and links stop."""
        self.password_hash = generate_password_hash(secrets.token_urlsafe(32))
        self.password_set_at = None

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)
