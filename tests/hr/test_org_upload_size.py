"""The org upload is refused above its size limit before the view reads the file: the form sees
the size the upload handler measured (a large file is spooled to disk, never held in memory), and
nothing is read, staged or changed."""

import io

import pytest
from django.core.files.uploadedfile import InMemoryUploadedFile, TemporaryUploadedFile

from hr import services
from hr.models import OrgUpload
from surveys.models import Employee

from . import test_org_upload as org_upload

HEADER, snapshot = org_upload.HEADER, org_upload.snapshot
hr_client, people = org_upload.hr_client, org_upload.people  # its fixtures

pytestmark = pytest.mark.django_db
LIMIT = 4096


@pytest.fixture
def limit(monkeypatch, settings):
    monkeypatch.setattr(services, "MAX_UPLOAD_BYTES", LIMIT)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024  # above this, Django spools the upload to a temporary file
    reads = []
    for kind in (InMemoryUploadedFile, TemporaryUploadedFile):

        def read(self, *args, _kind=kind):
            reads.append(_kind.__name__)
            return self.file.read(*args)

        monkeypatch.setattr(kind, "read", read)
    return reads


def org_csv(size: int) -> io.BytesIO:
    """A valid org file of exactly `size` bytes: its padding is a column the import ignores. A plain
    file object, so that only the server's uploaded files count as reads."""
    header = HEADER.replace("role\n", "role,notes\n")
    row = "E-HR,hana@example.com,Hana Ito,Human Resources,hr,"
    padding = size - len(header) - len(row) - 1
    file = io.BytesIO((header + row + "x" * padding + "\n").encode())
    file.name = "org.csv"
    assert len(file.getvalue()) == size
    return file


def test_a_file_above_the_limit_is_refused_before_it_is_read_and_nothing_is_written(hr_client, people, limit):
    before = snapshot()
    response = hr_client.post("/hr/org/", {"file": org_csv(LIMIT + 1)})

    assert response.status_code == 400
    refusal = "This file is 4,097 bytes, larger than the 4,096 bytes an org file may be: nothing was read or saved"
    assert refusal in response.content.decode()
    assert limit == []  # the view never read the file
    assert snapshot() == before and not OrgUpload.objects.exists()


def test_a_file_at_the_limit_is_read_and_previewed(hr_client, people, limit):
    response = hr_client.post("/hr/org/", {"file": org_csv(LIMIT)})

    assert response.status_code == 302, response.content.decode()[-2000:]
    assert limit == ["TemporaryUploadedFile"]  # read once, from the temporary file
    assert OrgUpload.objects.count() == 1
    assert Employee.objects.count() == 3  # a preview changes nothing
