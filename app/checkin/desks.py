"""Check-in desk devices: created and revoked by an admin, authenticated by a bearer token;
and the attendees the desk's own pages may open (each by id, scoped to the served event)."""

import base64
import hashlib
import io
import secrets
import time

import qrcode
import qrcode.constants
from flask import abort, current_app
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import joinedload, make_transient_to_detached

from app.extensions import db
from app.models import (
    Attendee,
    AttendeeStatus,
    AuditAction,
    AuditEntry,
    CheckIn,
    CheckInMethod,
    DeskDevice,
    Event,
    utcnow,
)
from app.registration.privacy import is_anonymised


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_desk_device(event: Event, name: str, created_by: str = "system") -> tuple[DeskDevice, str]:
    """Returns the device and its token; only the token's hash is stored, so show it now."""
    token = secrets.token_urlsafe(32)
    device = DeskDevice(event=event, name=name.strip()[:60], token_hash=_hash(token), created_by=created_by)
    db.session.add(device)
    db.session.flush()
    db.session.add(
        AuditEntry(
            event_id=event.id,
            actor=created_by,
            action=AuditAction.DESK_CREATED,
            details={"desk": device.name},
        )
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
                action=AuditAction.DESK_REVOKED,
                details={"desk": device.name},
            )
        )
        db.session.commit()
    forget_recent_devices()


def active_desk_named(event: Event, name: str) -> DeskDevice | None:
    """An active desk of the event with this name (any case): names tell desks apart in
    "already checked in at ..." and in the audit log, so two active desks never share one."""
    return db.session.scalars(
        select(DeskDevice).where(
            DeskDevice.event_id == event.id,
            DeskDevice.revoked_at.is_(None),
            func.lower(DeskDevice.name) == name.strip().lower(),
        )
    ).first()


# Token hash -> (when the entry expires, the device with its event, detached). Each
# process keeps the desks it served recently, so that a scan need not look its desk up:
# a revocation empties this process's entries at once and reaches the others within
# DESK_TOKEN_CACHE_SECONDS, as does an edit of the event (its time zone, its name).
_recent_devices: dict[str, tuple[float, DeskDevice]] = {}


def device_for_token(token: str | None) -> DeskDevice | None:
    """The active device with this token, with its event; None for a missing or revoked
    token. One query, or none when this process looked the token up in the last
    DESK_TOKEN_CACHE_SECONDS."""
    if not token:
        return None
    token_hash = _hash(token)
    recent = _recent_devices.get(token_hash)
    if recent is not None and recent[0] > time.monotonic():
        # Into this session without a query (the device and its event are as loaded).
        return db.session.merge(recent[1], load=False)
    device = db.session.scalars(
        select(DeskDevice)
        .where(DeskDevice.token_hash == token_hash, DeskDevice.revoked_at.is_(None))
        .options(joinedload(DeskDevice.event))
    ).first()
    seconds = current_app.config["DESK_TOKEN_CACHE_SECONDS"]
    if device is not None and seconds > 0:
        _remember(token_hash, device, seconds)
    return device


def _remember(token_hash: str, device: DeskDevice, seconds: float) -> None:
    """Copies of the device and its event, detached as if loaded, for other sessions."""
    copy, event = _copy(device), _copy(device.event)
    copy.event = event
    make_transient_to_detached(event)
    make_transient_to_detached(copy)  # as loaded: its event is no change to write
    _recent_devices[token_hash] = (time.monotonic() + seconds, copy)


def _copy(instance):
    """A new instance with the loaded columns' values (reading an unloaded one would query)."""
    model, loaded = type(instance), inspect(instance).dict
    return model(**{a.key: loaded[a.key] for a in inspect(model).column_attrs if a.key in loaded})


def forget_recent_devices() -> None:
    """This process asks the database again for every desk token (after a revocation)."""
    _recent_devices.clear()


def desk_devices(event: Event) -> list[DeskDevice]:
    return db.session.scalars(select(DeskDevice).filter_by(event_id=event.id).order_by(DeskDevice.id)).all()


def pairing_qr_data_uri(link: str) -> str:
    """The pairing link as a QR code, for the desk phone's camera: a data: URI (a PNG) to
    show on the admin's screen once, never stored or served from a URL of its own."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=6, border=4)
    qr.add_data(link)
    buffer = io.BytesIO()
    qr.make_image().save(buffer)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


# ---- What the desk's pages open ---------------------------------------------------------


def badge_holder_of(event: Event, attendee_id: int) -> Attendee:
    """An attendee of the event with a confirmed registration (a place, so a badge), whose
    data is not deleted; 404 for anyone else: another event's, waiting, cancelled."""
    attendee = db.session.get(Attendee, attendee_id)
    if (
        attendee is None
        or attendee.event_id != event.id
        or attendee.status != AttendeeStatus.CONFIRMED
        or is_anonymised(attendee)
    ):
        abort(404)
    return attendee


def checked_in_walk_in_of(event: Event, attendee_id: int) -> Attendee:
    """A badge holder of the event (see above) registered at the desk and checked in there
    as a walk-in, check-in still in force; 404 otherwise."""
    attendee = badge_holder_of(event, attendee_id)
    walk_in = db.session.scalar(
        select(CheckIn.id).where(
            CheckIn.attendee_id == attendee.id,
            CheckIn.method == CheckInMethod.WALK_IN,
            CheckIn.undone_at.is_(None),
        )
    )
    if walk_in is None:
        abort(404)
    return attendee


def waiting_walk_in_of(event: Event, attendee_id: int) -> Attendee:
    """Someone registered at the desk of the event who is on the day's waiting list (the day
    was full), data not deleted; 404 otherwise."""
    attendee = walk_in_of(event, attendee_id)
    if attendee.status != AttendeeStatus.WAITLISTED:
        abort(404)
    return attendee


def walk_in_of(event: Event, attendee_id: int) -> Attendee:
    """Someone registered at the desk of the event, not cancelled, data not deleted; 404
    otherwise (online registrations, another event's)."""
    attendee = db.session.get(Attendee, attendee_id)
    if (
        attendee is None
        or attendee.event_id != event.id
        or attendee.source != "desk"
        or attendee.status == AttendeeStatus.CANCELLED
        or is_anonymised(attendee)
    ):
        abort(404)
    return attendee
