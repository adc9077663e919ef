"""Settings of PUNDI SOSIAL, each read from the environment with a safe default."""

import os

from flask_appbuilder.const import AUTH_DB

BASE_DIR = os.path.abspath(os.path.dirname(__file__))
INSTANCE_DIR = os.environ.get("PUNDI_INSTANCE_DIR", os.path.join(BASE_DIR, "instance"))


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "ya", "on"}


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    return "sqlite:///" + os.path.join(INSTANCE_DIR, "pundi.db")


def engine_options(url: str) -> dict:
    """Pool settings for a server database: check connections, recycle before the server's
    timeout, and read committed data (each request sees what others committed)."""
    if url.startswith("sqlite"):
        return {}
    return {
        "pool_pre_ping": True,
        "pool_recycle": int(os.environ.get("PUNDI_DB_POOL_RECYCLE", "280")),
        "isolation_level": "READ COMMITTED",
    }


# --- Database --------------------------------------------------------------
SQLALCHEMY_DATABASE_URI = _database_url()
SQLALCHEMY_TRACK_MODIFICATIONS = False
SQLALCHEMY_ENGINE_OPTIONS = engine_options(SQLALCHEMY_DATABASE_URI)
# Schema comes from Alembic migrations (`flask --app run pundi init`), never create_all.
FAB_CREATE_DB = False
FAB_UPDATE_PERMS = False

# --- Application -------------------------------------------------------------
APP_NAME = "PUNDI SOSIAL"
APP_ICON = ""
APP_THEME = ""
SECRET_KEY = os.environ.get("SECRET_KEY")  # generated into instance/ when missing
PUNDI_INSTANCE_DIR = INSTANCE_DIR
PUNDI_TIMEZONE = os.environ.get("PUNDI_TIMEZONE", "Asia/Makassar")
PUNDI_SYNC_ON_START = _bool("PUNDI_SYNC_ON_START", True)
PUNDI_ADMIN_PASSWORD = os.environ.get("PUNDI_ADMIN_PASSWORD")
PUNDI_DEMO_PASSWORD = os.environ.get("PUNDI_DEMO_PASSWORD", "Pundi#Sosial2026")
FAB_API_SWAGGER_UI = False

# --- Language ----------------------------------------------------------------
BABEL_DEFAULT_LOCALE = "id"
BABEL_DEFAULT_TIMEZONE = PUNDI_TIMEZONE
BABEL_TRANSLATION_DIRECTORIES = "translations"
LANGUAGES = {
    "id": {"flag": "id", "name": "Bahasa Indonesia"},
    "en": {"flag": "gb", "name": "English"},
}

# --- Authentication and roles -------------------------------------------------
AUTH_TYPE = AUTH_DB
AUTH_ROLE_ADMIN = "Admin"
AUTH_ROLE_PUBLIC = "Publik"
AUTH_USER_REGISTRATION = False
FAB_PASSWORD_COMPLEXITY_ENABLED = True
AUTH_RATE_LIMITED = True
AUTH_RATE_LIMIT = os.environ.get("PUNDI_LOGIN_RATE_LIMIT", "5 per minute")
RATELIMIT_ENABLED = _bool("PUNDI_RATELIMIT_ENABLED", True)
# memory:// is per process; with several gunicorn workers point this at Redis.
RATELIMIT_STORAGE_URI = os.environ.get("PUNDI_RATELIMIT_STORAGE_URI", "memory://")
RATELIMIT_HEADERS_ENABLED = True

# --- Cookies, CSRF, uploads --------------------------------------------------
WTF_CSRF_ENABLED = True
WTF_CSRF_TIME_LIMIT = None  # token lives as long as the session
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = _bool("PUNDI_HTTPS", False)
REMEMBER_COOKIE_HTTPONLY = True
REMEMBER_COOKIE_SAMESITE = "Lax"
REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
PREFERRED_URL_SCHEME = "https" if SESSION_COOKIE_SECURE else "http"
PUNDI_UPLOAD_DIR = os.environ.get("PUNDI_UPLOAD_DIR", os.path.join(INSTANCE_DIR, "uploads"))
PUNDI_UPLOAD_MAX_BYTES = int(os.environ.get("PUNDI_UPLOAD_MAX_BYTES", str(5 * 1024 * 1024)))
MAX_CONTENT_LENGTH = int(os.environ.get("PUNDI_MAX_CONTENT_LENGTH", str(16 * 1024 * 1024)))
