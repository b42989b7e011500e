"""One settings file, driven by environment variables with safe defaults.

MINQING_HOME     where var/ lives (default: the current directory)
DATABASE_URL     sqlite:///path or postgresql://user@host:port/db (default: SQLite under var/)
MINQING_SECRET_KEY, MINQING_DATA_KEY, MINQING_HASH_KEY
                 secrets; when unset they are made once and kept in var/keys.json (fine for a demo,
                 set them in production)
MINQING_DEBUG    1 to run with DEBUG
MINQING_ALLOWED_HOSTS  comma-separated
"""

from __future__ import annotations

import json
import os
import secrets
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


def _keys() -> dict[str, str]:
    """Secrets from the environment, else from var/keys.json (created on first use)."""
    names = {"secret": "MINQING_SECRET_KEY", "data": "MINQING_DATA_KEY", "hash": "MINQING_HASH_KEY"}
    found = {k: os.environ.get(v, "") for k, v in names.items()}
    if all(found.values()):
        return found
    path = VAR_DIR / "keys.json"
    stored: dict[str, str] = {}
    if path.exists():
        stored = json.loads(path.read_text())
    changed = False
    for k in names:
        if not stored.get(k):
            stored[k] = secrets.token_urlsafe(48)
            changed = True
    if changed:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(stored))
        path.chmod(0o600)
    return {k: found[k] or stored[k] for k in names}


if os.environ.get("MINQING_TESTING") == "1":
    KEYS = {"secret": "test-secret-key-" + "x" * 40, "data": "test-data-key", "hash": "test-hash-key"}
else:
    KEYS = _keys()

SECRET_KEY = KEYS["secret"]
DATA_KEY = KEYS["data"]  # encrypts ID numbers and phones at rest
HASH_KEY = KEYS["hash"]  # keyed hash for exact look-up of ID numbers and phones
DEBUG = env_bool("MINQING_DEBUG")
# A part whose dashboard/briefing figures fail: raise (tests, DEBUG) or show "此项暂时无法计算" and log.
FIGURES_RAISE = env_bool("MINQING_FIGURES_RAISE") or DEBUG
ALLOWED_HOSTS = env_list("MINQING_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("MINQING_CSRF_TRUSTED_ORIGINS", "")
DEMO_MODE = env_bool("MINQING_DEMO")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_htmx",
    "minqing.regions",
    "minqing.accounts",
    "minqing.audit",
    "minqing.households",
    "minqing.appeals",
    "minqing.fieldwork",
    "minqing.checklists",
    "minqing.enterprises",
    "minqing.disputes",
    "minqing.nlp",
    "minqing.portal",
    "minqing.briefing",
    "minqing.jobs",
    "minqing.dashboards",
    "minqing.web",
    "minqing.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
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
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_db), conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one writer writes; IMMEDIATE avoids upgrade deadlocks.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Log-in throttling: 5 failures per user name and address lock that pair out for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("MINQING_LOGIN_FAILURE_LIMIT", "5"))
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

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 12
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

API_TOKEN_TTL_HOURS = int(os.environ.get("MINQING_API_TOKEN_TTL_HOURS", "12"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask": {"()": "minqing.lib.logfilter.MaskPersonalData"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["mask"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("MINQING_LOG_LEVEL", "WARNING")},
}

MINQING_SITE_NAME = _("Minqing")
