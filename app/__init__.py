"""Noi Day: one public event day, from invitation to final report."""

from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, has_request_context, session
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine

# Flask-Mail as flask_mail: `mail` in this package is the app.mail feature (a subpackage)
from app.extensions import babel, csrf, db, limiter, login_manager, migrate
from app.extensions import mail as flask_mail
from config import DEV_SECRET, load_config

ROOT = Path(__file__).resolve().parent.parent


def select_locale() -> str:
    """The visitor's chosen language, else the app's first language (Italian)."""
    from flask import current_app

    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang") if has_request_context() else None
    if chosen in languages:
        return chosen
    return languages[0]


def select_timezone() -> str | None:
    """The served event's time zone, for the times staff pages show (stored in UTC)."""
    from app.events.services import current_event

    event = current_event() if has_request_context() else None
    return event.timezone if event and event.timezone else None  # None: BABEL_DEFAULT_TIMEZONE


def create_app(config_name: str | None = None, **overrides) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=str(ROOT / "instance"),
    )
    _configure(app, config_name, overrides)
    _init_extensions(app)
    _trust_proxies(app)
    _register_blueprints(app)
    _init_core(app)
    return app


def _configure(app: Flask, config_name: str | None, overrides: dict) -> None:
    """Settings from the environment (read now), then the caller's overrides; production
    refuses to start with an unsafe one."""
    app.config.from_mapping(load_config(config_name))
    app.config.update(overrides)
    if app.config["PRODUCTION"]:
        _refuse_unsafe_production(app)
    Path(app.instance_path).mkdir(exist_ok=True)


def _refuse_unsafe_production(app: Flask) -> None:
    if app.config["SECRET_KEY"] in (None, "", DEV_SECRET):
        raise RuntimeError("SECRET_KEY must be set to a private random value in production.")
    if app.config["MAIL_CATCH"]:
        raise RuntimeError("MAIL_CATCH shows every e-mail to anyone at /dev/mail: never in production.")
    _require_public_url(app)


def _init_extensions(app: Flask) -> None:
    from app.core import connections
    from app.core.db_limits import DbIntConverter

    app.url_map.converters["int"] = DbIntConverter  # before any route: every <int:...> is bounded
    db.init_app(app)
    connections.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    flask_mail.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None


def _trust_proxies(app: Flask) -> None:
    if app.config["PROXY_COUNT"]:
        from app.core.proxies import TrustedProxyFix, trusted_networks

        networks = trusted_networks(app.config["FORWARDED_ALLOW_IPS"])
        app.wsgi_app = TrustedProxyFix(app.wsgi_app, app.config["PROXY_COUNT"], networks)


def _register_blueprints(app: Flask) -> None:
    from app import models  # noqa: F401  (registers the tables)
    from app.checkin.admin import bp as admin_desks_bp
    from app.checkin.api.views import bp as api_bp
    from app.checkin.arrivals_views import bp as arrivals_bp
    from app.checkin.desk import bp as desk_bp
    from app.events.admin import bp as admin_event_bp
    from app.events.instance_admin import bp as instance_admin_bp
    from app.events.public import bp as public_bp
    from app.events.site import bp as site_bp
    from app.facilitation.admin import bp as admin_facilitators_bp
    from app.facilitation.views import bp as facilitators_bp
    from app.facilitation.views import synthesis_bp
    from app.mail.admin import bp as admin_announcements_bp
    from app.mail.unsubscribe_views import bp as unsubscribe_bp
    from app.registration.admin import bp as admin_bp
    from app.registration.views import bp as registration_bp
    from app.reporting.admin import report_bp as admin_report_bp
    from app.staff.admin import bp as admin_staff_bp
    from app.staff.auth import bp as auth_bp
    from app.worldcafe.admin import bp as admin_assignment_bp

    # The instance's own pages; the API, whose device tokens each belong to one event; the
    # unsubscribe links, whose token names the person (mail programs post to them as sent).
    for blueprint in (site_bp, auth_bp, instance_admin_bp, api_bp, unsubscribe_bp):
        app.register_blueprint(blueprint)
    for blueprint in (
        public_bp, registration_bp, admin_bp, admin_desks_bp, admin_assignment_bp,
        admin_announcements_bp, admin_staff_bp, admin_event_bp, desk_bp, facilitators_bp,
        synthesis_bp, admin_facilitators_bp, admin_report_bp, arrivals_bp,
    ):  # fmt: skip
        _register_event_blueprint(app, blueprint)
    _register_results_blueprints(app)
    if app.config["MAIL_CATCH"]:
        from app.mail.devmail import bp as devmail_bp

        app.register_blueprint(devmail_bp)


def _register_results_blueprints(app: Flask) -> None:
    """The day's results, shared (app/results)."""
    from app.results import (
        commitments_views,
        feedback_views,
        figures_admin,
        open_data_views,
        outcomes_admin,
        public,
    )

    for blueprint in (
        public.bp, outcomes_admin.bp, commitments_views.bp, commitments_views.admin_bp,
        figures_admin.bp, feedback_views.bp, feedback_views.admin_bp, open_data_views.bp,
    ):  # fmt: skip
        _register_event_blueprint(app, blueprint)


def _register_event_blueprint(app: Flask, blueprint) -> None:
    """Under /<event-slug>: the event's pages (app/events/serving.py)."""
    from app.events.serving import EVENT_PREFIX

    app.register_blueprint(blueprint, url_prefix=EVENT_PREFIX + (blueprint.url_prefix or ""))


def _init_core(app: Flask) -> None:
    """Logging, CLI commands, template helpers, error pages and security headers."""
    from app import cli
    from app.core import errors, security_headers, template_helpers
    from app.core import request_log as logging_setup
    from app.events import serving

    serving.init_app(app)
    logging_setup.init_app(app)
    cli.init_app(app)
    template_helpers.init_app(app)
    errors.init_app(app)
    security_headers.init_app(app)


def _require_public_url(app: Flask) -> None:
    """Production builds every e-mail link from PUBLIC_URL and answers only for its host
    (or TRUSTED_HOSTS), so a forged Host header can neither reach a mail nor a page."""
    url = urlsplit(app.config.get("PUBLIC_URL") or "")
    if url.scheme != "https" or not url.hostname:
        raise RuntimeError("PUBLIC_URL must be set to the app's https:// address in production.")
    if app.config["TRUSTED_HOSTS"] is None:
        app.config["TRUSTED_HOSTS"] = [url.hostname]


@sa_event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    # SQLite: enforce foreign keys, let readers and one writer work side by side (WAL),
    # and wait for the write lock instead of failing at once.
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA journal_mode=WAL")
        # In WAL mode NORMAL survives a crashed process (only a power cut can lose the last
        # commits) and spares an fsync per transaction.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
