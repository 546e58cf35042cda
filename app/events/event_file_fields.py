"""The event's own fields in its file: its slug, languages, time zone, venue, contact
address and registration window. Each function reads one and reports its problems."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import lazy_gettext as _l

from app.events.event_file_reader import NodeReader
from app.events.serving import RESERVED_SLUGS
from app.mail.headers import has_control_characters

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

KNOWN_FIELDS = {
    "slug", "name", "short_name", "tagline", "description", "organiser", "contact_email", "venue",
    "date", "timezone", "languages", "capacity", "privacy_version", "registration",
    "programme", "day_parts", "tables", "organisations", "world_cafe", "feedback", "open_data",
    "questions", "fields", "exit_scans",
}  # fmt: skip


def check_known_fields(r: NodeReader, top: dict) -> None:
    for key, node in top.items():
        if key not in KNOWN_FIELDS:
            r.fail(
                node,
                str(key),
                _l("unknown field (expected one of: %(fields)s)", fields=", ".join(sorted(KNOWN_FIELDS))),
            )


def read_languages(r: NodeReader, top: dict, root) -> list[str]:
    languages = []
    for node in r.sequence(r.require(top, "languages", root, "languages") or root, "languages"):
        lang = r.text(node, "languages")
        if lang and not re.fullmatch(r"[a-z]{2}", lang):
            r.fail(
                node, "languages", _l("expected a two-letter language code, got %(value)s", value=repr(lang))
            )
        languages.append(lang)
    return languages or ["it"]


def read_slug(r: NodeReader, top: dict, root) -> str:
    slug = r.text(r.require(top, "slug", root, "slug"), "slug")
    if slug and not SLUG_RE.fullmatch(slug):
        r.fail(top["slug"], "slug", _l("use lower-case letters, digits and dashes"))
    elif slug in RESERVED_SLUGS:  # it begins the address of the instance's own pages
        r.fail(top["slug"], "slug", _l("%(slug)s is taken by the app's own pages: choose another", slug=slug))
    return slug or ""


def read_timezone(r: NodeReader, top: dict, root) -> tuple[str, ZoneInfo | None]:
    """The zone's name as written, and the zone itself when it exists."""
    tz_name = r.text(r.require(top, "timezone", root, "timezone"), "timezone")
    if not tz_name:
        return "", None
    try:
        return tz_name, ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        r.fail(top["timezone"], "timezone", _l("unknown time zone: %(value)s", value=repr(tz_name)))
        return tz_name, None


def read_venue(r: NodeReader, top: dict, root) -> tuple[str, str | None]:
    """The venue's name and address."""
    venue = r.mapping(r.require(top, "venue", root, "venue") or root, "venue") or {}
    name = r.text(r.require(venue, "name", top.get("venue", root), "venue.name"), "venue.name")
    return name or "", r.text(venue.get("address"), "venue.address")


def read_contact_email(r: NodeReader, top: dict) -> str | None:
    # The name, the organiser and the contact address are the ones that can reach a header.
    contact_email = r.text(top.get("contact_email"), "contact_email", one_line=True)
    if contact_email and not has_control_characters(contact_email) and not EMAIL_RE.match(contact_email):
        r.fail(
            top["contact_email"],
            "contact_email",
            _l("not an e-mail address: %(value)s", value=repr(contact_email)),
        )
    return contact_email


def read_registration_window(
    r: NodeReader, top: dict, tz: ZoneInfo | None
) -> tuple[datetime | None, datetime | None]:
    """When registration opens and closes, in naive UTC."""
    registration = r.mapping(top["registration"], "registration") if "registration" in top else {}
    registration = registration or {}
    opens = r.local_datetime(registration.get("opens"), "registration.opens", tz)
    closes = r.local_datetime(registration.get("closes"), "registration.closes", tz)
    if opens and closes and closes <= opens:
        r.fail(registration["closes"], "registration.closes", _l("must come after registration.opens"))
    return opens, closes


GROUP_POLICIES = ("all_or_nothing", "as_many_as_fit")  # app/models/group.py: GroupPolicy
GROUP_FIELDS = ("policy", "max_size")
DEFAULT_GROUP_SIZE, LARGEST_GROUP = 10, 50  # one form: a row per person


def read_group_registration(r: NodeReader, top: dict) -> dict | None:
    """``registration: groups: {policy, max_size}``: a contact may register several people
    at once. None (no ``groups``): each person registers on their own."""
    registration = top.get("registration")
    if registration is None or not hasattr(registration, "value") or not isinstance(registration.value, list):
        return None
    node = dict((k.value, v) for k, v in registration.value).get("groups")
    if node is None:
        return None
    groups = r.mapping(node, "registration.groups")
    if groups is None:
        return None
    for key, value_node in groups.items():
        if key not in GROUP_FIELDS:
            r.fail(
                value_node,
                f"registration.groups.{key}",
                _l("unknown field (expected one of: %(fields)s)", fields=", ".join(GROUP_FIELDS)),
            )
    policy = r.text(groups.get("policy"), "registration.groups.policy") or "as_many_as_fit"
    if policy not in GROUP_POLICIES:
        r.fail(
            groups["policy"],
            "registration.groups.policy",
            _l(
                "expected %(choices)s, got %(value)s", choices=" or ".join(GROUP_POLICIES), value=repr(policy)
            ),
        )
    max_size = r.integer(groups.get("max_size"), "registration.groups.max_size", minimum=2)
    if max_size is not None and max_size > LARGEST_GROUP:
        r.fail(
            groups["max_size"],
            "registration.groups.max_size",
            _l("at most %(max)d people in one group", max=LARGEST_GROUP),
        )
    return {"policy": policy, "max_size": min(max_size or DEFAULT_GROUP_SIZE, LARGEST_GROUP)}
