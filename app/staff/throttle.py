"""How the sign-in page slows password guessing without letting anyone lock staff out.

Failed sign-ins are counted three ways (a successful one costs nothing):
- per client address and account: 5 a minute, 20 an hour. A guesser at one address is
  slowed to a crawl on one account;
- per client address: 20 a minute, 100 an hour, whatever the accounts: one address
  trying many accounts;
- per account, from every address together: LOGIN_ACCOUNT_LIMIT (100 an hour), the
  ceiling on a guesser who rotates addresses. Browsers where this account signed in
  before carry a signed "known device" cookie and are exempt from that ceiling, so a
  stranger who exhausts it keeps out only browsers the account has never used.
Five wrong passwords from rotating addresses therefore delay nobody, and the desk staff
and the admin sign in on the day whatever a stranger does.
"""

import hashlib

from flask import current_app, request
from flask_limiter.util import get_remote_address
from itsdangerous import BadSignature, URLSafeTimedSerializer

KNOWN_DEVICE_COOKIE = "noiday_known_device"
KNOWN_DEVICE_DAYS = 180
KNOWN_ACCOUNTS_KEPT = 5  # a shared desk laptop remembers the last few staff who signed in on it

PER_CLIENT_AND_ACCOUNT = "5 per minute; 20 per hour"
PER_CLIENT = "20 per minute; 100 per hour"


def _posted_email() -> str:
    return request.form.get("email", "").strip().lower()[:254]


def _account_mark(email: str) -> str:
    # The cookie names accounts by a digest, not by their address.
    return hashlib.sha256(email.encode("utf-8")).hexdigest()[:16]


def client_and_account_key() -> str:
    return f"login:{get_remote_address()}:{_posted_email()}"


def client_key() -> str:
    return f"login-client:{get_remote_address()}"


def account_key() -> str:
    return f"login-account:{_posted_email()}"


def account_limit() -> str:
    return current_app.config["LOGIN_ACCOUNT_LIMIT"]


def failed(response) -> bool:
    """Only failed attempts count: a sign-in redirects."""
    return response.status_code != 302


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="known-device")


def _known_accounts() -> list[str]:
    value = request.cookies.get(KNOWN_DEVICE_COOKIE)
    if not value:
        return []
    try:
        marks = _serializer().loads(value, max_age=KNOWN_DEVICE_DAYS * 86400)
    except BadSignature:
        return []
    return [mark for mark in marks if isinstance(mark, str)] if isinstance(marks, list) else []


def is_known_device() -> bool:
    """This browser signed in to the posted account before (exempt from the account's ceiling)."""
    return _account_mark(_posted_email()) in _known_accounts()


def remember_device(response, email: str):
    """After a sign-in: this browser is known to the account from now on."""
    mark = _account_mark(email.strip().lower())
    marks = [mark] + [known for known in _known_accounts() if known != mark]
    response.set_cookie(
        KNOWN_DEVICE_COOKIE,
        _serializer().dumps(marks[:KNOWN_ACCOUNTS_KEPT]),
        max_age=KNOWN_DEVICE_DAYS * 86400,
        path="/staff/",
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
        httponly=True,
        samesite="Lax",
    )
    return response
