"""Structured logs: one JSON object a line, easy to ship and to search."""

import json
import logging
import time
import uuid

from flask import Flask, g, request


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def init_app(app: Flask) -> None:
    if app.config.get("LOG_FORMAT") != "json":
        return
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    app.logger.handlers[:] = [handler]
    app.logger.setLevel(logging.INFO)
    requests = logging.getLogger("noiday.requests")
    requests.handlers[:] = [handler]
    requests.setLevel(logging.INFO)
    requests.propagate = False

    @app.before_request
    def start_timer():
        g.started = time.perf_counter()
        g.request_id = request.headers.get("X-Request-ID", uuid.uuid4().hex[:16])[:64]

    @app.after_request
    def log_request(response):
        fields = {
            "request_id": g.get("request_id"),
            "method": request.method,
            "path": request.path,  # never the query string: it may hold personal data
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 1),
        }
        requests.info("request", extra={"fields": fields})
        response.headers["X-Request-ID"] = fields["request_id"]
        return response
