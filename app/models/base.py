"""Shared column helpers."""

import enum
from datetime import UTC, datetime

from flask_babel import get_locale
from sqlalchemy import CheckConstraint


def utcnow() -> datetime:
    """Naive UTC: stored the same way on SQLite and PostgreSQL."""
    return datetime.now(UTC).replace(tzinfo=None)


def localized(value, locale: str | None = None) -> str:
    """Pick a translated text from an event-file field: a string, or {"it": ..., "en": ...}."""
    if not isinstance(value, dict):
        return value or ""
    if locale is None:
        locale = str(get_locale() or "it")
    return value.get(locale) or next((v for v in value.values() if v), "")


def one_of(column: str, values: type[enum.StrEnum]) -> CheckConstraint:
    """The database refuses any value of the column outside the enum, which declares them once.
    A VARCHAR with this CHECK rather than sa.Enum: every status column here has this shape,
    and a new value is a migration that rewrites the CHECK on both databases."""
    allowed = ", ".join(f"'{member.value}'" for member in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=column)
