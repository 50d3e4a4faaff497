"""Languages: the org file's `language` column, the navigation bar's choice, the browser's, in that order."""

import os
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from surveys.importers import parse_org
from surveys.models import Employee
from surveys.services.org import org_import
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

HEADER = "employee_id,email,full_name,department,role,language\n"


def parse(*lines, header=HEADER):
    return parse_org((header + "".join(line + "\n" for line in lines)).encode())


# ---- The org file's column ----


def test_the_language_column_is_read_case_insensitively_and_may_be_empty():
    parsed = parse("E1,a@example.com,Anna,Sales,employee,DE", "E2,b@example.com,Ben,Sales,employee,")
    assert parsed.ok, parsed.errors
    assert [r.language for r in parsed.data] == ["de", ""]


def test_a_file_without_the_column_says_nothing_about_languages():
    parsed = parse("E1,a@example.com,Anna,Sales,employee", header="employee_id,email,full_name,department,role\n")
    assert parsed.ok and parsed.data[0].language is None


def test_an_unknown_language_rejects_the_file_with_its_row():
    parsed = parse("E1,a@example.com,Anna,Sales,employee,de", "E2,b@example.com,Ben,Sales,employee,klingon")
    assert [str(e) for e in parsed.errors] == [
        "row 3: language 'klingon' is not offered: use one of en, de, fr, es or leave it empty"
    ]


def test_import_org_stores_the_language_and_a_file_without_the_column_keeps_it(tmp_path, capsys):
    path = tmp_path / "org.csv"
    path.write_text(HEADER + "E1,a@example.com,Anna,Sales,employee,fr\nE2,b@example.com,Ben,Sales,employee,\n")
    call_command("import_org", str(path))
    assert dict(Employee.objects.values_list("employee_id", "language")) == {"E1": "fr", "E2": ""}

    path.write_text("employee_id,email,full_name,department,role\nE1,a@example.com,Anna,Sales,employee\n")
    call_command("import_org", str(path))
    assert Employee.objects.get(employee_id="E1").language == "fr"

    path.write_text(HEADER + "E1,a@example.com,Anna,Sales,employee,es\n")
    summary = org_import(parse_org(path.read_bytes()).data, dry_run=False)
    assert summary.updated == 1 and Employee.objects.get(employee_id="E1").language == "es"


def test_import_org_with_a_bad_language_writes_nothing(tmp_path, capsys):
    path = tmp_path / "org.csv"
    path.write_text(HEADER + "E1,a@example.com,Anna,Sales,employee,xx\n")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_org", str(path))
    assert "row 2: language 'xx' is not offered" in capsys.readouterr().err
    assert not Employee.objects.exists()


# ---- Which language a page is served in ----

PASSWORD = "correct horse battery staple"


def signed_in(client, **employee):
    person = EmployeeFactory(**employee)
    client.force_login(person.user)
    return person


def test_the_browser_decides_for_someone_without_a_language(client):
    signed_in(client)
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
    assert response["Content-Language"] == "fr" and '<html lang="fr">' in response.content.decode()


def test_the_choice_in_the_navigation_bar_sticks_on_the_account(client):
    person = signed_in(client)
    response = client.post("/language/", {"language": "es", "next": "/survey/"})
    assert response.status_code == 302 and response["Location"] == "/survey/"
    person.refresh_from_db()
    assert person.chosen_language == "es"
    client.cookies.clear()  # another browser, the same account
    client.force_login(person.user)
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="de")["Content-Language"] == "es"


def test_the_org_file_wins_over_the_choice_and_the_browser(client):
    signed_in(client, language="de", chosen_language="fr")
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="es")["Content-Language"] == "de"


def test_an_unknown_choice_is_refused_and_an_outside_next_is_not_followed(client):
    person = signed_in(client)
    assert client.post("/language/", {"language": "xx"}).status_code == 400
    response = client.post("/language/", {"language": "de", "next": "https://evil.example/"})
    assert response["Location"] == "/"
    person.refresh_from_db()
    assert person.chosen_language == "de"


def test_someone_signed_out_may_choose_for_the_sign_in_page(client):
    client.post("/language/", {"language": "fr", "next": "/accounts/login/"})
    assert client.get("/accounts/login/")["Content-Language"] == "fr"


# ---- The employee's pages in German ----

SURVEY = "/survey/"


def _english_originals(*, ignore=()):
    """Every English text that has a German translation (the .mo file), as a page would show it."""
    import gettext
    import html

    from django.conf import settings

    # The app's own catalogue (not Django's, which translates the admin and its forms).
    with open(settings.BASE_DIR / "locale" / "de" / "LC_MESSAGES" / "django.mo", "rb") as handle:
        catalog = gettext.GNUTranslations(handle)._catalog
    originals = set()
    for key, translated in catalog.items():
        msgid = key[0] if isinstance(key, tuple) else key  # (msgid, plural index) for plural forms
        if not msgid or msgid in ignore or translated == msgid:
            continue  # the header, or the same word in both languages (e.g. "Administration")
        # Only the literal part before a placeholder or tag can be looked for on a page.
        head = re.split(r"%\(|<|\{", msgid)[0].strip()
        if len(head) >= 8:
            originals.add(html.escape(head, quote=False))
    return originals


@pytest.fixture
def german(client, employee):
    employee.language = "de"
    employee.save()
    client.force_login(employee.user)
    return client


def _assert_german(page: str, originals):
    import html as html_lib

    text = html_lib.unescape(page)
    found = sorted(o for o in originals if html_lib.unescape(o) in text)
    assert found == [], f"English left on a German page: {found}"


def test_the_employee_pages_in_german_show_none_of_the_english_originals(german, open_cycle, org):
    from surveys.dimensions import EXPECTATION, SERVICE_DIMENSIONS
    from surveys.models import Draft

    # Department names, "Overall" and the like are not translated texts of the page.
    originals = _english_originals(ignore={"Sales", "Executive Office"})
    assert len(originals) > 50 and "Submit my answers" in originals

    pages = {"home": german.get("/").content.decode()}
    draft = Draft.objects.create(
        employee=german_employee(german), cycle=open_cycle, providers=[org["sales"].id, org["it"].id]
    )
    pages["survey"] = german.get(SURVEY).content.decode()
    assert "Wie haben diese Abteilungen Sie in diesem Quartal unterstützt?" in pages["survey"]
    assert "Sie halten, was sie versprechen – immer wieder." in pages["survey"]  # a dimension's text
    assert "Kann ich nicht sagen" in pages["survey"] and "Ausgezeichnet" in pages["survey"]
    answers = {"cycle": open_cycle.name, "draft": str(draft.pk), "action": "submit"}
    for dep in (org["executive_office"].id, org["sales"].id, org["it"].id):
        answers.update({f"p{dep}-{slug}": "4" for slug in SERVICE_DIMENSIONS})
        answers[f"p{dep}-{EXPECTATION}"] = "3"
    pages["confirm"] = german.post(SURVEY, answers).content.decode()
    assert "Umfrage absenden?" in pages["confirm"], re.findall(r"<li>.*?</li>|scale-error.*?</div>", pages["confirm"])[
        :6
    ]
    pages["done"] = german.post(SURVEY, {**answers, "confirm": "1"}, follow=True).content.decode()
    assert "Danke: Ihre Umfrage" in pages["done"]
    german.logout()
    pages["login"] = german.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    for name, page in pages.items():
        assert '<html lang="de">' in page, name
        _assert_german(page, originals)


def german_employee(client):
    return Employee.objects.get(user_id=client.session["_auth_user_id"])


def test_exports_keep_the_contracts_columns_in_german(tmp_path):
    from django.utils import translation

    from reports.services import rollup_cycle
    from surveys.models import Cycle

    cycle = Cycle.objects.create(name="2026-Q1", status=Cycle.Status.PUBLISHED)
    rollup_cycle(cycle_id=cycle.id)
    out_en, out_de = tmp_path / "en.csv", tmp_path / "de.csv"
    call_command("export_scorecards", cycle.name, "-o", str(out_en))
    with translation.override("de"):
        call_command("export_scorecards", cycle.name, "-o", str(out_de))
    header = out_en.read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith("cycle,") and out_de.read_text(encoding="utf-8-sig").splitlines()[0] == header


def test_without_next_the_choice_goes_back_to_the_page_it_came_from(client):
    signed_in(client)
    response = client.post("/language/", {"language": "de"}, HTTP_REFERER="http://testserver/training/")
    assert response["Location"] == "http://testserver/training/"


# ---- The department page, the report pages around it, the error pages and the PDF in German ----

DEMO_EXECUTIVE = "elena.fischer@demo.example"


@pytest.fixture
def demo_company():
    import datetime

    from django.core.cache import cache

    from actions.demo import seed_demo

    cache.clear()
    return seed_demo(today=datetime.date(2026, 11, 15))  # 2026-Q1 to Q3 published, Q4 open


def _german_person(client, email: str) -> Employee:
    person = Employee.objects.get(user__email=email)
    person.language = "de"
    person.save()
    client.force_login(person.user)
    return person


# Parts of the department page that other modules write: the panels of the apps above reports
# (commitments: actions) and the figures that reports.charts builds. Their languages are theirs.
OTHERS_FIGURES = ("fig-dept-dimensions", "fig-dept-raters", "fig-dept-management", "fig-dept-trend")


def _without_others_parts(page: str) -> str:
    panels = re.compile(
        r'(aria-labelledby="summary-title">.*?</section>).*?(<section [^>]*aria-labelledby="dims-title")', re.S
    )
    page = panels.sub(r"\1\2", page)
    for figure in OTHERS_FIGURES:
        page = re.sub(rf'<script id="{figure}" type="application/json">.*?</script>', "", page, flags=re.S)
    return page


def test_the_department_page_and_the_report_pages_in_german_show_none_of_the_english_originals(client, demo_company):
    _german_person(client, DEMO_EXECUTIVE)
    names = set(Employee.objects.values_list("department__name", flat=True))
    originals = _english_originals(ignore=names)
    assert "Where to act first" in originals and "hidden to protect a small group" in originals
    pages = {}
    for slug in ("facilities", "executive-office", "it"):
        response = client.get(f"/reports/2026-Q3/departments/{slug}/")
        assert response.status_code == 200, slug
        pages[slug] = response.content.decode()
    facilities = pages["facilities"]
    assert (
        "Wo zuerst handeln" in facilities and "Zuerst verbessern: Verantwortung, Reaktionsschnelligkeit." in facilities
    )
    assert "Kommentare" in facilities and "Verlauf" in facilities
    # Figures in the German way: a decimal comma, a space before the percent sign.
    assert re.search(r"\d,\d\d", facilities) and re.search(r"\d,\d\u00a0%", facilities)
    assert not re.search(r'headline-value">\s*\d\.\d\d', facilities)
    pages["not published"] = client.get("/reports/2026-Q4/departments/facilities/").content.decode()
    assert "noch nicht veröffentlicht" in pages["not published"]
    pages["not found"] = client.get("/reports/2026-Q3/departments/nowhere/").content.decode()
    pages["unavailable"] = client.get("/reports/2026-Q4/scorecards.xlsx").content.decode()
    for name, page in pages.items():
        assert '<html lang="de">' in page, name
        _assert_german(_without_others_parts(page), originals)
    # The same page in English is another cache entry: English again, never the German body.
    Employee.objects.filter(user__email=DEMO_EXECUTIVE).update(language="en")
    client.force_login(Employee.objects.get(user__email=DEMO_EXECUTIVE).user)
    english = client.get("/reports/2026-Q3/departments/facilities/").content.decode()
    assert "Where to act first" in english and "Wo zuerst handeln" not in english


def test_the_error_pages_in_german(client, employee):
    employee.language = "de"
    employee.save()
    client.force_login(employee.user)
    originals = _english_originals()
    forbidden = client.get("/reports/")
    assert (
        forbidden.status_code == 403 and "Diese Seite ist nicht für Ihre Rolle bestimmt" in forbidden.content.decode()
    )
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404 and "Unter dieser Adresse gibt es nichts" in missing.content.decode()
    for page in (forbidden.content.decode(), missing.content.decode()):
        _assert_german(page, originals)
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override("de"):
        import datetime

        from django.utils import timezone

        expires = timezone.now() + datetime.timedelta(minutes=30)
        for status, words in (("pending", "Diese Seite prüft alle 2 Sekunden"), ("done", "Die Datei ist fertig")):
            job = {"status": status, "filename": "chainsurvey-2026-Q3-scorecards.xlsx", "expires": expires}
            page = render_to_string("reports/export_status.html", {"job": job, "poll_seconds": 2})
            assert words in page, status
            assert status == "pending" or "Der Link funktioniert nur für Sie, bis" in page
            _assert_german(page, originals)
        for name in ("400.html", "403_csrf.html", "500.html"):
            page = render_to_string(name)
            assert 'lang="de"' in page and "Zurück zur Startseite" in page, name
            _assert_german(page, originals)


def test_a_department_pdf_downloaded_in_german_is_german_and_the_command_line_writes_english(client, demo_company):
    import io

    from pypdf import PdfReader

    _german_person(client, DEMO_EXECUTIVE)
    response = client.get("/reports/2026-Q3/departments/facilities/scorecard.pdf")
    assert response.status_code == 200, response.status_code
    if os.environ.get("SCREENSHOT_DIR"):  # for a person to look at (pdftoppm -png)
        (Path(os.environ["SCREENSHOT_DIR"]) / "facilities-2026-Q3-de.pdf").write_bytes(response.content)
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "Scorecard der Abteilung, 2026-Q3" in text and "Seite 1 von 1" in text
    assert "Insgesamt als Dienstleister" in text and "Verlauf: Gesamtmittelwert je Zyklus" in text
    # The commitments' lines are the actions app's part of the page (reports.panels), in its words.
    text = "\n".join(line for line in text.splitlines() if not re.match(r"20\d\d-Q\d: ", line))
    assert re.search(r"\b\d,\d\d\b", text) and not re.search(r"\b[1-5]\.\d\d\b", text)
    assert re.search(r"73\s% der 15 Mitarbeitenden haben teilgenommen", text)
    for english in ("Department scorecard", "Overall as a supplier", "Page 1 of", "hidden to protect"):
        assert english not in text

    # The whole company's PDF: its summary page too.
    response = client.get("/reports/2026-Q3/scorecards.pdf")
    assert response.status_code == 200
    if os.environ.get("SCREENSHOT_DIR"):
        (Path(os.environ["SCREENSHOT_DIR"]) / "scorecards-2026-Q3-de.pdf").write_bytes(response.content)
    summary = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "Scorecards der Abteilungen, 2026-Q3" in summary and "Schwächste Abteilung" in summary
    assert "Die Kette ist am schwächsten bei" in summary and "Wer bewertet wen" in summary

    from reports.exporters import render_scorecards
    from surveys.models import Cycle

    cycle = Cycle.objects.get(name="2026-Q3")
    facilities = Employee.objects.filter(department__slug="facilities").first().department
    english = io.BytesIO()
    from django.utils import translation

    with translation.override("de"):  # the command line and a worker without a language: LANGUAGE_CODE
        render_scorecards(cycle_id=cycle.id, fmt="pdf", stream=english, department_id=facilities.id)
    text = PdfReader(io.BytesIO(english.getvalue())).pages[0].extract_text()
    assert "Department scorecard, 2026-Q3" in text and "Page 1 of 1" in text


def test_the_scorecard_csv_is_the_same_bytes_in_every_language(client, hr, tmp_path):
    from django.utils import translation

    from reports.services import rollup_cycle
    from surveys.models import Cycle
    from tests.reports.builders import add_answers, full_survey

    cycle = Cycle.objects.create(name="2026-Q3", status=Cycle.Status.PUBLISHED, min_group_size=3)
    sales, it = Employee.objects.get(pk=hr.pk).department, None
    from surveys.models import Department

    it = Department.objects.get(slug="it")
    add_answers(cycle, [row for r in range(1, 4) for row in full_survey(r, sales, it, 4, expectation=3)])
    rollup_cycle(cycle_id=cycle.id)
    client.force_login(hr.user)
    downloads = {}
    for language in ("en", "de", "fr", "es"):
        Employee.objects.filter(pk=hr.pk).update(language=language)
        client.force_login(hr.user)
        response = client.get("/reports/2026-Q3/scorecards.csv")
        assert response["Content-Language"] == language
        downloads[language] = b"".join(response.streaming_content)
        out = tmp_path / f"{language}.csv"
        with translation.override(language):
            call_command("export_scorecards", cycle.name, "-o", str(out))
        assert out.read_bytes() == downloads[language], language
    assert len(set(downloads.values())) == 1
    assert downloads["de"].startswith(b"cycle,department,scope,dimension,respondents,ratings,mean,")
    assert b",4.00,100.0,3.00,1.00,," in downloads["de"]  # a decimal point, never a comma


def test_the_workbook_downloaded_in_german_keeps_its_sheets_and_typed_numbers(client, demo_company):
    import io

    import openpyxl

    _german_person(client, DEMO_EXECUTIVE)
    response = client.get("/reports/2026-Q3/scorecards.xlsx")
    assert response.status_code == 200
    if os.environ.get("SCREENSHOT_DIR"):
        (Path(os.environ["SCREENSHOT_DIR"]) / "scorecards-2026-Q3-de.xlsx").write_bytes(response.content)
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    # The sheets keep their names (the file's structure); the words in them are German.
    assert book.sheetnames[:2] == ["Summary", "Links"] and book.sheetnames[-1] == "Read-me"
    summary = book["Summary"]
    assert summary["A1"].value == "Chain Survey – Scorecards der Abteilungen, 2026-Q3"
    assert summary["A2"].value == "Schwächste Abteilung" and isinstance(summary["B2"].value, float)
    assert [c.value for c in summary[6]][:3] == ["Abteilung", "Antwortende", "Mittelwert (1–5)"]
    facilities = book["Facilities"]
    assert facilities["A1"].value == "Facilities – Scorecard 2026-Q3"
    labels = [row[0].value for row in facilities.iter_rows(min_row=1, max_row=30)]
    assert "Hilfsbereitschaft" in labels and "Insgesamt (alle sechs)" in labels
    # Figures are numbers, shown by the reader's spreadsheet in its own format (a decimal comma in German).
    means = [row[3].value for row in facilities.iter_rows(min_row=1, max_row=30) if row[0].value == "Verantwortung"]
    assert means and all(isinstance(m, float) for m in means)
    assert "Begriff" in [c.value for c in book["Read-me"]["A"]]
