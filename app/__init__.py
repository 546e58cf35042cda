"""Noi Day: one public event day, from invitation to final report."""

import time
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, has_request_context, jsonify, make_response, render_template, request, session
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException, InternalServerError

# Flask-Mail as flask_mail: `mail` in this package is the app.mail feature (a subpackage)
from app.extensions import babel, csrf, db, limiter, login_manager, migrate
from app.extensions import mail as flask_mail
from config import DEV_SECRET, config_for

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
    app.config.from_object(config_for(config_name))
    app.config.update(overrides)
    if app.config["PRODUCTION"] and app.config["SECRET_KEY"] in (None, "", DEV_SECRET):
        raise RuntimeError("SECRET_KEY must be set to a private random value in production.")
    if app.config["PRODUCTION"] and app.config["MAIL_CATCH"]:
        raise RuntimeError("MAIL_CATCH shows every e-mail to anyone at /dev/mail: never in production.")
    if app.config["PRODUCTION"]:
        _require_public_url(app)
    Path(app.instance_path).mkdir(exist_ok=True)
    from app.core.db_limits import DbIntConverter

    app.url_map.converters["int"] = DbIntConverter  # before any route: every <int:...> is bounded

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    flask_mail.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    limiter.init_app(app)
    login_manager.init_app(app)
    if app.config["PROXY_COUNT"]:
        from app.core.proxies import TrustedProxyFix, trusted_networks

        networks = trusted_networks(app.config["FORWARDED_ALLOW_IPS"])
        app.wsgi_app = TrustedProxyFix(app.wsgi_app, app.config["PROXY_COUNT"], networks)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None

    from app import models  # noqa: F401  (registers the tables)
    from app.checkin.admin import bp as admin_desks_bp
    from app.checkin.api.views import bp as api_bp
    from app.checkin.desk import bp as desk_bp
    from app.events.admin import bp as admin_event_bp
    from app.events.public import bp as public_bp
    from app.facilitation.admin import bp as admin_facilitators_bp
    from app.facilitation.views import bp as facilitators_bp
    from app.facilitation.views import synthesis_bp
    from app.mail.admin import bp as admin_announcements_bp
    from app.registration.admin import bp as admin_bp
    from app.registration.views import bp as registration_bp
    from app.reporting.admin import report_bp as admin_report_bp
    from app.staff.admin import bp as admin_staff_bp
    from app.staff.auth import bp as auth_bp
    from app.worldcafe.admin import bp as admin_assignment_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(registration_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(admin_desks_bp)
    app.register_blueprint(admin_assignment_bp)
    app.register_blueprint(admin_announcements_bp)
    app.register_blueprint(admin_staff_bp)
    app.register_blueprint(admin_event_bp)
    app.register_blueprint(desk_bp)
    app.register_blueprint(facilitators_bp)
    app.register_blueprint(synthesis_bp)
    app.register_blueprint(admin_facilitators_bp)
    app.register_blueprint(admin_report_bp)
    app.register_blueprint(api_bp)
    if app.config["MAIL_CATCH"]:
        from app.mail.devmail import bp as devmail_bp

        app.register_blueprint(devmail_bp)

    from app import cli
    from app.core import request_log as logging_setup
    from app.core import template_helpers

    logging_setup.init_app(app)
    cli.init_app(app)
    template_helpers.init_app(app)

    from app.checkin.api.errors import api_error, api_http_error, is_api_request
    from app.core.db_limits import RefusedInput

    @app.errorhandler(HTTPException)
    def http_error(error):
        # Under /api/ every HTTP error (an unmatched path, 405...) is JSON; elsewhere
        # Werkzeug's own page for those without a page of ours.
        return api_http_error(error) if is_api_request() else error

    @app.errorhandler(RefusedInput)
    def refused_input(error):
        if is_api_request():
            return api_http_error(error)
        page = render_template(
            "errors/400.html", event=_served_event(), reason=error.description, back_url=error.back_url
        )
        return page, 400

    @app.errorhandler(InternalServerError)
    def internal_error(error):
        if is_api_request():
            return api_error(500, "internal_server_error", "the server failed; the request can be sent again")
        return error

    @app.errorhandler(403)
    def forbidden(error):
        if is_api_request():
            return api_http_error(error)
        return render_template("errors/403.html", event=_served_event()), 403

    @app.errorhandler(404)
    def not_found(error):
        if is_api_request():
            return api_http_error(error)
        return render_template("errors/404.html", event=_served_event()), 404

    @app.errorhandler(429)
    def too_many_requests(error):
        if request.path.startswith("/api/"):
            response = jsonify(error="too_many_requests", detail=str(error.description))
        else:
            response = make_response(render_template("errors/429.html"))
        limit = limiter.current_limit
        if limit is not None:
            response.headers["Retry-After"] = str(max(1, int(limit.reset_at - time.time())))
        return response, 429

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault(
            "Content-Security-Policy",
            # 'wasm-unsafe-eval' lets the desk's QR decoder (WebAssembly) compile; no eval().
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; img-src 'self' data: blob:; "
            "media-src 'self' blob:; object-src 'none'; "
            "base-uri 'self'; frame-ancestors 'none'; form-action 'self'",
        )
        if app.config["PRODUCTION"]:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        # Pages are never kept by a cache unless their view says they may be: personal
        # data then cannot leak from a shared computer's cache or a proxy by omission.
        if "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"
        return response

    return app


def _require_public_url(app: Flask) -> None:
    """Production builds every e-mail link from PUBLIC_URL and answers only for its host
    (or TRUSTED_HOSTS), so a forged Host header can neither reach a mail nor a page."""
    url = urlsplit(app.config.get("PUBLIC_URL") or "")
    if url.scheme != "https" or not url.hostname:
        raise RuntimeError("PUBLIC_URL must be set to the app's https:// address in production.")
    if app.config["TRUSTED_HOSTS"] is None:
        app.config["TRUSTED_HOSTS"] = [url.hostname]


def _served_event():
    """The event an error page names (and offers help for); None when the database can't say."""
    from app.events.services import current_event

    try:
        return current_event()
    except SQLAlchemyError:
        db.session.rollback()
        return None


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
