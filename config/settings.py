"""Shequ settings: one module, every value from the environment with a safe development default.

Every variable is listed in `.env.example` and `docs/configuration.md`. In production mode
(`DEBUG=false`) the development secrets are refused at start-up.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEV_SECRET_KEY = "dev-only-secret-key-do-not-use-in-production-0123456789"
# Development field-encryption key (32 bytes, urlsafe base64) and keyed-hash key. Refused in
# production: real deployments set their own and keep them out of the database backups.
DEV_FIELD_KEYS = "k1:ZGV2LW9ubHktZmllbGQta2V5LXNoZXF1LTAwMDAwMDE="
DEV_HASH_KEY = "dev-only-hash-key-shequ"

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY", DEV_SECRET_KEY)
# Field encryption keys as "id:base64key" pairs separated by commas; the first encrypts new
# values, all of them decrypt. Rotating: put the new key first, run `manage.py rotate_keys`.
FIELD_ENCRYPTION_KEYS = env_str("FIELD_ENCRYPTION_KEYS", DEV_FIELD_KEYS)
FIELD_HASH_KEY = env_str("FIELD_HASH_KEY", DEV_HASH_KEY)

if not DEBUG:
    weak = [
        name
        for name, value, dev in (
            ("SECRET_KEY", SECRET_KEY, DEV_SECRET_KEY),
            ("FIELD_ENCRYPTION_KEYS", FIELD_ENCRYPTION_KEYS, DEV_FIELD_KEYS),
            ("FIELD_HASH_KEY", FIELD_HASH_KEY, DEV_HASH_KEY),
        )
        if value == dev or not value
    ]
    if weak and not env_bool("SHEQU_ALLOW_DEV_SECRETS", False):
        raise ImproperlyConfigured(
            "Production mode (DEBUG=false) refuses the development secrets: set " + ", ".join(weak)
        )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "django_tasks_db",
    "shequ.core",
    "shequ.regions",
    "shequ.accounts",
    "shequ.audit",
    "shequ.workdays",
    "shequ.people",
    "shequ.cases",
    "shequ.hall",
    "shequ.incidents",
    "shequ.hotline",
    "shequ.open311",
    "shequ.demo",
    "shequ.dashboard",
    "shequ.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "shequ.accounts.middleware.ResidentMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shequ.core.context_processors.shell",
            ],
        },
    },
]

# Databases: SQLite by default (WAL, busy timeout, immediate write transactions so that two
# writers queue instead of failing); PostgreSQL in production with psycopg's connection pool.
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'shequ.sqlite3'}")
_db = dj_database_url.parse(DATABASE_URL)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    if _db["NAME"] and _db["NAME"] != ":memory:":
        Path(_db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    _db["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
            "PRAGMA foreign_keys=ON;PRAGMA cache_size=-64000;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("SQLITE_BUSY_TIMEOUT", 20),
    }
elif _db["ENGINE"] == "django.db.backends.postgresql":
    _db.setdefault("OPTIONS", {})
    # Statements of the hot paths (core.sql.prepared_cursor) are prepared per connection;
    # the ORM's own (client-side binding) never are. 0: nothing is prepared (behind a
    # connection pooler in transaction mode).
    _db["OPTIONS"]["prepare_threshold"] = env_int("DATABASE_PREPARE_THRESHOLD", 5) or None
    if env_bool("DATABASE_POOL", True):
        _db["OPTIONS"]["pool"] = {
            "min_size": env_int("DATABASE_POOL_MIN", 2),
            "max_size": env_int("DATABASE_POOL_MAX", 10),
        }
        _db["CONN_MAX_AGE"] = 0
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard:home"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Demo and test databases may use a fast hasher; never in production (refused below).
if env_bool("FAST_PASSWORD_HASHER", False):
    if not DEBUG:
        raise ImproperlyConfigured("FAST_PASSWORD_HASHER is for tests only")
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Lockout: after this many failed logins within the window the account is locked for the window.
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15)

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Content security policy: everything is served from our own origin (vendored front-end files).
from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE, CSP.UNSAFE_EVAL],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "var" / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
MEDIA_URL = "/media/"

REDIS_URL = env_str("REDIS_URL", "")
CACHES = (
    {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    if REDIS_URL
    else {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
)

# Background tasks: the ORM backend by default, so a single machine needs nothing but the
# database; RQ on Redis for scale (TASKS_BACKEND=rq).
TASKS_BACKEND = env_str("TASKS_BACKEND", "database")
if TASKS_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
elif TASKS_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
elif TASKS_BACKEND == "rq":
    if not REDIS_URL:
        raise ImproperlyConfigured("TASKS_BACKEND=rq needs REDIS_URL")
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {"default": {"URL": REDIS_URL}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
else:
    raise ImproperlyConfigured(
        f"TASKS_BACKEND must be database, immediate or rq, not {TASKS_BACKEND!r}"
    )

# The region level that an account's roles are counted from when the demo is built, and the
# code scheme of grids below a community (number of digits added per level).
GRID_CODE_DIGITS = env_int("GRID_CODE_DIGITS", 3)
# Grid population band of STANDARDS.md: warn outside it.
GRID_HOUSEHOLDS_MIN = env_int("GRID_HOUSEHOLDS_MIN", 300)
GRID_HOUSEHOLDS_MAX = env_int("GRID_HOUSEHOLDS_MAX", 500)
GRID_PERSONS_MAX = env_int("GRID_PERSONS_MAX", 2500)
# The register's daily reminders: residence permits and tenancies ending within this many days.
PERMIT_REMINDER_DAYS = env_int("PERMIT_REMINDER_DAYS", 30)

# Cases: "due soon" warns this many working days before the deadline; a poor rating opens a
# rectification with this many working days.
CASE_DUE_SOON_DAYS = env_int("CASE_DUE_SOON_DAYS", 1)
# Limits counted in hours (incidents): "due soon" this many hours before the moment.
CASE_DUE_SOON_HOURS = env_int("CASE_DUE_SOON_HOURS", 2)
# Office hours for limits counted in working hours (工作时), on working days.
WORKING_HOURS = env_str("WORKING_HOURS", "08:30-12:00,13:30-17:30")
RECTIFICATION_DAYS = env_int("RECTIFICATION_DAYS", 15)
# Incident indicators: leave postponed incidents out of the on-time close rate by default
# (some cities do, STANDARDS.md "Incidents"); the page and the API may switch it per request.
INCIDENT_EXCLUDE_POSTPONED = env_bool("INCIDENT_EXCLUDE_POSTPONED", False)
# Status lookups without an account: at most this many per address per minute.
STATUS_LOOKUPS_PER_MINUTE = env_int("STATUS_LOOKUPS_PER_MINUTE", 20)

# SMS to residents goes through this sender class; the default writes to the log.
SMS_SENDER = env_str("SMS_SENDER", "shequ.core.sms.LoggingSender")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    "loggers": {
        "shequ": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # Django's own messages once (its default handler would pass them on to the root's).
        "django": {
            "handlers": ["console"],
            "level": "INFO" if DEBUG else "WARNING",
            "propagate": False,
        },
    },
}

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
