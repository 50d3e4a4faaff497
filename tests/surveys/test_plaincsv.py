"""surveys.plaincsv: the answers file read with numpy alone gives exactly what pandas' reader gives.

parse_responses reads a plain file (no quotes, carriage returns or NUL bytes, every line as wide
as its header) with surveys.plaincsv and anything else with pandas, as before. Both must give the
same data and the same messages for any file; the plain reader must refuse what it cannot read.
"""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveys import plaincsv
from surveys.dimensions import ALL_DIMENSIONS
from surveys.importers import OrgLookup, parse_responses

ROOT = Path(__file__).resolve().parents[2]
HEADER = "rater_employee_id,provider_department,dimension,score\n"
LONG = "Customer Service and Operations Europe"  # > 16 bytes: three words
LOOKUP = OrgLookup(
    employees={
        "E1": (10, "employee"),
        "E2": (10, "manager"),
        "0042": (20, "executive"),
        "EMPLOYEE-000000001": (30, "employee"),
        "EMPLOYEE-000000002": (40, "employee"),  # shares its first 8 bytes and its length with the one above
        "Ä7": (30, "employee"),
    },
    departments={"sales": 10, "executive office": 20, "it": 30, LONG.casefold(): 40},
    dimensions={slug: pk for pk, slug in enumerate(reversed(ALL_DIMENSIONS), start=1)},  # ids not in slug order
)
CELLS = {
    "rater_employee_id": ["E1", "E2", "0042", " E1", "E9", "", "EMPLOYEE-000000001", "EMPLOYEE-000000002", "Ä7", "42"],
    "provider_department": ["Sales", "sales", " IT ", "it", "Executive  Office", LONG, LONG.upper(), "Legal", ""],
    "dimension": [*ALL_DIMENSIONS, "WILLINGNESS", " outcome", "speed", ""],
    "score": ["1", "2", "3", "4", "5", " 4", "4.0", "6", "0", ""],
}


def through_pandas(content: bytes, monkeypatch, *, frame: bool):
    with monkeypatch.context() as patched:
        patched.setattr(plaincsv, "read_coded", lambda *args, **kwargs: None)
        return parse_responses(content, lookup=LOOKUP, frame=frame)


def assert_same(content: bytes, monkeypatch) -> None:
    plain = parse_responses(content, lookup=LOOKUP, frame=False)
    other = through_pandas(content, monkeypatch, frame=False)
    assert [str(e) for e in plain.errors] == [str(e) for e in other.errors]
    if other.data is None:
        assert plain.data is None
    else:
        assert plain.data.keys() == other.data.keys()
        for name in other.data:
            assert plain.data[name].dtype == other.data[name].dtype
            np.testing.assert_array_equal(plain.data[name], other.data[name], err_msg=name)


rows = st.lists(st.tuples(*(st.sampled_from(values) for values in CELLS.values())), min_size=1, max_size=40)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=rows, final_newline=st.booleans())
def test_a_plain_file_reads_the_same_as_through_pandas(rows, final_newline, monkeypatch):
    content = (HEADER + "\n".join(",".join(row) for row in rows) + ("\n" if final_newline else "")).encode()
    assert plaincsv.read_coded(content, len(HEADER), width=4, positions=[0, 1, 2, 3], known=[[]] * 4) is not None
    assert_same(content, monkeypatch)


def test_a_plain_file_with_columns_in_another_order_and_extra_columns(monkeypatch):
    content = (
        "note,score,dimension,provider_department,rater_employee_id\n"
        f"x,4,courtesy,{LONG},EMPLOYEE-000000002\n,5,courtesy,{LONG},EMPLOYEE-000000001\nyy,3,outcome,IT,E1\n"
    ).encode()
    assert_same(content, monkeypatch)
    parsed = parse_responses(content, lookup=LOOKUP, frame=False)
    # Rows in (rater, provider, dimension) order, each rater's department and provider exactly matched.
    assert parsed.data["provider_department_id"].tolist() == [30, 40, 40]
    assert parsed.data["rater_department_id"].tolist() == [10, 30, 40]
    assert parsed.data["score"].tolist() == [3, 5, 4]


@pytest.mark.parametrize(
    "body",
    [
        'E1,"IT",willingness,4\n',  # quoted
        "E1,IT,willingness,4\r\n",  # carriage return
        "E1,IT,willingness,4\n\nE2,IT,courtesy,3\n",  # blank line
        "E1,IT,willingness\n",  # short row
        "E1,IT,willingness,4,extra\n",  # long row
        "E1,IT,willing\x00ness,4\n",  # NUL byte
    ],
)
def test_what_is_not_plain_is_left_to_pandas_with_the_same_result(body, monkeypatch):
    content = (HEADER + body).encode()
    assert plaincsv.read_coded(content, len(HEADER), width=4, positions=[0, 1, 2, 3], known=[[]] * 4) is None
    assert_same(content, monkeypatch)


def test_long_cells_are_told_apart_exactly():
    values = ["EMPLOYEE-000000001", "EMPLOYEE-000000002", "EMPLOYEE-00000001", LONG, LONG + "!", "x" * 100]
    content = ("a\n" + "\n".join(values * 3) + "\n").encode()
    categories, codes = plaincsv.read_coded(content, 2, width=1, positions=[0], known=[values[:2]])[0]
    assert [categories[c] for c in codes] == values * 3


def test_the_import_command_reads_validates_and_orders_without_loading_pandas():
    script = f"""
import os, sys
sys.path.insert(0, {str(ROOT)!r})
os.environ["DJANGO_SETTINGS_MODULE"] = "chainsurvey.settings"
import django
django.setup()
from surveys.bulk import distinct
from surveys.importers import OrgLookup, parse_responses
from surveys.services.answers import _in_index_order
from surveys.dimensions import ALL_DIMENSIONS
lookup = OrgLookup(employees={{"E1": (3, "employee"), "E2": (3, "employee")}}, departments={{"it": 3}},
                   dimensions={{slug: pk for pk, slug in enumerate(ALL_DIMENSIONS, start=1)}})
parsed = parse_responses(b"{HEADER.strip()}\\nE2,IT,courtesy,4\\nE1,IT,willingness,3\\n", lookup=lookup, frame=False)
assert parsed.ok, parsed.errors
rows = _in_index_order(parsed.data, cycle_id=1, raters=distinct(parsed.data["rater"]))
assert sorted(rows["score"].tolist()) == [3, 4]
print("pandas" in sys.modules)
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "False"


def test_rows_grouped_by_rater_are_put_in_key_order_as_the_sort_puts_them(monkeypatch):
    from surveys.bulk import distinct
    from surveys.services import answers

    rng = np.random.default_rng(7)
    rater = np.repeat(rng.choice(1000, 300, replace=False), 24)
    provider = np.tile(np.repeat(np.arange(3) * 7 + 5, 8), 300)
    dimension = np.tile(np.arange(8) + 1, 900)
    order = np.lexsort([dimension, provider, rater])  # grouped by rater, as parse_responses gives them
    frame = {
        "rater": rater[order],
        "rater_department_id": rng.integers(1, 9, len(rater)),
        "provider_department_id": provider[order],
        "dimension_id": dimension[order],
        "score": rng.integers(1, 6, len(rater)),
    }
    keys = answers.respondent_keys(300)
    monkeypatch.setattr(answers, "respondent_keys", lambda count: keys)
    raters = distinct(frame["rater"])
    grouped = answers._in_index_order(frame, cycle_id=3, raters=raters)
    monkeypatch.setattr(answers, "_grouped_in_order", lambda *args: False)
    sorted_ = answers._in_index_order(frame, cycle_id=3, raters=raters)
    for name, values in sorted_.items():
        np.testing.assert_array_equal(grouped[name], values, err_msg=name)
    assert (np.diff(grouped["respondent"]) >= 0).all()
