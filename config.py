"""Configuration, one class per environment. Secrets and URLs come from the environment."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
DEV_SECRET = "dev-only-insecure-secret"


def database_url(default: str) -> str:
    """Read DATABASE_URL and point plain postgres URLs at the psycopg 3 driver."""
    url = os.environ.get("DATABASE_URL") or default
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def trusted_hosts(value: str | None) -> list[str] | None:
    """TRUSTED_HOSTS from a comma-separated list; None (any host) when unset."""
    hosts = [host.strip() for host in (value or "").split(",") if host.strip()]
    return hosts or None


class Config:
    """Settings that do not depend on the environment; the rest are read by load_config."""

    # No pre-ping (a round trip per request): app/core/connections.py checks a pooled
    # connection without one; connections are renewed every half hour all the same.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_recycle": 1800}
    BABEL_DEFAULT_LOCALE = "it"
    BABEL_DEFAULT_TIMEZONE = "Europe/Rome"
    LANGUAGES = ("it", "en")
    WTF_CSRF_TIME_LIMIT = None  # forms stay valid while someone fills them in slowly
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 24 * 180  # remembers the chosen language
    PRODUCTION = False
    # X-RateLimit-* headers on every answer cost the API a Redis round trip each; the 429
    # answer still says when to retry (app/__init__.py).
    RATELIMIT_HEADERS_ENABLED = False
    # If Redis goes away mid-event, keep serving with per-process limits rather than fail.
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True


def _env(key: str, default=None):
    return os.environ.get(key, default)


def _flag(key: str, default: str) -> bool:
    return os.environ.get(key, default) == "1"


def _common_settings() -> dict:
    """Settings every environment reads from os.environ, read now (not at import)."""
    return {
        "SECRET_KEY": _env("SECRET_KEY", DEV_SECRET),
        "SQLALCHEMY_DATABASE_URI": database_url(f"sqlite:///{BASE_DIR / 'instance' / 'noiday.db'}"),
        # The event served on the public pages: its slug, or the only/latest one when unset.
        "EVENT_SLUG": _env("EVENT_SLUG"),
        # The address every link in an e-mail or a document starts with, never the request's
        # Host (a forged Host would put an attacker's address in a password-reset link).
        "PUBLIC_URL": _env("PUBLIC_URL", "http://127.0.0.1:5000"),
        # Host names the app answers for (comma-separated; a leading dot admits subdomains);
        # any other Host header gets 400. Production defaults to PUBLIC_URL's host.
        "TRUSTED_HOSTS": trusted_hosts(_env("TRUSTED_HOSTS")),
        **_mail_settings(),
        "RATELIMIT_STORAGE_URI": _env("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": _flag("RATELIMIT_ENABLED", "1"),
        # Check-in API calls per desk device: stops a runaway client, not a busy desk.
        "API_RATE_LIMIT": _env("API_RATE_LIMIT", "600 per minute"),
        # How long a worker trusts a desk token it checked, without asking the database
        # (app/checkin/desks.py): the most a revoked desk keeps working on other workers.
        "DESK_TOKEN_CACHE_SECONDS": float(_env("DESK_TOKEN_CACHE_SECONDS", "10")),
        # Failed sign-ins per account from all addresses together (app/staff/throttle.py).
        "LOGIN_ACCOUNT_LIMIT": _env("LOGIN_ACCOUNT_LIMIT", "100 per hour"),
        # Number of proxies in front of the app whose X-Forwarded-* headers are trusted.
        "PROXY_COUNT": int(_env("PROXY_COUNT", "0")),
        # ...and only from these peers (gunicorn's own setting, shared): anyone else's headers
        # are ignored, so a client that reaches the app directly cannot choose its address.
        "FORWARDED_ALLOW_IPS": _env("FORWARDED_ALLOW_IPS", "127.0.0.1,::1"),
        "LOG_FORMAT": _env("LOG_FORMAT", "text"),
        "HOME_PAGE_CACHE_SECONDS": float(_env("HOME_PAGE_CACHE_SECONDS", "5")),
    }


def _mail_settings() -> dict:
    return {
        "MAIL_SERVER": _env("MAIL_SERVER", "localhost"),
        "MAIL_PORT": int(_env("MAIL_PORT", "25")),
        "MAIL_USE_TLS": _flag("MAIL_USE_TLS", "0"),
        "MAIL_USE_SSL": _flag("MAIL_USE_SSL", "0"),
        "MAIL_USERNAME": _env("MAIL_USERNAME"),
        "MAIL_PASSWORD": _env("MAIL_PASSWORD"),
        "MAIL_DEFAULT_SENDER": _env("MAIL_DEFAULT_SENDER", "Noi Day <noreply@localhost>"),
        # The domain after the "@" of each Message-ID; unset: the sender's (MAIL_DEFAULT_SENDER),
        # else PUBLIC_URL's host (app/mail/outbox.py), as mail systems expect one they know.
        "MAIL_MESSAGE_ID_DOMAIN": _env("MAIL_MESSAGE_ID_DOMAIN"),
        "MAIL_TIMEOUT": float(_env("MAIL_TIMEOUT", "10")),
        # When true, messages stay in the outbox and are shown at /dev/mail instead of sent.
        "MAIL_CATCH": _flag("MAIL_CATCH", "0"),
    }


def _development_settings() -> dict:
    return {"MAIL_CATCH": _flag("MAIL_CATCH", "1")}


def _testing_settings() -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": _env("TEST_DATABASE_URL") or "sqlite://",
        "WTF_CSRF_ENABLED": True,
        "MAIL_CATCH": False,
        "MAIL_SUPPRESS_SEND": False,
        "HOME_PAGE_CACHE_SECONDS": 0,  # each test sees its own database's home page
        "PUBLIC_URL": "http://localhost",  # the test client's own host
    }


def _production_settings() -> dict:
    return {
        "PRODUCTION": True,
        "PUBLIC_URL": _env("PUBLIC_URL"),  # required: create_app refuses to start without it
        "LOG_FORMAT": _env("LOG_FORMAT", "json"),
        "RATELIMIT_STORAGE_URI": _env("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0"),
        "SESSION_COOKIE_SECURE": True,
        "REMEMBER_COOKIE_SECURE": True,
        "PREFERRED_URL_SCHEME": "https",
    }


ENVIRONMENTS = {
    "development": _development_settings,
    "testing": _testing_settings,
    "production": _production_settings,
}


def load_config(name: str | None = None) -> dict:
    """All settings of one environment, reading os.environ now (create_app calls this)."""
    name = name or os.environ.get("NOIDAY_CONFIG", "development")
    settings = {key: value for key, value in vars(Config).items() if key.isupper()}
    settings.update(_common_settings())
    settings.update(ENVIRONMENTS[name]())
    return settings
