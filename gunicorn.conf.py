"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py wsgi:app`."""

import multiprocessing
import os

# Behind a reverse proxy (PROXY_COUNT set) only the proxy needs to reach gunicorn: loopback.
_host = "127.0.0.1" if int(os.environ.get("PROXY_COUNT", "0") or 0) else "0.0.0.0"
bind = os.environ.get("BIND", f"{_host}:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
timeout = 30
graceful_timeout = 20
keepalive = 5
max_requests = 5000  # recycle workers now and then; state lives in the database
max_requests_jitter = 500
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")


def on_starting(server):
    """Bring the database schema up to date once, in the master, before workers start."""
    if os.environ.get("MIGRATE_ON_START", "1") != "1":
        return
    from flask_migrate import upgrade

    from app import create_app

    app = create_app()
    with app.app_context():
        upgrade()


def post_worker_init(worker):
    """Prepare the badge fonts in each worker, so no request pays for it."""
    from app.checkin.badge_fonts import warm_up

    warm_up()
