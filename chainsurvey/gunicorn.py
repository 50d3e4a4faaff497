"""Gunicorn settings: `gunicorn --config python:chainsurvey.gunicorn chainsurvey.wsgi`.

Sync workers: each handles one request at a time and keeps one database connection (CONN_MAX_AGE),
so the database sees at most WEB_CONCURRENCY connections per web container. Access and error
logs go to stdout in the app's format (JSON in production).
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1) + 1))
worker_class = "sync"
# A request still running after this is killed (its worker replaced): exports of a large company
# stay well under it; anything longer belongs in a Celery task.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = 30
# Workers are replaced now and then, which bounds any slow leak and recycles their connection.
# Not too often: a new worker loads Django again (about a second of CPU), and at 1,000 requests/s
# over 5 workers a bound of 2,000 replaced one every 2 s.
max_requests = 20000
max_requests_jitter = 2000
# Behind a proxy on another host (Docker's network), gunicorn itself must not rewrite the scheme:
# Django reads X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Gunicorn's run-time control socket is not used; several servers on one host would share it.
control_socket_disable = True

_debug = os.environ.get("DJANGO_DEBUG", "1").strip().lower() in {"1", "true", "yes", "on"}
_format = os.environ.get("DJANGO_LOG_FORMAT", "").strip().lower() or ("text" if _debug else "json")
accesslog = "-"
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "chainsurvey.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    # The access log names each request's path: a password-set link's token is replaced there.
    "filters": {"redact_tokens": {"()": "chainsurvey.logs.RedactTokens"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": _format,
            "filters": ["redact_tokens"],
        },
    },
    "root": {"handlers": ["stdout"], "level": "INFO"},
    "loggers": {
        "gunicorn.error": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
    },
}
