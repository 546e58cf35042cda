"""Shared column helpers."""

from datetime import UTC, datetime

from flask_babel import get_locale


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
