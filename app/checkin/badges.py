"""Badges: the signed token in the badge's QR code, its check, and the QR image.

Token format (version 1). Fifteen bytes, written as 24 characters of RFC 4648 base32
(A-Z and 2-7, upper case, no padding: 15 bytes are exactly 24 characters, so no character
carries spare bits and every token has one spelling):

    bytes 0-1    event id, unsigned big-endian (up to 65 535)
    bytes 2-4    attendee id, unsigned big-endian (up to 16 777 215)
    byte  5      the attendee's badge_version modulo 256 (reissuing bumps it)
    bytes 6-14   HMAC-SHA256(key, bytes 0-5), truncated to 72 bits
    key          HMAC-SHA256(SECRET_KEY, b"badge-token-v1")

24 alphanumeric characters fit a version 2 QR code at error correction M (capacity 38),
and a keyboard-wedge scanner types them right on any layout. A 72-bit tag can only be
guessed online, one scan at a time, so it is as good as 80 bits here and keeps the token
to whole base32 groups. Scanned text is accepted in any case and with surrounding
whitespace. Changing SECRET_KEY invalidates every badge printed so far.

Under the QR the badge prints a short code for people to type (badge_codes.py);
``verify_badge`` takes either.
"""

import base64
import binascii
import enum
import hashlib
import hmac
import io
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import qrcode
import qrcode.constants
import qrcode.util
from flask import current_app
from flask_babel import force_locale, format_date
from flask_babel import lazy_gettext as _l
from PIL import Image

from app.checkin.badge_codes import (
    formatted_badge_code,
    give_new_badge_code,
    holder_of_code,
    replaced_code_holder,
    typed_badge_code,
)
from app.extensions import db
from app.models import Attendee, DayPartKind, Event, ParticipantType, PartStatus, localized

TOKEN_LENGTH = 24
_PAYLOAD_LENGTH = 6
_TAG_LENGTH = 9
_TOKEN_SHAPE = re.compile(r"[A-Z2-7]{24}")
_KEY_LABEL = b"badge-token-v1"

# The same texts as the registration form's choices, so that one translation serves both.
PARTICIPANT_TYPE_LABELS = {
    ParticipantType.NETWORK_MEMBER: _l("Member of the network"),
    ParticipantType.CITY_STAFF: _l("City staff"),
    ParticipantType.SOCIAL_WORKER: _l("Social or third-sector worker"),
    ParticipantType.PARTNER: _l("Project partner"),
    ParticipantType.CITIZEN: _l("Citizen"),
    ParticipantType.PRESS: _l("Press"),
    ParticipantType.SPEAKER: _l("Speaker"),
}


def participant_type_name(kind: str) -> str:
    """A participant type in words for the figures; "" when the event file does not ask it
    (its ``fields:``): a row of its own, named, rather than a blank one."""
    return str(PARTICIPANT_TYPE_LABELS.get(kind, kind) or _l("not asked"))


class BadgeCheck(enum.Enum):
    VALID = "valid"
    MALFORMED = "malformed"  # not a badge token at all: wrong length or characters
    FORGED = "forged"  # well formed, but the signature does not match
    OTHER_EVENT = "other_event"  # genuine, for another event
    UNKNOWN_ATTENDEE = "unknown_attendee"  # genuine, but the attendee was deleted
    REVOKED = "revoked"  # genuine, but a newer badge was issued since
    UNKNOWN_CODE = "unknown_code"  # a typed code that no badge of the event has (a typo?)


@dataclass(frozen=True)
class BadgeVerification:
    """What a scanned badge says. VALID means genuine and current; whether the attendee
    may come in (cancelled, waiting list) is for check-in to decide."""

    check: BadgeCheck
    attendee: Attendee | None = None  # set for VALID and REVOKED

    @property
    def valid(self) -> bool:
        return self.check is BadgeCheck.VALID


@dataclass(frozen=True)
class BadgeData:
    """Everything printed on one badge, already in the attendee's language."""

    token: str
    code: str  # printed under the QR, as people read it: "KLM 479"
    first_name: str
    last_name: str
    organisation: str | None
    participant_type_label: str
    table_name: str | None
    lunch: bool
    event_name: str
    event_date_text: str
    locale: str = "it"  # for the few words the PDF adds ("Lunch", "Table")


def badge_token(attendee: Attendee) -> str:
    """The token for the attendee's current badge (the attendee must have an id)."""
    if attendee.id is None:
        raise ValueError("flush the attendee before making a badge token")
    version = attendee.badge_version or 1  # None before the first flush applies the default
    payload = (
        attendee.event_id.to_bytes(2, "big")
        + attendee.id.to_bytes(3, "big")
        + (version % 256).to_bytes(1, "big")
    )
    return base64.b32encode(payload + _tag(payload)).decode("ascii")


def verify_badge_token(token, event: Event | int) -> BadgeVerification:
    """Check scanned text against the event; never raises, at most one database query."""
    claims = badge_token_claims(token, event)
    if isinstance(claims, BadgeCheck):
        return BadgeVerification(claims)
    attendee_id, version = claims
    attendee = db.session.get(Attendee, attendee_id)
    return holder_check(attendee, event, version)


def badge_token_claims(token, event: Event | int) -> BadgeCheck | tuple[int, int]:
    """What a genuine token of the event names, (attendee id, badge version modulo 256),
    without touching the database; else why it is refused (MALFORMED, FORGED, OTHER_EVENT)."""
    payload, tag = _decode(token)
    if payload is None:
        return BadgeCheck.MALFORMED
    if not hmac.compare_digest(tag, _tag(payload)):
        return BadgeCheck.FORGED
    event_id = event if isinstance(event, int) else event.id
    if int.from_bytes(payload[0:2], "big") != event_id:
        return BadgeCheck.OTHER_EVENT
    return int.from_bytes(payload[2:5], "big"), payload[5]


def holder_check(attendee, event: Event | int, version: int) -> BadgeVerification:
    """The token's claims against its holder as read (an Attendee, or what the scan read)."""
    event_id = event if isinstance(event, int) else event.id
    if attendee is None or attendee.event_id != event_id:
        return BadgeVerification(BadgeCheck.UNKNOWN_ATTENDEE)
    if version != attendee.badge_version % 256:
        return BadgeVerification(BadgeCheck.REVOKED, attendee)
    return BadgeVerification(BadgeCheck.VALID, attendee)


def verify_badge(scanned, event: Event | int) -> BadgeVerification:
    """Check a scanned QR token, or a code typed from under it, against the event. A code
    costs one query (two when refused: was it a replaced badge's?)."""
    code = typed_badge_code(scanned)
    if code is None:
        return verify_badge_token(scanned, event)
    event_id = event if isinstance(event, int) else event.id
    attendee = holder_of_code(event_id, code)
    if attendee is not None:
        return BadgeVerification(BadgeCheck.VALID, attendee)
    replaced = replaced_code_holder(event_id, code)
    return BadgeVerification(BadgeCheck.REVOKED if replaced else BadgeCheck.UNKNOWN_CODE, replaced)


def reissue_badge(attendee: Attendee) -> str:
    """Revoke the attendee's badge (QR and code) and return the new token; the caller
    commits, and records the replaced code (the return of give_new_badge_code) if it audits."""
    attendee.badge_version = (attendee.badge_version or 1) + 1
    give_new_badge_code(attendee)
    return badge_token(attendee)


# Every badge's QR uses mask pattern 2 (a module flips when its column is a multiple of 3).
# Scoring the eight masks for each badge, as qrcode does when none is given, was 90% of a
# symbol's cost (1.6 ms). Readers take any mask (the symbol names its own); over 1,500 random
# badge tokens mask 2 has the lowest mean penalty score of the eight (501; qrcode's own choice
# averages 433) and it is the one chosen most often, and degraded camera-like images of 2,000
# badges decode as often with it as with qrcode's choice (55.2% against 55.5%).
QR_MASK = 2
QR_BORDER = 4  # modules of quiet zone, as the standard asks


def qr_png(token: str, box_size: int = 10) -> bytes:
    """The token as a QR code PNG: error correction M, 10 px modules and the standard
    4-module quiet zone (330 px for version 2: sharp on screens, 28 mm at 300 dpi).
    A black and white image of one pixel a module, enlarged: the same pixels as qrcode's
    image, without drawing each module as a rectangle."""
    light = ~np.array(qr_modules(token), dtype=bool)
    symbol = np.pad(light, QR_BORDER, constant_values=True)
    size = symbol.shape[0] * box_size
    image = Image.fromarray(symbol).resize((size, size), Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@lru_cache(maxsize=256)
def qr_modules(token: str) -> tuple[tuple[bool, ...], ...]:
    """The QR symbol's modules (True for dark), rows from the top, without the quiet zone.
    Cached: an e-mail draws the same badge twice (inline PNG and PDF)."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0, mask_pattern=QR_MASK)
    qr.add_data(qrcode.util.QRData(token, mode=qrcode.util.MODE_ALPHA_NUM))
    qr.make(fit=True)  # the smallest version that holds it: 2 for a badge token
    return tuple(tuple(bool(dark) for dark in row) for row in qr.modules)


def badge_data_for(attendee: Attendee, locale: str, table_name: str | None = None) -> BadgeData:
    """What the attendee's badge shows, in that language. Reads the attendee's day parts
    and event: for many badges, load them with the attendees (selectinload)."""
    lunch = any(
        part.status == PartStatus.CONFIRMED and part.day_part.kind == DayPartKind.LUNCH
        for part in attendee.parts
    )
    label = PARTICIPANT_TYPE_LABELS.get(attendee.participant_type)
    with force_locale(locale):
        return BadgeData(
            token=badge_token(attendee),
            code=formatted_badge_code(attendee.badge_code),
            first_name=attendee.first_name,
            last_name=attendee.last_name,
            organisation=attendee.organisation_name,
            participant_type_label=str(label) if label else attendee.participant_type,
            table_name=table_name,
            lunch=lunch,
            event_name=localized(attendee.event.name, locale),
            event_date_text=format_date(attendee.event.date, "long"),
            locale=locale,
        )


def _decode(token) -> tuple[bytes | None, bytes | None]:
    """(payload, tag) from scanned text, or (None, None) when it is not token-shaped."""
    if not isinstance(token, str):
        return None, None
    text = token.strip()
    # isascii() first: str.upper() would turn some non-ASCII letters (ı, ſ) into A-Z.
    if len(text) != TOKEN_LENGTH or not text.isascii():
        return None, None
    text = text.upper()
    if not _TOKEN_SHAPE.fullmatch(text):
        return None, None
    try:
        raw = base64.b32decode(text)
    except (binascii.Error, ValueError):
        return None, None
    return raw[:_PAYLOAD_LENGTH], raw[_PAYLOAD_LENGTH:]


def _tag(payload: bytes) -> bytes:
    return hmac.new(_key(current_app.config["SECRET_KEY"]), payload, hashlib.sha256).digest()[:_TAG_LENGTH]


@lru_cache(maxsize=4)
def _key(secret: str | bytes) -> bytes:
    secret = secret.encode("utf-8") if isinstance(secret, str) else secret
    return hmac.new(secret, _KEY_LABEL, hashlib.sha256).digest()
