"""reports.exporters.entry: the one check that a cycle's results may leave the app."""

import pytest
from django.core.management import CommandError, call_command

from reports.exporters.entry import COMPUTING, HIDDEN, MISSING, ExportUnavailable, exportable_cycle
from reports.models import RollupRun
from reports.services import rollup_cycle
from surveys.models import Cycle
from tests.factories import CycleFactory

pytestmark = pytest.mark.django_db


def refused(name, **kwargs) -> str:
    with pytest.raises(ExportUnavailable) as caught:
        exportable_cycle(name, **kwargs)
    return caught.value.reason


def test_only_a_rolled_up_cycle_with_visible_results_leaves_by_default():
    published = CycleFactory(name="2026-Q1", status=Cycle.Status.PUBLISHED)
    assert refused("2026-Q1") == MISSING
    RollupRun.objects.create(cycle=published)
    assert refused("2026-Q1") == COMPUTING
    rollup_cycle(cycle_id=published.id)
    assert exportable_cycle("2026-Q1") == published
    assert exportable_cycle("2026-Q9") is None and exportable_cycle("nonsense") is None


def test_a_closed_unpublished_cycle_leaves_only_through_the_server_commands():
    closed = CycleFactory(name="2026-Q2", status=Cycle.Status.CLOSED)
    rollup_cycle(cycle_id=closed.id)
    assert refused("2026-Q2") == HIDDEN  # downloads, the API
    assert exportable_cycle("2026-Q2", unpublished_ok=True) == closed  # export_* on the server


def test_an_open_cycle_never_leaves_not_even_through_a_command(capsys):
    CycleFactory(name="2026-Q4", status=Cycle.Status.OPEN)
    assert refused("2026-Q4", unpublished_ok=True) == HIDDEN
    for command in ("export_scorecards", "export_links", "export_drivers", "export_commitments"):
        with pytest.raises(CommandError, match="not published"):
            call_command(command, "2026-Q4")
    assert capsys.readouterr().out == ""


def test_typed_values_are_what_every_format_carries():
    from reports.exporters.base import Column, format_cell, typed_value

    mean, count, flag, text = Column("mean", "float", 2), Column("n", "int"), Column("s", "bool"), Column("t")
    assert typed_value(mean, 3.14159) == 3.14 and typed_value(mean, -0.004) == 0.0
    assert str(typed_value(mean, -0.004)) == "0.0" and format_cell(mean, -0.004) == "0.00"
    assert typed_value(count, 7.0) == 7 and isinstance(typed_value(count, 7.0), int)
    assert typed_value(flag, 1) is True and format_cell(flag, 0) == "false"
    assert typed_value(mean, None) is None and format_cell(mean, None) == ""
    assert typed_value(text, "=1+1") == "=1+1" and format_cell(text, "=1+1") == "'=1+1"  # JSON is not a spreadsheet
