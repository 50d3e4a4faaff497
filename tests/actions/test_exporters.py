"""export_commitments against the contract: columns, the figures recomputed here from the raw
answers (SciPy's Welch test, not the app's), drafts left out, hidden rows left empty, the command
and HR's download identical."""

import csv
import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from actions.models import Commitment
from actions.services import Draft, commitment_create, commitment_publish
from surveys.models import Answer, Cycle, Dimension

pytestmark = pytest.mark.django_db

CONTRACT = (
    "cycle,department,scope,dimension,commitment,owner_email,due,status,follow_up_cycle,"
    "before_mean,after_mean,delta,p_value,verdict"
)


def export(cycle_name: str) -> list[dict]:
    out = io.StringIO()
    call_command("export_commitments", cycle_name, stdout=out)
    text = out.getvalue()
    assert text.splitlines()[0] == CONTRACT
    return list(csv.DictReader(io.StringIO(text)))


def ratings(cycle, department, dimension) -> list[int]:
    """The supplier-scope ratings of a department: every other department's, straight from the answers."""
    return list(
        Answer.objects.filter(
            cycle=cycle, provider_department=department, dimension=Dimension.objects.get(slug=dimension)
        )
        .exclude(rater_department=department)
        .values_list("score", flat=True)
    )


def make(company, department, owner, *, cycle="q1", publish=True, dimension="ownership", scope="supplier"):
    made = commitment_create(
        cycle=company[cycle],
        department=company[department],
        draft=Draft(
            scope=scope,
            dimension=dimension,
            text="=1+1 we promise",
            owner=company[owner],
            due=timezone.localdate() + datetime.timedelta(days=30),
        ),
        by=None,
    )
    if publish:
        commitment_publish(commitment=made, by=None)
    return made


def test_each_row_is_recomputed_from_the_answers(company):
    from scipy import stats

    make(company, "it", "it_manager")
    make(company, "it", "it_manager", dimension="courtesy", publish=False)  # a draft: never exported
    (row,) = export("2026-Q1")
    before, after = (
        ratings(company["q1"], company["it"], "ownership"),
        ratings(company["q2"], company["it"], "ownership"),
    )
    mean_before, mean_after = sum(before) / len(before), sum(after) / len(after)
    assert row["cycle"] == "2026-Q1" and row["department"] == "IT" and row["scope"] == "supplier"
    assert row["dimension"] == "ownership" and row["owner_email"] == "ivan@example.com"
    assert row["commitment"] == "'=1+1 we promise"  # inert in a spreadsheet, like every export
    assert row["status"] == "open" and row["follow_up_cycle"] == "2026-Q2"
    assert row["before_mean"] == f"{mean_before:.2f}" and row["after_mean"] == f"{mean_after:.2f}"
    assert row["delta"] == f"{mean_after - mean_before:.2f}"
    assert row["p_value"] == f"{stats.ttest_ind(after, before, equal_var=False).pvalue:.3f}"
    assert row["verdict"] == "improved"


def test_a_row_the_scorecard_hides_is_empty_and_not_measurable(company):
    from tests.factories import EmployeeFactory

    EmployeeFactory(department=company["finance"], role="manager", user__email="fin@example.com")
    company["fin"] = company["finance"].employees.get()
    make(company, "finance", "fin", scope="management")  # nobody rated Finance's management
    (row,) = export("2026-Q1")
    assert row["before_mean"] == row["after_mean"] == row["delta"] == row["p_value"] == ""
    assert row["verdict"] == "not_measurable"


def test_without_a_follow_up_the_verdict_is_pending(company):
    make(company, "executive_office", "executive", cycle="q2")
    (row,) = export("2026-Q2")
    assert row["follow_up_cycle"] == "" and row["after_mean"] == "" and row["verdict"] == "pending"
    assert row["before_mean"] != ""


def test_a_cycle_without_published_results_is_refused(company):
    closed = Cycle.objects.create(name="2026-Q3", status=Cycle.Status.CLOSED)
    with pytest.raises(CommandError, match="no roll-up yet"):
        call_command("export_commitments", "2026-Q3")
    from reports.services import rollup_cycle

    rollup_cycle(cycle_id=closed.id)  # rolled up, not published: its commitments do not exist yet
    with pytest.raises(CommandError, match="not published"):
        call_command("export_commitments", "2026-Q3")


def test_hrs_download_is_the_commands_file_and_only_hrs(client, company):
    make(company, "it", "it_manager")
    out = io.StringIO()
    call_command("export_commitments", "2026-Q1", stdout=out)
    client.force_login(company["hr"].user)
    response = client.get("/actions/2026-Q1/commitments.csv")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).decode().replace("\r\n", "\n") == out.getvalue().replace("\r\n", "\n")
    client.force_login(company["it_manager"].user)
    assert client.get("/actions/2026-Q1/commitments.csv").status_code == 403
    assert client.get("/actions/2026-Q1/").status_code == 403


def test_the_demo_exports_its_story(db):
    from actions.demo import seed_demo

    seed_demo(today=datetime.date(2026, 11, 15))
    rows = export("2026-Q2")
    assert [(r["department"], r["dimension"], r["verdict"]) for r in rows] == [
        ("Executive Office", "communication", "improved"),
        ("Executive Office", "reliability", "improved"),
        ("Facilities", "ownership", "no_clear_change"),
        ("IT", "responsiveness", "improved"),
    ]
    assert len(export("2026-Q3")) == Commitment.objects.published().filter(cycle__name="2026-Q3").count() == 2


def test_hrs_overview_lists_who_committed_what_is_overdue_and_the_verdicts(client, company):
    made = make(company, "it", "it_manager")
    Commitment.objects.filter(pk=made.pk).update(due=timezone.localdate() - datetime.timedelta(days=1))
    make(company, "it", "it_manager", dimension="courtesy", publish=False)
    client.force_login(company["hr"].user)
    body = client.get("/actions/2026-Q1/").content.decode()
    assert "1 of 5 departments have published commitments; verdicts: 1 improved." in body
    assert "Overdue" in body and "=1+1 we promise" in body


def test_the_workbook_and_each_departments_pdf_page_carry_the_commitments(company):
    import openpyxl
    from pypdf import PdfReader

    from reports.exporters import render_scorecards

    make(company, "it", "it_manager")  # on 2026-Q1, judged by 2026-Q2
    make(company, "executive_office", "executive", cycle="q2")  # the top first: the cascade
    make(company, "it", "it_manager", cycle="q2", dimension="courtesy")
    make(company, "it", "it_manager", cycle="q2", dimension="reliability", publish=False)  # a draft
    q2 = company["q2"]
    stream = io.BytesIO()
    render_scorecards(cycle_id=q2.id, fmt="xlsx", stream=stream)
    book = openpyxl.load_workbook(io.BytesIO(stream.getvalue()))
    assert book.sheetnames[:4] == ["Summary", "Links", "Commitments", "Previous commitments"]
    current = list(book["Commitments"].iter_rows(min_row=4, values_only=True))
    assert [(r[1], r[3], r[-1]) for r in current] == [
        ("Executive Office", "ownership", "pending"),
        ("IT", "courtesy", "pending"),
    ]
    previous = list(book["Previous commitments"].iter_rows(min_row=4, values_only=True))
    assert [(r[1], r[3], r[-1]) for r in previous] == [("IT", "ownership", "improved")]
    stream = io.BytesIO()
    render_scorecards(cycle_id=q2.id, fmt="pdf", stream=stream, department_id=company["it"].id)
    text = PdfReader(io.BytesIO(stream.getvalue())).pages[0].extract_text()
    assert "Commitments" in text and "2026-Q1: Ownership (supplier) · Improved" in text
    assert "2026-Q2: Courtesy (supplier) · due" in text and "Reliability" not in text.split("Commitments")[-1]
