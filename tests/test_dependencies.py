"""The direction of dependency of docs/architecture.md, checked on every import the code writes
(inside functions too): higher apps read lower ones, never the reverse; no circle inside
`reports`; only tasks modules import the Celery app."""

from tests.import_graph import PACKAGES, circles, module_graph, project_imports

# Who reads whom directly, as in the picture of docs/architecture.md; anything reachable is allowed.
READS = {
    "chainsurvey": {"api", "hr", "actions", "invitations", "accounts", "reports", "surveys"},
    # The read-only API renders the exporters of reports and actions; its tokens sign people in
    # with accounts' role-loading backend.
    "api": {"actions", "reports", "surveys", "accounts"},
    "hr": {"actions", "reports", "invitations", "surveys"},
    # Commitments and training: above the snapshot they read; reports shows them through reports.panels.
    "actions": {"reports", "invitations", "surveys"},
    "reports": {"surveys"},
    "invitations": {"surveys"},
    "surveys": {"accounts"},
    "accounts": set(),
}
# The one way up: the role-loading query of accounts.backends reads surveys' role names, in a function.
ACCOUNTS_READS_OF_SURVEYS = {"surveys.roles"}


def _below(app: str) -> set[str]:
    found, todo = set(), [app]
    while todo:
        for lower in READS[todo.pop()] - found:
            found.add(lower)
            todo.append(lower)
    return found


def _app(module: str) -> str:
    return module.split(".")[0]


def _imports_between_apps():
    for module, found in project_imports().items():
        for imported in found:
            if imported.app in PACKAGES and imported.app != _app(module):
                yield imported


def _is_tasks_module(module: str) -> bool:
    last = module.rsplit(".", 1)[-1]
    return last == "tasks" or last.endswith(("_task", "_tasks"))


def _names_the_celery_app(target: str) -> bool:
    # `chainsurvey.celery_app` is the package's lazy attribute for the same app.
    return target == "chainsurvey.celery" or target.startswith(("chainsurvey.celery.", "chainsurvey.celery_app"))


def test_the_import_reader_sees_imports_at_the_top_and_inside_functions():
    imports = {(i.target, i.in_function) for i in project_imports()["accounts.backends"]}
    assert ("surveys.roles.Role", True) in imports
    assert {"surveys", "reports", "hr", "invitations", "accounts"} <= {_app(i.module) for i in _imports_between_apps()}
    assert set(READS) == set(PACKAGES)


def test_surveys_imports_no_app_above_it():
    above = set(PACKAGES) - _below("surveys") - {"surveys"}
    assert above == {"reports", "hr", "invitations", "actions", "api", "chainsurvey"}
    wrong = [
        str(i)
        for i in _imports_between_apps()
        if _app(i.module) == "surveys"
        and i.app in above
        and not (_is_tasks_module(i.module) and _names_the_celery_app(i.target))
    ]
    assert wrong == []


def test_every_app_imports_only_the_apps_below_it():
    wrong = []
    for imported in _imports_between_apps():
        app, target = _app(imported.module), imported.app
        if target == "chainsurvey" and _names_the_celery_app(imported.target):
            continue  # the next test's rule
        if app == "accounts" and target == "surveys":
            allowed = imported.in_function and any(
                imported.target == name or imported.target.startswith(f"{name}.") for name in ACCOUNTS_READS_OF_SURVEYS
            )
        else:
            allowed = target in _below(app)
        if not allowed:
            wrong.append(str(imported))
    assert wrong == []


def test_no_circle_inside_reports():
    graph = module_graph("reports")
    assert graph["reports.tasks"] >= {"reports.runs", "reports.rollup_task"}  # the graph was read

    assert circles(graph) == []


def test_the_circle_finder_finds_a_circle():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_only_tasks_modules_import_the_celery_app():
    importers = {
        imported.module
        for found in project_imports().values()
        for imported in found
        if _names_the_celery_app(imported.target)
    }
    assert "surveys.tasks" in importers  # the reader found them
    # chainsurvey itself: the app's module, and the package that offers it lazily.
    assert sorted(m for m in importers if not _is_tasks_module(m) and _app(m) != "chainsurvey") == []
    assert {m for m in importers if _app(m) == "chainsurvey"} <= {"chainsurvey", "chainsurvey.celery"}
