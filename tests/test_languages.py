"""Languages: the org file's `language` column, the navigation bar's choice, the browser's, in that order."""

import re

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
    originals = _english_originals(ignore={"Sales"})
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
