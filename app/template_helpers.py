"""Filters and globals shared by every template."""

from flask import Flask, request
from flask_babel import format_date, get_locale

from .models import localized


def init_app(app: Flask) -> None:
    app.add_template_filter(localized, "l10n")

    @app.template_filter("hhmm")
    def hhmm(value):
        return value.strftime("%H:%M") if value else ""

    @app.template_filter("long_date")
    def long_date(value):
        return format_date(value, format="full") if value else ""

    @app.context_processor
    def globals_():
        return {
            "current_locale": str(get_locale() or "it"),
            "languages": app.config["LANGUAGES"],
            "request_path": request.full_path.rstrip("?") if request else "/",
        }
