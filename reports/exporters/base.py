"""Header + row iterator exporters (after pretix's ListExporter) and the renderers that format them.

Exporters yield typed, *unrounded* values (str, int, float, bool or None); each column says how
its values are written, so rounding and escaping happen here, once, for every format:
floats to the column's decimals, counts as plain integers, booleans as true/false, None as an
empty cell, and text that a spreadsheet would run as a formula defused with a leading apostrophe.
"""

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, ClassVar, Literal

EXPORT_FORMATS = ("csv", "xlsx", "pdf")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    name: str
    kind: Literal["text", "int", "float", "bool"] = "text"
    decimals: int = 0


class ListExporter:
    columns: ClassVar[tuple[Column, ...]] = ()

    @property
    def header(self) -> list[str]:
        return [column.name for column in self.columns]

    def rows(self) -> Iterator[tuple]:
        raise NotImplementedError


def escape_formula(text: str) -> str:
    """Make a text cell inert in spreadsheet programs (OWASP CSV injection advice)."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def rounded(value, decimals: int) -> float:
    """A figure rounded as every file shows it: to `decimals`, and never -0.0 (-0.004 rounds to
    -0.0; a reader expects 0)."""
    result = round(float(value), decimals)
    return 0.0 if result == 0 else result


def typed_value(column: Column, value):
    """A value as every format carries it: None, a bool, an int, a float rounded to the column's
    decimals (never -0.0), or text. The CSV writes it, the XLSX stores it as a number, JSON (the
    API) sends it as is."""
    if value is None:
        return None
    if column.kind == "bool":
        return bool(value)
    if column.kind == "int":
        return int(value)
    if column.kind == "float":
        return rounded(value, column.decimals)
    return str(value)


def format_cell(column: Column, value) -> str:
    """A value as the CSV writes it."""
    value = typed_value(column, value)
    if value is None:
        return ""
    if column.kind == "bool":
        return "true" if value else "false"
    if column.kind == "int":
        return str(value)
    if column.kind == "float":
        return f"{value:.{column.decimals}f}"
    return escape_formula(value)


class _Line:
    """A file-like object whose write() returns what it was given: csv.writer then yields lines."""

    def write(self, text: str) -> str:
        return text


def iter_csv(exporter: ListExporter) -> Iterator[str]:
    """The export as CSV, one line at a time (for streaming responses)."""
    writer = csv.writer(_Line(), lineterminator="\r\n")
    yield writer.writerow(exporter.header)
    for row in exporter.rows():
        yield writer.writerow([format_cell(column, value) for column, value in zip(exporter.columns, row, strict=True)])


def render_csv(exporter: ListExporter, stream: IO[str]) -> int:
    """Write the export as CSV to a text stream (opened with newline=""); returns the number of data rows."""
    lines = 0
    for line in iter_csv(exporter):
        stream.write(line)
        lines += 1
    return lines - 1  # the header is not a data row


def render_xlsx(exporter: ListExporter, stream: IO[bytes]) -> int:
    """Write the export as one XLSX sheet: numbers as numbers (rounded like the CSV), text always as text."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(
        stream, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False}
    )
    count = write_list_sheet(workbook, workbook.add_worksheet("export"), exporter)
    workbook.close()
    return count


def write_list_sheet(workbook, sheet, exporter: ListExporter, *, first_row: int = 0) -> int:
    """The export's header and rows on an XLSX sheet from `first_row`: numbers as numbers (rounded
    like the CSV), text always as text. Returns the number of data rows."""
    bold = workbook.add_format({"bold": True})
    number_formats = {
        decimals: workbook.add_format({"num_format": "0." + "0" * decimals if decimals else "0"})
        for decimals in {column.decimals for column in exporter.columns}
    }
    for col, name in enumerate(exporter.header):
        sheet.write_string(first_row, col, name, bold)
    count = 0
    for count, row in enumerate(exporter.rows(), start=1):
        for col, (column, value) in enumerate(zip(exporter.columns, row, strict=True)):
            if value is None:
                continue
            line = first_row + count
            if column.kind == "bool":
                sheet.write_string(line, col, "true" if value else "false")
            elif column.kind == "int":
                sheet.write_number(line, col, int(value))
            elif column.kind == "float":
                sheet.write_number(line, col, typed_value(column, value), number_formats[column.decimals])
            else:
                # write_string never makes a formula; the apostrophe keeps the cell identical to the CSV.
                sheet.write_string(line, col, escape_formula(str(value)))
    sheet.freeze_panes(first_row + 1, 0)
    return count


def render(exporter: ListExporter, fmt: str, stream) -> int:
    """Render a list in `fmt` (csv: a text stream; xlsx: one flat sheet on a binary stream).

    The scorecards' workbook and PDF are laid out by `render_scorecards` instead."""
    if fmt == "csv":
        return render_csv(exporter, stream)
    if fmt == "xlsx":
        return render_xlsx(exporter, stream)
    raise ValueError(f"Unknown list export format {fmt!r}: choose csv or xlsx.")
