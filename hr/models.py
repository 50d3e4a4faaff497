"""An org file uploaded in the browser and waiting for HR to confirm its preview.

Kept server-side, bound to the person who uploaded it, so that the confirmation applies exactly
the file that was previewed: nothing travels back through the browser to be tampered with.
"""

import uuid

from django.conf import settings
from django.db import models


class OrgUpload(models.Model):
    token = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField(max_length=255)
    content = models.BinaryField()
    plan_digest = models.CharField(max_length=64, help_text="Fingerprint of the previewed plan.")

    class Meta:
        default_permissions = ()

    def __str__(self):
        return f"{self.filename} ({self.uploaded_at:%Y-%m-%d %H:%M})"
