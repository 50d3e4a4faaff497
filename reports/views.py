"""Report pages. The dashboards come with a later issue; HR's downloads moved to downloads.py."""
