"""Settings for Chain Survey.

Every value comes from the environment variables of CONTRACT.md; with none set the app runs on
an embedded default (SQLite file, Celery tasks in-process). Bad values fail loudly at start-up.
"""

import datetime
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def env_flag(name: str, *, default: bool) -> bool:
    """A `1`/`0` switch; anything else stops the app instead of silently meaning "off"."""
    raw = env.str(name, default="").strip().lower()
    if not raw:
        return default
    if raw not in _TRUE | _FALSE:
        raise ImproperlyConfigured(f"{name} must be 1 or 0, not {raw!r}.")
    return raw in _TRUE


def env_int(name: str, *, default: int, minimum: int = 0) -> int:
    raw = env.str(name, default="").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}.")
    return value


def env_choice(name: str, *, default: str, choices: tuple[str, ...]) -> str:
    value = env.str(name, default="").strip().lower() or default
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, not {value!r}.")
    return value


def sso_origin(url: str) -> str:
    """scheme://host[:port] of a URL: what a Content-Security-Policy source names."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


DEBUG = env_flag("DJANGO_DEBUG", default=True)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY is required when DJANGO_DEBUG is off.")
    SECRET_KEY = "django-insecure-local-development-key-not-for-production"
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

MIN_GROUP_SIZE = env_int("CHAINSURVEY_MIN_GROUP_SIZE", default=5, minimum=1)
# Commitments cascade from the top: other departments may publish once the top has, or this many
# days after the results were published, whichever comes first (actions.cascade).
CHAINSURVEY_CASCADE_DAYS = env_int("CHAINSURVEY_CASCADE_DAYS", default=7, minimum=0)
# Closing or publishing a cycle whose response rate (overall or of a department) is below this
# percentage asks HR for an explicit confirmation (hr.views, hr.selectors.low_response).
CHAINSURVEY_PUBLISH_MIN_RESPONSE = env_int("CHAINSURVEY_PUBLISH_MIN_RESPONSE", default=30, minimum=0)
if CHAINSURVEY_PUBLISH_MIN_RESPONSE > 100:
    raise ImproperlyConfigured(
        f"CHAINSURVEY_PUBLISH_MIN_RESPONSE is a percentage (0–100), not {CHAINSURVEY_PUBLISH_MIN_RESPONSE}."
    )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "csp",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",  # django-bootstrap-static: Bootstrap's CSS and JS as static files
    "axes",
    "accounts",
    "surveys",
    "reports",
    "hr",
    "invitations",  # after surveys: its admin extends the cycle admin
    "actions",  # commitments and training: above reports, whose snapshot it reads
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI as static files (no CDN)
    "api",  # the read-only API: above reports and actions, whose exporters it renders
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, taking the person read with the session in one statement (accounts.sessions).
    "accounts.sessions.AuthenticationMiddleware",
    # After authentication: the person's language (org file, their choice), else the browser's.
    "chainsurvey.middleware.PersonLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # django-csp's, with the policy built once per process (the same header; chainsurvey.middleware).
    "chainsurvey.middleware.ContentSecurityPolicyMiddleware",
    # Last, as django-axes requires: turns a refused sign-in of a locked-out person into its page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "chainsurvey.urls"
WSGI_APPLICATION = "chainsurvey.wsgi.application"

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
                "chainsurvey.context_processors.navigation",
            ],
        },
    },
]

# Database: DATABASE_URL, or the embedded SQLite file.
# Connection reuse: in production (gunicorn sync workers, Celery workers) each process serves one
# request or task at a time and keeps one connection for up to DJANGO_CONN_MAX_AGE seconds, so
# the server sees at most one connection per process (sum them up against max_connections, see
# the README). The development server starts a thread per request, and a kept connection would
# outlive its thread: with DJANGO_DEBUG on, connections close after each request by default.
DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DJANGO_CONN_MAX_AGE", default=0 if DEBUG else 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
# A read replica (DATABASE_READ_URL, optional): a streaming standby of the same PostgreSQL. The
# dashboards, department pages, exports and the API read the published snapshot from it, and only
# when it already holds the version the primary names; everything else, every write and every read
# of a request that writes, uses the primary (reports.replica). Unset: one database, as before.
DATABASE_READ_URL = env.str("DATABASE_READ_URL", default="").strip()
DATABASE_ROUTERS = []
if DATABASE_READ_URL:
    replica = env.db_url_config(DATABASE_READ_URL)
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql" or replica["ENGINE"] != (
        "django.db.backends.postgresql"
    ):
        # Not echoed: the URL may hold a password.
        raise ImproperlyConfigured("DATABASE_READ_URL needs DATABASE_URL and itself to be postgres:// URLs.")
    replica["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    replica["CONN_HEALTH_CHECKS"] = True
    # A replica that does not answer makes a page fall back on the primary within seconds.
    replica.setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)
    # Tests run against one database: the replica alias then reads the test database itself.
    replica["TEST"] = {"MIRROR": "default"}
    DATABASES["replica"] = replica
    DATABASE_ROUTERS = ["reports.replica.SnapshotRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "accounts.backends.LockoutBackend",  # refuses a locked-out (email, address) before any password check
    # Django's ModelBackend, reading the person's role with them (one query less per page).
    "accounts.backends.PasswordBackend",
    "accounts.backends.SingleSignOnBackend",  # OpenID Connect, when CHAINSURVEY_OIDC_ISSUER is set
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Whether people may sign in with email + password (CONTRACT.md). With single sign-on configured
# a company may turn it off: then no invitation carries a link to choose a password.
CHAINSURVEY_PASSWORD_LOGIN = env_flag("CHAINSURVEY_PASSWORD_LOGIN", default=True)

# Single sign-on (OpenID Connect, mozilla-django-oidc through accounts.backends.SingleSignOnBackend).
# Only the issuer is configured: its endpoints come from its discovery document, read on the first
# sign-in with it (accounts.oidc), never at start-up. People are matched to the org by verified
# email, never created. The provider must know the callback, <site>/accounts/sso/callback/, and
# may know <site>/accounts/login/ as where to return after signing out there.
CHAINSURVEY_OIDC_ISSUER = env.str("CHAINSURVEY_OIDC_ISSUER", default="").strip()
CHAINSURVEY_OIDC_CLIENT_ID = env.str("CHAINSURVEY_OIDC_CLIENT_ID", default="").strip()
CHAINSURVEY_OIDC_CLIENT_SECRET = env.str("CHAINSURVEY_OIDC_CLIENT_SECRET", default="")
# The sign-in button says "Sign in with <this>" (e.g. "Acme SSO").
CHAINSURVEY_OIDC_NAME = env.str("CHAINSURVEY_OIDC_NAME", default="").strip() or "your company account"
if CHAINSURVEY_OIDC_ISSUER:
    if not CHAINSURVEY_OIDC_ISSUER.startswith(("https://", "http://")):
        raise ImproperlyConfigured(
            f"CHAINSURVEY_OIDC_ISSUER must be an https:// (test: http://) URL, not {CHAINSURVEY_OIDC_ISSUER!r}."
        )
    if not (CHAINSURVEY_OIDC_CLIENT_ID and CHAINSURVEY_OIDC_CLIENT_SECRET):
        raise ImproperlyConfigured(
            "CHAINSURVEY_OIDC_ISSUER needs CHAINSURVEY_OIDC_CLIENT_ID and CHAINSURVEY_OIDC_CLIENT_SECRET."
        )
elif not CHAINSURVEY_PASSWORD_LOGIN:
    raise ImproperlyConfigured(
        "CHAINSURVEY_PASSWORD_LOGIN=0 needs single sign-on (CHAINSURVEY_OIDC_ISSUER): nobody could sign in."
    )
OIDC_RP_SIGN_ALGO = "RS256"  # what OpenID Connect providers sign ID tokens with unless told otherwise
OIDC_RP_SCOPES = "openid email"
OIDC_USE_PKCE = True
OIDC_CREATE_USER = False
OIDC_STORE_ID_TOKEN = True  # the hint that lets the provider end its session when a person signs out
OIDC_TIMEOUT = 10  # seconds: a hung provider must not hang a worker
OIDC_AUTHENTICATION_CALLBACK_URL = "sso_callback"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("DJANGO_TIME_ZONE", default="UTC")
USE_I18N = True
# The languages the app is translated into (locale/); chainsurvey.middleware picks one per request.
LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("fr", "Français"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
# HR's workbooks and PDFs built by a worker (reports.export_jobs): a private folder, never served
# as a static or media path (only the export views read it), shared by the web app and the
# workers; each file is deleted CHAINSURVEY_EXPORT_EXPIRES_AFTER seconds after it was asked for.
CHAINSURVEY_EXPORT_ROOT = env.path("CHAINSURVEY_EXPORT_ROOT", default=BASE_DIR / "exports")
CHAINSURVEY_EXPORT_EXPIRES_AFTER = env_int("CHAINSURVEY_EXPORT_EXPIRES_AFTER", default=3600, minimum=60)
# Off by default: workers can only hand files to the web app through a folder both can write, which
# a deployment has to provide (a shared volume); with it on and no broker there is no worker at all.
CHAINSURVEY_BACKGROUND_EXPORTS = env_flag("CHAINSURVEY_BACKGROUND_EXPORTS", default=False)
# News for the company's chat (actions.webhook): a Slack incoming webhook or a Teams workflow URL.
CHAINSURVEY_WEBHOOK_URL = env.str("CHAINSURVEY_WEBHOOK_URL", default="").strip()
if CHAINSURVEY_WEBHOOK_URL and not CHAINSURVEY_WEBHOOK_URL.startswith(("https://", "http://")):
    # Not echoed: a webhook URL is a secret (whoever has it can post to the channel).
    raise ImproperlyConfigured("CHAINSURVEY_WEBHOOK_URL must be an http(s) URL.")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "exports": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": CHAINSURVEY_EXPORT_ROOT, "file_permissions_mode": 0o600},
    },
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Hashed names (css/app.3f2a….css) are cached by browsers for a year; WhiteNoise serves them.
WHITENOISE_MAX_AGE = 60 if DEBUG else 3600

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Everything is served by the app itself: no third-party host, no inline script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
if CHAINSURVEY_OIDC_ISSUER:
    # Signing out posts a form whose answer sends the browser on to the provider's end-session page:
    # browsers apply form-action to that redirect too (accounts.views.sign_out goes only there).
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(sso_origin(CHAINSURVEY_OIDC_ISSUER))

# Email: printed on the console unless an SMTP server is configured (see the README).
EMAIL_BACKEND = env.str(
    "DJANGO_EMAIL_BACKEND",
    default="django.core.mail.backends.smtp.EmailBackend"
    if env.str("DJANGO_EMAIL_HOST", default="")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env.str("DJANGO_EMAIL_HOST", default="localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", default=587, minimum=1)
EMAIL_HOST_USER = env.str("DJANGO_EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("DJANGO_EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env_flag("DJANGO_EMAIL_USE_TLS", default=EMAIL_PORT == 587)
EMAIL_USE_SSL = env_flag("DJANGO_EMAIL_USE_SSL", default=EMAIL_PORT == 465)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("DJANGO_EMAIL_USE_TLS and DJANGO_EMAIL_USE_SSL cannot both be on.")
EMAIL_TIMEOUT = env_int("DJANGO_EMAIL_TIMEOUT", default=30, minimum=1)  # a hung server must not hang a worker
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="chain-survey@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The console backend prints every email into the log, and the file backend writes it to disk:
# "set your password" links and invitations included, readable by whoever reads the logs. In
# production that takes a deliberate yes (a try-out whose log is yours alone).
CHAINSURVEY_ALLOW_CONSOLE_EMAIL = env_flag("CHAINSURVEY_ALLOW_CONSOLE_EMAIL", default=False)
EMAIL_BACKENDS_WRITING_OUT = (
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
)
if not DEBUG and EMAIL_BACKEND in EMAIL_BACKENDS_WRITING_OUT and not CHAINSURVEY_ALLOW_CONSOLE_EMAIL:
    raise ImproperlyConfigured(
        f"DJANGO_DEBUG is off and email would go to {EMAIL_BACKEND.rsplit('.', 2)[-2]} output, which puts every "
        "password-set link in the log: set DJANGO_EMAIL_HOST (an SMTP server) to send emails, or "
        "CHAINSURVEY_ALLOW_CONSOLE_EMAIL=1 for a try-out whose log nobody else reads."
    )

# Invitations and reminders (the invitations app). Links in emails start with the site's address.
CHAINSURVEY_SITE_URL = env.str("CHAINSURVEY_SITE_URL", default="http://localhost:8000").rstrip("/")
CHAINSURVEY_REMINDER_DAYS = env_int("CHAINSURVEY_REMINDER_DAYS", default=3)
CHAINSURVEY_EMAIL_BATCH_SIZE = env_int("CHAINSURVEY_EMAIL_BATCH_SIZE", default=100, minimum=1)
CHAINSURVEY_NOTICES_EVERY = env_int("CHAINSURVEY_NOTICES_EVERY", default=300, minimum=1)

# Celery: Redis from REDIS_URL as broker and result store; unset, tasks run eagerly in-process.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
if CHAINSURVEY_BACKGROUND_EXPORTS and not REDIS_URL:
    raise ImproperlyConfigured("CHAINSURVEY_BACKGROUND_EXPORTS=1 needs REDIS_URL: exports are built by a worker.")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-task leaves the message for the next one
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# One Redis can carry several deployments (or test runs): each names its own queue.
CELERY_TASK_DEFAULT_QUEUE = env.str("CHAINSURVEY_CELERY_QUEUE", default="celery")
# Beat's record of when each entry last ran (a file of its own; one beat per deployment).
CELERY_BEAT_SCHEDULE_FILENAME = env.str("CHAINSURVEY_BEAT_SCHEDULE_FILE", default="celerybeat-schedule")
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # How long a message taken by a worker that then died waits before Redis hands it out again
    # (acks_late). Longer than the longest roll-up, or a slow one would run twice. Recovery does
    # not wait for it: `recover_rollups` re-requests a dead worker's run within a minute, and the
    # late copy of the old message is then skipped.
    "visibility_timeout": 3600,
    # An unreachable Redis fails an enqueue in seconds instead of hanging the request.
    "socket_connect_timeout": 5,
}
# Roll-ups requested or started longer ago than this and not done are re-requested by the beat
# schedule (their message was lost while Redis was down, or their worker died).
CHAINSURVEY_ROLLUP_STALE_AFTER = env_int("CHAINSURVEY_ROLLUP_STALE_AFTER", default=600, minimum=1)
CELERY_BEAT_SCHEDULE = {
    # The ballot box's sweep: batches that a submission's own trigger missed (broker down, worker
    # busy) join the answer tables within a minute. Only departments with a full batch move.
    "move-ballots": {
        "task": "surveys.tasks.move_ballots",
        "schedule": 60,
        "options": {"expires": 60},
    },
    # Cycles whose closing day is over are closed (and rolled up) within a quarter of an hour.
    "close-due-cycles": {
        "task": "surveys.tasks.close_due_cycles",
        "schedule": 15 * 60,
        "options": {"expires": 15 * 60},
    },
    # Within a minute: a roll-up the broker never got (Redis down at close) is sent once Redis is
    # back, and one whose worker died is re-requested (reports.runs.rollup_recover).
    "recover-rollups": {
        "task": "reports.tasks.recover_rollups",
        "schedule": 30,  # reports.runs.RECOVER_EVERY
        "options": {"expires": 30},
    },
    "rerun-stale-rollups": {
        "task": "reports.tasks.rerun_stale_rollups",
        "schedule": max(CHAINSURVEY_ROLLUP_STALE_AFTER / 2, 30),
        # Ticks queued while no worker runs are dropped rather than all run at once later.
        "options": {"expires": max(CHAINSURVEY_ROLLUP_STALE_AFTER / 2, 30)},
    },
    # HR's exported files (and the records of their export) are deleted once they expire.
    "purge-expired-exports": {
        "task": "reports.tasks.purge_expired_exports",
        "schedule": max(CHAINSURVEY_EXPORT_EXPIRES_AFTER / 4, 60),
        "options": {"expires": max(CHAINSURVEY_EXPORT_EXPIRES_AFTER / 4, 60)},
    },
    # Invitations of the open cycle, then its reminders when they are due (idempotent: each
    # person gets each message once, whatever the number of ticks).
    "send-due-notices": {
        "task": "invitations.tasks.send_due_notices",
        "schedule": CHAINSURVEY_NOTICES_EVERY,
        "options": {"expires": CHAINSURVEY_NOTICES_EVERY},
    },
    # Reminders and news about commitments (actions.notices): the top when results are published,
    # the other departments when they may publish, due dates, commitments addressed to a department.
    # Idempotent too: each email has its row, claimed before it is sent.
    "send-due-commitment-notices": {
        "task": "actions.tasks.send_due_commitment_notices",
        "schedule": CHAINSURVEY_NOTICES_EVERY,
        "options": {"expires": CHAINSURVEY_NOTICES_EVERY},
    },
}

CSRF_FAILURE_VIEW = "chainsurvey.errors.csrf_failure"  # the app's own page, not Django's bare one
# Cookies: never read by scripts; SameSite=Lax so that the link in an invitation (a navigation
# from the mail client) arrives signed in, while cross-site POSTs carry no cookie.
SESSION_COOKIE_HTTPONLY = True
# Database sessions whose read brings the signed-in person with it (accounts.sessions).
SESSION_ENGINE = "accounts.sessions"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_flag("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # probed over plain HTTP from inside the container
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # Behind a proxy that terminates TLS, the request reaches the app as plain HTTP: trust the
    # proxy's X-Forwarded-Proto (it must set it, overwriting any the client sent), or every
    # request would be redirected to https again, forever.
    if env_flag("DJANGO_SECURE_PROXY_SSL_HEADER", default=True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Sign-in throttling (django-axes): after N wrong passwords for one email address from one client
# address, that pair is refused for a while; HR can unlock it sooner (admin, People).
AXES_FAILURE_LIMIT = env_int("CHAINSURVEY_LOGIN_FAILURE_LIMIT", default=5, minimum=1)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("CHAINSURVEY_LOGIN_LOCKOUT_MINUTES", default=15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "accounts.lockout.attempted_email"
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_address"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_WHITELIST_CALLABLE = "accounts.lockout.not_a_password_attempt"  # single sign-on: nothing to guess
AXES_VERBOSE = False
# Number of proxies in front of the app that append to X-Forwarded-For (0: the app is reached
# directly, the client address is the connection's).
CHAINSURVEY_PROXY_COUNT = env_int("DJANGO_PROXY_COUNT", default=0)

# The read-only API (api/): personal tokens only (no session: a page's cookie never reads it),
# JSON only, every error JSON. Throttles count in the default cache, i.e. per web process.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],  # read-only: no request body is ever read
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {"api": "120/minute", "api_anon": "30/minute"},
    "EXCEPTION_HANDLER": "api.errors.api_exception_handler",
    "NUM_PROXIES": CHAINSURVEY_PROXY_COUNT,  # the throttles' client address, as axes reads it
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Chain Survey API",
    "DESCRIPTION": "Read-only JSON of the published results that the token's owner may see on the web: "
    "the contract's CSV exports, one field per column, numbers as numbers, empty cells as null.",
    "VERSION": "1",
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # validatorUrl None: Swagger UI would otherwise send the schema to validator.swagger.io.
    "SWAGGER_UI_SETTINGS": {"deepLinking": False, "validatorUrl": None, "persistAuthorization": False},
}

# Logs: one line per event on stdout, JSON in production (for the log collector), text while
# developing. Gunicorn's and Celery's own loggers use the same format (gunicorn.conf.py, celery.py).
# Management commands log to stderr (manage.py says so): their stdout is data, e.g. an export.
LOG_FORMAT = env_choice("DJANGO_LOG_FORMAT", default="text" if DEBUG else "json", choices=("json", "text"))
LOG_STREAM = env_choice("DJANGO_LOG_STREAM", default="stdout", choices=("stdout", "stderr"))
LOG_LEVEL = env_choice(
    "DJANGO_LOG_LEVEL", default="warning" if DEBUG else "info", choices=("debug", "info", "warning", "error")
).upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Only the formatter in use is built (the JSON one imports its library).
    "formatters": {
        LOG_FORMAT: {"()": "chainsurvey.logs.JsonFormatter"}
        if LOG_FORMAT == "json"
        else {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    },
    # No line carries the token of a password-set link (chainsurvey.logs.RedactTokens).
    "filters": {"redact_tokens": {"()": "chainsurvey.logs.RedactTokens"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": f"ext://sys.{LOG_STREAM}",
            "formatter": LOG_FORMAT,
            "filters": ["redact_tokens"],
        }
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        # Axes logs every sign-in attempt at INFO (with the address masked); failures stay.
        "axes": {"level": "WARNING"},
    },
}
