"""Settings for the CELMoDs in Multiple Myeloma course site.

Every setting that differs between machines is read from an environment variable through the
small helpers below, which fail loudly on a value they cannot read. `.env.example` lists them all.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent.parent

# A checkout's own .env (made by `make`, git-ignored) fills in what the environment leaves
# unset; the environment always wins. ENV_FILE names another file, or none when empty.
ENV_FILE = os.environ.get("ENV_FILE", str(BASE_DIR / ".env"))
if ENV_FILE:
    load_dotenv(ENV_FILE, override=False)

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envbool(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    if value.strip().lower() in _TRUE:
        return True
    if value.strip().lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a yes/no value such as 1 or 0, not {value!r}.")


def envint(name, default):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def envlist(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = envbool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it to a long random value (see .env.example), "
            "or set DEBUG=1 for local development."
        )
    SECRET_KEY = "insecure-local-development-key-never-use-in-production"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "celmod_course.outbox",
    "celmod_course.accounts",
    "lessons",
    "quiz",
    "celmod_course.cme",
    "celmod_course.xapi",
    "celmod_course.lti",
    "celmod_course.web",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "axes",
    "huey.contrib.djhuey",
    "lti_tool",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages of a session an LMS launched may sit in the LMS's frame (HTTPS only; see framing).
    "celmod_course.web.framing.framed_sessions",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "celmod_course.middleware.private_pages",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "celmod_course.urls"
WSGI_APPLICATION = "celmod_course.wsgi.application"

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
            ],
        },
    },
]

# SQLite is the embedded default, set up for concurrent use: WAL lets readers go on while one
# writer writes, IMMEDIATE takes the write lock at the start of a transaction (so two writers
# queue instead of failing half-way), and the timeout makes a waiting writer wait, not fail.
# synchronous=FULL: a committed transaction (a credit claim) survives a power loss.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
# Each server process keeps its connection between requests instead of opening one per request.
CONN_MAX_AGE = envint("CONN_MAX_AGE", 600)
if DATABASE_URL:
    try:
        DATABASES = {
            "default": dj_database_url.parse(
                DATABASE_URL, conn_max_age=CONN_MAX_AGE, conn_health_checks=True
            )
        }
    except ValueError as error:
        raise ImproperlyConfigured(f"DATABASE_URL cannot be read: {error}") from None
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", "") or BASE_DIR / "db.sqlite3",
            "CONN_MAX_AGE": CONN_MAX_AGE,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": envint("SQLITE_TIMEOUT", 20),
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;",
            },
            # Tests use a file too, not memory, so they run on SQLite as the site does:
            # WAL, concurrent connections from threads, a live server in another thread.
            "TEST": {"NAME": os.environ.get("SQLITE_TEST_PATH", "") or BASE_DIR / "test.sqlite3"},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache holds pages and what pages are made of (celmod_course.web.pagecache). On one machine
# each server process keeps it in its own memory. With several servers, REDIS_URL names the
# Redis they share, and an edit then shows on all of them at once. If Redis stops answering,
# the site goes on without it: reads miss, writes are dropped (celmod_course.cache), and
# sessions come from the database. "limits" holds the one rate limit counted in a cache (Ask's,
# which guards capacity on a GET), apart, so that no flood of pages can push a count out; the
# limits that guard accounts are counted in the database (celmod_course.accounts.limits).
REDIS_URL = os.environ.get("REDIS_URL", "")


def cache_settings(prefix):
    if not REDIS_URL:
        return {
            "BACKEND": "celmod_course.cache.LocalCache",
            "LOCATION": prefix,
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        }
    return {
        "BACKEND": "celmod_course.cache.FailOpenRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": prefix,
        "OPTIONS": {"socket_connect_timeout": 0.1, "socket_timeout": 0.1},
    }


CACHES = {"default": cache_settings("pages"), "limits": cache_settings("limits")}
# How long a cached page is kept; without Redis, also how long each server process may show
# a page from before an edit made through another (celmod_course.web.pagecache); with Redis,
# also how long a signed-in user is cached (CACHE_USERS, below).
PAGE_CACHE_SECONDS = envint("PAGE_CACHE_SECONDS", 60)
# Sessions are read from the cache and written through to the database, so a lost cache (or a
# restarted Redis) loses no session.
SESSION_ENGINE = "celmod_course.sessions"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses log-ins while an account is locked out
    "celmod_course.accounts.usercache.UserBackend",  # Django's ModelBackend, users cached
]
# The signed-in user is read from the cache, not the database, on every request
# (celmod_course.accounts.usercache), and forgotten by every write of the user's row: through
# Redis, which every server shares; without Redis, through a small file every server process on
# this machine maps into memory (USER_GENERATIONS_PATH). A cached user is kept at most
# PAGE_CACHE_SECONDS: the longest a log-out or a password change whose forgetting a stalled
# Redis dropped (celmod_course.cache) can go unseen. CACHE_USERS=0 reads the row every time.
CACHE_USERS = envbool("CACHE_USERS", True)
USER_GENERATIONS_PATH = os.environ.get("USER_GENERATIONS_PATH", "") or str(
    BASE_DIR / "user-generations.bin"
)
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "cme:catalog"
LOGOUT_REDIRECT_URL = "cme:catalog"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "full_name")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "celmod_course.accounts.passwords.GuessabilityValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# The task queue (Huey): mail now, and every later call to another system. Embedded by default,
# a SQLite file beside the database (QUEUE_PATH); on Redis when REDIS_URL is set, so that the
# workers of several servers share it. `manage.py run_huey` is the worker; `make run` starts one.
QUEUE_PATH = os.environ.get("QUEUE_PATH", "") or str(BASE_DIR / "queue.sqlite3")
HUEY = {
    "name": "celmod",
    "immediate": False,  # never in the request, not even with DEBUG: the worker sends
    "results": False,
    "consumer": {"workers": envint("QUEUE_WORKERS", 2), "worker_type": "thread"},
    **(
        {"huey_class": "huey.RedisHuey", "url": REDIS_URL}
        if REDIS_URL
        else {"huey_class": "huey.SqliteHuey", "filename": QUEUE_PATH}
    ),
}

# The first wait before sending a failed message again; each next wait is three times longer.
QUEUE_RETRY_SECONDS = envint("QUEUE_RETRY_SECONDS", 10)


# Learning records (celmod_course.xapi, docs/xapi.md): what learners do, sent as xAPI statements
# to the provider's LRS by the task queue's worker. Off, and nothing recorded, without
# XAPI_ENDPOINT (the LRS's xAPI base, e.g. https://lrs.example.org/xAPI). Statements name the
# site's pages by absolute URL and are built outside requests: SITE_URL is the site's address.
def envurl(name):
    value = os.environ.get(name, "").strip().rstrip("/")
    if value and urlsplit(value).scheme not in {"http", "https"}:
        raise ImproperlyConfigured(f"{name} must start with http:// or https://, not {value!r}.")
    return value


SITE_URL = envurl("SITE_URL")
XAPI_ENDPOINT = envurl("XAPI_ENDPOINT")
XAPI_USERNAME = os.environ.get("XAPI_USERNAME", "")
XAPI_PASSWORD = os.environ.get("XAPI_PASSWORD", "")
if XAPI_ENDPOINT and not SITE_URL:
    raise ImproperlyConfigured(
        "SITE_URL is not set: with XAPI_ENDPOINT, statements name the site's pages by its "
        "address, e.g. SITE_URL=https://cme.example.org."
    )

# Log-in throttling: five wrong passwords for one email from one address lock that pair out
# for 15 minutes; a successful log-in resets the count.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "celmod_course.accounts.throttling.username"
AXES_CLIENT_IP_CALLABLE = "celmod_course.accounts.throttling.client_address"
# Behind a proxy, the visitor's address is the last one it adds to X-Forwarded-For.
TRUST_X_FORWARDED_FOR = envbool("TRUST_X_FORWARDED_FOR", False)
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Every script and style comes from the site itself; no inline code, no other origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],  # Bootstrap draws some icons as data: SVG
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# HTTPS=1 in production (see the README): redirect to HTTPS, send HSTS, and keep cookies to
# HTTPS. Behind a proxy that ends TLS, TRUST_X_FORWARDED_PROTO=1 tells Django a request was
# HTTPS.
HTTPS = envbool("HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31_536_000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if envbool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"


# Email: SMTP settings from EMAIL_URL (smtp://user:password@host:587?tls=1, or smtps:// for
# SSL) or the usual EMAIL_* variables. Without a host, mail is printed to the console, as in
# development.
def email_settings(url):
    parsed = urlsplit(url)
    if parsed.scheme not in {"smtp", "smtps"}:
        raise ImproperlyConfigured("EMAIL_URL must start with smtp:// or smtps://.")
    query = parse_qs(parsed.query)
    return {
        "EMAIL_HOST": parsed.hostname or "",
        "EMAIL_PORT": parsed.port or (465 if parsed.scheme == "smtps" else 25),
        "EMAIL_HOST_USER": unquote(parsed.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
        "EMAIL_USE_SSL": parsed.scheme == "smtps",
        "EMAIL_USE_TLS": query.get("tls", ["0"])[0].lower() in _TRUE,
    }


if os.environ.get("EMAIL_URL"):
    globals().update(email_settings(os.environ["EMAIL_URL"]))
else:
    EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
    EMAIL_PORT = envint("EMAIL_PORT", 25)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", False)
# Mail leaves through the outbox: recorded with the request's transaction, sent by the task
# queue's worker after it commits, with retries (celmod_course.outbox). The worker sends it over
# SMTP, or prints it to its console without a host.
EMAIL_BACKEND = "celmod_course.outbox.mail.OutboxBackend"
OUTBOX_EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "CME activities <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# A password-reset link works once, and for an hour.
PASSWORD_RESET_TIMEOUT = envint("PASSWORD_RESET_MINUTES", 60) * 60

# Errors and warnings go to stderr, one line each (a traceback follows an error), in a format a
# log collector reads: time, level, logger, the request's method and path (tokens in it
# redacted), and the message. No form contents and no passwords are logged.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "celmod_course.logs.RequestFilter"}},
    "formatters": {
        "line": {
            "format": "%(asctime)s level=%(levelname)s logger=%(name)s "
            "method=%(method)s path=%(path)s %(message)s",
        },
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "filters": ["request"],
            "formatter": "line",
            "level": "WARNING",
        },
    },
    "root": {"handlers": ["stderr"], "level": "WARNING"},
    "loggers": {
        "django": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
    },
}
