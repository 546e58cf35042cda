"""Headers every answer carries: CSP, no framing, no caching unless a view allows it."""

from flask import Flask, current_app

CONTENT_SECURITY_POLICY = (
    # 'wasm-unsafe-eval' lets the desk's QR decoder (WebAssembly) compile; no eval().
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; img-src 'self' data: blob:; "
    "media-src 'self' blob:; object-src 'none'; "
    "base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)


def add_security_headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    if current_app.config["PRODUCTION"]:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    # Pages are never kept by a cache unless their view says they may be: personal
    # data then cannot leak from a shared computer's cache or a proxy by omission.
    if "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = "no-store"
    return response
