"""JSON log lines for production: one object per event, with the fields a log collector indexes."""

import logging

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
