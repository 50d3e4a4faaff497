"""Bad input, generated: random bytes, encodings, quoting and huge fields into both CSV importers,
a 100,000-row file whose last row is bad, and random bodies posted to the survey. Whatever comes
in, the answer is a clear refusal (`row N: …` for files, a page saying why for the survey) or a
correct import, never a crash, and a refused input writes nothing. Hostile text stays inert text
in every export cell."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from accounts.models import User
from reports.exporters.base import FORMULA_PREFIXES, Column, format_cell
from surveys.dimensions import ALL_DIMENSIONS, QUESTIONS
from surveys.importers import ORG_COLUMNS, RowError, org_lookup, parse_org, parse_responses
from surveys.models import Answer, Comment, Cycle, Department, Draft, Employee, Participation
from surveys.roles import Role

ROW_MESSAGE = r"^row \d+: \S"
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def assert_clear(errors: list[RowError], *, rows: int) -> None:
    """Every problem names a row of the file (1 is the header) and says something."""
    for error in errors:
        assert 1 <= error.row <= rows + 1, error
        assert str(error).startswith(f"row {error.row}: ") and error.message.strip()


def csv_bytes(rows, *, quoting=csv.QUOTE_MINIMAL, encoding="utf-8") -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, quoting=quoting, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


# --- the org file, parsed -----------------------------------------------------------------------

cell = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
org_record = st.lists(cell, min_size=0, max_size=7)


@FUZZ
@given(st.binary(max_size=2_000))
@example(b"\xff\xfe" + "employee_id,email".encode("utf-16-le"))
@example(b'employee_id,email,full_name,department,role\n"unterminated,quote\n')
@example(b"\x00\x00\x00")
def test_org_parser_answers_random_bytes_with_row_messages_never_a_crash(raw):
    parsed = parse_org(raw)
    assert parsed.ok or parsed.errors
    assert_clear(parsed.errors, rows=raw.count(b"\n") + 1)


@FUZZ
@given(
    st.lists(org_record, max_size=12),
    st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC]),
    st.booleans(),
)
def test_org_parser_takes_any_quoting_and_keeps_exactly_the_valid_rows(records, quoting, with_bom):
    raw = csv_bytes([list(ORG_COLUMNS), *records], quoting=quoting)
    parsed = parse_org((b"\xef\xbb\xbf" if with_bom else b"") + raw)
    assert_clear(parsed.errors, rows=len(records) + 10)
    if parsed.ok:
        # Accepted only if every non-blank record was a full, valid row: nothing silently dropped.
        kept = [r for r in records if any(c.strip() for c in r)]
        assert len(parsed.data) == len(kept)


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252", "utf-16"])
def test_org_file_in_another_encoding_is_refused_with_what_to_do(encoding):
    raw = csv_bytes(
        [list(ORG_COLUMNS), ["E1", "zoe@example.com", "Zoé Müller", "Ventes", "employee"]], encoding=encoding
    )
    parsed = parse_org(raw)
    assert str(parsed.errors[0]).endswith("is not UTF-8 text: save the file as “CSV UTF-8” and import it again")


def test_a_huge_field_is_refused_by_name_and_row():
    raw = csv_bytes([list(ORG_COLUMNS), ["E1", "a@example.com", "x" * 1_000_000, "Sales", "employee"]])
    assert [str(e) for e in parse_org(raw).errors] == ["row 2: full_name is longer than 200 characters"]


# --- both importers through their commands: all or nothing -------------------------------------


def write(tmp_path, name: str, rows) -> str:
    path = tmp_path / name
    path.write_bytes(csv_bytes(rows))
    return str(path)


@pytest.mark.django_db
def test_org_import_of_100k_rows_with_one_bad_row_last_writes_nothing_and_names_the_row(tmp_path, capsys):
    rows = [list(ORG_COLUMNS)]
    rows += [[f"E{i:06d}", f"p{i}@example.com", f"Person {i}", f"Dept {i % 40}", "employee"] for i in range(100_000)]
    rows.append(["E999999", "not-an-email", "Last Person", "Sales", "employee"])

    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_org", write(tmp_path, "org.csv", rows))

    assert capsys.readouterr().err.strip() == "row 100002: email 'not-an-email' is not a valid email address"
    assert not User.objects.exists() and not Department.objects.exists()


@pytest.fixture
def small_org(db):
    """40 departments of 75 people each: room for 100,000 distinct answers."""
    departments = Department.objects.bulk_create(
        [Department(name=f"Dept {i:02d}", slug=f"dept-{i:02d}") for i in range(40)]
    )
    users = User.objects.bulk_create([User(email=f"r{i}@example.com", full_name=f"R {i}") for i in range(3_000)])
    Employee.objects.bulk_create(
        [
            Employee(user=u, employee_id=f"R{i:05d}", department=departments[i % 40], role=Role.EMPLOYEE)
            for i, u in enumerate(users)
        ]
    )
    return departments


@pytest.mark.django_db
def test_answer_import_of_100k_rows_with_one_bad_row_last_writes_nothing_and_names_the_row(small_org, tmp_path, capsys):
    dimensions = list(ALL_DIMENSIONS)
    rows = [["rater_employee_id", "provider_department", "dimension", "score"]]
    for i in range(100_000):
        rater, provider, dimension = i // 35, (i // 7) % 5 + 1, dimensions[i % 7]
        rows.append([f"R{rater:05d}", f"Dept {(rater + provider) % 40:02d}", dimension, str(i % 5 + 1)])
    rows.append(["R00001", "Dept 07", "willingness", "4.5"])

    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_responses", "--cycle", "2025-Q4", write(tmp_path, "answers.csv", rows))

    assert capsys.readouterr().err.strip().startswith("row 100002: ")
    assert not Answer.objects.exists() and not Cycle.objects.exists()


@FUZZ
@given(st.binary(max_size=1_000))
@example(b"\r\x00")  # a lone carriage return in the header line once crashed the CSV reader
@pytest.mark.django_db
def test_answer_parser_answers_random_bytes_with_row_messages_never_a_crash(small_org, raw):
    header = b"rater_employee_id,provider_department,dimension,score\n"
    for content in (raw, header + raw):
        parsed = parse_responses(content, lookup=org_lookup())
        assert parsed.ok or parsed.errors
        assert_clear(parsed.errors, rows=content.count(b"\n") + 1)


# --- the survey, posted at random -------------------------------------------------------------

VALUES = st.one_of(
    st.sampled_from(["1", "3", "5", "0", "6", "-1", "2.5", "1e3", " 4 ", "", "on", "NaN", "٣", "0x3"]),
    st.text(max_size=40),
    st.integers().map(str),
    st.just("x" * 20_000),
)


def survey_fields(providers: list[int]) -> list[str]:
    names = ["cycle", "draft", "action", "step", "providers", "csrfmiddlewaretoken"]
    for pk in [*providers, 999_999, 0, -1]:
        names += [f"p{pk}-{slug}" for slug in QUESTIONS]
    return names


@pytest.fixture
def answering(client, employee, open_cycle, org):
    draft = Draft.objects.create(
        employee=employee, cycle=open_cycle, providers=[org["executive_office"].id, org["sales"].id]
    )
    client.force_login(employee.user)
    return client, draft, survey_fields([org["executive_office"].id, org["sales"].id, org["it"].id])


@FUZZ
@given(data=st.data())
@pytest.mark.django_db
def test_random_survey_posts_are_refused_or_accepted_whole_never_a_crash(answering, data):
    client, draft, names = answering
    # confirm=1: the confirmation page's POST, the one that submits (the step before it: tests/surveys/test_views.py).
    action = data.draw(st.sampled_from(["save", "submit"]))
    body = {"cycle": draft.cycle.name, "draft": str(draft.pk), "action": action, "confirm": "1"}
    body |= data.draw(st.dictionaries(st.one_of(st.sampled_from(names), st.text(max_size=12)), VALUES, max_size=25))
    with transaction.atomic():
        response = client.post("/survey/", body)  # a 500 would raise here: the test client re-raises
        assert response.status_code in (200, 302, 400, 403, 409), response.status_code
        wrote = Participation.objects.exists() or Answer.objects.exists() or Comment.objects.exists()
        draft_now = Draft.objects.filter(pk=draft.pk).values_list("answers", flat=True).first()
        if response.status_code != 302:
            # Refused: the page says why, and nothing moved.
            assert not wrote and draft_now == {}
        transaction.set_rollback(True)  # each example starts from the same untouched draft


# --- hostile text in exports ---------------------------------------------------------------------


@given(st.text(max_size=40) | st.sampled_from(["=1+2", "+cmd|' /C calc'!A0", "-2", "@SUM(A1)", "\tx", "\rx"]))
def test_no_exported_text_cell_can_start_a_formula_and_nothing_else_changes(text):
    cell_text = format_cell(Column("department"), text)
    assert not cell_text.startswith(FORMULA_PREFIXES)
    assert cell_text in (text, "'" + text)


# --- hostile names on the pages people see --------------------------------------------------------

HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>{% now "Y" %}{{ request.user }}'


@pytest.mark.django_db
def test_hostile_department_and_people_names_are_inert_text_on_the_survey(client, employee, open_cycle, org):
    from tests.factories import DepartmentFactory

    hostile = DepartmentFactory(name=f"Ops {HOSTILE}", slug="ops")
    employee.user.full_name = f"Emma {HOSTILE}"
    employee.user.save()
    client.force_login(employee.user)
    Draft.objects.create(employee=employee, cycle=open_cycle, providers=[org["executive_office"].id, hostile.id])
    for url in ("/", "/survey/?step=departments", "/survey/"):
        page = client.get(url).content.decode()
        assert "<script>alert(1)" not in page and "<img src=x" not in page, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, url  # shown, as text
        assert "{% now &quot;Y&quot; %}{{ request.user }}" in page, url  # template syntax stays text
