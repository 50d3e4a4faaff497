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
        if len(head) >= 8 and head != "Chain Survey":  # the product's name is the same in every language
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

    from surveys.models import Department

    # Identifiers are not words of the page (a form field named "especially_for"): attributes that
    # name, link or style are left out; those a reader meets (aria-label, title, alt…) stay.
    identifiers = r'\s(?:id|name|for|class|href|aria-(?:describedby|labelledby|controls)|data-[\w-]+)="[^"]*"'
    page = re.sub(identifiers, "", page)
    text = html_lib.unescape(page)
    # A department's name is the org file's data, not the app's words, even where it equals one
    # of them (the top's name, "Executive Office", is also the headline's fallback label).
    names = set(Department.objects.values_list("name", flat=True))
    found = sorted(o for o in originals if html_lib.unescape(o) in text and html_lib.unescape(o) not in names)
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


# ---- Commitments, training, recognition, HR, sign-in and token pages in German ----


@pytest.fixture
def results(org, employee, manager, hr):
    """Two published cycles (IT rated 2 then 4 by Sales and the Executive Office) and a commitment
    of Sales on each, one of them still a draft: every part of the commitments pages shows."""
    import datetime

    from django.utils import timezone

    from actions.models import Commitment
    from tests.actions.builders import published_cycle

    eo, sales, it = org["executive_office"], org["sales"], org["it"]
    q1 = published_cycle(
        "2026-Q1",
        {(sales, it): 2, (eo, it): 2, (it, sales): 3, (eo, sales): 3, (sales, sales): 3, (it, eo): 3},
        published_at=timezone.now() - datetime.timedelta(days=100),
    )
    q2 = published_cycle(
        "2026-Q2",
        {(sales, it): 4, (eo, it): 4, (it, sales): 4, (eo, sales): 4, (sales, sales): 4, (it, eo): 3},
    )
    today = timezone.localdate()
    for cycle, published in ((q1, True), (q2, True), (q2, False)):
        commitment = Commitment.objects.create(
            cycle=cycle,
            department=sales,
            scope="supplier",
            dimension="responsiveness",
            text="We answer every request within a day.",
            owner=manager,
            due=today + datetime.timedelta(days=30),
            published_at=timezone.now() if published else None,
        )
        commitment.especially_for.add(it)
    return {"q1": q1, "q2": q2, "draft": commitment}


def _starter_training_parts() -> list[str]:
    """Every text a reader meets in the starter training (migration 0002): titles, summaries, each
    paragraph of a body, each moment and self-check question, as the pages split them."""
    import importlib

    from actions.training import lines, paragraphs

    starter = importlib.import_module("actions.migrations.0002_training_modules")
    parts = []
    for module in starter.MODULES:
        parts += [module["title"], module["summary"], *paragraphs(module["body"])]
        parts += [*lines(module.get("moments", "")), *lines(module.get("self_check", ""))]
    return parts


def test_every_text_of_the_starter_training_is_translated_into_each_language():
    from django.utils import translation

    parts = _starter_training_parts()
    assert len(parts) > 150
    for language in ("de", "fr", "es"):
        with translation.override(language):
            untranslated = [part for part in parts if translation.gettext(part) == part]
        assert untranslated == [], (language, untranslated[:3])


def _walk(client, person, paths):
    person.language = "de"
    person.save()
    client.force_login(person.user)
    pages = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        pages[path] = response.content.decode()
    return pages


def test_commitments_training_recognition_hr_and_token_pages_in_german(client, results, employee, manager, hr):
    from actions.models import Commitment, TrainingModule

    originals = _english_originals(ignore={"Sales"})
    assert "Willingness to help: say yes to the person first" in originals  # a module's own text
    modules = TrainingModule.objects.filter(is_active=True)
    everyone = [f"/training/{m.slug}/" for m in modules if m.kind == TrainingModule.Kind.MODULE]
    guides = [f"/training/{m.slug}/" for m in modules if m.kind == TrainingModule.Kind.COACHING]
    assert len(everyone) == len(guides) == 6
    # A published commitment names the module its staff will complete.
    for commitment in Commitment.objects.filter(published_at__isnull=False):
        commitment.modules.add(modules.get(slug="ownership"))
    draft = results["draft"]
    walks = {
        employee: ["/actions/", "/training/", *everyone, "/recognition/", "/accounts/tokens/"],
        manager: [
            "/",
            "/training/",
            *guides,
            "/actions/2026-Q2/departments/sales/",
            f"/actions/2026-Q2/departments/sales/{draft.pk}/edit/",
            "/recognition/2026-Q1/",
        ],
        hr: ["/actions/2026-Q2/", "/hr/cycles/", "/hr/org/"],
    }
    seen = {}
    for person, paths in walks.items():
        client.logout()
        seen.update(_walk(client, person, paths))
    department = seen["/actions/2026-Q2/departments/sales/"]
    assert "Vorgeschlagener Schwerpunkt" in department and "Neue Zusage" in department
    assert "Was wir tun werden" in department and "Fällig bis" in department  # the contract's labels, in German
    assert "Reaktionsschnelligkeit" in department  # the dimension's label
    assert "Veröffentlichen" in department
    assert "Die Zusagen aller Abteilungen" in seen["/"] or "Zusagen" in seen["/"]
    assert "Zusagen zu den Ergebnissen von 2026-Q2" in seen["/actions/2026-Q2/"]
    assert "Umfragezyklen" in seen["/hr/cycles/"] and "Organisation hochladen" in seen["/hr/org/"]
    assert "Ihre API-Tokens" in seen["/accounts/tokens/"]
    # The training in German: the modules' titles, summaries, bodies, moments and self-checks.
    assert "Hilfsbereitschaft: Sagen Sie zuerst Ja zum Menschen" in seen["/training/"]
    willingness = seen["/training/willingness/"]
    assert "Jede Abteilung in diesem Unternehmen ist ein Glied derselben Kette." in willingness
    assert "Bei welcher Abteilung fällt mir Hilfsbereitschaft am schwersten, und warum?" in willingness
    assert "Coaching-Leitfaden: mit Ihrem Team über Verantwortung sprechen" in seen["/training/ownership-coaching/"]
    assert "Verantwortung: nie „dafür bin ich nicht zuständig“" in department  # a commitment's module
    for path, page in seen.items():
        assert '<html lang="de">' in page, path
        _assert_german(page, originals)


def test_sign_in_and_survey_side_pages_in_german(client, employee, outsider):
    originals = _english_originals(ignore={"Sales"})
    client.cookies.load({"django_language": "de"})
    pages = {path: client.get(path).content.decode() for path in ("/accounts/password_reset/", "/accounts/login/")}
    pages["reset_done"] = client.get("/accounts/password_reset/done/").content.decode()
    pages["reset_invalid"] = client.get("/accounts/reset/MQ/bad-token/").content.decode()
    employee.language = "de"
    employee.save()
    client.force_login(employee.user)
    pages["closed"] = client.get("/survey/").content.decode()  # no cycle open
    pages["home"] = client.get("/").content.decode()
    client.force_login(outsider)
    pages["not_in_org"] = client.get("/survey/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Passwort festlegen oder zurücksetzen" in pages["/accounts/password_reset/"]
    assert "Derzeit ist keine Umfrage geöffnet" in pages["closed"]
    assert "Sie stehen nicht in der Organisationsdatei" in pages["not_in_org"]
    for page in pages.values():
        _assert_german(page, originals)


def test_the_same_pages_keep_their_english_for_an_english_reader(client, results, manager):
    client.force_login(manager.user)
    page = client.get("/actions/2026-Q2/departments/sales/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for label in ("Scope", "Dimension", "What we will do", "Owner", "Due by", ">Publish<"):
        assert label in page, label


def test_dates_and_numbers_are_written_the_languages_way():
    import datetime

    from django.template import Context, Template
    from django.utils import translation

    template = Template(
        '{% load local_dates %}{{ day|day:"j M Y" }} · {{ day|day:"l j F Y" }} · {{ mean|floatformat:2 }}'
    )
    context = Context({"day": datetime.date(2026, 12, 7), "mean": 3.456})
    written = {}
    for language in ("en", "de", "fr", "es"):
        with translation.override(language):
            written[language] = template.render(context)
    assert written == {
        "en": "7 Dec 2026 · Monday 7 December 2026 · 3.46",
        "de": "7. Dez 2026 · Montag, 7. Dezember 2026 · 3,46",
        "fr": "7 déc 2026 · lundi 7 décembre 2026 · 3,46",
        "es": "7 dic 2026 · lunes, 7 de diciembre de 2026 · 3,46",
    }


def test_recognition_sentences_are_written_in_the_readers_language(results):
    from django.utils import translation

    from actions.recognition import recognition

    found = recognition(cycle=results["q2"])
    assert found.praises
    with translation.override("en"):
        english = [p.sentence for p in found.praises]
    with translation.override("de"):
        german = [p.sentence for p in found.praises]
    assert any("rates the service it gets from" in s for s in english)
    assert any("bewertet den Service, den sie von" in s for s in german)
    assert all("rates the service" not in s and " overall" not in s for s in german)


# ---- Emails in the recipient's language ----


def test_an_invitation_goes_out_in_each_persons_language(open_cycle, org):
    from invitations.models import Notice
    from invitations.services import notice_message

    german = EmployeeFactory(department=org["sales"], language="de", user__email="greta@example.com")
    chose_french = EmployeeFactory(department=org["sales"], chosen_language="fr", user__email="fanny@example.com")
    english = EmployeeFactory(department=org["sales"], user__email="eddie@example.com")
    messages = {}
    for person in (german, chose_french, english):
        notice = Notice.objects.create(employee=person, cycle=open_cycle, kind=Notice.Kind.INVITATION)
        messages[person.user.email] = notice_message(notice)
    de, fr, en = (messages[e] for e in ("greta@example.com", "fanny@example.com", "eddie@example.com"))
    assert de.subject.startswith("Chain Survey 2026-Q4 ist geöffnet: Bewerten Sie den Service")
    assert "Ihre Antworten sind anonym" in de.body and "Umfrage beantworten" in de.alternatives[0][0]
    assert '<html lang="de">' in de.alternatives[0][0] and de.extra_headers["Content-Language"] == "de"
    assert fr.subject.startswith("La Chain Survey 2026-Q4 est ouverte")
    assert en.subject == "Chain Survey 2026-Q4 is open: rate the service you get from other departments"
    assert "Your answers are anonymous" in en.body and '<html lang="en">' in en.alternatives[0][0]
    _assert_german(de.body + de.alternatives[0][0], _english_originals(ignore={"Sales"}))


def test_a_commitment_notice_is_written_in_the_readers_language_whatever_the_senders(results, manager, employee):
    from django.utils import translation

    from actions import notices
    from actions.models import Commitment

    manager.language = "de"
    manager.save()
    commitment = Commitment.objects.filter(published_at__isnull=False, cycle=results["q2"]).first()
    context = {
        "commitment": commitment,
        "department": commitment.department,
        "dimension": "Responsiveness",
        "is_owner": True,
        "manages": True,
        "page_url": "https://survey.example.com/actions/",
    }
    with translation.override("fr"):  # whatever language the sending task or page runs in
        german = notices.message(notices._planned("due_soon", results["q2"], manager, str(commitment.pk), context))
        english = notices.message(
            notices._planned("due_soon", results["q2"], employee, str(commitment.pk), {**context, "is_owner": False})
        )
    assert german.subject.startswith("Fällig am ") and "Zusage von Sales zu Reaktionsschnelligkeit" in german.subject
    assert "Eine Zusage, für die Sie verantwortlich sind, ist am" in german.body
    assert english.subject.startswith("Due ") and "Sales's commitment on Responsiveness" in english.subject
    assert "A commitment of Sales is due on" in english.body
    _assert_german(german.body + german.alternatives[0][0], _english_originals(ignore={"Sales"}))


# ---- The HR workspace in German: every state of a cycle, its confirmations, the org preview ----


@pytest.fixture
def hr_cycles(results, org, open_cycle):
    """A draft, an open cycle with participation (one department under the threshold), a closed
    one with its results computed, and the two published ones of `results`."""
    import datetime

    from django.utils import timezone

    from reports.services import rollup_cycle
    from surveys.models import Cycle, CycleHeadcount, Participation

    draft = Cycle.objects.create(name="2027-Q1", closes_on=timezone.localdate() + datetime.timedelta(days=30))
    for department, staff, took_part in ((org["sales"], 10, 2), (org["it"], 6, 5)):
        CycleHeadcount.objects.create(cycle=open_cycle, department=department, eligible=staff)
        Participation.objects.bulk_create(
            [
                Participation(employee=EmployeeFactory(department=department), cycle=open_cycle, department=department)
                for _ in range(took_part)
            ]
        )
    closed = Cycle.objects.create(
        name="2026-Q3",
        status=Cycle.Status.CLOSED,
        opens_at=timezone.now() - datetime.timedelta(days=20),
        closed_at=timezone.now() - datetime.timedelta(days=1),
        closes_on=timezone.localdate() + datetime.timedelta(days=3),  # closed early
    )
    rollup_cycle(cycle_id=closed.id)
    return {"draft": draft, "open": open_cycle, "closed": closed, "published": results["q2"]}


def test_the_hr_workspace_in_german_in_every_state_of_a_cycle(client, hr, hr_cycles):
    originals = _english_originals(ignore={"Sales"})
    draft, open_, closed, published = (hr_cycles[k].name for k in ("draft", "open", "closed", "published"))
    seen = _walk(
        client,
        hr,
        [
            f"/hr/cycles/{draft}/",
            f"/hr/cycles/{draft}/open/",
            f"/hr/cycles/{draft}/publish/",  # refused: a draft is not published
            f"/hr/cycles/{open_}/",
            f"/hr/cycles/{open_}/invite/",
            f"/hr/cycles/{open_}/remind/",
            f"/hr/cycles/{open_}/close/",
            f"/hr/cycles/{closed}/",
            f"/hr/cycles/{closed}/publish/",
            f"/hr/cycles/{closed}/rollup/",
            f"/hr/cycles/{published}/",
        ],
    )
    assert f"Zyklus {draft}" in seen[f"/hr/cycles/{draft}/"]
    assert "Für Antworten öffnen" in seen[f"/hr/cycles/{draft}/open/"]
    assert "Dieser Schritt ist jetzt nicht möglich" in seen[f"/hr/cycles/{draft}/publish/"]
    open_page = seen[f"/hr/cycles/{open_}/"]
    assert "Bisher teilgenommen: 7 von 16" in open_page and "Beteiligung je Abteilung" in open_page
    assert "Einladungen: 0 gesendet" in open_page and "Erinnerungen jetzt senden" in open_page
    close = seen[f"/hr/cycles/{open_}/close/"]
    assert "Schließen und Ergebnisse berechnen" in close and "Rücklauf unter" in close
    assert "Personen haben nicht teilgenommen" in close
    assert "jetzt eine Einladung" in seen[f"/hr/cycles/{open_}/invite/"]
    closed_page = seen[f"/hr/cycles/{closed}/"]
    assert "vorzeitig geschlossen" in closed_page and "Berechnet aus" in closed_page
    assert "Zuletzt abgeschlossen am" in closed_page and "Mindestgruppengröße" in closed_page
    assert "Ergebnisse veröffentlichen" in seen[f"/hr/cycles/{closed}/publish/"]
    published_page = seen[f"/hr/cycles/{published}/"]
    assert "Excel-Arbeitsmappe" in published_page and "Die PDF-Seite einer Abteilung" in published_page
    for path, page in seen.items():
        assert '<html lang="de">' in page, path
        _assert_german(page, originals)

    # What HR is told after each step, and a refusal, in German too.
    created = client.post("/hr/cycles/", {"name": "2027-Q2", "closes_on": ""}, follow=True).content.decode()
    assert "Zyklus 2027-Q2 als Entwurf angelegt" in created
    refused = client.post(f"/hr/cycles/{draft}/open/", {"closes_on": hr_cycles["draft"].closes_on}, follow=True)
    assert f"Zyklus {open_} ist geöffnet: Schließen Sie ihn, bevor Sie {draft} öffnen." in refused.content.decode()
    for page in (created, refused.content.decode()):
        _assert_german(page, originals)


def test_the_org_preview_and_its_row_errors_in_german(client, hr, org, employee, manager):
    from django.core.files.uploadedfile import SimpleUploadedFile

    originals = _english_originals(ignore={"Sales"})
    header = "employee_id,email,full_name,department,role\n"

    def upload(*lines):
        content = (header + "".join(line + "\n" for line in lines)).encode()
        return client.post("/hr/org/", {"file": SimpleUploadedFile("org.csv", content, "text/csv")})

    _walk(client, hr, [])
    rows = [
        f"{hr.employee_id},{hr.user.email},{hr.user.full_name},Human Resources,hr",
        f"{employee.employee_id},new-{employee.user.email},{employee.user.full_name},IT,employee",  # moved, new email
        "N1,nina@example.com,Nina Neu,Légal,employee",
    ]
    response = upload(*rows)  # the manager leaves: a third of the active people, so the count is typed
    assert response.status_code == 302
    preview = client.get(response.url).content.decode()
    assert "Was org.csv ändern würde" in preview and "1 neu</li>" in preview and "1 deaktiviert</li>" in preview
    assert "Diese Datei deaktiviert 1 von 3 aktiven Personen" in preview and "Neue Abteilungen (1)" in preview
    assert "Diese Datei ändert die Anmeldeadresse von 1 Person." in preview
    # The "What changes" column in German: the fields' names, the values as written.
    assert f"E-Mail: {employee.user.email} → new-{employee.user.email}" in preview
    assert re.search(r"Abteilung: [^;<]+ → IT", preview), "the move in German"
    stale = client.post(response.url, {"decision": "confirm", "digest": "x" * 64}, follow=True).content.decode()
    assert "Die Organisation hat sich seit dieser Vorschau geändert" in stale
    digest = re.search(r'name="digest" value="([0-9a-f]{64})"', preview).group(1)
    uncounted = client.post(response.url, {"decision": "confirm", "digest": digest, "deactivations": ""})
    assert uncounted.status_code == 400
    assert "Diese Datei deaktiviert 1 Person: Geben Sie diese Zahl zum Bestätigen ein." in uncounted.content.decode()
    discarded = client.post(response.url, {"decision": "discard"}, follow=True).content.decode()
    assert "Hochladen verworfen: Es wurde nichts geändert." in discarded

    errors = upload("E1,not-an-email,Cy,Sales,employee").content.decode()
    assert "Die Datei wurde nicht importiert" in errors and 'fw-normal">2</th>' in errors
    assert "Korrigieren Sie diese Zeilen" in errors
    for page in (preview, stale, uncounted.content.decode(), discarded, errors):
        assert '<html lang="de">' in page
        _assert_german(page, originals)


def test_an_org_plan_is_the_same_whichever_language_it_is_previewed_in_and_says_its_changes_in_each(org, employee):
    from django.utils import translation

    from surveys.services.org import org_plan

    line = f"{employee.employee_id},{employee.user.email},{employee.user.full_name} Neu,IT,manager,de"
    rows = parse(line).data
    plans = {}
    for language in ("en", "de", "fr", "es"):
        with translation.override(language):
            plan = org_plan(rows)
            plans[language] = (plan.digest, plan.updated[0].change_words)
    assert len({digest for digest, _ in plans.values()}) == 1  # confirming in another language is no stale plan
    name = employee.user.full_name
    assert plans["en"][1] == [
        f"name: {name} → {name} Neu",
        f"department: {employee.department.name} → IT",
        "role: Employee → Manager",
        "language: none → de",
    ]
    assert plans["de"][1][2:] == ["Rolle: Mitarbeitende → Führungskraft", "Sprache: keine → de"]
    assert plans["fr"][1][2:] == ["rôle : Salarié → Responsable", "langue : aucune → de"]
    assert plans["es"][1][0] == f"nombre: {name} → {name} Neu"


def test_the_hr_cycle_page_in_french_and_spanish_with_their_dates(client, hr, org):
    import datetime

    from surveys.models import Cycle

    Cycle.objects.create(name="2027-Q1", closes_on=datetime.date(2027, 3, 31))
    client.force_login(hr.user)
    for language, words, day in (
        ("fr", ("Cycle 2027-Q1", "Taille minimale de groupe", "Ouvrir 2027-Q1 aux réponses…"), "31 mar 2027"),
        ("es", ("Ciclo 2027-Q1", "Tamaño mínimo de grupo", "Abrir 2027-Q1 a las respuestas…"), "31 mar 2027"),
    ):
        hr.chosen_language = language
        hr.save()
        page = client.get("/hr/cycles/2027-Q1/").content.decode()
        assert f'<html lang="{language}">' in page
        for word in (*words, day):
            assert word in page, (language, word)
        assert "31 Mar 2027" not in page  # the closing day in the language's own way


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
# (commitments: actions). Their languages are theirs. The figures (reports.charts) are checked too.


def _without_others_parts(page: str) -> str:
    panels = re.compile(
        r'(aria-labelledby="summary-title">.*?</section>).*?(<section [^>]*aria-labelledby="dims-title")', re.S
    )
    return panels.sub(r"\1\2", page)


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


def _figures(content: bytes) -> dict:
    from tests.reports.test_dashboard_views import json_payloads

    return json_payloads(content)


def test_the_dashboard_in_german_shows_none_of_the_english_originals_in_its_text_and_figures(client, demo_company):
    _german_person(client, DEMO_EXECUTIVE)
    names = set(Employee.objects.values_list("department__name", flat=True))
    originals = _english_originals(ignore=names)
    assert "The weakest-link heatmap" in originals and "Supplier (rated department)" in originals
    response = client.get("/reports/2026-Q3/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="de">' in page and "Wo die Kette reißt · 2026-Q3" in page
    assert "Die Heatmap der schwächsten Glieder" in page and "Führung (eigenes Personal)" in page
    assert "Asymmetrie: die Kette von beiden Enden gesehen" in page and "Berechnet am " in page
    # The figures' words, read from their data: German, Plotly's placeholders kept.
    figures = _figures(response.content)
    expectation = figures["fig-expectation"]
    assert expectation["layout"]["xaxis"]["title"]["text"] == "Erwartet (mittlere Erwartung)"
    assert [t["name"] for t in expectation["data"]] == ["Genau erfüllt", "Abteilung"]
    assert expectation["data"][1]["hovertemplate"] == (
        "%{customdata[0]}<br>Erwartet %{customdata[1]}<br>Erlebt %{customdata[2]}<br>Abstand %{customdata[3]}"
        "<extra></extra>"
    )
    assert re.fullmatch(r"\d,\d\d", expectation["data"][1]["customdata"][0][1])  # a decimal comma
    assert figures["fig-trends"]["layout"]["yaxis"]["title"]["text"] == "Gesamtmittelwert (1–5)"
    assert figures["fig-asymmetry"]["layout"]["xaxis"]["title"]["text"] == "Wie gut A B bedient (Bewertung von B)"
    words = figures["heatmap-data"]["words"]
    assert words["supplierAxis"] == "Dienstleister (bewertete Abteilung)" and words["show"] == "Ganze Heatmap zeigen"
    assert "Mittelwert %{customdata[2]}" in words["hover"] and figures["heatmap-data"]["hiddenText"] == "verborgen"
    _assert_german(page, originals)
    # The same dashboard in English is another cache entry: English again, figures included.
    Employee.objects.filter(user__email=DEMO_EXECUTIVE).update(language="en")
    client.force_login(Employee.objects.get(user__email=DEMO_EXECUTIVE).user)
    english = client.get("/reports/2026-Q3/")
    assert "The weakest-link heatmap" in english.content.decode()
    assert _figures(english.content)["fig-expectation"]["layout"]["xaxis"]["title"]["text"] == (
        "Expected (mean expectation)"
    )


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


def test_a_label_inside_a_sentence_is_lower_cased_except_in_german():
    from django.utils import translation

    from accounts.templatetags.local_dates import midsentence

    for language, expected in (("en", "no clear change"), ("fr", "no clear change"), ("de", "No clear change")):
        with translation.override(language):
            assert midsentence("No clear change") == expected


def test_the_sign_in_form_labels_the_address_in_the_readers_language(client):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "E-Mail-Adresse" in page and "Email address" not in page
