"""Settings come from the environment through strict helpers; production refuses unsafe values.

Module-level settings are read once per process, so each case imports them in a fresh Python
with its own environment.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from trunkshow import settings as live_settings

TRUNKSHOW = str(Path(sys.executable).with_name("trunkshow"))
TWILIO_SID = "AC" + "0123456789abcdef" * 2
SAFE_KEY = "k" * 20 + "ey-for-tests-only-0123456789-abcdefghijklmnopqrstuvwxyz"
PRODUCTION = {
    "TRUNKSHOW_ENV": "production",
    "SECRET_KEY": SAFE_KEY,
    "ALLOWED_HOSTS": "shop.example.com",
    "PUBLIC_URL": "https://shop.example.com",
    "DATABASE_URL": "postgres://trunkshow@db.internal:5432/trunkshow",
}


def _env(tmp_path: Path, **values: str) -> dict[str, str]:
    """A clean environment: none of this run's settings, a data dir of its own, plus ``values``."""
    names = {"PYTEST_VERSION", "TRUNKSHOW_ENV", "DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS",
             "PUBLIC_URL", "EMAIL_URL", "LOG_LEVEL", "TRUSTED_PROXY_COUNT", "DJANGO_SETTINGS_MODULE",
             "DJANGO_ALLOW_ASYNC_UNSAFE"}  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k not in names and not k.startswith(("LOGIN_", "SECURE_", "TWILIO_"))}
    env["TRUNKSHOW_DATA_DIR"] = str(tmp_path / "var")
    env.update(values)
    return env


def read_settings(tmp_path: Path, names: list[str], **values: str) -> dict[str, Any]:
    """The named settings as a fresh process with this environment sees them."""
    code = (
        "import json, trunkshow.settings as s\n"
        f"print(json.dumps({{n: getattr(s, n, None) for n in {names!r}}}, default=str))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=_env(tmp_path, **values), capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


def refusal(tmp_path: Path, **values: str) -> str:
    """The message a fresh process refuses to start with (the exception's last line)."""
    done = subprocess.run(
        [sys.executable, "-c", "import trunkshow.settings"],
        env=_env(tmp_path, **values),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1, done.stdout
    last = done.stderr.strip().splitlines()[-1]
    prefix = "django.core.exceptions.ImproperlyConfigured: "
    assert last.startswith(prefix), done.stderr
    return last.removeprefix(prefix)


# ---- the helpers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("true", True), (" YES ", True), ("On", True), ("0", False), ("false", False), ("No", False),
     ("off", False)],
)  # fmt: skip
def test_env_bool_reads_the_usual_spellings(monkeypatch: Any, raw: str, expected: bool) -> None:
    monkeypatch.setenv("TRUNKSHOW_FLAG", raw)
    assert live_settings.env_bool("TRUNKSHOW_FLAG", default=not expected) is expected


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_env_bool_unset_or_blank_is_the_default(monkeypatch: Any, raw: str | None) -> None:
    if raw is None:
        monkeypatch.delenv("TRUNKSHOW_FLAG", raising=False)
    else:
        monkeypatch.setenv("TRUNKSHOW_FLAG", raw)
    assert live_settings.env_bool("TRUNKSHOW_FLAG", default=True) is True
    assert live_settings.env_bool("TRUNKSHOW_FLAG", default=False) is False


@pytest.mark.parametrize("raw", ["maybe", "2", "enabled", "y e s"])
def test_env_bool_refuses_anything_else_naming_the_variable(monkeypatch: Any, raw: str) -> None:
    monkeypatch.setenv("TRUNKSHOW_FLAG", raw)
    with pytest.raises(ImproperlyConfigured) as caught:
        live_settings.env_bool("TRUNKSHOW_FLAG")
    assert str(caught.value) == f"TRUNKSHOW_FLAG must be true or false, not {raw!r}"


def test_env_int_reads_whole_numbers_and_refuses_the_rest(monkeypatch: Any) -> None:
    monkeypatch.setenv("TRUNKSHOW_N", " 42 ")
    assert live_settings.env_int("TRUNKSHOW_N", 1) == 42
    monkeypatch.setenv("TRUNKSHOW_N", "")
    assert live_settings.env_int("TRUNKSHOW_N", 7) == 7
    for raw in ("ten", "1.5", "0x10"):
        monkeypatch.setenv("TRUNKSHOW_N", raw)
        with pytest.raises(ImproperlyConfigured) as caught:
            live_settings.env_int("TRUNKSHOW_N", 1)
        assert str(caught.value) == f"TRUNKSHOW_N must be a whole number, not {raw!r}"


def test_env_int_refuses_a_value_below_its_minimum(monkeypatch: Any) -> None:
    monkeypatch.setenv("TRUNKSHOW_N", "-1")
    with pytest.raises(ImproperlyConfigured) as caught:
        live_settings.env_int("TRUNKSHOW_N", 0, minimum=0)
    assert str(caught.value) == "TRUNKSHOW_N must be 0 or more, not -1"
    monkeypatch.setenv("TRUNKSHOW_N", "0")
    assert live_settings.env_int("TRUNKSHOW_N", 5, minimum=0) == 0


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch: Any) -> None:
    monkeypatch.setenv("TRUNKSHOW_HOSTS", " shop.example.com, ,www.example.com ,")
    assert live_settings.env_list("TRUNKSHOW_HOSTS", ["x"]) == ["shop.example.com", "www.example.com"]
    monkeypatch.setenv("TRUNKSHOW_HOSTS", " ")
    assert live_settings.env_list("TRUNKSHOW_HOSTS", ["x"]) == ["x"]


# ---- bad values refuse to start, naming the variable -------------------------------------------


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"DEBUG": "maybe"}, "DEBUG must be true or false, not 'maybe'"),
        ({"TRUNKSHOW_ENV": "staging"}, "TRUNKSHOW_ENV must be development, production or test, not 'staging'"),
        ({"LOGIN_MAX_FAILURES_PER_ACCOUNT": "five"}, "LOGIN_MAX_FAILURES_PER_ACCOUNT must be a whole number, not 'five'"),
        ({"LOGIN_FAILURE_WINDOW_SECONDS": "0"}, "LOGIN_FAILURE_WINDOW_SECONDS must be 1 or more, not 0"),
        ({"TRUSTED_PROXY_COUNT": "-1"}, "TRUSTED_PROXY_COUNT must be 0 or more, not -1"),
        ({"EMAIL_URL": "ftp://mail.example.com"},
         "EMAIL_URL must start with smtp://, smtps://, console://, memory:// or file://, not 'ftp://mail.example.com'"),
        ({"PUBLIC_URL": "shop.example.com"}, "PUBLIC_URL must be an address like https://shop.example.com, not 'shop.example.com'"),
        ({"LOG_LEVEL": "loud"}, "LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, not 'LOUD'"),
        ({"TWILIO_ACCOUNT_SID": TWILIO_SID}, "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN must be set together"),
        ({"TWILIO_ACCOUNT_SID": "SK123", "TWILIO_AUTH_TOKEN": "t"},
         "TWILIO_ACCOUNT_SID must be AC followed by 32 hexadecimal digits, not 'SK123'"),
        ({"TWILIO_ACCOUNT_SID": TWILIO_SID, "TWILIO_AUTH_TOKEN": "t"},
         "With Twilio keys set, TWILIO_FROM_NUMBER or TWILIO_WHATSAPP_FROM must be set too"),
        ({"TWILIO_FROM_NUMBER": "(212) 555-0142"},
         "TWILIO_FROM_NUMBER must be a phone number in E.164 form like +15551234567, not '(212) 555-0142'"),
        ({"TWILIO_STORE_NUMBERS": "atelier+15005550006"},
         "TWILIO_STORE_NUMBERS must list store=+number pairs, not 'atelier+15005550006'"),
        ({"DATABASE_URL": "postgress://trunkshow:pw@db/trunkshow"},
         "DATABASE_URL must start with postgres:// or sqlite:///, not postgress://"),
        ({"DATABASE_URL": "mysql://trunkshow:pw@db/trunkshow"},
         "DATABASE_URL must start with postgres:// or sqlite:///, not mysql://"),
        ({"DATABASE_URL": "db.internal:5432/trunkshow"},
         "DATABASE_URL must start with postgres:// or sqlite:///, not an address without one"),
        ({"REDIS_URL": ":s3cret@10.0.0.7:6379/0"},
         "REDIS_URL must start with redis://, rediss:// or unix://, like redis://127.0.0.1:6379/0"),
        ({"EMAIL_URL": "smtp://mail.example.com:587?timeout=ten"},
         "EMAIL_URL's timeout must be a whole number of seconds, not 'ten'"),
        ({"WIDGET_RATE_LIMITS": "address=600/60,mesage=30/60"},
         "WIDGET_RATE_LIMITS has no limit named 'mesage'; the names are script, preflight, config, start, message, "
         "read, identify, photos, photo, address"),
        ({"TWILIO_API_BASE": "localhost:8080"},
         "TWILIO_API_BASE must be an address like https://api.twilio.com, not 'localhost:8080'"),
        ({"DATABASE_POOL_SIZE": "twelve"}, "DATABASE_POOL_SIZE must be a whole number, not 'twelve'"),
    ],
)  # fmt: skip
def test_a_bad_value_stops_the_process_with_a_clear_message(
    tmp_path: Path, values: dict[str, str], message: str
) -> None:
    assert refusal(tmp_path, **values) == message


def test_the_cli_reports_a_bad_setting_in_one_line(tmp_path: Path) -> None:
    done = subprocess.run(
        [TRUNKSHOW, "migrate"], env=_env(tmp_path, DEBUG="sometimes"), capture_output=True, text=True, timeout=60
    )
    assert (done.returncode, done.stdout, done.stderr) == (
        2,
        "",
        "trunkshow: configuration: DEBUG must be true or false, not 'sometimes'\n",
    )


# ---- production refuses unsafe settings ---------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY must be set in production"),
        ({"SECRET_KEY": "changeme"}, "SECRET_KEY must be at least 50 random characters in production"),
        ({"SECRET_KEY": "a" * 60}, "SECRET_KEY must be at least 50 random characters in production"),
        ({"DEBUG": "true"}, "DEBUG must be off in production"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS must be set in production"),
        ({"PUBLIC_URL": "http://shop.example.com"}, "PUBLIC_URL must be an https:// address in production"),
        ({"DATABASE_URL": ""}, "DATABASE_URL must name a PostgreSQL database in production"),
        (
            {"DATABASE_URL": "sqlite:////srv/trunkshow/var/trunkshow.sqlite3"},
            "DATABASE_URL must name a PostgreSQL database in production",
        ),
    ],
)
def test_production_refuses_to_start_with_an_unsafe_setting(
    tmp_path: Path, change: dict[str, str], message: str
) -> None:
    assert refusal(tmp_path, **{**PRODUCTION, **change}).startswith(message)


def test_production_does_not_generate_a_secret_key(tmp_path: Path) -> None:
    refusal(tmp_path, **{**PRODUCTION, "SECRET_KEY": ""})
    assert not (tmp_path / "var" / "secret_key").exists()


def test_production_with_safe_settings_passes_the_deployment_check(tmp_path: Path) -> None:
    done = subprocess.run(
        [TRUNKSHOW, "manage", "check", "--deploy", "--fail-level", "WARNING"],
        env=_env(tmp_path, **PRODUCTION),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    # HSTS preload is the only check left quiet, until the operator opts in.
    assert done.stdout.strip() == "System check identified no issues (1 silenced)."


def test_production_with_hsts_preload_passes_the_check_with_nothing_silenced(tmp_path: Path) -> None:
    done = subprocess.run(
        [TRUNKSHOW, "manage", "check", "--deploy", "--fail-level", "WARNING"],
        env=_env(tmp_path, **PRODUCTION, SECURE_HSTS_PRELOAD="true"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip() == "System check identified no issues (0 silenced)."


def test_production_secures_cookies_https_and_headers(tmp_path: Path) -> None:
    names = ["DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS",
             "SECURE_PROXY_SSL_HEADER", "CSRF_TRUSTED_ORIGINS", "ALLOWED_HOSTS", "X_FRAME_OPTIONS",
             "SECURE_REDIRECT_EXEMPT"]  # fmt: skip
    assert read_settings(tmp_path, names, **PRODUCTION) == {
        "DEBUG": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "CSRF_TRUSTED_ORIGINS": ["https://shop.example.com"],
        "ALLOWED_HOSTS": ["shop.example.com"],
        "X_FRAME_OPTIONS": "DENY",
        # Probes reach the web processes over plain HTTP behind the proxy.
        "SECURE_REDIRECT_EXEMPT": ["^healthz$", "^readyz$"],
    }


# ---- laptop defaults ---------------------------------------------------------------------------


def test_development_defaults_use_sqlite_in_wal_mode_in_the_data_dir(tmp_path: Path) -> None:
    got = read_settings(tmp_path, ["ENVIRONMENT", "DEBUG", "DATABASES", "HUEY", "CHANNEL_LAYERS", "EMAIL_BACKEND"])
    data_dir = tmp_path / "var"
    assert got["ENVIRONMENT"] == "development"
    assert got["DEBUG"] is True
    db = got["DATABASES"]["default"]
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["NAME"] == str(data_dir / "trunkshow.sqlite3")
    assert "PRAGMA journal_mode=WAL;" in db["OPTIONS"]["init_command"]
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert got["HUEY"]["huey_class"] == "huey.SqliteHuey"
    assert got["HUEY"]["filename"] == str(data_dir / "queue.sqlite3")
    assert got["HUEY"]["immediate"] is False
    assert got["CHANNEL_LAYERS"]["default"]["BACKEND"] == "trunkshow.core.layers.LocalChannelLayer"
    assert got["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"


def test_development_generates_a_secret_key_once_and_keeps_it_private(tmp_path: Path) -> None:
    first = read_settings(tmp_path, ["SECRET_KEY"])["SECRET_KEY"]
    second = read_settings(tmp_path, ["SECRET_KEY"])["SECRET_KEY"]
    assert first == second
    assert len(first) >= 50
    path = tmp_path / "var" / "secret_key"
    assert path.read_text().strip() == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_redis_url_switches_cache_channel_layer_and_queue_to_redis(tmp_path: Path) -> None:
    got = read_settings(tmp_path, ["CACHES", "CHANNEL_LAYERS", "HUEY"], REDIS_URL="redis://127.0.0.1:6379/3")
    assert got["CACHES"]["default"] == {
        "BACKEND": "trunkshow.core.cache.ResilientRedisCache",  # this process's memory while Redis is down
        "LOCATION": "redis://127.0.0.1:6379/3",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
    }
    assert got["CHANNEL_LAYERS"]["default"]["BACKEND"] == "channels_redis.pubsub.RedisPubSubChannelLayer"
    assert (got["HUEY"]["huey_class"], got["HUEY"]["url"], got["HUEY"]["immediate"]) == (
        "huey.RedisHuey",
        "redis://127.0.0.1:6379/3",
        False,
    )


def test_database_url_selects_postgresql_with_a_pool_of_connections(tmp_path: Path) -> None:
    db = read_settings(tmp_path, ["DATABASES"], DATABASE_URL="postgres://shop:s%40fe@db.internal:6432/trunkshow")[
        "DATABASES"
    ]["default"]
    assert (db["ENGINE"], db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "django.db.backends.postgresql",
        "trunkshow",
        "shop",
        "s@fe",
        "db.internal",
        6432,
    )
    # A pool shared by the request threads (ASGI runs each request in a thread of its own), checked
    # before each use; as large as the web process's request limit and some.
    assert (db["CONN_MAX_AGE"], db["CONN_HEALTH_CHECKS"]) == (0, True)
    assert db["OPTIONS"] == {"options": "-c jit=off", "pool": {"min_size": 1, "max_size": 12, "timeout": 5}}


def test_a_sqlite_database_url_keeps_wal_mode(tmp_path: Path) -> None:
    db = read_settings(tmp_path, ["DATABASES"], DATABASE_URL=f"sqlite:///{tmp_path}/other.sqlite3")["DATABASES"][
        "default"
    ]
    assert db["NAME"] == f"{tmp_path}/other.sqlite3"
    assert "PRAGMA journal_mode=WAL;" in db["OPTIONS"]["init_command"]
    assert db["CONN_MAX_AGE"] == 0


def test_email_url_configures_smtp_with_tls(tmp_path: Path) -> None:
    names = ["EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD", "EMAIL_USE_TLS",
             "EMAIL_USE_SSL", "EMAIL_TIMEOUT"]  # fmt: skip
    got = read_settings(tmp_path, names, EMAIL_URL="smtp://shop%40example.com:p%40ss@mail.example.com:587?tls=1")
    assert got == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.example.com",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "shop@example.com",
        "EMAIL_HOST_PASSWORD": "p@ss",
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
        "EMAIL_TIMEOUT": 10,
    }


def test_the_test_run_uses_test_settings_without_a_flag() -> None:
    # pytest sets PYTEST_VERSION; this very process runs with the test settings.
    assert live_settings.ENVIRONMENT == "test"
    assert live_settings.DEBUG is False
    assert live_settings.HUEY.get("immediate", False) is (not live_settings.REDIS_URL)


def test_twilio_settings_are_read_with_whatsapp_prefixes_dropped(tmp_path: Path) -> None:
    names = ["TWILIO_ACCOUNT_SID", "TWILIO_FROM_NUMBER", "TWILIO_WHATSAPP_FROM", "TWILIO_STORE_NUMBERS",
             "TWILIO_API_BASE", "TWILIO_TIMEOUT_SECONDS", "TWILIO_HOOK_RATE_PER_MINUTE"]  # fmt: skip
    seen = read_settings(
        tmp_path,
        names,
        TWILIO_ACCOUNT_SID=TWILIO_SID,
        TWILIO_AUTH_TOKEN="secret",
        TWILIO_FROM_NUMBER="+15005550006",
        TWILIO_WHATSAPP_FROM="whatsapp:+14155238886",
        TWILIO_STORE_NUMBERS=" atelier = +15005550007 , bijoux=+33186950000,",
        TWILIO_API_BASE="http://127.0.0.1:8089/",
    )
    assert seen == {
        "TWILIO_ACCOUNT_SID": TWILIO_SID,
        "TWILIO_FROM_NUMBER": "+15005550006",
        "TWILIO_WHATSAPP_FROM": "+14155238886",
        "TWILIO_STORE_NUMBERS": {"atelier": "+15005550007", "bijoux": "+33186950000"},
        "TWILIO_API_BASE": "http://127.0.0.1:8089",
        "TWILIO_TIMEOUT_SECONDS": 10,
        "TWILIO_HOOK_RATE_PER_MINUTE": 600,
    }


def test_production_refuses_a_plain_http_twilio_api_base(tmp_path: Path) -> None:
    assert refusal(tmp_path, **PRODUCTION, TWILIO_API_BASE="http://fake.internal") == (
        "TWILIO_API_BASE must be an https:// address in production"
    )


def test_widget_rate_limits_accepts_every_limit_the_widget_has_and_no_other(tmp_path: Path) -> None:
    from trunkshow.messaging.channels.webchat.views import RATE_LIMITS

    assert set(live_settings.WIDGET_RATE_LIMIT_NAMES) == set(RATE_LIMITS)
    got = read_settings(tmp_path, ["WIDGET_RATE_LIMITS"], WIDGET_RATE_LIMITS="photos=3/600, address=600/60")
    assert got["WIDGET_RATE_LIMITS"] == {"photos": [3, 600], "address": [600, 60]}
