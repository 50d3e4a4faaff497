"""HR's exports built by a worker: where a job's file and its record live, and when they go.

A job is two files in the private `exports` storage (settings.STORAGES, under
CHAINSURVEY_EXPORT_ROOT): `<id>.json`, its record (who asked, what, its state), and `<id>.<fmt>`,
the file once the worker has written it. Both are deleted CHAINSURVEY_EXPORT_EXPIRES_AFTER seconds
after the job was asked for (by `purge_expired`, on the beat schedule; a view never serves an
expired job in the meantime). No database table: a job lives an hour and nothing else refers to it.

The record is written whole (delete, then save) by the view that asks (`pending`) and by the task
(`done` or `failed`); a reader that finds it half-written treats the job as pending.
"""

import dataclasses
import datetime
import json
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.utils import timezone

PENDING, DONE, FAILED, EMPTY = "pending", "done", "failed", "empty"


@dataclasses.dataclass(frozen=True)
class ExportJob:
    id: str
    user_id: int
    cycle_id: int
    fmt: str
    filename: str  # what the download is called
    created: str  # ISO 8601
    department_id: int | None = None
    status: str = PENDING
    message: str = ""

    @property
    def file_name(self) -> str:
        return f"{self.id}.{self.fmt}"

    @property
    def expires(self) -> datetime.datetime:
        return datetime.datetime.fromisoformat(self.created) + expires_after()

    def expired(self, now: datetime.datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.expires


def storage():
    return storages["exports"]


def expires_after() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.CHAINSURVEY_EXPORT_EXPIRES_AFTER)


def _record_name(export_id: str) -> str:
    return f"{export_id}.json"


def _write(job: ExportJob) -> ExportJob:
    name = _record_name(job.id)
    store = storage()
    if store.exists(name):
        store.delete(name)
    store.save(name, ContentFile(json.dumps(dataclasses.asdict(job)).encode("utf-8")))
    return job


def create(*, user_id: int, cycle_id: int, fmt: str, filename: str, department_id: int | None = None) -> ExportJob:
    """A new pending job's record; the caller sends the task."""
    job = ExportJob(
        id=str(uuid.uuid4()),
        user_id=user_id,
        cycle_id=cycle_id,
        fmt=fmt,
        filename=filename,
        created=timezone.now().isoformat(),
        department_id=department_id,
    )
    return _write(job)


def load(export_id: str) -> ExportJob | None:
    """The job's record, None if there is none (never asked for, or purged)."""
    try:
        export_id = str(uuid.UUID(str(export_id)))
    except ValueError:
        return None
    store = storage()
    name = _record_name(export_id)
    if not store.exists(name):
        return None
    try:
        with store.open(name, "rb") as record:
            fields = json.loads(record.read().decode("utf-8"))
        return ExportJob(**fields)
    except (OSError, ValueError, TypeError):
        # Being rewritten at this very moment (or damaged): the next poll reads it again.
        return None


def finish(job: ExportJob, content: bytes) -> ExportJob:
    """Store the file, then mark the job done (so that `done` always has its file)."""
    store = storage()
    if store.exists(job.file_name):
        store.delete(job.file_name)
    store.save(job.file_name, ContentFile(content))
    return _write(dataclasses.replace(job, status=DONE))


def give_up(job: ExportJob, status: str, message: str) -> ExportJob:
    """`failed` (an error, logged by the worker) or `empty` (nothing to export, e.g. a department without results)."""
    return _write(dataclasses.replace(job, status=status, message=message))


def open_file(job: ExportJob):
    return storage().open(job.file_name, "rb")


def delete(export_id: str, fmt: str | None = None) -> None:
    store = storage()
    names = [_record_name(export_id)] + ([f"{export_id}.{fmt}"] if fmt else [])
    for name in names:
        if store.exists(name):
            store.delete(name)


def purge_expired(now: datetime.datetime | None = None) -> list[str]:
    """Delete every job (record and file) asked for CHAINSURVEY_EXPORT_EXPIRES_AFTER ago or more,
    and any file as old whose record is gone or unreadable; returns the ids of the jobs deleted."""
    now = now or timezone.now()
    store = storage()
    if not store.exists(""):
        return []
    purged = []
    for name in store.listdir("")[1]:
        export_id, _, extension = name.partition(".")
        job = load(export_id) if extension == "json" else None
        if job is not None:
            if job.expired(now):
                delete(job.id, job.fmt)
                purged.append(job.id)
        elif store.exists(name) and store.get_created_time(name) <= now - expires_after():
            if extension != "json" and load(export_id) is not None:
                continue  # its record decides (above)
            store.delete(name)
    return purged
