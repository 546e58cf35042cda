"""Organiser groups: who runs which events on this instance (app/models/organiser.py)."""

import re
import unicodedata

from sqlalchemy import func, select

from app.extensions import db
from app.models import Organiser


def slug_for(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:80] or "organisers"


def create_group(name: str, slug: str | None = None) -> Organiser:
    group = Organiser(name=name.strip()[:200], slug=slug or slug_for(name))
    db.session.add(group)
    db.session.flush()
    return group


def group_with_slug(slug: str) -> Organiser | None:
    return db.session.execute(select(Organiser).filter_by(slug=slug)).scalar_one_or_none()


def all_groups() -> list[Organiser]:
    return db.session.scalars(select(Organiser).order_by(Organiser.name)).all()


def default_group(name: str | None) -> Organiser:
    """The group of a new event loaded without one: the only group there is, else a group
    made from the organiser the event file names (the one-event instance never sees groups).
    With several groups, the same name finds its group; otherwise a new one is made."""
    groups = db.session.scalars(select(Organiser).order_by(Organiser.id).limit(2)).all()
    if len(groups) == 1:
        return groups[0]
    name = (name or "").strip() or "Organisers"
    found = db.session.scalars(select(Organiser).filter(func.lower(Organiser.name) == name.lower())).first()
    if found:
        return found
    slug, suffix = slug_for(name), 1
    while group_with_slug(slug if suffix == 1 else f"{slug}-{suffix}"):
        suffix += 1
    return create_group(name, slug if suffix == 1 else f"{slug}-{suffix}")
