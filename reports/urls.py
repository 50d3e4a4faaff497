"""Report URLs. The dashboards (/reports/ and /reports/<cycle>/) come with a later issue; HR's
downloads are in download_urls.py (namespace "downloads"), mounted at the same prefix."""

app_name = "reports"

urlpatterns: list = []
