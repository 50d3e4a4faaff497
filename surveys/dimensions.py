"""The fixed vocabulary of the contract, in one place: dimension slugs, scopes and the 1–5 scale.
Every other module imports these; none redefines them."""

SERVICE_DIMENSIONS = ("willingness", "ownership", "responsiveness", "reliability", "courtesy", "communication")
EXPECTATION = "expectation"
ALL_DIMENSIONS = (*SERVICE_DIMENSIONS, EXPECTATION)
OVERALL = "overall"
# The dimensions of a result row, in their order: the six, then `overall` (their pool).
ROW_DIMENSIONS = (*SERVICE_DIMENSIONS, OVERALL)

SUPPLIER, MANAGEMENT = "supplier", "management"
SCOPES = (SUPPLIER, MANAGEMENT)

SCALE = {1: "Very poor", 2: "Poor", 3: "Acceptable", 4: "Good", 5: "Excellent"}
EXPECTATION_SCALE = {1: "Very low", 2: "Low", 3: "Moderate", 4: "High", 5: "Very high"}
FAVORABLE_MIN = 4


def ensure_dimensions(**kwargs):
    """Create any missing dimension row as the data migration defines it; never overwrite edits."""
    import importlib

    from django.apps import apps

    if not apps.is_installed("surveys"):
        return
    Dimension = apps.get_model("surveys", "Dimension")
    if Dimension.objects.count() == len(ALL_DIMENSIONS):
        return
    importlib.import_module("surveys.migrations.0002_dimensions").create_dimensions(apps, None)
