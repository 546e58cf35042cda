"""Absolute links for e-mails and documents, always from PUBLIC_URL.

Never from the request's Host header: a request with `Host: evil.example` must not put
the attacker's address into a password-reset or personal link sent to someone else.
"""

import re
from urllib.parse import urlsplit

from flask import current_app


def external_url(endpoint: str, **values) -> str:
    """The absolute URL of an endpoint under PUBLIC_URL, inside or outside a request."""
    base = urlsplit(current_app.config["PUBLIC_URL"].rstrip("/"))
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    current_app.inject_url_defaults(endpoint, values)
    anchor = values.pop("_anchor", None)
    url = adapter.build(endpoint, values, force_external=True)
    return f"{url}#{anchor}" if anchor else url


# What a browser does to a link before following it (WHATWG URL): drops tabs and newlines
# anywhere, trims C0 controls and spaces, and reads "\" as "/" in http(s) URLs.
_DROPPED = re.compile(r"[\t\n\r]")


def safe_redirect_target(target: str | None, fallback: str) -> str:
    """target if it is a path on this site as the browser will read it, else fallback.

    Every `next` goes through here: "/%09/evil.example" reaches us as "/\\t/evil.example",
    which a browser follows to //evil.example, so the check is made on the browser's reading.
    """
    if not target:
        return fallback
    normalised = _DROPPED.sub("", target).strip("".join(map(chr, range(33)))).replace("\\", "/")
    parts = urlsplit(normalised)
    if parts.scheme or parts.netloc or not normalised.startswith("/") or normalised.startswith("//"):
        return fallback
    if any(ord(char) < 32 or ord(char) == 127 for char in normalised):
        return fallback
    return normalised
