"""Serves plotly.js from the installed `plotly` wheel as the static file `vendor/plotly.min.js`.

The wheel ships the exact plotly.js its Python side was built for; pointing a finder at it (instead
of copying the 4.6 MB file into the repository) keeps the two in step. `collectstatic` copies it
like any other static file, so WhiteNoise serves it compressed and with a hashed name. Only that one
file is exposed, and the package is located without being imported (no start-up cost).
"""

import importlib.util
from pathlib import Path

from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PUBLIC_PATH = "vendor/plotly.min.js"


def plotly_js() -> Path:
    spec = importlib.util.find_spec("plotly")
    return Path(spec.submodule_search_locations[0]) / "package_data" / "plotly.min.js"


class PlotlyFinder(BaseFinder):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.source = plotly_js()
        self.storage = FileSystemStorage(location=str(self.source.parent))
        self.storage.prefix = "vendor"

    def check(self, **kwargs):
        from django.core.checks import Error

        if not self.source.is_file():
            return [Error(f"plotly.js not found at {self.source}: is the plotly package installed?", id="reports.E001")]
        return []

    def find(self, path, find_all=False, **kwargs):
        if path == PUBLIC_PATH and self.source.is_file():
            return [str(self.source)] if find_all or kwargs.get("all") else str(self.source)
        return [] if (find_all or kwargs.get("all")) else None

    def list(self, ignore_patterns):
        if self.source.is_file():
            yield self.source.name, self.storage
