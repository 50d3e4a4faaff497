"""docs/interface.md stays true: every documented command runs its `--help` and takes the options
shown, every documented URL path resolves, the files' columns and the environment variables are
the code's, and every project command, page and setting is documented. What is listed as not
built yet must not exist (whoever builds it moves it into the interface)."""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command, get_commands, load_command_class
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve

from reports.exporters.links import LinkExporter
from reports.exporters.scorecards import ScorecardExporter
from surveys.importers import ORG_COLUMNS, RESPONSE_COLUMNS

BASE = Path(settings.BASE_DIR)
INTERFACE = (BASE / "docs" / "interface.md").read_text(encoding="utf-8")

# What stands in for each placeholder of a documented path.
EXAMPLES = {
    "cycle": "2026-Q3",
    "department-slug": "sales",
    "uidb64": "MQ",
    "token": "cbz1gk-0123456789abcdef0123456789abcdef",
    "action": "close",
    "upload-id": "5f0c6b1e-8d3a-4e55-9a1b-2c7d3e4f5a6b",
    "export-id": "0b6f3a52-9c1d-4f7e-8a2b-3c4d5e6f7a8b",
    "id": "42",
    "module-slug": "ownership",
    "anything-else": "v2/cycles/",
}


def section(heading: str) -> str:
    """The text under `## heading`, up to the next `## ` heading."""
    found = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", INTERFACE, flags=re.M | re.S)
    assert found, f"docs/interface.md has no '## {heading}' section"
    return found.group(1)


def first_cells(text: str) -> list[list[str]]:
    """The code spans of each table row's first cell (header rows have none)."""
    rows = []
    for line in text.splitlines():
        cell = re.match(r"^\|((?:[^|\\]|\\.)*)\|", line)
        spans = re.findall(r"`([^`]+)`", cell.group(1)) if cell else []
        if spans:
            rows.append([span.replace("\\|", "|") for span in spans])
    return rows


def documented_commands() -> dict[str, str]:
    """name → usage as documented, e.g. "import_org" → "FILE.csv [--dry-run]"."""
    commands = {}
    for usage, *_ in first_cells(section("Commands")):
        found = re.fullmatch(r"python manage\.py (\w+)\s*(.*)", usage)
        if found:
            commands[found.group(1)] = found.group(2)
    return commands


def documented_paths() -> list[str]:
    return [spans[0] for spans in first_cells(section("URLs"))]


def example(path: str) -> str:
    def substitute(match: re.Match) -> str:
        assert match.group(1) in EXAMPLES, f"{path}: no example for <{match.group(1)}> in tests/test_docs.py"
        return EXAMPLES[match.group(1)]

    return re.sub(r"<([\w-]+)>", substitute, path)


def project_apps() -> set[str]:
    """Apps of this repository (not installed packages)."""
    return {config.name for config in apps.get_app_configs() if Path(config.path).parent == BASE}


def parser_of(name: str):
    commands = get_commands()
    assert name in commands, f"docs/interface.md documents `manage.py {name}`, which does not exist"
    return load_command_class(commands[name], name).create_parser("manage.py", name)


# ---- Commands ----


def test_the_interface_documents_commands():
    assert {"import_org", "export_scorecards", "rollup"} <= documented_commands().keys()


@pytest.mark.parametrize("name", sorted(documented_commands()))
def test_every_documented_command_shows_its_help(name, capsys):
    parser_of(name)  # a clear message for a command that does not exist
    with pytest.raises(SystemExit) as exited:
        call_command(name, "--help")
    assert exited.value.code == 0
    assert re.match(rf"usage: .*\b{name} \[-h\]", capsys.readouterr().out)


@pytest.mark.parametrize(("name", "usage"), sorted(documented_commands().items()))
def test_every_documented_command_takes_the_options_and_arguments_shown(name, usage):
    parser = parser_of(name)
    options = {option: action for action in parser._actions for option in action.option_strings}
    positionals = [action for action in parser._actions if not action.option_strings]
    tokens = usage.replace("[", " ").replace("]", " ").split()
    given = 0
    while tokens:
        token = tokens.pop(0)
        if not token.startswith("-"):
            given += 1
            continue
        assert token in options, f"manage.py {name} has no option {token}"
        action = options[token]
        if action.nargs != 0:  # the documented value follows
            value = tokens.pop(0)
            if action.choices:
                assert value.split("|") == list(action.choices), f"manage.py {name} {token}: {action.choices}"
    assert given == len(positionals), f"manage.py {name} takes {[a.dest for a in positionals]}"
    required = {a.option_strings[0] for a in parser._actions if a.required and a.option_strings}
    assert required <= set(usage.split()), f"manage.py {name}: required {required} undocumented"


def test_every_project_command_is_documented():
    ours = {name for name, app in get_commands().items() if app in project_apps()}
    assert ours, "no project command found: is project_apps() right?"
    assert ours - documented_commands().keys() == set(), "document these commands in docs/interface.md"


def test_every_command_named_on_the_page_is_one_of_the_documented():
    text = INTERFACE.split("\n## Not built yet\n")[0]
    assert set(re.findall(r"manage\.py (\w+)", text)) <= documented_commands().keys()


# ---- URLs ----


@pytest.mark.parametrize("path", documented_paths())
def test_every_documented_path_resolves(path):
    try:
        resolve(example(path))
    except Resolver404:
        pytest.fail(f"docs/interface.md documents {path}, which no URL pattern serves")


def _project_routes(patterns, prefix="", *, ours: frozenset[str]) -> set[str]:
    """Every route served by views of the packages `ours`, placeholders written as <>."""
    routes = set()
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            routes |= _project_routes(pattern.url_patterns, route, ours=ours)
        elif isinstance(pattern, URLPattern) and pattern.callback.__module__.split(".")[0] in ours:
            routes.add(re.sub(r"<[^>]+>", "<>", route))
    return routes


def test_every_page_of_the_project_is_documented():
    documented = {re.sub(r"<[^>]+>", "<>", path).lstrip("/") for path in documented_paths()}
    served = _project_routes(get_resolver().url_patterns, ours=frozenset({"chainsurvey", *project_apps()}))
    assert {"", "healthz", "survey/"} <= served
    missing = served - documented
    assert missing == set(), "document these paths in docs/interface.md"


# ---- Files ----


@pytest.mark.parametrize(
    ("heading", "columns"),
    [
        ("Org file", ORG_COLUMNS),
        ("Historical answers", RESPONSE_COLUMNS),
        ("Scorecards", tuple(c.name for c in ScorecardExporter.columns)),
        ("Links", tuple(c.name for c in LinkExporter.columns)),
    ],
)
def test_every_documented_file_has_the_codes_columns(heading, columns):
    found = re.search(rf"^### {re.escape(heading)}\b.*?^Columns: `([^`]+)`", INTERFACE, flags=re.M | re.S)
    assert found, f"docs/interface.md: no 'Columns:' line under '### {heading}'"
    assert tuple(found.group(1).split(",")) == tuple(columns)


# ---- Environment variables ----


def variables_read() -> set[str]:
    read = set()
    settings_source = (BASE / "chainsurvey" / "settings.py").read_text()
    read |= set(re.findall(r"\benv(?:_flag|_int|_choice|\.\w+)\(\s*\"([A-Z][A-Z0-9_]*)\"", settings_source))
    for module in ("chainsurvey/gunicorn.py", "manage.py"):
        read |= set(
            re.findall(r"os\.environ\.(?:get|setdefault)\(\s*\"([A-Z][A-Z0-9_]*)\"", (BASE / module).read_text())
        )
    return read - {"DJANGO_SETTINGS_MODULE"}


def test_every_environment_variable_is_documented_and_every_documented_one_is_read():
    documented = {name for spans in first_cells(section("Environment variables")) for name in spans}
    read = variables_read()
    assert {"DATABASE_URL", "CHAINSURVEY_PASSWORD_LOGIN", "DJANGO_LOG_LEVEL", "WEB_CONCURRENCY"} <= read
    assert read - documented == set(), "document these variables in docs/interface.md"
    assert documented - read == set(), "docs/interface.md documents variables nothing reads"


# ---- Not built yet ----


def test_what_is_not_built_yet_does_not_exist_yet():
    planned = section("Not built yet")
    for name in re.findall(r"manage\.py (\w+)", planned):
        assert name not in get_commands(), f"`{name}` exists now: move it into docs/interface.md's Commands"
    for path in re.findall(r"`(/[^`\s]*)`", planned):
        with pytest.raises(Resolver404):
            resolve(example(path))
    for variable in re.findall(r"`([A-Z][A-Z0-9_]+)`", planned):
        assert variable not in variables_read(), f"{variable} is read now: move it into Environment variables"


# ---- Links between the documents ----


@pytest.mark.parametrize("document", ["README.md", "docs/architecture.md", "docs/interface.md"])
def test_every_relative_link_of_the_documents_leads_to_a_file(document):
    text = (BASE / document).read_text(encoding="utf-8")
    targets = [t for t in re.findall(r"\]\(([^)#\s]+)[^)]*\)", text) if not re.match(r"\w+:", t)]
    for target in targets:
        assert ((BASE / document).parent / target).exists(), f"{document} links to {target}, which is missing"


def test_the_readme_points_to_the_docs():
    readme = (BASE / "README.md").read_text(encoding="utf-8")
    assert "(docs/architecture.md)" in readme and "(docs/interface.md)" in readme
    assert "DESIGN.md" not in readme and "CONTRACT.md" not in readme
