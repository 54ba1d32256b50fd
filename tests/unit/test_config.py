from pathlib import Path

import pytest

from app.config import ConfigError, load_config


def test_production_refuses_to_start_without_a_secret_key(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("APP_ENV", "production")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config(tmp_path)


STRONG_KEY = "k7Qp2vX9sLm4Tz8Rb1Wn6Yc3Hd5Jf0Ga"


def _production(monkeypatch, **env):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", env.pop("SECRET_KEY", STRONG_KEY))
    monkeypatch.setenv("PUBLIC_URL", env.pop("PUBLIC_URL", "https://dichvucong.example.vn"))
    for key, value in env.items():
        monkeypatch.setenv(key, value)


def test_production_cookies_are_secure(monkeypatch, tmp_path):
    _production(monkeypatch)
    config = load_config(tmp_path)
    assert config["SESSION_COOKIE_SECURE"] and config["SESSION_COOKIE_HTTPONLY"]
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_development_makes_and_keeps_its_own_random_key(monkeypatch, tmp_path: Path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("APP_ENV", "development")
    first = load_config(tmp_path)["SECRET_KEY"]
    second = load_config(tmp_path)["SECRET_KEY"]
    assert first == second and len(first) >= 40
    assert (tmp_path / "dev-secret-key").stat().st_mode & 0o077 == 0


def test_unknown_environment_is_refused(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "staging-ish")
    with pytest.raises(ConfigError):
        load_config(tmp_path)


@pytest.mark.parametrize("given", ["postgres://u@h/db", "postgresql://u@h/db"])
def test_postgresql_urls_use_the_psycopg3_driver(monkeypatch, tmp_path, given):
    monkeypatch.setenv("APP_ENV", "testing")
    monkeypatch.setenv("DATABASE_URL", given)
    assert load_config(tmp_path)["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"


def test_sqlite_is_the_default_under_instance(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "testing")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert load_config(tmp_path)["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'conglang.db'}"


@pytest.mark.parametrize("weak", ["x", "x" * 40, "changeme-changeme-changeme-change"[:20],
                                  "abababababababababababababababab"])
def test_production_refuses_a_weak_secret_key(monkeypatch, tmp_path, weak):
    _production(monkeypatch, SECRET_KEY=weak)
    with pytest.raises(ConfigError, match="SECRET_KEY is too weak"):
        load_config(tmp_path)


def test_production_refuses_to_start_without_a_public_url(monkeypatch, tmp_path):
    _production(monkeypatch)
    monkeypatch.delenv("PUBLIC_URL")
    with pytest.raises(ConfigError, match="PUBLIC_URL"):
        load_config(tmp_path)


@pytest.mark.parametrize("bad", ["dichvucong.example.vn", "javascript://x", "https://",
                                 "https://host/sub/path", "https://host/?a=1"])
def test_a_public_url_must_be_an_origin(monkeypatch, tmp_path, bad):
    _production(monkeypatch, PUBLIC_URL=bad)
    with pytest.raises(ConfigError, match="PUBLIC_URL"):
        load_config(tmp_path)


def test_production_answers_only_its_own_host_names(monkeypatch, tmp_path):
    _production(monkeypatch, PUBLIC_URL="https://dvc.example.vn/", ALLOWED_HOSTS="10.0.0.5, ")
    config = load_config(tmp_path)
    assert config["PUBLIC_URL"] == "https://dvc.example.vn"
    assert config["TRUSTED_HOSTS"] == ["dvc.example.vn", "10.0.0.5"]


def test_remember_me_lasts_a_month_not_a_year(monkeypatch, tmp_path):
    _production(monkeypatch)
    assert load_config(tmp_path)["REMEMBER_COOKIE_DURATION"].days == 30
