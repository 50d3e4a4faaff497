"""Report URLs. The dashboards (/reports/ and /reports/<cycle>/) come with a later issue; HR's
downloads are in download_urls.py (namespace "downloads"), mounted at the same prefix."""

from django.urls import path  # noqa: F401

app_name = "reports"

urlpatterns = []
