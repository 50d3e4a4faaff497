"""Log lines: JSON for production (one object per event, with the fields a log collector indexes),
and the filter that keeps password-set tokens out of every line, whatever the format."""

import logging
import re

from pythonjsonlogger.json import JsonFormatter as BaseJsonFormatter

# Gunicorn's access-log atoms (see its `access_log_format`) and the names we give them.
ACCESS_FIELDS = {"h": "remote", "m": "method", "U": "path", "s": "status", "B": "bytes", "a": "user_agent"}


class JsonFormatter(BaseJsonFormatter):
    """`{"time", "level", "logger", "message", ...extra}`; gunicorn's access lines become fields
    (method, path, status, duration_ms) instead of one pre-formatted string."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("fmt", ["levelname", "name", "message"])
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        kwargs.setdefault("timestamp", "time")
        super().__init__(*args, **kwargs)

    def add_fields(self, log_data: dict, record: logging.LogRecord, message_dict: dict) -> None:
        super().add_fields(log_data, record, message_dict)
        if record.name == "gunicorn.access" and isinstance(record.args, dict):
            atoms = record.args
            log_data.update({name: atoms.get(atom) for atom, name in ACCESS_FIELDS.items()})
            if str(atoms.get("D", "")).isdigit():
                log_data["duration_ms"] = round(int(atoms["D"]) / 1000, 1)
            log_data["message"] = f"{atoms.get('m')} {atoms.get('U')} {atoms.get('s')}"
        # Extra fields are written too: Django's request log passes the request, whose text names its path.
        for key, value in log_data.items():
            if key == "request" and value is not None:
                log_data[key] = redact(str(value))
            elif isinstance(value, str):
                log_data[key] = redact(value)


# A password-set link is /accounts/reset/<uidb64>/<token>/; once opened, Django moves the token into
# the session and redirects to /accounts/reset/<uidb64>/set-password/. The token is a key to the
# account until it is used: no log line (access log, "Not Found: …") may carry it.
_RESET_TOKEN = re.compile(r"(/reset/[^/\s?#]+/)(?!set-password/)[^/\s?#]+")
REDACTED = "[token]"


def redact(value):
    # Most lines name no reset link: the substring test spares them the expression (every access line).
    if not isinstance(value, str) or "/reset/" not in value:
        return value
    return _RESET_TOKEN.sub(rf"\g<1>{REDACTED}", value)


class RedactTokens(logging.Filter):
    """Replaces the token of a password-set link by [token] in a record's message and arguments
    (gunicorn's access atoms are a dict, Django's are a tuple). Always lets the record through."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.msg)
        if isinstance(record.args, dict):  # in place: gunicorn's atoms are a dict of its own kind
            for key, value in list(record.args.items()):
                record.args[key] = redact(value)
        elif isinstance(record.args, tuple):
            record.args = tuple(redact(value) for value in record.args)
        return True
