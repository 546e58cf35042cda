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
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET)
    SQLALCHEMY_DATABASE_URI = database_url(f"sqlite:///{BASE_DIR / 'instance' / 'noiday.db'}")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    BABEL_DEFAULT_LOCALE = "it"
    BABEL_DEFAULT_TIMEZONE = "Europe/Rome"
    LANGUAGES = ("it", "en")
    WTF_CSRF_TIME_LIMIT = None  # forms stay valid while someone fills them in slowly
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 24 * 180  # remembers the chosen language
    # The event served on the public pages: its slug, or the only/latest one when unset.
    EVENT_SLUG = os.environ.get("EVENT_SLUG")
    # The address every link in an e-mail or a document starts with, never the request's
    # Host (a forged Host would put an attacker's address in a password-reset link).
    PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000")
    # Host names the app answers for (comma-separated; a leading dot admits subdomains); any
    # other Host header gets 400. Production defaults to PUBLIC_URL's host.
    TRUSTED_HOSTS = trusted_hosts(os.environ.get("TRUSTED_HOSTS"))
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "0") == "1"
    MAIL_USE_SSL = os.environ.get("MAIL_USE_SSL", "0") == "1"
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "Noi Day <noreply@localhost>")
    MAIL_MESSAGE_ID_DOMAIN = os.environ.get("MAIL_MESSAGE_ID_DOMAIN", "noiday.local")
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", "10"))
    # When true, messages stay in the outbox and are shown at /dev/mail instead of sent.
    MAIL_CATCH = os.environ.get("MAIL_CATCH", "0") == "1"
    PRODUCTION = False
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ENABLED = os.environ.get("RATELIMIT_ENABLED", "1") == "1"
    # X-RateLimit-* headers on every answer cost the API a Redis round trip each; the 429
    # answer still says when to retry (app/__init__.py).
    RATELIMIT_HEADERS_ENABLED = False
    # If Redis goes away mid-event, keep serving with per-process limits rather than fail.
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    # Check-in API calls per desk device (app/api/auth.py): stops a runaway client, not a busy desk.
    API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "600 per minute")
    # Failed sign-ins per account from all addresses together (app/auth/throttle.py).
    LOGIN_ACCOUNT_LIMIT = os.environ.get("LOGIN_ACCOUNT_LIMIT", "100 per hour")
    # Number of proxies in front of the app whose X-Forwarded-* headers are trusted.
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
    # ...and only from these peers (gunicorn's own setting, shared): anyone else's headers
    # are ignored, so a client that reaches the app directly cannot choose its address.
    FORWARDED_ALLOW_IPS = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
    HOME_PAGE_CACHE_SECONDS = float(os.environ.get("HOME_PAGE_CACHE_SECONDS", "5"))


class DevelopmentConfig(Config):
    MAIL_CATCH = os.environ.get("MAIL_CATCH", "1") == "1"


class TestingConfig(Config):
    TESTING = True
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL") or "sqlite://"
    WTF_CSRF_ENABLED = True
    MAIL_CATCH = False
    MAIL_SUPPRESS_SEND = False
    HOME_PAGE_CACHE_SECONDS = 0  # each test sees its own database's home page
    PUBLIC_URL = "http://localhost"  # the test client's own host


class ProductionConfig(Config):
    PRODUCTION = True
    PUBLIC_URL = os.environ.get("PUBLIC_URL")  # required: create_app refuses to start without it
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_for(name: str | None = None):
    return CONFIGS[name or os.environ.get("NOIDAY_CONFIG", "development")]
