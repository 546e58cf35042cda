"""What a forged request can no longer do: point e-mail links elsewhere, redirect off site
after sign-in, lock a colleague out, forge its client address, or read personal pages from a
cache. Each case is one an outside review made work against production settings."""

import re

import pytest
from conftest import PASSWORD, csrf_from
from helpers import register_someone
from sqlalchemy import select

from app import create_app
from app.checkin.desks import create_desk_device
from app.extensions import db
from app.mail.outbox import bodies
from app.models import OutboxMessage, Role
from app.registration.tokens import manage_token

PRODUCTION = dict(SECRET_KEY="a-real-long-random-secret-value-0123456789", RATELIMIT_STORAGE_URI="memory://")


# Services the e-mails link to on purpose (calendar and map links), not the app's own pages.
THIRD_PARTIES = (
    "https://calendar.google.com/",
    "https://outlook.live.com/",
    "https://www.openstreetmap.org/",
)


def links_in(message: OutboxMessage) -> list[str]:
    """The app's own links in a message (the third parties' ones left out)."""
    links = re.findall(r"https?://[^\s\"'<>]+", "".join(bodies(message)))
    return [link for link in links if not link.startswith(THIRD_PARTIES)]


@pytest.mark.parametrize(
    "forged", [{"base_url": "http://evil.example"}, {"headers": {"X-Forwarded-Host": "evil.example"}}]
)
def test_password_reset_and_link_resend_mails_link_to_public_url_whatever_the_host(
    app, event, make_staff, forged, monkeypatch
):
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://noiday.example.org")
    monkeypatch.setitem(app.config, "PROXY_COUNT", 1)  # X-Forwarded-Host is believed from the local proxy
    from app.core.proxies import TrustedProxyFix, trusted_networks

    original = app.wsgi_app
    app.wsgi_app = TrustedProxyFix(original, 1, trusted_networks("127.0.0.1"))
    try:
        user, _ = make_staff(Role.DESK)
        register_someone(event, email="anna@example.org")
        client = app.test_client()
        page = client.get("/staff/password/forgot", **forged).get_data(as_text=True)
        client.post(
            "/staff/password/forgot", data={"csrf_token": csrf_from(page), "email": user.email}, **forged
        )
        page = client.get("/brescia-citta-del-noi/register/link", **forged).get_data(as_text=True)
        client.post(
            "/brescia-citta-del-noi/register/link",
            data={"csrf_token": csrf_from(page), "email": "anna@example.org"},
            **forged,
        )
    finally:
        app.wsgi_app = original
    messages = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind != "confirmation")).all()
    assert {m.recipient for m in messages} == {user.email, "anna@example.org"}
    links = [link for m in messages for link in links_in(m)]
    assert links and all(link.startswith("https://noiday.example.org/") for link in links), links
    assert not any("evil.example" in m.body_text + m.body_html for m in messages)


def test_production_refuses_to_start_without_an_https_public_url():
    for url in (None, "", "noiday.example.org", "http://"):
        with pytest.raises(RuntimeError, match="PUBLIC_URL"):
            create_app("production", PUBLIC_URL=url, **PRODUCTION)
    app = create_app("production", PUBLIC_URL="https://noiday.example.org", **PRODUCTION)
    assert app.config["TRUSTED_HOSTS"] == ["noiday.example.org"]


def test_production_answers_only_for_its_own_host_and_asks_for_https(app, event):
    production = create_app(
        "production",
        PUBLIC_URL="https://noiday.example.org",
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        **PRODUCTION,
    )
    client = production.test_client()
    assert client.get("/brescia-citta-del-noi/", base_url="https://evil.example").status_code == 400
    assert client.get("/staff/login", base_url="https://evil.example").status_code == 400
    response = client.get("/brescia-citta-del-noi/", base_url="https://noiday.example.org")
    assert response.status_code == 200
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.mark.parametrize(
    "target",
    ["//evil.example/", "/%09/evil.example", "/%0A/evil.example", "/%0d%0a/evil.example",
     "/\\evil.example", "\\\\evil.example", "%09//evil.example", "https://evil.example/",
     "/%5Cevil.example", "javascript:alert(1)"],
)  # fmt: skip
def test_sign_in_never_redirects_off_site(app, client, make_staff, target):
    user, _ = make_staff(Role.ADMIN, "other@example.org")
    page = client.get("/staff/login").get_data(as_text=True)
    response = client.post(
        f"/staff/login?next={target}",
        data={"csrf_token": csrf_from(page), "email": user.email, "password": PASSWORD},
    )
    assert response.headers["Location"] == "/brescia-citta-del-noi/admin/"


def test_sign_in_goes_back_to_the_page_asked_for(app, client, make_staff):
    user, _ = make_staff(Role.ADMIN, "other@example.org")
    page = client.get("/staff/login").get_data(as_text=True)
    response = client.post(
        "/staff/login?next=/brescia-citta-del-noi/admin/needs?part=1",
        data={"csrf_token": csrf_from(page), "email": user.email, "password": PASSWORD},
    )
    assert response.headers["Location"] == "/brescia-citta-del-noi/admin/needs?part=1"


@pytest.mark.parametrize("target", ["//evil.example/", "/%09/evil.example", "/\\evil.example"])
def test_language_switch_never_redirects_off_site(client, event, target):
    assert client.get(f"/lang/en?next={target}").headers["Location"] == "/"


def _login_status(app, email, password, address, cookies_from=None):
    client = cookies_from or app.test_client()
    environ = {"REMOTE_ADDR": address}
    page = client.get("/staff/login", environ_base=environ).get_data(as_text=True)
    data = {"csrf_token": csrf_from(page), "email": email, "password": password}
    return client.post("/staff/login", data=data, environ_base=environ).status_code


def test_wrong_passwords_from_rotating_addresses_do_not_keep_the_real_user_out(app, make_staff):
    user, _ = make_staff(Role.DESK)
    statuses = [_login_status(app, user.email, "wrong", f"203.0.113.{n}") for n in range(1, 9)]
    assert statuses == [200] * 8
    assert _login_status(app, user.email, PASSWORD, "198.51.100.7") == 302


def test_one_address_guessing_one_account_is_slowed(app, make_staff):
    user, _ = make_staff(Role.DESK)
    statuses = [_login_status(app, user.email, "wrong", "203.0.113.5") for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    assert _login_status(app, user.email, PASSWORD, "198.51.100.7") == 302, "the user elsewhere is not"


def test_past_the_account_ceiling_a_browser_that_signed_in_before_still_signs_in(app, make_staff):
    app.config["LOGIN_ACCOUNT_LIMIT"] = "4 per hour"
    try:
        user, _ = make_staff(Role.ADMIN)
        desk_laptop = app.test_client()
        assert _login_status(app, user.email, PASSWORD, "192.0.2.10", desk_laptop) == 302
        desk_laptop.post(
            "/staff/logout",
            data={
                "csrf_token": csrf_from(
                    desk_laptop.get("/brescia-citta-del-noi/admin/").get_data(as_text=True)
                )
            },
        )
        statuses = [_login_status(app, user.email, "wrong", f"203.0.113.{n}") for n in range(1, 6)]
        assert statuses == [200] * 4 + [429], "a stranger rotating addresses meets the ceiling"
        assert _login_status(app, user.email, PASSWORD, "198.51.100.8") == 429, "a browser never used waits"
        assert _login_status(app, user.email, PASSWORD, "192.0.2.10", desk_laptop) == 302
    finally:
        app.config["LOGIN_ACCOUNT_LIMIT"] = "100 per hour"


def test_forwarded_addresses_are_believed_only_from_the_trusted_proxy(app, event, monkeypatch):
    """A client that reaches the app directly cannot pick a fresh address for each request."""
    monkeypatch.setitem(app.config, "PROXY_COUNT", 1)
    from app.core.proxies import TrustedProxyFix, trusted_networks

    original = app.wsgi_app
    app.wsgi_app = TrustedProxyFix(original, 1, trusted_networks("127.0.0.1"))
    try:
        client = app.test_client()
        page = client.get("/brescia-citta-del-noi/register").get_data(as_text=True)
        from helpers import form_fields

        statuses = []
        for n in range(21):
            environ = {"REMOTE_ADDR": "198.51.100.9"}  # not the proxy
            headers = {"X-Forwarded-For": f"203.0.113.{n}"}
            data = {"csrf_token": csrf_from(page), **form_fields(event)}
            statuses.append(
                client.post(
                    "/brescia-citta-del-noi/register", data=data, headers=headers, environ_base=environ
                ).status_code
            )
        assert statuses[-1] == 429, "forged X-Forwarded-For is ignored"
        via_proxy = client.post(
            "/brescia-citta-del-noi/register",
            data={"csrf_token": csrf_from(page), **form_fields(event)},
            headers={"X-Forwarded-For": "203.0.113.200"},
            environ_base={"REMOTE_ADDR": "127.0.0.1"},
        )
        assert via_proxy.status_code == 302, "the proxy's word is believed: another client"
    finally:
        app.wsgi_app = original


def test_gunicorn_binds_to_loopback_behind_a_proxy(monkeypatch):
    import runpy

    from conftest import ROOT

    monkeypatch.delenv("BIND", raising=False)
    monkeypatch.setenv("PROXY_COUNT", "1")
    assert runpy.run_path(str(ROOT / "gunicorn.conf.py"))["bind"] == "127.0.0.1:8000"
    monkeypatch.setenv("PROXY_COUNT", "0")
    assert runpy.run_path(str(ROOT / "gunicorn.conf.py"))["bind"] == "0.0.0.0:8000"


def test_api_rate_limit_counts_per_device_not_per_header_text(app, event):
    """Each desk has its own count: varying the Authorization header buys no fresh one."""
    app.config["API_RATE_LIMIT"] = "30 per day"  # a day: no window ends during the test
    try:
        client = app.test_client()
        forged = [
            client.get("/api/v1/me", headers={"Authorization": f"Bearer forged-{n:016d}"}) for n in range(31)
        ]
        assert [r.status_code for r in forged] == [401] * 30 + [429], (
            "a caller without a token is counted by address"
        )
        _, token = create_desk_device(event, "Desk 1")
        _, other_token = create_desk_device(event, "Desk 2")
        statuses = [
            client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code
            for _ in range(31)
        ]
        assert statuses == [200] * 30 + [429]
        assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {other_token}"}).status_code == 200
    finally:
        app.config["API_RATE_LIMIT"] = "600 per minute"


def test_every_page_with_personal_data_is_never_cached(app, event, make_staff):
    attendee = register_someone(event)
    token = manage_token(attendee)
    _, admin = make_staff(Role.ADMIN)
    public = app.test_client()
    e = "/brescia-citta-del-noi"
    pages = {
        public: [f"{e}/r/{token}", f"{e}/r/{token}/edit", f"{e}/r/{token}/cancel", f"{e}/r/{token}/delete"],
        admin: [f"{e}/admin/", f"{e}/admin/attendees/{attendee.id}", f"{e}/admin/needs", f"{e}/admin/staff/",
                f"{e}/admin/announcements/", f"{e}/admin/assignment/", f"{e}/admin/facilitators/",
                f"{e}/admin/event/", f"{e}/desk/walk-in", f"{e}/synthesis/"],
    }  # fmt: skip
    for client, paths in pages.items():
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, path
            assert response.headers.get("Cache-Control") == "no-store", path


def test_csv_export_names_its_charset_once(app, event, make_staff):
    _, admin = make_staff(Role.ADMIN)
    register_someone(event)
    for path in ("/brescia-citta-del-noi/admin/attendees.csv", "/brescia-citta-del-noi/admin/outcomes.csv"):
        content_type = admin.get(path).headers["Content-Type"]
        assert content_type.count("charset") == 1 and content_type.startswith("text/csv"), (
            path,
            content_type,
        )
