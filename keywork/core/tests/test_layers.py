"""The apps stand in layers, and a module imports only from its own layer or those below
(docs/architecture.md). A lower layer that needs something of a higher one is told it
through a hook the higher one registers in its AppConfig.ready()."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2]

LAYERS = (
    ("core",),
    ("audit",),
    ("catalogue", "access"),
    ("clients", "assessments", "careplans", "sessions", "outcomes", "checkups", "recovery"),
    ("interventions", "prescribing", "referrals", "maps"),
    ("measures", "exports"),
    ("overview", "demo", "testing"),
)
LAYER = {app: n for n, apps in enumerate(LAYERS) for app in apps}


def imported(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every keywork import in the file, at any depth (those made only for
    type checking too)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{a.name}" for a in node.names]
            found += [(node.lineno, name) for name in names]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
    return [(line, name) for line, name in found if name.startswith("keywork.")]


def app_of(module: str) -> str:
    return module.split(".")[1]


def layering_problems(root: Path = PACKAGE) -> list[str]:
    problems = []
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).parts
        if len(parts) < 2 or "tests" in parts:
            continue
        app = parts[0]
        seen = set()
        for line, module in imported(path):
            other = app_of(module)
            if other in LAYER and LAYER[other] > LAYER[app] and (line, other) not in seen:
                seen.add((line, other))
                problems.append(f"{path.relative_to(root)}:{line}: {app} imports {module}")
    return sorted(problems, key=lambda p: (p.split(":")[0], int(p.split(":")[1])))


def test_every_app_has_a_layer():
    apps = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    assert apps - set(LAYER) == set(), "apps with no layer: add them to LAYERS and the docs"
    assert set(LAYER) - apps == set()


def test_no_layer_imports_a_higher_one():
    problems = layering_problems()
    assert problems == [], "import from below, or register a hook:\n" + "\n".join(problems)


def test_the_layering_test_would_catch_a_lower_layer_importing_a_higher_one(tmp_path):
    (tmp_path / "core").mkdir()
    (tmp_path / "core" / "bad.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from keywork.clients.models import Client\n"
        "from keywork import measures\n"
    )
    (tmp_path / "clients").mkdir()
    (tmp_path / "clients" / "fine.py").write_text("from keywork.core import errors\n")
    (tmp_path / "core" / "ok.py").write_text("from keywork.core import errors\n")
    assert layering_problems(tmp_path) == [
        "core/bad.py:3: core imports keywork.clients.models.Client",
        "core/bad.py:4: core imports keywork.measures",
    ]


def test_commands_import_no_views():
    """A command calls the same actions and reads as a page, never the page itself."""
    problems = [
        f"{path.relative_to(PACKAGE)}:{line}: {module}"
        for path in sorted(PACKAGE.glob("*/management/commands/*.py"))
        for line, module in imported(path)
        if module.rsplit(".", 1)[-1] in ("views", "dashboard_views") or ".views." in module
    ]
    assert problems == []
