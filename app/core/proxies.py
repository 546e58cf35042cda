"""X-Forwarded-* headers are believed only when they come from our own reverse proxy.

ProxyFix alone trusts whoever sends the headers: a client reaching gunicorn directly
could then choose its own address, and with it its rate limits.
"""

import ipaddress

from werkzeug.middleware.proxy_fix import ProxyFix


def trusted_networks(value: str) -> list:
    """FORWARDED_ALLOW_IPS (gunicorn's setting, comma-separated addresses or networks)."""
    return [ipaddress.ip_network(item.strip(), strict=False) for item in value.split(",") if item.strip()]


class TrustedProxyFix:
    """ProxyFix for requests whose peer is one of the trusted proxies; others pass as sent."""

    def __init__(self, wsgi_app, count: int, networks: list):
        self.plain = wsgi_app
        self.fixed = ProxyFix(wsgi_app, x_for=count, x_proto=count, x_host=count)
        self.networks = networks

    def __call__(self, environ, start_response):
        app = self.fixed if self._from_proxy(environ.get("REMOTE_ADDR", "")) else self.plain
        return app(environ, start_response)

    def _from_proxy(self, address: str) -> bool:
        try:
            peer = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(peer in network for network in self.networks)
