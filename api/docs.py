"""/api/schema/ (the OpenAPI 3 document) and /api/docs/ (Swagger UI): for anyone, throttled per
client address. Swagger UI comes from drf-spectacular-sidecar's static files and its start-up
script from a URL of its own (the split view), so the page runs under the app's CSP as is: no
CDN, no inline script or style."""

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import throttling


class AddressRateThrottle(throttling.AnonRateThrottle):
    scope = "api_anon"


class SchemaView(SpectacularAPIView):
    authentication_classes = []  # the document is public: nobody's token or session matters
    throttle_classes = [AddressRateThrottle]


class DocsView(SpectacularSwaggerSplitView):
    authentication_classes = []
    throttle_classes = [AddressRateThrottle]
    template_name = "api/swagger_ui.html"  # drf-spectacular's, without its inline <style>
    title = "Chain Survey API"
