"""govhall settings: one file, driven by the environment.

DATABASE_URL  PostgreSQL (psycopg 3 + pool) when set, else SQLite in ./var/
REDIS_URL     shared cache (and later pub/sub) when set, else in-process
SECRET_KEY, ALLOWED_HOSTS, DEBUG, GOVHALL_PRODUCTION
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("GOVHALL_VAR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


PRODUCTION = env_bool("GOVHALL_PRODUCTION")
DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise RuntimeError("SECRET_KEY must be set in production")
    SECRET_KEY = "dev-only-insecure-key-change-me-0123456789-abcdefghijklmnopqrstuvwxyz"  # noqa: S105 - development only; production refuses to start without SECRET_KEY
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",  # serves Swagger UI from its own static files, not a CDN
    "django_htmx",
    "template_partials",
    "simple_history",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "govhall.core",
    "govhall.accounts",
    "govhall.centers",
    "govhall.catalog",
    "govhall.queueing",
    "govhall.staffing",
    "govhall.cases",
    "govhall.dashboards",
    "govhall.feedback",
    "govhall.coordination",
    "govhall.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "govhall.core.middleware.RequestGuardMiddleware",
    "govhall.core.ratelimit.RateLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "govhall.accounts.middleware.IdleTimeoutMiddleware",
    "govhall.accounts.middleware.PasswordExpiryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "govhall.core.page_errors.PageErrorMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "govhall.core.middleware.LargeTypeMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "govhall" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "govhall.core.context_processors.site",
                "govhall.dashboards.nav.staff_nav",  # devices17: the role-filtered staff navigation
                "govhall.centers.context_processors.public_site",  # public17: the header's district name
            ],
        },
    },
]

# --- database -------------------------------------------------------------
if os.environ.get("DATABASE_URL"):
    # Under ASGI each request runs its sync code in a thread of its own, so
    # CONN_MAX_AGE > 0 leaks a connection per thread. Use psycopg's pool instead.
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=0)}
    # A database that does not answer fails a request within 3 s (healthz, pages, API: 503):
    # waiting for a pooled connection gives up after 2.5 s, a new connection after 2.
    DATABASES["default"]["OPTIONS"] = {
        "connect_timeout": 2,
        "pool": {"min_size": 2, "max_size": 10, "timeout": 2.5},
    }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            # Writers take turns on a lock (threads, then flock across processes)
            # before BEGIN IMMEDIATE: see govhall/core/db/sqlite/base.py.
            "ENGINE": os.environ.get("GOVHALL_SQLITE_ENGINE", "govhall.core.db.sqlite"),
            "NAME": os.environ.get("SQLITE_PATH", str(VAR_DIR / "govhall.sqlite3")),
            "OPTIONS": {
                # Writers take the write lock at BEGIN, so two writers never
                # deadlock upgrading read locks; WAL lets readers go on meanwhile.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA cache_size=-20000; PRAGMA busy_timeout=20000;"
                ),
            },
            "TEST": {"NAME": os.environ.get("SQLITE_TEST_PATH") or None},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache ----------------------------------------------------------------
# Two deployments may share one Redis: cache keys and pub/sub channels carry
# this prefix (pub/sub ignores the Redis database number).
GOVHALL_DEPLOYMENT = os.environ.get("GOVHALL_DEPLOYMENT", "govhall")
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": GOVHALL_DEPLOYMENT,
            # A Redis that does not answer must not hold a request: fail fast, then degrade.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The live boards' pub/sub (govhall/queueing/live.py): Redis when set, else in-process.
GOVHALL_PUBSUB_URL = os.environ.get("REDIS_URL") or None

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
if env_bool("GOVHALL_TASKS_IMMEDIATE"):
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# --- auth -----------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "govhall.accounts.passwords.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "govhall.accounts.passwords.NoReuseValidator", "OPTIONS": {"count": 5}},
]
# 等保: a staff account nobody has used for this many days is disabled (a daily job).
GOVHALL_IDLE_ACCOUNT_DAYS = int(os.environ.get("GOVHALL_IDLE_ACCOUNT_DAYS", "90"))
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboards:workbench"
LOGOUT_REDIRECT_URL = "public:home"

# Abuse limits (govhall/core/ratelimit.py): per client address, per phone, and
# for everyone together, counted in the shared cache. A limited request is 429.
GOVHALL_RATE_LIMITS = [
    # Tracking a case guesses number + phone: a person checks a few cases, not hundreds.
    {"name": "track-ip", "path": r"^/track/$", "by": "ip", "limit": 10, "seconds": 60},
    {"name": "track-all", "path": r"^/track/$", "by": "all", "limit": 600, "seconds": 60},
    # Complaint tracking: number + phone, the same guessing as case tracking.
    {
        "name": "complaint-track-ip",
        "path": r"^/(complaints/track/|api/v1/complaints/track)$",
        "by": "ip",
        "limit": 10,
        "seconds": 60,
    },
    # Verification codes cost an SMS each.
    {
        "name": "sms-ip",
        "path": r"^/my/register/$",
        "when": ("step", "code"),
        "by": "ip",
        "limit": 5,
        "seconds": 3600,
    },
    {
        "name": "sms-phone",
        "path": r"^/my/register/$",
        "when": ("step", "code"),
        "by": "phone",
        "limit": 5,
        "seconds": 3600,
    },
    {
        "name": "sms-all",
        "path": r"^/my/register/$",
        "when": ("step", "code"),
        "by": "all",
        "limit": 300,
        "seconds": 3600,
    },
    {"name": "ticket-sms-ip", "path": r"^/tickets/[^/]+/sms/$", "by": "ip", "limit": 10, "seconds": 600},
    # Password guessing from one address across many accounts (axes locks one account).
    # Only failed logins count: a hall's clerks all signing in at opening from one address
    # (behind one NAT) are never refused. (GOVHALL_LOGIN_IP_LIMIT sets the number.)
    {
        "name": "login-ip",
        "path": r"^/(staff/login|my/login)/$",
        "by": "ip",
        "counts": "failures",
        "limit": int(os.environ.get("GOVHALL_LOGIN_IP_LIMIT", "30")),
        "seconds": 300,
    },
    # A person takes a few tickets a day, not dozens.
    {
        "name": "ticket-phone",
        "path": r"^/(api/v1/halls/[^/]+/tickets|tickets/take/[^/]+/|kiosk/[^/]+/)$",
        "by": "phone",
        "limit": 5,
        "seconds": 3600,
    },
]

# How long the history of records and personal-data looks are kept (days; at
# least 183, 网络安全法 art. 21 — a system check refuses less). `manage.py audit_prune`.
GOVHALL_AUDIT_RETENTION_DAYS = int(os.environ.get("GOVHALL_AUDIT_RETENTION_DAYS", str(3 * 365)))

# Personal data at rest (govhall.core.crypto, ARCHITECTURE.md "Personal data at rest"):
# GOVHALL_FIELD_KEYS = "k2:<base64 32 bytes>,k1:<…>" (the first encrypts, all decrypt);
# GOVHALL_LOOKUP_KEY = base64 32 bytes (keyed hash for exact lookup). Unset in development and
# tests: derived from SECRET_KEY. Unset in production: a system check error (govhall.E002).
GOVHALL_FIELD_KEYS = os.environ.get("GOVHALL_FIELD_KEYS", "")
GOVHALL_LOOKUP_KEY = os.environ.get("GOVHALL_LOOKUP_KEY", "")

AXES_FAILURE_LIMIT = 5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = 0.5  # hours
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "govhall.accounts.views.locked_out"
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

STAFF_IDLE_TIMEOUT_SECONDS = int(os.environ.get("STAFF_IDLE_TIMEOUT_SECONDS", "1800"))
SESSION_COOKIE_AGE = 12 * 3600
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads it from the cookie-free meta tag; kept default

# --- i18n -----------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static ---------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "govhall" / "static"]
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"

# --- security -------------------------------------------------------------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Load balancers probe over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_personal": {"()": "govhall.core.masking.MaskPersonalDataFilter"}},
    # Log timestamps in Beijing time (+08:00), whatever the server's clock zone.
    "formatters": {"beijing": {"()": "govhall.core.logformat.BeijingTimeFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_personal"], "formatter": "beijing"}
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"govhall": {"level": "INFO"}},
}

NINJA_PAGINATION_PER_PAGE = 50
GOVHALL_DEMO = env_bool("GOVHALL_DEMO", True)

# ── 帮办代办与公示公开 (help requests, disclosure) ──
# The public 帮办代办 forms (kiosk, phone, API): a person asks once or twice, not hundreds of times.
GOVHALL_RATE_LIMITS += [
    {
        "name": "help-request-ip",
        "path": r"^/(kiosk/[^/]+/help/|help/[^/]+/|api/v1/public/help-requests)$",
        "by": "ip",
        "limit": 10,
        "seconds": 600,
    },
]
