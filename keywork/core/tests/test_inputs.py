"""One input schema per action: every action takes `actor`, the records it acts on and at
most one typed input declared beside it; the import reads each line into those inputs; the
table of fields in docs/import.md is the one the inputs make."""

from __future__ import annotations

import collections.abc
import dataclasses
import inspect
import json
import re
import typing
from pathlib import Path
from typing import Any

import pytest
from django.db import models
from django.utils.module_loading import autodiscover_modules

from keywork.core.errors import RuleViolation
from keywork.core.importer import LINES, fields_table, with_fields
from keywork.core.inputs import Reason, fields_of, line_names, read
from keywork.core.tests.test_every_action import everything_registered
from keywork.core.writes import ACTIONS
from keywork.sessions.actions import RecordSessionInput

DOC = Path(__file__).resolve().parents[3] / "docs" / "import.md"


def _is_record(kind: Any) -> bool:
    """A model, or a list of them: what an action acts on."""
    if isinstance(kind, type) and issubclass(kind, models.Model):
        return True
    origin = typing.get_origin(kind)
    if origin in (list, tuple, collections.abc.Sequence):
        return _is_record(typing.get_args(kind)[0])
    return False


# The trail's own writers are called by the write path itself (a read, a refusal, a
# sign-in), never by a person through a form or a line: what they take is the audit row.
CHANGES = sorted(name for name in everything_registered() if not name.startswith("audit.trail."))


@pytest.mark.parametrize("name", CHANGES)
def test_every_action_takes_the_actor_its_records_and_one_typed_input(name: str) -> None:
    func = inspect.unwrap(ACTIONS[f"keywork.{name}"])
    hints = typing.get_type_hints(func)
    parameters = inspect.signature(func).parameters.values()
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters), name
    others = [p.name for p in parameters if p.name not in ("actor", "given")]
    assert all(_is_record(hints[p]) for p in others), f"{name}: {others} are not records"
    given = hints.get("given")
    if given is not None:
        assert dataclasses.is_dataclass(given), name
        frozen = given.__dataclass_params__.frozen
        kw_only = all(f.kw_only for f in dataclasses.fields(given))
        assert frozen and kw_only, f"{name}: {given.__name__} is not frozen and keyword-only"
        home = func.__module__
        assert given.__module__ in (home, "keywork.core.inputs"), f"{name}: input not beside it"


def test_the_import_reads_each_line_into_schemas_whose_fields_do_not_collide() -> None:
    autodiscover_modules("importers")
    assert len(LINES) >= 33
    for line in LINES.values():
        names = [name for schema in line.schemas for name in line_names(schema)]
        assert len(names) == len(set(names)), f"{line.name}: a field is read twice"
        for schema in line.schemas:
            assert all(f.help for f in fields_of(schema)), f"{line.name}: a field has no words"


def test_the_fields_table_in_the_doc_is_the_one_the_inputs_make() -> None:
    doc = DOC.read_text(encoding="utf-8")
    assert with_fields(doc) == doc, "run `keywork import_fields --write docs/import.md`"
    assert "| client | text | required |" in fields_table()


def test_every_example_line_in_the_doc_names_only_fields_its_action_reads() -> None:
    autodiscover_modules("importers")
    examples = re.findall(r"```json\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    lines = [json.loads(text) for block in examples for text in block.splitlines() if text]
    assert len(lines) > 10
    for data in lines:
        line = LINES[data["action"]]
        known = {"action"}.union(*(line_names(schema) for schema in line.schemas))
        assert set(data) <= known, (data["action"], set(data) - known)


def test_a_line_is_read_by_field_type_and_refused_by_field_name() -> None:
    given = read(
        RecordSessionInput,
        {
            "starts_at": "2026-11-02T10:00",
            "topics": ["topic.housing"],
            "notes": "Talked about the flat.",
            "next_appointment": {"starts_at": "2026-11-09T10:00"},
        },
    )
    assert given.outcome == "attended" and given.content is not None
    assert given.content.topics == ("topic.housing",) and given.next_appointment is not None
    assert given.next_appointment.duration_minutes == 45
    with pytest.raises(RuleViolation, match="starts_at: is required"):
        read(RecordSessionInput, {})
    with pytest.raises(RuleViolation, match="topics: must be a list"):
        read(RecordSessionInput, {"starts_at": "2026-11-02T10:00", "topics": "topic.housing"})
    with pytest.raises(RuleViolation, match="duration_minutes: must be a whole number"):
        read(RecordSessionInput, {"starts_at": "2026-11-02T10:00", "duration_minutes": "45"})
    with pytest.raises(RuleViolation, match="'yesterday' is not a date and time"):
        read(RecordSessionInput, {"starts_at": "yesterday"})
    assert read(Reason, {}).reason == ""
