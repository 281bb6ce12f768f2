"""Tests that guard the design: domain data is written only by actions, and the models and
migrations never drift apart."""

import ast
import io
from pathlib import Path

import pytest
from django.core.management import call_command

from keywork.access.models import Service
from keywork.audit import trail
from keywork.audit.models import AuditEvent
from keywork.conftest import ActionNotAudited, WriteOutsideAction
from keywork.core.writes import action

PACKAGE = Path(__file__).resolve().parents[2]
WRITERS = {
    "save",
    "delete",
    "create",
    "bulk_create",
    "bulk_update",
    "update_or_create",
    "get_or_create",
}


def caller_modules() -> list[Path]:
    """Views, forms, API modules, admin modules, importers and commands: they call actions,
    never write."""
    found = [*PACKAGE.glob("*/views.py"), *PACKAGE.glob("*/admin.py"), *PACKAGE.glob("api/**/*.py")]
    found += [*PACKAGE.glob("*/importers.py"), *PACKAGE.glob("*/forms.py")]
    found += [p for p in PACKAGE.glob("*/management/commands/*.py") if p.name != "__init__.py"]
    return sorted(found)


def direct_writes(path: Path) -> list[str]:
    problems = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        name = node.func.attr
        chain = ast.unparse(node.func.value)
        queryset_update = name == "update" and (".objects" in chain or ".filter(" in chain)
        if name in WRITERS or queryset_update:
            if chain.startswith("super()"):
                continue
            where = path.relative_to(PACKAGE) if path.is_relative_to(PACKAGE) else path
            problems.append(f"{where}:{node.lineno}: {chain}.{name}(...)")
    return problems


def test_callers_never_write_domain_models_themselves():
    modules = caller_modules()
    assert any(p.name == "views.py" for p in modules) and any("commands" in str(p) for p in modules)
    problems = [problem for path in modules for problem in direct_writes(path)]
    assert problems == [], "write through an action instead:\n" + "\n".join(problems)


def test_the_scan_would_catch_a_view_that_saves(tmp_path):
    view = tmp_path / "views.py"
    view.write_text("def edit(request, client):\n    client.family_name = 'x'\n    client.save()\n")
    bad = tmp_path / "bulk.py"
    bad.write_text("def wipe():\n    Client.objects.filter(pk=1).update(given_name='x')\n")
    assert len(direct_writes(view)) == 1 and len(direct_writes(bad)) == 1


@pytest.mark.django_db
def test_a_write_outside_an_action_fails_the_test_suite():
    with pytest.raises(WriteOutsideAction, match="access_service written outside an action"):
        Service.objects.create(code="direct", name="Written directly")


@pytest.mark.django_db
def test_the_same_write_inside_an_action_with_its_audit_row_is_allowed():
    @action
    def write_service(*, actor: None) -> Service:
        service = Service.objects.create(code="through-action", name="Written by an action")
        trail.record(actor=actor, verb="create", obj=service)
        return service

    assert write_service(actor=None).pk
    assert AuditEvent.objects.filter(what="write_service").get().actor_label == "system"


@pytest.mark.django_db
def test_an_action_that_writes_no_audit_row_fails_the_test_suite():
    @action
    def write_quietly(*, actor: None) -> Service:
        return Service.objects.create(code="quiet", name="Written with no audit row")

    with pytest.raises(ActionNotAudited, match="write_quietly wrote access_service and no audit"):
        write_quietly(actor=None)
    assert not Service.objects.filter(code="quiet").exists()


def test_an_action_says_who_makes_the_change():
    with pytest.raises(TypeError, match="needs a keyword-only actor"):

        @action
        def anonymous(service: Service) -> None: ...


@pytest.mark.django_db
def test_models_and_migrations_do_not_drift():
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()
