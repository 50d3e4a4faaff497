"""The OpenAPI description of each list's rows, made from its exporter's columns: a name per CSV
column, numbers as numbers, null for an empty cell. The views write the rows themselves
(`views.row_dict`); these serializers only describe them."""

from functools import cache

from rest_framework import serializers

from .resources import CycleResource


def _field(column, nullable: frozenset[str]):
    if column.kind == "int":
        return serializers.IntegerField(allow_null=True, help_text="Empty (null) where the row hides its figures.")
    if column.kind == "float":
        return serializers.FloatField(
            allow_null=True,
            help_text=f"Rounded to {column.decimals} decimals, as in the CSV; null where the CSV cell is empty.",
        )
    if column.kind == "bool":
        return serializers.BooleanField()
    return serializers.CharField(allow_null=column.name in nullable)


@cache
def row_serializer(resource: CycleResource) -> type[serializers.Serializer]:
    name = resource.path.title().rstrip("s") + "Row"  # "scorecards" → "ScorecardRow"
    fields = {column.name: _field(column, resource.nullable) for column in resource.columns}
    return type(name, (serializers.Serializer,), fields)


class CycleSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="YYYY-Qn, e.g. 2026-Q3.")
    published_at = serializers.DateTimeField(
        allow_null=True, help_text="When HR published the results; null for history imported from another tool."
    )
    min_group_size = serializers.IntegerField(help_text="Groups of fewer distinct raters are hidden (null figures).")
    lists = serializers.DictField(
        child=serializers.URLField(), help_text="The cycle's lists that you may read: name → address."
    )


class RootSerializer(serializers.Serializer):
    cycles = serializers.URLField()
