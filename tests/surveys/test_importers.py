"""surveys.importers: the file rules of the org and answers files, without a database."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from surveys.importers import OrgLookup, parse_org, parse_responses

ORG_HEADER = "employee_id,email,full_name,department,role\n"


def org(*lines: str, header: str = ORG_HEADER) -> bytes:
    return (header + "".join(line + "\n" for line in lines)).encode()


def messages(parsed) -> list[str]:
    return [str(e) for e in parsed.errors]


# --- org file ------------------------------------------------------------------------------


def test_org_file_with_bom_and_columns_in_any_order_is_read():
    content = b"\xef\xbb\xbf" + org(
        "Sales,manager,E1,Ann Lee,Ann@Example.com", header="department,role,employee_id,full_name,email\n"
    )
    parsed = parse_org(content)
    assert parsed.ok
    (row,) = parsed.data
    assert (row.employee_id, row.email, row.full_name, row.department, row.role) == (
        "E1",
        "ann@example.com",
        "Ann Lee",
        "Sales",
        "manager",
    )


def test_org_file_accepts_a_file_object_and_ignores_extra_columns():
    content = org("E1,ann@example.com,Ann Lee,Sales,employee,2019-03-01", header=ORG_HEADER.strip() + ",hired\n")
    parsed = parse_org(io.BytesIO(content))
    assert parsed.ok and parsed.data[0].employee_id == "E1"


def test_org_file_accepts_a_web_upload():
    upload = SimpleUploadedFile("org.csv", org("E1,ann@example.com,Ann Lee,Sales,employee"), content_type="text/csv")
    assert parse_org(upload).ok


def test_org_file_without_header_is_rejected_on_row_1():
    parsed = parse_org(b"E1,ann@example.com,Ann Lee,Sales,employee\n")
    assert parsed.data is None
    assert messages(parsed) == [
        "row 1: the header row must name the columns employee_id, email, full_name, department, role; "
        "missing: employee_id, email, full_name, department, role"
    ]


def test_org_header_naming_a_column_twice_is_rejected():
    parsed = parse_org(org("E1,a@example.com,A,Sales,employee,b@example.com", header=ORG_HEADER.strip() + ",email\n"))
    assert messages(parsed) == ["row 1: column email appears more than once in the header"]


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\n\n  \n"])
def test_empty_org_file_is_rejected(content):
    assert messages(parse_org(content)) == [
        "row 1: the file is empty: a header row naming employee_id, email, full_name, department, role is required"
    ]


def test_org_file_with_header_only_is_rejected():
    assert messages(parse_org(org())) == ["row 1: the file has a header but no people"]


def test_org_file_that_is_not_utf8_names_the_row_of_the_first_bad_byte():
    content = org("E1,ann@example.com,Ann,Sales,employee", "E2,bob@example.com,Bj\xf6rn,Sales,employee").replace(
        "Bj\xf6rn".encode(), "Bj\xf6rn".encode("latin-1")
    )
    assert messages(parse_org(content)) == [
        "row 3: is not UTF-8 text: save the file as “CSV UTF-8” and import it again"
    ]


def test_every_bad_org_row_is_reported_with_its_row_number_counting_the_header_as_row_1():
    parsed = parse_org(
        org(
            "E1,ann@example.com,Ann Lee,Sales,employee",
            "E2,,Bob Roe,Sales,employee",  # row 3: missing email
            "E3,not-an-email,Cy Doe,IT,employee",  # row 4
            "E4,dee@example.com,Dee Poe,IT,boss",  # row 5
            "E1,eve@example.com,Eve Moe,IT,employee",  # row 6: duplicate id
            "E6,ANN@example.com,Fay Noe,IT,employee",  # row 7: duplicate email, other case
            ",gus@example.com,,IT,employee",  # row 8: two missing fields
        )
    )
    assert parsed.data is not None  # the valid rows, for callers that want them; errors say: write nothing
    assert messages(parsed) == [
        "row 3: email is missing",
        "row 4: email 'not-an-email' is not a valid email address",
        "row 5: role 'boss' is unknown: use one of employee, manager, executive, hr",
        "row 6: employee_id E1 is also on row 2",
        "row 7: email ann@example.com is also on row 2",
        "row 8: employee_id is missing",
        "row 8: full_name is missing",
    ]


def test_org_blank_lines_are_skipped_but_counted_as_rows():
    parsed = parse_org(org("E1,ann@example.com,Ann,Sales,employee", "", "E2,bad,Bob,Sales,employee"))
    assert messages(parsed) == ["row 4: email 'bad' is not a valid email address"]


def test_org_row_with_more_cells_than_the_header_is_reported():
    parsed = parse_org(org("E1,ann@example.com,Ann,Sales,employee", "E2,bob@example.com,Bob,Sales,employee,x"))
    assert messages(parsed) == ["row 3: has 6 cells but the header has 5"]


def test_org_row_with_fewer_cells_reports_the_missing_fields():
    parsed = parse_org(org("E1,ann@example.com,Ann"))
    assert messages(parsed) == ["row 2: department is missing", "row 2: role is missing"]


def test_org_values_are_stripped_and_roles_matched_ignoring_case():
    parsed = parse_org(org(" E1 , ann@example.com ,  Ann Lee , Human   Resources , HR "))
    assert parsed.ok
    row = parsed.data[0]
    assert (row.employee_id, row.email, row.department, row.role) == ("E1", "ann@example.com", "Human Resources", "hr")


def test_org_value_longer_than_its_column_is_rejected():
    parsed = parse_org(org(f"E1,ann@example.com,Ann,{'D' * 121},employee"))
    assert messages(parsed) == ["row 2: department is longer than 120 characters"]


# --- answers file --------------------------------------------------------------------------

ANSWERS_HEADER = "rater_employee_id,provider_department,dimension,score\n"
LOOKUP = OrgLookup(
    employees={"E1": (10, "employee"), "E2": (10, "manager"), "0042": (20, "executive")},
    departments={"sales": 10, "executive office": 20, "it": 30},
    dimensions={
        slug: pk
        for pk, slug in enumerate(
            [
                "willingness",
                "ownership",
                "responsiveness",
                "reliability",
                "courtesy",
                "communication",
                "expectation",
                "outcome",
            ],
            start=1,
        )
    },
)


def answers(*lines: str, header: str = ANSWERS_HEADER) -> bytes:
    return (header + "".join(line + "\n" for line in lines)).encode()


def test_answers_become_integer_rows_with_the_raters_current_department():
    parsed = parse_responses(
        answers(
            "E1,IT,willingness,4", "E1,it,expectation,5", "E2,Executive Office,courtesy,1", "0042,Sales,ownership,3"
        ),
        lookup=LOOKUP,
    )
    assert parsed.ok
    rows = parsed.data.to_dict("records")
    assert [(r["rater_department_id"], r["provider_department_id"], r["dimension_id"], r["score"]) for r in rows] == [
        (10, 30, 1, 4),
        (10, 30, 7, 5),
        (10, 20, 5, 1),
        (20, 10, 2, 3),
    ]
    assert rows[0]["rater"] == rows[1]["rater"] != rows[2]["rater"]


def test_employee_ids_that_look_like_numbers_are_matched_as_text():
    assert not parse_responses(answers("0042,Sales,ownership,3"), lookup=LOOKUP).errors
    assert messages(parse_responses(answers("42,Sales,ownership,3"), lookup=LOOKUP)) == [
        "row 2: no employee has employee_id '42'"
    ]


def test_answers_with_bom_columns_in_any_order_and_extra_columns_are_read():
    content = b"\xef\xbb\xbf" + answers(
        "4,courtesy,IT,E1,x", header="score,dimension,provider_department,rater_employee_id,note\n"
    )
    parsed = parse_responses(content, lookup=LOOKUP)
    assert parsed.ok and parsed.data["score"].tolist() == [4]


def test_every_bad_answer_is_reported_with_its_row_number():
    parsed = parse_responses(
        answers(
            "E1,IT,willingness,4",
            "E9,IT,willingness,4",  # row 3: unknown employee
            "E1,Legal,willingness,4",  # row 4: unknown department
            "E1,IT,speed,4",  # row 5: unknown dimension
            "E1,IT,ownership,4.0",  # row 6: not an integer
            "E1,IT,courtesy,6",  # row 7: out of range
            "E2,Sales,courtesy,3",  # row 8: manager rates own department
            "E1,IT,willingness,2",  # row 9: duplicate of row 2
            "E1,IT,,",  # row 10: missing fields
        ),
        lookup=LOOKUP,
    )
    assert parsed.data is None
    assert messages(parsed) == [
        "row 3: no employee has employee_id 'E9'",
        "row 4: no department is named 'Legal'",
        "row 5: dimension 'speed' is unknown: use one of willingness, ownership, responsiveness, reliability, "
        "courtesy, communication, expectation, outcome",
        "row 6: score '4.0' is not a whole number from 1 to 5",
        "row 7: score '6' is not a whole number from 1 to 5",
        "row 8: E2 is a manager or executive of Sales and cannot rate their own department",
        "row 9: E1 already rated IT on willingness on row 2",
        "row 10: dimension is missing",
        "row 10: score is missing",
    ]


def test_a_duplicate_is_found_whatever_the_spelling_of_the_department():
    parsed = parse_responses(answers("E1,IT,willingness,4", "E1, it ,WILLINGNESS,5"), lookup=LOOKUP)
    assert messages(parsed) == ["row 3: E1 already rated it on WILLINGNESS on row 2"]


def test_an_employee_may_rate_their_own_departments_management():
    parsed = parse_responses(answers("E1,Sales,willingness,4"), lookup=LOOKUP)
    assert parsed.ok


def test_answers_file_with_header_only_or_no_header_is_rejected():
    assert messages(parse_responses(answers(), lookup=LOOKUP)) == ["row 1: the file has a header but no answers"]
    assert messages(parse_responses(b"E1,IT,willingness,4\n", lookup=LOOKUP))[0].startswith(
        "row 1: the header row must name the columns rater_employee_id, provider_department, dimension, score"
    )


def test_answers_row_with_too_many_cells_is_reported_with_the_other_problems():
    parsed = parse_responses(answers("E1,IT,willingness,4,extra", "E9,IT,willingness,4"), lookup=LOOKUP)
    assert messages(parsed) == ["row 2: has 5 cells but the header has 4", "row 3: no employee has employee_id 'E9'"]
