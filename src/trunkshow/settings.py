"""Trunkshow's one settings module: everything comes from the environment.

Laptop defaults are safe (SQLite and a file queue in ``./var``); ``TRUNKSHOW_ENV=production``
refuses to start with unsafe ones.
"""

from __future__ import annotations

import os
import re
import secrets
import tempfile
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be {minimum} or more, not {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


# pytest sets PYTEST_VERSION for its whole run: tests get test settings without a flag.
ENVIRONMENT = env_str("TRUNKSHOW_ENV", "test" if os.environ.get("PYTEST_VERSION") else "development")
if ENVIRONMENT not in {"development", "production", "test"}:
    raise ImproperlyConfigured(f"TRUNKSHOW_ENV must be development, production or test, not {ENVIRONMENT!r}")
PRODUCTION = ENVIRONMENT == "production"

if ENVIRONMENT == "test" and not env_str("TRUNKSHOW_DATA_DIR"):
    os.environ["TRUNKSHOW_DATA_DIR"] = tempfile.mkdtemp(prefix="trunkshow-test-")
DATA_DIR = Path(env_str("TRUNKSHOW_DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    key = env_str("SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set in production")
    path = DATA_DIR / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
if PRODUCTION and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5):
    # The same bar as Django's deployment check (security.W009), enforced rather than warned.
    raise ImproperlyConfigured(
        "SECRET_KEY must be at least 50 random characters in production; make one with: "
        "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )
DEBUG = env_bool("DEBUG", default=not PRODUCTION and ENVIRONMENT != "test")
PUBLIC_URL = env_str("PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
if urlparse(PUBLIC_URL).scheme not in {"http", "https"} or not urlparse(PUBLIC_URL).hostname:
    raise ImproperlyConfigured(f"PUBLIC_URL must be an address like https://shop.example.com, not {PUBLIC_URL!r}")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"])
_public = urlparse(PUBLIC_URL)
if _public.hostname and _public.hostname not in ALLOWED_HOSTS and not PRODUCTION:
    ALLOWED_HOSTS.append(_public.hostname)
CSRF_TRUSTED_ORIGINS = [f"{_public.scheme}://{_public.netloc}"] if _public.netloc else []

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "huey.contrib.djhuey",
    "ninja",  # the API docs' Swagger UI from our own static files, not a CDN (the app works offline)
    "trunkshow.core",
    "trunkshow.stores",
    "trunkshow.customers",
    "trunkshow.messaging",
    "trunkshow.inbox",
]

MIDDLEWARE = [
    # Outermost: a streamed answer (a static file, an attachment) leaves as an async stream under ASGI.
    "trunkshow.core.streaming.AsyncStreamingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "trunkshow.core.api.ApiEnvelopeMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # trunkshow.core.pages: Django's own, entered by pages only; the token-authenticated API
    # passes by them (ADR 0019). Sessions and CSRF are Django's classes as they are: Django's
    # deployment checks look for them by name.
    "django.contrib.sessions.middleware.SessionMiddleware",
    "trunkshow.core.pages.LocaleMiddleware",
    "trunkshow.core.pages.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "trunkshow.core.pages.AuthenticationMiddleware",
    "trunkshow.stores.middleware.StoreScopeMiddleware",
    "trunkshow.core.pages.MessageMiddleware",
    "trunkshow.customers.middleware.ErasedCustomerMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",  # the API's docs are a page too
]

ROOT_URLCONF = "trunkshow.urls"
ASGI_APPLICATION = "trunkshow.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "trunkshow.stores.middleware.store_context",
                "trunkshow.inbox.context.mentions",
            ],
        },
    }
]

# Database: SQLite in WAL mode in the data dir unless DATABASE_URL names another.
DATABASE_URL = env_str("DATABASE_URL")
SQLITE_OPTIONS = {
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=15000; PRAGMA foreign_keys=ON;",
    "transaction_mode": "IMMEDIATE",
}
# At most this many HTTP requests of one web process run inside Django at once; the rest wait
# their turn, in order (core/concurrency.py). Bounds the threads, the database connections and,
# on SQLite, the writers queueing for its lock.
WEB_REQUEST_LIMIT = env_int("WEB_REQUEST_LIMIT", 8, minimum=1)
_DATABASE_ENGINES = {"django.db.backends.postgresql", "django.db.backends.sqlite3"}
# Used by PostgreSQL only, but read (and a bad value refused) whatever the database.
DATABASE_POOL_SIZE = env_int("DATABASE_POOL_SIZE", WEB_REQUEST_LIMIT + 4, minimum=1)
if DATABASE_URL:
    try:
        _database = dj_database_url.parse(DATABASE_URL)
    except ValueError:
        _database = {}
    if _database.get("ENGINE") not in _DATABASE_ENGINES:
        # The scheme only: the rest of the URL may hold a password.
        raise ImproperlyConfigured(
            "DATABASE_URL must start with postgres:// or sqlite:///, "
            f"not {DATABASE_URL.partition('://')[0] + '://' if '://' in DATABASE_URL else 'an address without one'}"
        )
    if PRODUCTION and _database["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_URL must name a PostgreSQL database in production")
    DATABASES = {"default": _database}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"]["OPTIONS"] = dict(SQLITE_OPTIONS)
    else:
        # Under ASGI every request runs in a thread of its own, so a connection kept per thread
        # (CONN_MAX_AGE) is never reused and lingers until collected: a burst of 500 webhooks ran
        # PostgreSQL out of connections ("too many clients"). A pool shared by the threads instead:
        # a request waits for a free connection, which Django's pool checks before handing it out (a
        # restarted server's dead connections are replaced). bench/inbound.py, docs/benchmarks.md.
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
        DATABASES["default"]["OPTIONS"] = {
            # No just-in-time compilation: it is for long analytic queries, and on a list's page it
            # cost more than the query (a date-sorted page at 1M: 2.7 s with it, 0.87 s without).
            # ADR 0004, amendment 10; docs/benchmarks.md.
            "options": "-c jit=off",
            "pool": {
                "min_size": 1,
                "max_size": DATABASE_POOL_SIZE,
                # Past the request limit nothing waits here in a web process: 5 s is a database down.
                "timeout": 5,
            },
        }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "trunkshow.sqlite3"),
            "OPTIONS": dict(SQLITE_OPTIONS),
            # A file, not memory, so a server process started by a browser test sees the data.
            "TEST": {"NAME": str(DATA_DIR / "test.sqlite3")},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL and urlparse(REDIS_URL).scheme not in {"redis", "rediss", "unix"}:
    # Not the value itself: it may hold the password.
    raise ImproperlyConfigured(
        "REDIS_URL must start with redis://, rediss:// or unix://, like redis://127.0.0.1:6379/0"
    )

if REDIS_URL:
    CACHES = {
        "default": {
            # Falls back to this process's memory while Redis is down (core/cache.py); a dead host
            # costs at most half a second, then five seconds of not asking.
            "BACKEND": "trunkshow.core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
        }
    }
    CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer", "CONFIG": {"hosts": [REDIS_URL]}}
    }
    _redis = urlparse(REDIS_URL)
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "trunkshow",
        "immediate": False,
        "url": REDIS_URL,
        "consumer": {"workers": 4, "worker_type": "thread"},
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "trunkshow.core.layers.LocalChannelLayer"}}
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "trunkshow",
        "filename": str(DATA_DIR / "queue.sqlite3"),
        "immediate": env_bool("TRUNKSHOW_TASKS_IMMEDIATE", ENVIRONMENT == "test"),
        # A SQLite queue cannot wake a worker (Redis blocks on the list instead): an idle worker
        # polls, backing off from 0.1 s. Huey's default cap of 10 s per thread left a new import
        # "waiting for the worker" for seconds; at 1 s an idle worker reads the small queue file
        # once a second per thread, and a new job starts within about a second.
        "consumer": {"workers": 2, "worker_type": "thread", "max_delay": 1.0},
    }

AUTH_USER_MODEL = "stores.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if ENVIRONMENT == "test":
    # Tests create many users; the slow hasher would only measure argon2.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "inbox:list"  # conversations first: what a customer wrote waits there
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 3

# Login throttling: failures within the window, per account and per client address.
LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60, minimum=1)
LOGIN_MAX_FAILURES_PER_ACCOUNT = env_int("LOGIN_MAX_FAILURES_PER_ACCOUNT", 5, minimum=1)
LOGIN_MAX_FAILURES_PER_ADDRESS = env_int("LOGIN_MAX_FAILURES_PER_ADDRESS", 20, minimum=1)
# Number of reverse proxies in front of us whose X-Forwarded-For entries we trust.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Load balancers probe the web processes directly over plain HTTP; a redirect would read as "down".
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading is a one-way commitment for the whole domain: the operator opts in, the check stays quiet.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production")
    if not PUBLIC_URL.startswith("https://"):
        raise ImproperlyConfigured("PUBLIC_URL must be an https:// address in production")
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be off in production")
    if not DATABASE_URL:
        raise ImproperlyConfigured("DATABASE_URL must name a PostgreSQL database in production")

# Email: EMAIL_URL such as smtp://user:pass@host:587?tls=1, console:// or memory://
EMAIL_URL = env_str("EMAIL_URL", "console://")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Trunkshow <noreply@localhost>")
# Web push: a PEM private key, or one is generated into the data dir on first use (inbox/push.py).
VAPID_PRIVATE_KEY = env_str("VAPID_PRIVATE_KEY", "").replace("\\n", "\n")
VAPID_SUBJECT = env_str("VAPID_SUBJECT", "")


# The names of the widget's limits (their defaults: RATE_LIMITS in messaging/channels/webchat/views.py).
WIDGET_RATE_LIMIT_NAMES = (
    "script",
    "preflight",
    "config",
    "start",
    "message",
    "read",
    "identify",
    "photos",
    "photo",
    "address",
)


def _rate_limits(raw: str) -> dict[str, tuple[int, int]]:
    """``start=10/600,message=20/60``: requests per seconds, by the widget's limit names."""
    limits: dict[str, tuple[int, int]] = {}
    for part in filter(None, (p.strip() for p in raw.split(","))):
        name, _sep, value = part.partition("=")
        count, _slash, seconds = value.partition("/")
        if not (name and count.isdigit() and seconds.isdigit() and int(count) > 0 and int(seconds) > 0):
            raise ImproperlyConfigured(f"WIDGET_RATE_LIMITS takes name=requests/seconds pairs, not {part!r}")
        if name.strip() not in WIDGET_RATE_LIMIT_NAMES:
            # A misspelt name would leave the limit it meant at its default, silently.
            raise ImproperlyConfigured(
                f"WIDGET_RATE_LIMITS has no limit named {name.strip()!r}; "
                f"the names are {', '.join(WIDGET_RATE_LIMIT_NAMES)}"
            )
        limits[name.strip()] = (int(count), int(seconds))
    return limits


# The chat widget's public endpoints, per visitor and per address (defaults in webchat/views.py).
WIDGET_RATE_LIMITS = _rate_limits(env_str("WIDGET_RATE_LIMITS"))
SERVER_EMAIL = DEFAULT_FROM_EMAIL


def _email_settings(url: str) -> dict[str, object]:
    parsed = urlparse(url)
    query = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
    scheme = parsed.scheme
    if scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme == "memory":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if scheme == "file":
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": parsed.path or str(DATA_DIR / "mail"),
        }
    if scheme in {"smtp", "smtps"}:
        timeout = query.get("timeout", "10")
        if not timeout.isdigit() or int(timeout) < 1:
            raise ImproperlyConfigured(f"EMAIL_URL's timeout must be a whole number of seconds, not {timeout!r}")
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parsed.hostname or "localhost",
            "EMAIL_PORT": parsed.port or (465 if scheme == "smtps" else 25),
            "EMAIL_HOST_USER": unquote(parsed.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
            "EMAIL_USE_SSL": scheme == "smtps",
            "EMAIL_USE_TLS": query.get("tls", "") in {"1", "true", "yes"},
            "EMAIL_TIMEOUT": int(timeout),
        }
    raise ImproperlyConfigured(
        f"EMAIL_URL must start with smtp://, smtps://, console://, memory:// or file://, not {url!r}"
    )


globals().update(_email_settings(EMAIL_URL))

# Inbound email (``/hooks/email/inbound`` and ``trunkshow email receive``). The secret authenticates
# the mail server's deliveries; without it the webhook refuses everything.
INBOUND_EMAIL_SECRET = env_str("TRUNKSHOW_INBOUND_EMAIL_SECRET")
if PRODUCTION and INBOUND_EMAIL_SECRET and len(INBOUND_EMAIL_SECRET) < 32:
    raise ImproperlyConfigured("TRUNKSHOW_INBOUND_EMAIL_SECRET must be at least 32 characters")
# The domain whose mail reaches Trunkshow: <store-slug>@ and signed reply+<token>@ addresses.
INBOUND_EMAIL_DOMAIN = env_str("INBOUND_EMAIL_DOMAIN").lower().strip("@")
# The raw message as delivered (base64 makes attachments a third larger) and the attachments decoded.
INBOUND_EMAIL_MAX_BYTES = env_int("INBOUND_EMAIL_MAX_BYTES", 35 * 1024 * 1024, minimum=1024)
INBOUND_EMAIL_MAX_ATTACHMENT_BYTES = env_int("INBOUND_EMAIL_MAX_ATTACHMENT_BYTES", 25 * 1024 * 1024, minimum=0)
# Webhook deliveries per client address per minute.
INBOUND_EMAIL_RATE_PER_MINUTE = env_int("INBOUND_EMAIL_RATE_PER_MINUTE", 600, minimum=1)
ATTACHMENTS_DIR = DATA_DIR / "attachments"
# Texts and WhatsApp through Twilio. Without an account SID and auth token the sandbox provider
# records what would have been sent instead (the default on a laptop and in the demo).
_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")


def _twilio_number(name: str, raw: str) -> str:
    number = raw.removeprefix("whatsapp:")
    if number and not _E164.match(number):
        raise ImproperlyConfigured(f"{name} must be a phone number in E.164 form like +15551234567, not {raw!r}")
    return number


TWILIO_ACCOUNT_SID = env_str("TWILIO_ACCOUNT_SID")
TWILIO_AUTH_TOKEN = env_str("TWILIO_AUTH_TOKEN")
if bool(TWILIO_ACCOUNT_SID) != bool(TWILIO_AUTH_TOKEN):
    raise ImproperlyConfigured("TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN must be set together")
if TWILIO_ACCOUNT_SID and not re.fullmatch(r"AC[0-9a-fA-F]{32}", TWILIO_ACCOUNT_SID):
    raise ImproperlyConfigured(
        f"TWILIO_ACCOUNT_SID must be AC followed by 32 hexadecimal digits, not {TWILIO_ACCOUNT_SID!r}"
    )
TWILIO_FROM_NUMBER = _twilio_number("TWILIO_FROM_NUMBER", env_str("TWILIO_FROM_NUMBER"))
TWILIO_WHATSAPP_FROM = _twilio_number("TWILIO_WHATSAPP_FROM", env_str("TWILIO_WHATSAPP_FROM"))
if TWILIO_ACCOUNT_SID and not (TWILIO_FROM_NUMBER or TWILIO_WHATSAPP_FROM):
    raise ImproperlyConfigured("With Twilio keys set, TWILIO_FROM_NUMBER or TWILIO_WHATSAPP_FROM must be set too")


def _twilio_store_numbers(raw: str) -> dict[str, str]:
    numbers: dict[str, str] = {}
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        slug, sep, number = (piece.strip() for piece in item.partition("="))
        if not sep or not slug:
            raise ImproperlyConfigured(f"TWILIO_STORE_NUMBERS must list store=+number pairs, not {item!r}")
        numbers[slug] = _twilio_number("TWILIO_STORE_NUMBERS", number)
    return numbers


TWILIO_STORE_NUMBERS = _twilio_store_numbers(env_str("TWILIO_STORE_NUMBERS"))
TWILIO_API_BASE = env_str("TWILIO_API_BASE").rstrip("/")
if TWILIO_API_BASE and (
    urlparse(TWILIO_API_BASE).scheme not in {"http", "https"} or not urlparse(TWILIO_API_BASE).hostname
):
    raise ImproperlyConfigured(
        f"TWILIO_API_BASE must be an address like https://api.twilio.com, not {TWILIO_API_BASE!r}"
    )
if PRODUCTION and TWILIO_API_BASE and not TWILIO_API_BASE.startswith("https://"):
    raise ImproperlyConfigured("TWILIO_API_BASE must be an https:// address in production")
TWILIO_TIMEOUT_SECONDS = env_int("TWILIO_TIMEOUT_SECONDS", 10, minimum=1)
# Requests per minute per client address on /hooks/twilio/: generous, Twilio retries a refused hook.
TWILIO_HOOK_RATE_PER_MINUTE = env_int("TWILIO_HOOK_RATE_PER_MINUTE", 600, minimum=1)
# Signed photo links (the provider's fetch, the chat visitor): requests a minute from one address.
ATTACHMENT_LINK_RATE_PER_MINUTE = env_int("ATTACHMENT_LINK_RATE_PER_MINUTE", 300, minimum=1)

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français"), ("de", "Deutsch"), ("es", "Español"), ("it", "Italiano")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns at every start when it is missing, before collectstatic
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(f"LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, not {LOG_LEVEL!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
