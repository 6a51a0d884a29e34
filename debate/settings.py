"""Settings for the debate project, read from the environment.

One module for every environment: development defaults work with zero configuration
(SQLite in the project folder), production is switched on by DJANGO_DEBUG=0 together with
DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS and, past one machine, DATABASE_URL and REDIS_URL.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


TESTING = "pytest" in sys.modules
DEBUG = env_bool("DJANGO_DEBUG", True)


def development_secret_key(path: Path) -> str:
    """This checkout's own key for development, made on first run and never committed
    (.gitignore): a key in the repository would sign anyone's sessions on a careless
    deployment that forgot DJANGO_DEBUG=0."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        key = get_random_secret_key()
        path.touch(mode=0o600)
        path.write_text(key)
        return key


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    SECRET_KEY = development_secret_key(BASE_DIR / ".secret_key")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",  # the widgets' templates, for FORM_RENDERER
    "django_htmx",
    "simple_history",
    "allauth",
    "allauth.account",
    "lti_tool",  # django-lti: LTI 1.3 platforms, deployments and our signing keys (issue 8)
    "ninja",  # the JSON API (issue 32): its docs page's static files, served from here
    "django_tasks_db",  # the task queue's table (issue 31): `manage.py run_tasks` works it
    "arguments",
]

MIDDLEWARE = [
    # Outermost: a lost database connection is served again once or answered with a 503.
    "arguments.views.recovery.ConnectionRecoveryMiddleware",
    # First: a visitor's debate page kept whole costs what a static file does (one query).
    "arguments.views.visitor_pages.VisitorPagesMiddleware",
    # Then a signed-in member's page kept whole per reader, keyed by the site's write count.
    "arguments.views.member_pages.MemberPagesMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside the session and CSRF middleware, so it sees the cookies they set on the way out.
    "arguments.lti.cookies.LmsFrameCookiesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language: Accept-Language or the `django_language` cookie (Django's), then a
    # member's or an LMS launch's choice kept in the session (ours, which wins).
    "django.middleware.locale.LocaleMiddleware",
    "arguments.views.middleware.SessionLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "arguments.views.middleware.RateLimitedMiddleware",
    "arguments.views.middleware.MemberPagesNotStoredMiddleware",
    "arguments.lti.scores_soon.ScoresSoonMiddleware",
]

ROOT_URLCONF = "debate.urls"
FORM_RENDERER = "arguments.views.forms.FormRenderer"
WSGI_APPLICATION = "debate.wsgi.application"
ASGI_APPLICATION = "debate.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",  # LANGUAGE_CODE, LANGUAGE_BIDI
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",  # csp_nonce, for the rare inline script
            ],
            "builtins": ["django_htmx.templatetags.django_htmx"],
        },
    },
]

# Database: a SQLite file by default (WAL mode, so readers never wait for the writer);
# DATABASE_URL=postgres://... switches to PostgreSQL through psycopg 3.
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=600)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Connections persist too: opening one (and its PRAGMAs) cost more than a page's queries.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# Read replicas (issue 36): DATABASE_REPLICA_URL names one or several streaming replicas of
# the primary, comma-separated. A request reads from one that has replayed what its reader
# last saw or wrote, else from the primary (arguments/replicas.py); writes go to the primary.
# Unset, nothing is routed: every read goes to `default`.
DATABASE_REPLICAS: list[str] = []
for _number, _url in enumerate(env_list("DATABASE_REPLICA_URL", ""), start=1):
    _alias = f"replica{_number}"
    DATABASES[_alias] = dj_database_url.parse(_url, conn_max_age=600)
    DATABASES[_alias]["CONN_HEALTH_CHECKS"] = True
    DATABASES[_alias]["TEST"] = {"MIRROR": "default"}
    DATABASE_REPLICAS.append(_alias)
if DATABASE_REPLICAS:
    DATABASE_ROUTERS = ["arguments.replicas.Router"]
    MIDDLEWARE.insert(0, "arguments.views.replicas.ReadReplicasMiddleware")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background work: Django's task framework, its tasks stored in the database (the same one,
# PostgreSQL or SQLite) and run by `manage.py run_tasks` (docs/DEPLOY.md).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Cache: Redis when REDIS_URL is set (shared by every worker), else process-local memory.
# Redis is optional at run time too (debate/cache.py): short timeouts, and while it does not
# answer, rate limits and other small shared entries go to the `fallback` table (made by a
# migration) and fragments and cached sessions go uncached. REDIS_TIMEOUT is in seconds.
REDIS_URL = os.environ.get("REDIS_URL", "")
REDIS_TIMEOUT = float(os.environ.get("REDIS_TIMEOUT", "0.05"))
FALLBACK_CACHE = {
    "BACKEND": "django.core.cache.backends.db.DatabaseCache",
    "LOCATION": "arguments_cache_fallback",
    "KEY_PREFIX": "debate",
    "OPTIONS": {"MAX_ENTRIES": 20000},
}
CACHES: dict[str, dict[str, Any]]
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "debate.cache.FallbackRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "debate",
            "OPTIONS": {
                "socket_connect_timeout": REDIS_TIMEOUT,
                "socket_timeout": REDIS_TIMEOUT,
                "FALLBACK_ALIAS": "fallback",
            },
        },
        "fallback": FALLBACK_CACHE,
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "debate",
            # Without Redis the shared cache is this worker's memory too: its entries of a
            # site's debates are about 26 KB (a visitor's tree, participants), so 800 of
            # them are about 21 MB on top of the budgets below (issue 35).
            "OPTIONS": {"MAX_ENTRIES": 800},
        },
        "fallback": FALLBACK_CACHE,
    }

# Each store of a worker's own memory is bounded by bytes (arguments/caches.py, `Bounded`):
# megabytes by store name; a store not named here keeps its own default. A fresh worker is
# about 107 MB; these add up to 111 MB (and the shared cache's 21 MB when it is this
# process's memory, CACHES above), so a worker stays near 240 MB whatever it has read
# (issue 35: <= 250 MB after reading 1,000 debates), measured with the bytes each store's
# entries really take (docs/PERFORMANCE.md, "A site of 5,000 debates"). One structure bigger
# than its budget (200,000 claims: about 250 MB) is still kept alone while it is the newest.
# PROCESS_CACHE_MB scales them all (1.0: these figures).
_CACHE_SCALE = float(os.environ.get("PROCESS_CACHE_MB", "1.0"))
PROCESS_CACHE_BUDGETS: dict[str, float] = {
    name: megabytes * _CACHE_SCALE
    for name, megabytes in {
        # 1.26 KB a claim: a 20,000-claim debate is 25 MB, 200 claims 0.29. 32, not 40: a
        # worker that read 1,000 debates stayed at 255 MB with 40 (≤ 250: issue 35).
        "structures": 32,
        "perspectives": 8,
        "outlines now": 6,
        "cards": 6,
        "debate cards": 2,  # a listing's card and its key: about 1.5 KB
        "visitor pages": 8,  # a page is about 40 KB
        # A member's page is kept twice: its parts, 2 bytes a character (a "⋯" makes the
        # whole text so), and as last filled, in UTF-8: about 240 KB at 20,000 claims. A class
        # of 60 read in turn by every worker must fit, or each reader evicts the next one's
        # page (`make loadtest`: 1,596 -> 86 req/s at 12 MB, when both were strings).
        "member pages": 24,
        "member sessions": 1,
        "member vote regions": 4,
        "API: what a reader sees": 4,
        "map drawings": 4,  # a visitor's map of a 20,000-claim debate: about 150 KB
        "places": 4,  # cruxes without the debate: its points, who sees them
        "gaps": 2,  # gaps without the debate: a reader's view's rows, per versions
        # The activity table and pages through a perspective, per reader: about 60 KB each.
        "kept reads": 6,
    }.items()
}
# A web worker loads and holds the site's most recently active debates that fit "structures"
# above as it starts, after the fork and before its first request (gunicorn.conf.py,
# arguments/structure/held_at_start.py), for at most DJANGO_HOLD_AT_START_SECONDS (and never
# past a third of gunicorn's worker timeout): else the first vote or write in each worker
# loads a 20,000-claim debate inside that request (0.6 s). DJANGO_HOLD_AT_START=0 turns it off.
HOLD_AT_START = env_bool("DJANGO_HOLD_AT_START", True)
HOLD_AT_START_SECONDS = float(os.environ.get("DJANGO_HOLD_AT_START_SECONDS", "10"))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# Accounts (django-allauth): username sign-up; e-mail verification off unless asked for.
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = os.environ.get("ACCOUNT_EMAIL_VERIFICATION", "none")
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGOUT_REDIRECT_URL = "/"

EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "debate@localhost")
# Where e-mails point back to (links, unsubscribe): a command has no request to ask.
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000").rstrip("/")

# The interface's languages (issue 34, docs/I18N.md): English unless the reader's profile,
# an LMS launch, the switcher's cookie or the browser's Accept-Language asks for another.
# A debate's own language (`Debate.language`) is chosen from the same list.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("fr", "Français"),
    ("de", "Deutsch"),
    ("es", "Español"),
    ("pt-br", "Português (Brasil)"),
    ("ar", "العربية"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Security: strict by default in production; TLS is usually terminated by a proxy.
SESSION_COOKIE_HTTPONLY = True
# With Redis, sessions are read through the shared cache and written through to the database:
# a signed-in page reads its session without a database query. Not with the process-local
# cache: a session ended or changed in one worker would live on in another's memory.
if REDIS_URL:
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
# Scripts only from our own files (or, rarely, an inline one carrying this response's nonce):
# an injected <script> or event handler never runs. No plugins, no <base> hijack, forms post
# only here. No page may be framed (clickjacking), except the embed and LTI views, which
# replace frame-ancestors with the debate's or the platform's origins (views/framing.py).
SECURE_CSP = {
    "script-src": [CSP.SELF, CSP.NONCE],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    # A load balancer's probe asks over plain HTTP, inside the network (docs/DEPLOY.md).
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
# An LMS shows LTI launches in an iframe on its own site: a session cookie set there is a
# third-party cookie, which browsers drop unless it is SameSite=None (and Secure). Only the
# responses of an LMS session get such cookies (arguments.lti.cookies.LmsFrameCookiesMiddleware);
# everywhere else they stay Lax. See docs/EMBEDDING.md.
COOKIES_IN_LMS_FRAMES = env_bool("DJANGO_COOKIES_IN_LMS_FRAMES", True)
# Hosts an LMS's services (grades, rosters) may live on besides its registration's URLs, e.g.
# "*.instructure.com" for Canvas; no other address is ever requested (services.lti).
LTI_SERVICE_HOSTS = env_list("DJANGO_LTI_SERVICE_HOSTS", "")
# Seconds after a learner's write in the LMS frame before their score is sent by the task
# worker ("off": only the periodic score sync sends). Off in tests unless a test asks.
_scores_soon = os.environ.get("DJANGO_LTI_SCORES_SOON", "30")
LTI_SCORES_SOON = None if TESTING or _scores_soon == "off" else float(_scores_soon)
# The failed-login limit counts per client address: behind the proxy the docs describe, the
# client is the last address the proxy adds to X-Forwarded-For, not the proxy itself.
ALLAUTH_TRUSTED_PROXY_COUNT = int(
    os.environ.get("DJANGO_TRUSTED_PROXY_COUNT", "0" if DEBUG else "1")
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}
