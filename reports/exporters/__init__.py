"""Exports: each exporter is a header and a row iterator; `base` renders them as CSV or XLSX."""

from .base import EXPORT_FORMATS, ExportFormatNotAvailable, render
from .links import LinkExporter
from .scorecards import ScorecardExporter

__all__ = ["EXPORT_FORMATS", "ExportFormatNotAvailable", "LinkExporter", "ScorecardExporter", "render"]
