"""Languages: the org file's `language` column, the navigation bar's choice, the browser's, in that order."""

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
