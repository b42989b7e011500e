"""One settings file, driven by environment variables with safe defaults.

MINQING_HOME     where var/ lives (default: the current directory)
DATABASE_URL     sqlite:///path or postgresql://user@host:port/db (default: SQLite under var/)
DATABASE_REPLICA_URL  optional: a read-only streaming standby the dashboards' figures are read from
MINQING_SECRET_KEY, MINQING_DATA_KEY, MINQING_HASH_KEY, MINQING_AUDIT_KEY
                 secrets; when unset they are made once for a new, empty database and kept in
                 var/keys.json; start-up refuses a database holding encrypted data without its keys
MINQING_DEBUG    1 to run with DEBUG
MINQING_ALLOWED_HOSTS  comma-separated
MINQING_ROLLUPS  0 to compute the figures from the appeals instead of the roll-up tables (default 1)
MINQING_AUDIT_DIR where `minqing audit checkpoint` writes the signed heads of the audit chains
                 (default var/audit; point it at storage the database administrator cannot write)
MINQING_HTTPS    1 behind HTTPS: secure cookies, HSTS (MINQING_HSTS_SECONDS, default one year), redirect to
                 https (MINQING_SSL_REDIRECT, default on); MINQING_PROXY_SSL_HEADER=1 when a proxy ends TLS
MINQING_IDLE_MINUTES   idle session time-out (default 30)
MINQING_OTP_ROLES      posts that must use a second factor (comma-separated role codes, "superuser" for
                       operator accounts); default the three administrators and superusers, none in the demo
MINQING_MODEL_KEY      signs the category model file (default: derived from the secret key)
See docs/security.md for the production environment.
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
HOME = Path(os.environ.get("MINQING_HOME", os.getcwd())).resolve()
VAR_DIR = HOME / "var"


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


KEY_NAMES = {"secret": "MINQING_SECRET_KEY", "data": "MINQING_DATA_KEY", "hash": "MINQING_HASH_KEY",
             "audit": "MINQING_AUDIT_KEY"}


def _keys() -> tuple[dict[str, str], list[str]]:
    """Secrets from the environment, else from var/keys.json. Keys found nowhere are made up here but
    only kept (written to var/keys.json) once minqing.ops has seen the database is new and empty: a
    restored database with its keys lost must stop, not go on with keys that cannot open it."""
    found = {k: os.environ.get(v, "") for k, v in KEY_NAMES.items()}
    if all(found.values()):
        return found, []
    path = VAR_DIR / "keys.json"
    stored: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    missing = [k for k in KEY_NAMES if not found[k] and not stored.get(k)]
    made = {k: secrets.token_urlsafe(48) for k in missing}
    return {k: found[k] or stored.get(k) or made[k] for k in KEY_NAMES}, missing


if os.environ.get("MINQING_TESTING") == "1":
    KEYS = {"secret": "test-secret-key-" + "x" * 40, "data": "test-data-key", "hash": "test-hash-key",
            "audit": "test-audit-key"}
    KEYS_MISSING: list[str] = []
else:
    KEYS, KEYS_MISSING = _keys()
KEYS_FILE = VAR_DIR / "keys.json"

SECRET_KEY = KEYS["secret"]
DATA_KEY = KEYS["data"]  # encrypts ID numbers and phones at rest
HASH_KEY = KEYS["hash"]  # keyed hash for exact look-up of ID numbers and phones
AUDIT_KEY = KEYS["audit"]  # HMAC of the audit chain and its checkpoints: never stored in the database
AUDIT_DIR = Path(os.environ.get("MINQING_AUDIT_DIR") or (
    VAR_DIR / "audit" if os.environ.get("MINQING_TESTING") != "1" else Path(tempfile.mkdtemp(prefix="mq-audit-"))))
DEBUG = env_bool("MINQING_DEBUG")
# A part whose dashboard/briefing figures fail: raise (tests, DEBUG) or show "此项暂时无法计算" and log.
FIGURES_RAISE = env_bool("MINQING_FIGURES_RAISE") or DEBUG
ALLOWED_HOSTS = env_list("MINQING_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("MINQING_CSRF_TRUSTED_ORIGINS", "")
DEMO_MODE = env_bool("MINQING_DEMO")
# Dashboard, briefing and /api/v1/metrics figures of whole months from the roll-up tables (appeals.rollups);
# off: computed from the appeals (the definitions). Tests run with it off (tests/conftest.py): many fixtures
# write appeals directly, not through the services that keep the roll-ups; tests/appeals/test_rollups.py
# compares both.
MINQING_ROLLUPS = env_bool("MINQING_ROLLUPS", True)
# The category model's suggestion is applied at registration from this confidence up (above 1: never).
MINQING_CATEGORY_CONFIDENCE = float(os.environ.get("MINQING_CATEGORY_CONFIDENCE", "0.9"))

INSTALLED_APPS = [
    "minqing.audit.admin_site.AuditedAdminConfig",  # the admin, audited and without hard deletes
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "django_htmx",
    "minqing.regions",
    "minqing.accounts",
    "minqing.audit",
    "minqing.households",
    "minqing.appeals",
    "minqing.ledgers",  # its management command: minqing ledger export|import
    "minqing.fieldwork",
    "minqing.checklists",
    "minqing.enterprises",
    "minqing.disputes",
    "minqing.nlp",
    "minqing.portal",
    "minqing.cadres",  # 群众评议 of cadres, 值班带班 and check-ins, 走读
    "minqing.hotline",  # 12345 work orders in and out, Open311 GeoReport v2
    "minqing.briefing",
    "minqing.jobs",
    "minqing.notices.apps.NotificationsConfig",
    "minqing.dashboards",
    "minqing.sysadmin",
    "minqing.web",
    "minqing.demo",
    "minqing.ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "minqing.accounts.sessions.SessionMiddleware",  # Django's, without a write per request
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "minqing.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "minqing.web.nostore.NoStoreMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "minqing.ops.querylimits.QueryTimeLimit",
]

ROOT_URLCONF = "minqing.urls"
WSGI_APPLICATION = "minqing.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "minqing.web.context.site",
            ],
        },
    },
]

_default_db = f"sqlite:///{VAR_DIR / 'minqing.sqlite3'}"
# One connection per server thread, kept 60 s across requests (docs/decisions/0054-load21-server-settings.md):
# on SQLite a new connection per request also threw away its page cache (the list took 20% more CPU, the
# bare list twice as much); on PostgreSQL it saves the connection set-up, and a connection the server
# dropped (a restart, a fail-over) is noticed before a request uses it, not as that request's error.
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_db), conn_max_age=60,
                                              conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one writer writes; IMMEDIATE avoids upgrade deadlocks.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
# Every query bounded (minqing.ops.querylimits): seconds a statement (PostgreSQL) or a request's
# queries (SQLite) may run before the answer is "查询范围过大，请缩小条件"; 0 = no limit (commands).
STATEMENT_TIMEOUT = float(os.environ.get("MINQING_STATEMENT_TIMEOUT", "30"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and STATEMENT_TIMEOUT > 0:
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = f"-c statement_timeout={int(STATEMENT_TIMEOUT * 1000)}"
# A streaming standby for the figures (minqing/lib/replica.py, docs/scale.md): dashboards, /api/v1/metrics
# and the briefing read there; writes and everything needing read-your-writes stay on "default".
_replica_url = os.environ.get("DATABASE_REPLICA_URL", "").strip()
if _replica_url:
    DATABASES["replica"] = dj_database_url.parse(_replica_url, conn_max_age=60)
    if DATABASES["replica"]["ENGINE"] == DATABASES["default"]["ENGINE"]:
        DATABASES["replica"]["OPTIONS"] = dict(DATABASES["default"].get("OPTIONS", {}))
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # tests: the same test database
DATABASE_ROUTERS = ["minqing.lib.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# 等保 2.0 level 3 口令复杂度: length, three of four character classes, not the user name, not one of
# Django's 20 000 common passwords, not only digits (messages in Chinese: minqing/accounts/passwords.py).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "minqing.accounts.passwords.LengthValidator",
     "OPTIONS": {"min_length": int(os.environ.get("MINQING_PASSWORD_MIN_LENGTH", "10"))}},
    {"NAME": "minqing.accounts.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "minqing.accounts.passwords.NotUserNameValidator"},
    {"NAME": "minqing.accounts.passwords.CommonValidator"},
    {"NAME": "minqing.accounts.passwords.NotNumericValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Log-in throttling: 5 failures per user name and address lock that pair out for 15 minutes; 20
# failures from one address across user names lock the address, 10 failures of one user name across
# addresses lock the name (minqing/accounts/throttle.py).
AXES_FAILURE_LIMIT = int(os.environ.get("MINQING_LOGIN_FAILURE_LIMIT", "5"))
MINQING_LOGIN_ADDRESS_LIMIT = int(os.environ.get("MINQING_LOGIN_ADDRESS_LIMIT", "20"))
MINQING_LOGIN_USER_LIMIT = int(os.environ.get("MINQING_LOGIN_USER_LIMIT", "10"))
AXES_HANDLER = "minqing.accounts.throttle.Handler"
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # guesses during a lock-out do not extend it
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "minqing.web.views.auth.locked_out"
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
# A phone's record carries its photos in the JSON of POST /api/v1/sync (fieldwork/photos.py): up to six
# ~0.3 MB JPEGs in base64, sent one record per request. Django's 2.5 MB default would refuse some.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Maps (web/maps): the county's 天地图 key. Empty: no tile server is ever asked; the map page plots the
# points on the place's extent with the vendored ECharts (docs/decisions/0048-maps.md).
MINQING_TIANDITU_KEY = os.environ.get("MINQING_TIANDITU_KEY", "").strip()

# Idle time-out (等保 剩余信息保护 / 身份鉴别: 登录连接超时自动退出): requests push the end of the session
# forward, so a session ends after this many idle minutes. The push is written at most once a
# SESSION_REFRESH_SECONDS (minqing/accounts/sessions.py): the time-out is up to that much shorter,
# never longer, and a list read does not write (docs/decisions/0063-list22-request-path.md).
SESSION_ENGINE = "minqing.accounts.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(os.environ.get("MINQING_IDLE_MINUTES", "30")) * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = min(int(os.environ.get("MINQING_SESSION_REFRESH_SECONDS", "60")), SESSION_COOKIE_AGE // 2)
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Production over HTTPS (docs/security.md): cookies only over HTTPS, HSTS, redirect plain HTTP.
HTTPS = env_bool("MINQING_HTTPS")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = env_bool("MINQING_SSL_REDIRECT", HTTPS)
SECURE_HSTS_SECONDS = int(os.environ.get("MINQING_HSTS_SECONDS", "31536000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS and env_bool("MINQING_HSTS_PRELOAD", True)
if env_bool("MINQING_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy on every page (django-csp): scripts only from our own files (no inline
# script anywhere), no plugins, no framing. Inline style attributes stay allowed (no script runs
# from them). A file served inline (an attachment) sets its own stricter policy.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "worker-src": ["'self'"],
        "manifest-src": ["'self'"],
    },
}

# Second factor (TOTP, django-otp) for these posts; "superuser" names operator accounts.
# (Off in the demo, so its log-in stays one step; tests/conftest.py turns it off, tests/security on.)
_otp_default = "" if DEMO_MODE else "sysadmin,secadmin,auditor,superuser"
OTP_REQUIRED_ROLES = frozenset(env_list("MINQING_OTP_ROLES", _otp_default))
OTP_TOTP_ISSUER = "minqing"
MODEL_KEY = os.environ.get("MINQING_MODEL_KEY", "")

API_TOKEN_TTL_HOURS = int(os.environ.get("MINQING_API_TOKEN_TTL_HOURS", "12"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask": {"()": "minqing.lib.logfilter.MaskPersonalData"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["mask"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("MINQING_LOG_LEVEL", "WARNING")},
}

MINQING_SITE_NAME = _("Minqing")

# Spreadsheet imports (lib/sheets.py): refused before they are read when larger.
MINQING_IMPORT_MAX_ROWS = int(os.environ.get("MINQING_IMPORT_MAX_ROWS", "200000"))  # data rows per import
MINQING_IMPORT_MAX_CELLS = int(os.environ.get("MINQING_IMPORT_MAX_CELLS", "4000000"))  # the sheet's rectangle
# Cases per write transaction of a ledger import; unset or 0: the whole file in one transaction (all or
# nothing, docs/decisions/0059); N: checked whole first, then written N cases a transaction (an SQLite site
# whose API must keep writing during a very large import).
if os.environ.get("MINQING_IMPORT_CHUNK"):
    MINQING_IMPORT_CHUNK = int(os.environ["MINQING_IMPORT_CHUNK"])
# Rows a ledger import reads, checks and writes together: its memory is about one batch.
MINQING_IMPORT_BATCH = int(os.environ.get("MINQING_IMPORT_BATCH", "1000"))
# SQLite page cache (MB) of the importing connection while it writes; 0 keeps SQLite's 2 MB.
MINQING_IMPORT_CACHE_MB = int(os.environ.get("MINQING_IMPORT_CACHE_MB", "64"))
