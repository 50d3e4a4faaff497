"""/api/: the read-only API (v1), its OpenAPI document and its browsable docs (CONTRACT.md, URLs).
Every list of api.resources gets its address here, under cycles/<cycle>/."""

from django.urls import path

from . import docs, views
from .resources import RESOURCES

app_name = "api"

urlpatterns = [
    path("v1/", views.RootView.as_view(), name="root"),
    path("v1/cycles/", views.CycleListView.as_view(), name="cycles"),
    *(
        path(f"v1/cycles/<str:cycle>/{name}/", views.cycle_rows_view(resource).as_view(), name=f"cycle-{name}")
        for name, resource in RESOURCES.items()
    ),
    path("schema/", docs.SchemaView.as_view(), name="schema"),
    path("docs/", docs.DocsView.as_view(url_name="api:schema"), name="docs"),
    # Last: any other address under /api/ is a JSON 404, not the site's HTML page.
    path("", views.not_found, name="index"),
    path("<path:rest>", views.not_found, name="not_found"),
]
