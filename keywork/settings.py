"""One settings module, read from the environment (see .env.example for every variable)."""

import datetime as dt
from pathlib import Path
from typing import NoReturn

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"  # the SQLite database and collected static files
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")


def _fail(message: str) -> NoReturn:
    """Stop start-up with one line, no traceback."""
    raise SystemExit(f"keywork: {message}")


DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if DEBUG:
        SECRET_KEY = "insecure-development-key-only-used-with-DEBUG"
    else:
        _fail("SECRET_KEY is not set; set it in the environment (see .env.example) or set DEBUG=1")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "keywork.core",  # first, so that its refused createsuperuser takes Django's place
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "keywork.audit",
    "keywork.access",
    "keywork.catalogue",
    "keywork.clients",
    "keywork.sessions",
    "keywork.assessments",
    "keywork.careplans",
    "keywork.interventions",
    "keywork.prescribing",
    "keywork.referrals",
    "keywork.outcomes",
    "keywork.maps",
    "keywork.recovery",
    "keywork.checkups",
    "keywork.measures",
    "keywork.exports",
    "keywork.demo",
    "keywork.overview",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "keywork.access.middleware.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "keywork.audit.middleware.AuditContextMiddleware",
    "keywork.access.middleware.NoStoreMiddleware",
    "keywork.access.middleware.RefuseNulMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "keywork.urls"
WSGI_APPLICATION = "keywork.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "keywork" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "keywork.overview.context_processors.keywork",
            ],
        },
    },
]


SUPPORTED_SCHEMES = {"sqlite", "postgres", "postgresql", "pgsql"}


def _database(url: str) -> dict[str, object]:
    scheme, separator, _ = url.partition("://")
    if not separator:
        _fail(f"DATABASE_URL is not a database URL ({url!r}); see .env.example")
    if scheme not in SUPPORTED_SCHEMES:
        _fail(f"DATABASE_URL names an unsupported database ({scheme}); use sqlite or postgresql")
    try:
        config: dict[str, object] = env.db_url_config(url)
    except Exception as error:  # django-environ raises several types for a bad URL
        _fail(f"DATABASE_URL is not a database URL this system understands ({error})")
    engine = str(config.get("ENGINE", ""))
    if engine.endswith("sqlite3"):
        # WAL lets readers work while one writer writes; IMMEDIATE takes the write lock at
        # the start of each transaction, so concurrent writers queue (up to the timeout)
        # instead of failing with "database is locked" when a reader tries to upgrade.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
        # Tests use a file beside the database (WAL needs a file), named after it, so that
        # two test runs against two databases never share one.
        name = str(config.get("NAME", ""))
        main = Path(name) if name and ":memory:" not in name else VAR_DIR / "keywork.sqlite3"
        config["TEST"] = {"NAME": str(main.with_name(f"test_{main.name}"))}
    elif "postgresql" in engine:
        # No JIT compilation: keywork's statements are short or run once, and PostgreSQL
        # prices one with a subquery a row in the millions and compiles it, which took 1.6 s
        # of the team view's 2.0 s and 0.8 s of placing a report's clients (EXPLAIN ANALYZE,
        # docs/performance-history.md).
        given = config.get("OPTIONS")
        config["OPTIONS"] = {**(given if isinstance(given, dict) else {}), "options": "-c jit=off"}
        config.setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
        config["CONN_HEALTH_CHECKS"] = True
    config["ATOMIC_REQUESTS"] = False
    return config


DATABASE_URL = env.str("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'keywork.sqlite3'}")
DATABASES = {"default": _database(DATABASE_URL)}
# A read-only copy of the database, if there is one: the dashboards and the exports read
# from it (keywork/core/replica.py, docs/deploy.md).
if DATABASE_REPLICA_URL := env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = {**_database(DATABASE_REPLICA_URL), "TEST": {"MIRROR": "default"}}
DATABASE_ROUTERS = ["keywork.core.replica.ReplicaRouter"]

# Heavy work (service-wide reports) runs off the request path, in `keywork db_worker`, from a
# queue kept in the database (docs/deploy.md).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Axes first: it refuses a locked-out sign-in before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# A sign-in ends after KEYWORK_IDLE_MINUTES without a request, and KEYWORK_SESSION_HOURS
# after it began, whatever happens in between (keywork/access/middleware.py).
KEYWORK_IDLE_MINUTES = env.int("KEYWORK_IDLE_MINUTES", default=30)
KEYWORK_SESSION_HOURS = env.int("KEYWORK_SESSION_HOURS", default=12)
SESSION_COOKIE_AGE = KEYWORK_SESSION_HOURS * 60 * 60
# The recovery-capital instrument checks are taken with (its latest version loaded): keywork's
# own, or a service's licensed one loaded with `keywork load_instrument FILE`.
KEYWORK_RECOVERY_INSTRUMENT = env.str("KEYWORK_RECOVERY_INSTRUMENT", default="kw-rc10")
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Lockout (django-axes): after KEYWORK_LOCKOUT_FAILURES failed sign-ins (a wrong password or
# a wrong second-factor code) for one account from one address, that pair is locked out for
# KEYWORK_LOCKOUT_MINUTES; the answer is the same whether the account exists or not. Only a
# whole sign-in (password and second factor) clears the count; an administrator can unlock.
AXES_FAILURE_LIMIT = env.int("KEYWORK_LOCKOUT_FAILURES", default=5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("KEYWORK_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = False
AXES_CLIENT_IP_CALLABLE = "keywork.audit.middleware.client_address"
AXES_LOCKOUT_CALLABLE = "keywork.access.signin.locked_out"
AXES_DISABLE_ACCESS_LOG = True  # keywork's audit trail is the record of sign-ins
AXES_VERBOSE = False
AXES_ENABLE_ADMIN = False  # lockouts are lifted on the worker's admin page, through an action

# Two-factor authentication (django-otp): an authenticator app's six-digit code (TOTP), or
# a one-time recovery code. Required for the roles in keywork/access/signin.py, offered to
# everyone.
OTP_TOTP_ISSUER = env.str("KEYWORK_TOTP_ISSUER", default="keywork")

# Behind a reverse proxy that terminates TLS (docs/deploy.md). TRUSTED_PROXIES lists the
# addresses of the proxies in front of keywork: from those alone the client's address is
# read from X-Forwarded-For (for the audit trail) and HTTPS from X-Forwarded-Proto.
KEYWORK_TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
if KEYWORK_TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)

# Content-Security-Policy (django-csp): scripts, styles, images and forms from keywork itself
# only; no inline script, no plug-ins, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
# Dates follow the en-gb locale: 31/01/2026 (SHORT_DATE_FORMAT) and 31 Jan 2026.

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "static")
STATICFILES_DIRS = [BASE_DIR / "keywork" / "static"]  # our own CSS and vendor/ pinned copies
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

# keywork's own settings
KEYWORK_CATALOGUE_VERSION = env.str("KEYWORK_CATALOGUE_VERSION", default="")
KEYWORK_SUPERVISION_VALID_DAYS = env.int("KEYWORK_SUPERVISION_VALID_DAYS", default=56)
# The base of the canonical addresses in FHIR output (Measure.url, code systems).
KEYWORK_FHIR_BASE = env.str("KEYWORK_FHIR_BASE", default="https://keywork.example.org/fhir")
# The longest period a quality-measure report covers, in years (docs/quality-measure.md).
KEYWORK_REPORT_MAX_YEARS = env.int("KEYWORK_REPORT_MAX_YEARS", default=5)
# How long break-glass access to a record outside one's scope lasts, in hours.
KEYWORK_BREAK_GLASS_HOURS = env.int("KEYWORK_BREAK_GLASS_HOURS", default=4)
# Small numbers: a commissioner is shown any count from 1 to KEYWORK_SMALL_NUMBER - 1 as
# "fewer than 5" (keywork/measures/disclosure.py).
KEYWORK_SMALL_NUMBER = env.int("KEYWORK_SMALL_NUMBER", default=5)
# The version of the national dataset the return is written in (keywork/exports/ndtms/).
KEYWORK_NDTMS_DATASET = env.str("KEYWORK_NDTMS_DATASET", default="2026.2")
