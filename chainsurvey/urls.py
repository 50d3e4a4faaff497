from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from accounts import views as accounts_views

from . import health, language, views

admin.site.site_header = _("Chain Survey administration")
admin.site.site_title = "Chain Survey"

# Bad and oversized requests get the app's page, like 403, 404 and 500 (templates/).
handler400 = "chainsurvey.errors.bad_request"

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/tokens/", include("api.token_urls")),
    path("accounts/", include("accounts.urls")),
    path("survey/", include("surveys.urls")),
    path("reports/", include("reports.download_urls")),
    path("reports/", include("reports.urls")),
    path("hr/", include("hr.urls")),
    path("actions/", include("actions.urls")),
    path("training/", include("actions.training_urls")),
    path("recognition/", include("actions.recognition_urls")),
    path("api/", include("api.urls")),
    path("language/", language.choose_language, name="choose_language"),
    path("healthz", health.healthz, name="healthz"),
    path("admin/login/", accounts_views.admin_login),  # the app's page while password sign-in is off
    path("admin/", admin.site.urls),
]
