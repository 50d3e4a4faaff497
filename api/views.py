"""The read-only API (/api/v1/): thin DRF views that check who asks and which cycle, then page
through an exporter's rows (api.resources) and write each as the CSV's columns in JSON."""

from django.http import HttpRequest, JsonResponse
from django.urls import Resolver404, resolve, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, pagination, permissions, throttling
from rest_framework.response import Response
from rest_framework.reverse import reverse as api_reverse

from reports import replica, selectors
from reports.exporters.base import typed_value
from reports.exporters.entry import COMPUTING, ExportUnavailable, exportable_cycle

from .authentication import TokenAuthentication
from .resources import RESOURCES, CycleResource, NotVisible, Viewer
from .serializers import CycleSerializer, RootSerializer, row_serializer

# Seconds a client should wait before asking again for a cycle whose first roll-up is under way.
COMPUTING_RETRY_AFTER = 30


class BadQuery(exceptions.APIException):
    status_code = 400
    default_detail = "The request's parameters are not valid."
    default_code = "bad_query"


class Unavailable(exceptions.APIException):
    status_code = 503
    default_code = "computing"

    def __init__(self, detail, *, wait: int):
        super().__init__(detail)
        self.wait = wait  # the exception handler sends it as Retry-After


class RowsPagination(pagination.PageNumberPagination):
    page_size = 500
    max_page_size = 5000
    page_size_query_param = "page_size"
    invalid_page_message = "There is no page {page_number} ({message})."

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise BadQuery(f"page_size must be a whole number from 1 to {self.max_page_size}, not {raw!r}.")
        return int(raw)


class TokenRateThrottle(throttling.UserRateThrottle):
    """Per person (all their tokens together)."""

    scope = "api"


class TokenView(generics.GenericAPIView):
    authentication_classes = [TokenAuthentication]
    permission_classes = [permissions.IsAuthenticated]
    throttle_classes = [TokenRateThrottle]
    pagination_class = RowsPagination

    def finalize_response(self, request, response, *args, **kwargs):
        # A person's results: no cache in between keeps a copy (errors included).
        add_never_cache_headers(response)
        return super().finalize_response(request, response, *args, **kwargs)


CYCLE_PARAMETER = OpenApiParameter(
    "cycle",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="A cycle name, YYYY-Qn (e.g. 2026-Q3).",
    pattern=r"^\d{4}-Q[1-4]$",
)
ERRORS = {
    401: OpenApiResponse(description="No token, or one that is not valid (revoked, or its owner deactivated)."),
    429: OpenApiResponse(description="Too many requests: the `Retry-After` header says how many seconds to wait."),
}
PAGE_ERRORS = {
    400: OpenApiResponse(description="A bad `page_size` (a whole number from 1 to 5000)."),
    404: OpenApiResponse(description="No such page."),
}


@extend_schema(summary="The API's lists", tags=["root"], responses={200: RootSerializer, **ERRORS})
class RootView(TokenView):
    pagination_class = None

    def get(self, request, *args, **kwargs):
        return Response({"cycles": api_reverse("api:cycles", request=request)})


def cycle_lists(request, name: str, viewer: Viewer) -> dict[str, str]:
    return {
        path: api_reverse(f"api:cycle-{path}", kwargs={"cycle": name}, request=request)
        for path, resource in RESOURCES.items()
        if resource.rule.allows(viewer)
    }


class SnapshotView(TokenView):
    """A list read from the published snapshot: from the read replica when it holds the primary's
    version (reports.replica). Around the whole request, authentication included: a request whose
    token gets its "last used" stamp has written, and reads the primary."""

    def dispatch(self, request, *args, **kwargs):
        with replica.snapshot_reads():
            return super().dispatch(request, *args, **kwargs)


@extend_schema(
    summary="Cycles with published results",
    description="Newest first; each names the lists of it that you may read.",
    responses={200: CycleSerializer(many=True), **ERRORS, **PAGE_ERRORS},
)
class CycleListView(SnapshotView):
    serializer_class = CycleSerializer

    def get(self, request, *args, **kwargs):
        cycles = selectors.cycles_with_results().only("name", "published_at", "min_group_size")
        page = self.paginate_queryset(cycles)
        viewer = Viewer.of(request.user)
        return self.get_paginated_response(
            [
                {
                    "name": cycle.name,
                    "published_at": cycle.published_at,
                    "min_group_size": cycle.min_group_size,
                    "lists": cycle_lists(request, cycle.name, viewer),
                }
                for cycle in page
            ]
        )


def row_dict(columns, row: tuple) -> dict:
    """An export row as JSON: the CSV's column names, values typed and rounded as the CSV writes
    them (reports.exporters.base.typed_value), None for an empty cell. Text is sent as is: the
    CSV's guard against spreadsheet formulas has no business in JSON."""
    return {column.name: typed_value(column, value) for column, value in zip(columns, row, strict=True)}


def visible_cycle(name: str):
    """The cycle whose results may leave the app (reports.exporters.entry decides), or a JSON error."""
    try:
        found = exportable_cycle(name)
    except ExportUnavailable as refused:
        if refused.reason == COMPUTING:
            raise Unavailable(str(refused), wait=COMPUTING_RETRY_AFTER) from None
        raise exceptions.NotFound(str(refused)) from None
    if found is None:
        raise exceptions.NotFound(f"No cycle named {name!r} has results (cycles are named YYYY-Qn, e.g. 2026-Q3).")
    return found


class CycleRowsView(SnapshotView):
    resource: CycleResource

    def get(self, request, *args, cycle: str, **kwargs):
        viewer = Viewer.of(request.user)
        # Who may ask is checked before anything is said about the cycle.
        if not self.resource.rule.allows(viewer):
            raise exceptions.PermissionDenied(self.resource.rule.refusal)
        found = visible_cycle(cycle)
        exporter = self.resource.exporter(cycle_id=found.id)
        try:
            selection = self.resource.rule.select(exporter, viewer)
        except NotVisible as refused:
            raise exceptions.PermissionDenied(str(refused)) from None
        page = self.paginate_queryset(selection.items)
        columns = exporter.columns
        return self.get_paginated_response([row_dict(columns, selection.to_row(item)) for item in page])


def cycle_rows_view(resource: CycleResource):
    """The view of one list, with its own OpenAPI description."""
    view = type(
        f"{row_serializer(resource).__name__}ListView",
        (CycleRowsView,),
        {"resource": resource, "serializer_class": row_serializer(resource), "__doc__": resource.summary},
    )
    return extend_schema(
        summary=resource.summary,
        description=resource.description,
        parameters=[CYCLE_PARAMETER],
        responses={
            200: row_serializer(resource)(many=True),
            **ERRORS,
            **PAGE_ERRORS,
            403: OpenApiResponse(description="Your role does not see this list."),
            404: OpenApiResponse(description="No such cycle or page, or the cycle's results are not published."),
            503: OpenApiResponse(description="The cycle's results are being computed: retry after `Retry-After`."),
        },
    )(view)


@never_cache
def not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    """Any other address under /api/: a JSON 404 (or, for an address missing its final slash, the
    address with it, as Django's APPEND_SLASH would do for a page)."""
    path = request.path
    if request.method in ("GET", "HEAD") and not path.endswith("/"):
        try:
            match = resolve(path + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not not_found:
            query = request.META.get("QUERY_STRING", "")
            target = path + "/" + (f"?{query}" if query else "")
            if url_has_allowed_host_and_scheme(target, allowed_hosts=None):
                response = JsonResponse({"detail": f"Moved to {target}."}, status=301)
                response["Location"] = target
                return response
    return JsonResponse(
        {"detail": f"No API address {path}: the API starts at {reverse('api:root')} (see {reverse('api:docs')})."},
        status=404,
    )
