"""surveys.dimensions: the one home of the contract's vocabulary (dimension slugs, scopes, the
survey's questions) and of the survey form's field names; no other module redefines them."""

import ast
from pathlib import Path

import pytest

import surveys
from surveys import dimensions
from surveys.dimensions import ALL_DIMENSIONS, QUESTIONS, SCOPES, field_name, parse_field_name

ROOT = Path(surveys.__file__).resolve().parent.parent
HOME = Path(dimensions.__file__).resolve()
VOCABULARY = {name: value for name, value in vars(dimensions).items() if name.isupper() and not name.startswith("_")}
SEQUENCES = {name: value for name, value in VOCABULARY.items() if isinstance(value, tuple)}
# Clients that speak to the app only over HTTP, as a browser does, and import nothing of it on purpose.
OUTSIDERS = {ROOT / "bench" / "_load_client.py"}


def _sources(*, tests: bool) -> list[Path]:
    paths = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if parts[0].startswith(".") or "migrations" in parts or path in (HOME, *OUTSIDERS):
            continue
        if tests or parts[0] != "tests":
            paths.append(path)
    return paths


def _spelled(node: ast.expr) -> tuple[tuple, bool] | None:
    """The strings a tuple, list or set display spells, vocabulary names resolved, and whether it
    names any vocabulary; None if it holds anything else."""
    values, named = [], False
    for element in node.elts:
        if isinstance(element, ast.Constant) and isinstance(element.value, str):
            values.append(element.value)
        elif isinstance(element, ast.Name) and isinstance(VOCABULARY.get(element.id), str):
            values.append(VOCABULARY[element.id])
            named = True
        elif isinstance(element, ast.Starred) and isinstance(element.value, ast.Name) and element.value.id in SEQUENCES:
            values.extend(SEQUENCES[element.value.id])
            named = True
        else:
            return None
    return tuple(values), named


def _is_copy(node: ast.expr, sequence: tuple, *, literals: bool) -> bool:
    """A set holding the sequence's words, a tuple or list rebuilding it from vocabulary names
    (another order is another sequence, such as the heatmap's), or, where `literals`, the words
    typed out in any order."""
    spelled = _spelled(node)
    if spelled is None or len(sequence) < 2:
        return False
    values, named = spelled
    if isinstance(node, ast.Set) or (literals and not named):
        return sorted(values) == sorted(sequence)
    return named and values == sequence


def _copies(path: Path, *, root: Path = ROOT) -> list[str]:
    """Where `path` redefines a vocabulary name at module level or spells out one of its sequences.
    Tests may type the contract's words out (they pin them); code may not."""
    where = path.relative_to(root)
    literals = where.parts[0] != "tests"
    tree = ast.parse(path.read_text(), str(path))
    found = []
    for node in tree.body:
        targets = (
            node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        )
        names = [n.id for target in targets for n in ast.walk(target) if isinstance(n, ast.Name)]
        found += [f"{where}:{node.lineno}: defines {n}" for n in names if n in VOCABULARY]
    for node in ast.walk(tree):
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            found += [
                f"{where}:{node.lineno}: spells out {name}"
                for name, sequence in SEQUENCES.items()
                if _is_copy(node, sequence, literals=literals)
            ]
    return found


def _field_names_built(path: Path, *, root: Path = ROOT) -> list[str]:
    """Where `path` builds or parses a survey field name (`f"p{id}-…"`, or a regex of it) by hand."""
    where = path.relative_to(root)
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.JoinedStr) and len(node.values) > 2:
            head, _, tail = node.values[:3]
            if (
                isinstance(head, ast.Constant)
                and head.value == "p"
                and isinstance(tail, ast.Constant)
                and str(tail.value).startswith("-")
            ):
                found.append(f"{where}:{node.lineno}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and "p(?P<" in node.value:
            found.append(f"{where}:{node.lineno}")
    return found


def test_no_module_redefines_the_vocabulary():
    assert [copy for path in _sources(tests=True) for copy in _copies(path)] == []


def test_the_vocabulary_check_finds_a_copy(tmp_path):
    copy = tmp_path / "copy.py"
    copy.write_text(
        'SUPPLIER = "supplier"\n'
        'scopes = ("management", "supplier")\n'
        "rows = (*SERVICE_DIMENSIONS, OVERALL)\n"
        'questions = {"skip", *ALL_DIMENSIONS, COMMENT}\n'
        "heatmap = (OVERALL, *SERVICE_DIMENSIONS)\n"
    )
    found = [line.split(": ", 1)[1] for line in _copies(copy, root=tmp_path)]
    assert found == ["defines SUPPLIER", "spells out SCOPES", "spells out ROW_DIMENSIONS", "spells out QUESTIONS"]


def test_only_surveys_dimensions_builds_or_parses_survey_field_names():
    assert [place for path in _sources(tests=False) for place in _field_names_built(path)] == []


def test_the_field_name_check_finds_one_built_by_hand(tmp_path):
    copy = tmp_path / "copy.py"
    copy.write_text('import re\nname = f"p{provider}-skip"\nFIELD = re.compile(r"^p(?P<id>[^-]*)-(?P<q>.*)$")\n')
    assert _field_names_built(copy, root=tmp_path) == ["copy.py:2", "copy.py:3"]


@pytest.mark.parametrize("question", QUESTIONS)
def test_a_field_name_parses_back_to_its_department_and_question(question):
    assert field_name(12, question) == f"p12-{question}"
    assert parse_field_name(field_name(12, question)) == ("12", question)


@pytest.mark.parametrize(
    ("name", "parsed"),
    [
        ("cycle", None),
        ("csrfmiddlewaretoken", None),
        ("p12", None),
        ("pabc-courtesy", ("abc", "courtesy")),  # a tampered POST: the form names the bad id
        ("p-courtesy", ("", "courtesy")),
        ("p12-", ("12", "")),
    ],
)
def test_parse_field_name_tells_survey_fields_from_other_names(name, parsed):
    assert parse_field_name(name) == parsed


def test_the_words_are_the_contracts():
    contract = (
        "willingness",
        "ownership",
        "responsiveness",
        "reliability",
        "courtesy",
        "communication",
        "expectation",
        "outcome",
    )
    assert contract == ALL_DIMENSIONS
    assert QUESTIONS[0] == "skip" and QUESTIONS[1:-1] == ALL_DIMENSIONS and QUESTIONS[-1] == "comment"
    assert SCOPES == ("supplier", "management")
