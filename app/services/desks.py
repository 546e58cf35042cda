"""Check-in desk devices: created and revoked by an admin, authenticated by a bearer token."""

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import AuditEntry, DeskDevice, Event, utcnow


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_desk_device(event: Event, name: str, created_by: str = "system") -> tuple[DeskDevice, str]:
    """Returns the device and its token; only the token's hash is stored, so show it now."""
    token = secrets.token_urlsafe(32)
    device = DeskDevice(event=event, name=name.strip()[:60], token_hash=_hash(token), created_by=created_by)
    db.session.add(device)
    db.session.flush()
    db.session.add(
        AuditEntry(event_id=event.id, actor=created_by, action="desk_created", details={"desk": device.name})
    )
    db.session.commit()
    return device, token


def revoke_desk_device(device: DeskDevice, revoked_by: str) -> None:
    if device.revoked_at is None:
        device.revoked_at = utcnow()
        db.session.add(
            AuditEntry(
                event_id=device.event_id,
                actor=revoked_by,
                action="desk_revoked",
                details={"desk": device.name},
            )
        )
        db.session.commit()


def device_for_token(token: str | None) -> DeskDevice | None:
    """The active device with this token, in one query; None for a missing or revoked token."""
    if not token:
        return None
    return db.session.scalars(
        select(DeskDevice)
        .where(DeskDevice.token_hash == _hash(token), DeskDevice.revoked_at.is_(None))
        .options(joinedload(DeskDevice.event))
    ).first()


def desk_devices(event: Event) -> list[DeskDevice]:
    return db.session.scalars(select(DeskDevice).filter_by(event_id=event.id).order_by(DeskDevice.id)).all()
