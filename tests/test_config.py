"""Settings are read from the environment when create_app runs, not when config is imported."""

import config
from app import create_app


def test_environment_set_after_import_is_applied(monkeypatch):
    monkeypatch.setenv("LOGIN_ACCOUNT_LIMIT", "7 per hour")
    monkeypatch.setenv("MAIL_PORT", "2525")
    app = create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://")
    assert app.config["LOGIN_ACCOUNT_LIMIT"] == "7 per hour"
    assert app.config["MAIL_PORT"] == 2525


def test_defaults_when_unset(monkeypatch):
    monkeypatch.delenv("MAIL_PORT", raising=False)
    monkeypatch.delenv("NOIDAY_CONFIG", raising=False)
    settings = config.load_config()
    assert settings["MAIL_PORT"] == 25
    assert settings["MAIL_CATCH"] is True  # development catches mail unless told otherwise
    assert settings["LANGUAGES"] == ("it", "en")


def test_testing_overrides_the_common_settings(monkeypatch):
    monkeypatch.setenv("PUBLIC_URL", "https://example.org")
    assert config.load_config("testing")["PUBLIC_URL"] == "http://localhost"
    assert config.load_config("development")["PUBLIC_URL"] == "https://example.org"
