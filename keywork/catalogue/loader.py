"""Read a catalogue version from its TOML files, check all of it, then load it.

Reading and checking come first and touch no database: a malformed file is refused with the
file, the entry and the problem, and nothing is loaded. Loading is idempotent: it adds new
entries, updates changed ones, retires those no longer in the files (kept for history, no
longer offered), restores retired ones that come back, and records the version."""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from keywork.catalogue.models import (
    MAX_DEPTH,
    CatalogueVersion,
    Entry,
    EntryChange,
    Phase,
    Tier,
)
from keywork.core.writes import bulk_write

DATA_DIR = Path(__file__).resolve().parent / "data"
MANIFEST = "catalogue.toml"

Shape = dict[str, type | tuple[type, ...]]
PHASE_KEYS: Shape = {
    "code": str,
    "name": str,
    "order": int,
    "in_sequence": bool,
    "description": str,
}
TIER_KEYS: Shape = {"code": str, "name": str, "order": int, "competence": str, "description": str}
ENTRY_KEYS: Shape = {
    "code": str,
    "kind": str,
    "name": str,
    "description": str,
    "group": str,
    "parent": str,
    "tier": str,
    "phases": (str, list),
    "psychosocial": bool,
    "structured": bool,
    "needs_assessed_need": str,
    "reports_as": str,
    "source": str,
    "attributes": dict,
}
REQUIRED = {
    "phase": ("code", "name", "order", "in_sequence"),
    "tier": ("code", "name", "order", "competence"),
    "entry": ("code", "kind", "name", "source"),
}


TIERLESS = {Entry.Kind.DATA_ITEM, Entry.Kind.SUBSTANCE}  # described, never delivered


class CatalogueError(Exception):
    """A catalogue that cannot be loaded; the message names the file, the entry and why."""


@dataclass
class Catalogue:
    version: str
    checksum: str
    sources: set[str]
    needs: dict[str, str]
    phases: list[dict[str, Any]]
    tiers: list[dict[str, Any]]
    entries: list[dict[str, Any]]


@dataclass
class LoadReport:
    version: str
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.retired)

    def summary(self) -> str:
        if not self.changed:
            return f"Catalogue {self.version}: nothing changed ({self.unchanged} items up to date)."
        return (
            f"Catalogue {self.version}: {len(self.added)} added, {len(self.updated)} updated, "
            f"{len(self.retired)} retired, {self.unchanged} unchanged."
        )


def available_versions(base: Path = DATA_DIR) -> list[str]:
    found = [p.name for p in base.iterdir() if (p / MANIFEST).is_file()]
    return sorted(found, key=lambda v: [int(x) if x.isdigit() else x for x in v.split(".")])


def default_directory() -> Path:
    version = settings.KEYWORK_CATALOGUE_VERSION or available_versions()[-1]
    directory = DATA_DIR / version
    if not (directory / MANIFEST).is_file():
        known = ", ".join(available_versions())
        raise CatalogueError(f"catalogue version '{version}' not found (known: {known})")
    return directory


# -- reading and checking ------------------------------------------------------------------


def read_catalogue(directory: Path) -> Catalogue:
    """Parse and check every file of one catalogue version; raise CatalogueError on the first
    problem, naming the file and the entry."""
    if not (directory / MANIFEST).is_file():
        raise CatalogueError(f"{directory}: no {MANIFEST} here, so this is not a catalogue")
    digest = hashlib.sha256()
    documents: dict[str, dict[str, Any]] = {}
    for path in sorted(directory.glob("*.toml")):
        raw = path.read_bytes()
        digest.update(path.name.encode() + b"\0" + raw)
        try:
            documents[path.name] = tomllib.loads(raw.decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise CatalogueError(f"{_shown(path)}: not valid TOML ({error})") from None
    manifest = documents[MANIFEST]
    version = manifest.get("version")
    if version != directory.name:
        raise CatalogueError(
            f"{_shown(directory / MANIFEST)}: version is {version!r} but the folder is "
            f"'{directory.name}'"
        )
    catalogue = Catalogue(
        version=version,
        checksum=digest.hexdigest(),
        sources={s.get("id") for s in manifest.get("source", [])},
        needs={n.get("code"): n.get("name") for n in manifest.get("need", [])},
        phases=[],
        tiers=[],
        entries=[],
    )
    for name, document in documents.items():
        path = directory / name
        unknown = set(document) - {"version", "title", "source", "need", "phase", "tier", "entry"}
        if unknown:
            raise CatalogueError(f"{_shown(path)}: unknown table(s) {', '.join(sorted(unknown))}")
        for kind, keys, target in (
            ("phase", PHASE_KEYS, catalogue.phases),
            ("tier", TIER_KEYS, catalogue.tiers),
            ("entry", ENTRY_KEYS, catalogue.entries),
        ):
            for index, item in enumerate(document.get(kind, []), start=1):
                _check_shape(path, kind, index, item, keys)
                target.append({**item, "_where": (path, index)})
    _check_references(catalogue)
    return catalogue


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _too_deep(code: str, parents: dict[str, str | None]) -> bool:
    """Does the entry sit more than MAX_DEPTH levels deep, or in a loop of parents?"""
    line = [code]
    while parent := parents.get(line[-1]):
        if parent in line or len(line) == MAX_DEPTH:
            return True
        line.append(parent)
    return False


def _problem(
    where: tuple[Path, int], item: dict[str, Any], kind: str, problem: str
) -> CatalogueError:
    path, index = where
    label = f"{kind} '{item['code']}'" if isinstance(item.get("code"), str) else f"{kind} #{index}"
    return CatalogueError(f"{_shown(path)}: {label}: {problem}")


def _check_shape(path: Path, kind: str, index: int, item: Any, keys: Shape) -> None:
    where = (path, index)
    if not isinstance(item, dict):
        raise CatalogueError(f"{_shown(path)}: {kind} #{index}: not a table")
    for key in REQUIRED[kind]:
        if key not in item or item[key] in ("", None):
            raise _problem(where, item, kind, f"'{key}' is missing")
    for key, value in item.items():
        if key not in keys:
            raise _problem(where, item, kind, f"unknown field '{key}'")
        expected = keys[key]
        if isinstance(value, bool) and expected is int:
            raise _problem(where, item, kind, f"'{key}' must be a number")
        if not isinstance(value, expected):
            raise _problem(where, item, kind, f"'{key}' has the wrong type ({value!r})")


def _check_references(catalogue: Catalogue) -> None:
    phase_codes = _unique(catalogue.phases, "phase")
    tier_codes = _unique(catalogue.tiers, "tier")
    entry_codes = _unique(catalogue.entries, "entry")
    competences = set(Tier.Competence.values)
    for tier in catalogue.tiers:
        if tier["competence"] not in competences:
            raise _problem(
                tier["_where"], tier, "tier", f"unknown competence rule '{tier['competence']}'"
            )
    national = _national(catalogue.entries)
    parents = {e["code"]: e.get("parent") for e in catalogue.entries}
    for entry in catalogue.entries:
        where = entry["_where"]
        if entry["kind"] not in Entry.Kind.values:
            raise _problem(where, entry, "entry", f"unknown kind '{entry['kind']}'")
        if entry["source"] not in catalogue.sources:
            raise _problem(where, entry, "entry", f"unknown source '{entry['source']}'")
        if "tier" in entry and entry["tier"] not in tier_codes:
            raise _problem(where, entry, "entry", f"unknown tier '{entry['tier']}'")
        if "tier" not in entry and entry["kind"] not in TIERLESS:
            raise _problem(where, entry, "entry", "'tier' is missing")
        phases = entry.get("phases", [])
        if phases != "all":
            if not isinstance(phases, list) or not all(isinstance(p, str) for p in phases):
                raise _problem(where, entry, "entry", "'phases' must be \"all\" or a list of codes")
            for phase in phases:
                if phase not in phase_codes:
                    raise _problem(where, entry, "entry", f"unknown phase '{phase}'")
        need = entry.get("needs_assessed_need")
        if need and need not in catalogue.needs:
            raise _problem(where, entry, "entry", f"unknown need '{need}'")
        parent = entry.get("parent")
        if parent and parent not in entry_codes:
            raise _problem(where, entry, "entry", f"parent '{parent}' is not in the catalogue")
        if _too_deep(entry["code"], parents):
            raise _problem(
                where, entry, "entry", f"sits more than {MAX_DEPTH} levels deep (or in a loop)"
            )
        reports_as = entry.get("reports_as")
        if reports_as and reports_as not in national:
            raise _problem(
                where, entry, "entry", f"reports_as '{reports_as}' is not a national definition"
            )
        _check_attributes(entry, national)


def _national(entries: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """What an entry may be reported as: a national definition, or an intervention seed 003
    defines itself (its recovery support), by code."""
    return {
        e["code"]: e
        for e in entries
        if e["kind"] == Entry.Kind.NATIONAL_DEFINITION
        or (e["kind"] == Entry.Kind.INTERVENTION and e["source"] == "national-definitions")
    }


RECORDED_AS = {"prescription"}
DELIVERED_BY = {"agency"}


# Checks of an entry's attributes that apps above the catalogue read (a mapping tool's guide
# map), registered in their AppConfig.ready(): each says what is wrong, or None.
AttributeCheck = Callable[[dict[str, Any]], str | None]
_attribute_checks: list[AttributeCheck] = []


def check_attributes_with(check: AttributeCheck) -> None:
    if check not in _attribute_checks:
        _attribute_checks.append(check)


def _check_attributes(entry: dict[str, Any], national: dict[str, dict[str, Any]]) -> None:
    """The attributes the rules read: `recorded_as` (medical treatment is a prescription),
    `delivered_by` (a group outside the service), `settings` (the national definition it is
    returned as in each setting, all in the group of the one it reports as), and those the
    apps registered checks for."""
    where, attributes = entry["_where"], entry.get("attributes", {})
    for check in _attribute_checks:
        if (problem := check(entry)) is not None:
            raise _problem(where, entry, "entry", problem)
    if attributes.get("recorded_as", "prescription") not in RECORDED_AS:
        raise _problem(where, entry, "entry", f"recorded_as must be one of {sorted(RECORDED_AS)}")
    if attributes.get("delivered_by", "agency") not in DELIVERED_BY:
        raise _problem(where, entry, "entry", f"delivered_by must be one of {sorted(DELIVERED_BY)}")
    group = national.get(entry.get("reports_as", ""), {}).get("group")
    for setting, code in attributes.get("settings", {}).items():
        definition = national.get(code)
        if definition is None or definition.get("group") != group:
            raise _problem(
                where,
                entry,
                "entry",
                f"settings: '{code}' is not a national definition in the group of its reports_as",
            )
        if definition.get("attributes", {}).get("setting") != setting:
            raise _problem(where, entry, "entry", f"settings: '{code}' is not delivered {setting}")


def _unique(items: list[dict[str, Any]], kind: str) -> set[str]:
    seen: set[str] = set()
    for item in items:
        if item["code"] in seen:
            raise _problem(item["_where"], item, kind, "code used twice")
        seen.add(item["code"])
    return seen


# -- loading --------------------------------------------------------------------------------

# What apps above the catalogue load with it, registered in their AppConfig.ready(): reference
# data of their own shipped with keywork (the recovery-capital instrument), loaded in the same
# transaction so a database with the catalogue has them too.
_also_load: list[Callable[[], None]] = []


def also_load(loader: Callable[[], None]) -> None:
    if loader not in _also_load:
        _also_load.append(loader)


def load_catalogue(catalogue: Catalogue) -> LoadReport:
    """Bring the database to the catalogue, in one transaction (a bulk write: the version row
    it adds says what changed); say what changed."""
    with bulk_write():
        now = timezone.now()
        report = LoadReport(version=catalogue.version)
        phases = _sync_simple(Phase, catalogue.phases, PHASE_KEYS, catalogue.version, now, report)
        tiers = _sync_simple(Tier, catalogue.tiers, TIER_KEYS, catalogue.version, now, report)
        _sync_entries(catalogue, phases, tiers, now, report)
        latest = CatalogueVersion.objects.first()
        if report.changed or latest is None or latest.checksum != catalogue.checksum:
            CatalogueVersion.objects.create(
                version=catalogue.version,
                checksum=catalogue.checksum,
                added=len(report.added),
                updated=len(report.updated),
                retired=len(report.retired),
            )
        for loader in _also_load:
            loader()
        return report


def _sync_simple(
    model: type[Phase] | type[Tier],
    items: list[dict[str, Any]],
    keys: Shape,
    version: str,
    now: Any,
    report: LoadReport,
) -> dict[str, Any]:
    existing = {obj.code: obj for obj in model.objects.all()}
    label = model._meta.model_name
    for item in items:
        wanted = {key: item.get(key, "") for key in keys if key != "code"}
        obj = existing.get(item["code"])
        if obj is None:
            obj = model.objects.create(code=item["code"], version=version, **wanted)
            existing[obj.code] = obj
            report.added.append(f"{label} {obj.code}")
        elif obj.retired_at or any(getattr(obj, k) != v for k, v in wanted.items()):
            for key, value in wanted.items():
                setattr(obj, key, value)
            obj.version, obj.retired_at = version, None
            obj.save()
            report.updated.append(f"{label} {obj.code}")
        else:
            report.unchanged += 1
    codes = {item["code"] for item in items}
    for obj in existing.values():
        if obj.code not in codes and obj.retired_at is None:
            obj.retired_at = now
            obj.save(update_fields=["retired_at"])
            report.retired.append(f"{label} {obj.code}")
    return existing


def _entry_state(item: dict[str, Any], all_phases: list[str]) -> dict[str, Any]:
    phases = item.get("phases", [])
    return {
        "kind": item["kind"],
        "name": item["name"],
        "description": item.get("description", ""),
        "group": item.get("group", ""),
        "tier": item.get("tier"),
        "phases": sorted(all_phases if phases == "all" else phases),
        "psychosocial": item.get("psychosocial", False),
        "structured": item.get("structured", False),
        "needs_assessed_need": item.get("needs_assessed_need", ""),
        "reports_as": item.get("reports_as"),
        "parent": item.get("parent"),
        "source": item["source"],
        "attributes": item.get("attributes", {}),
    }


def _stored_state(entry: Entry) -> dict[str, Any]:
    return {
        "kind": entry.kind,
        "name": entry.name,
        "description": entry.description,
        "group": entry.group,
        "tier": entry.tier.code if entry.tier else None,
        "phases": sorted(p.code for p in entry.phases.all()),
        "psychosocial": entry.psychosocial,
        "structured": entry.structured,
        "needs_assessed_need": entry.needs_assessed_need,
        "reports_as": entry.reports_as.code if entry.reports_as else None,
        "parent": entry.parent.code if entry.parent else None,
        "source": entry.source,
        "attributes": entry.attributes,
    }


def _sync_entries(
    catalogue: Catalogue,
    phases: dict[str, Phase],
    tiers: dict[str, Tier],
    now: Any,
    report: LoadReport,
) -> None:
    all_phases = [p["code"] for p in catalogue.phases]
    existing = {
        e.code: e
        for e in Entry.objects.select_related("tier", "reports_as", "parent").prefetch_related(
            "phases"
        )
    }
    changed: list[tuple[Entry, dict[str, Any]]] = []
    history: list[EntryChange] = []
    for item in catalogue.entries:
        state = _entry_state(item, all_phases)
        entry = existing.get(item["code"])
        if entry is None:
            entry = Entry(code=item["code"])
            report.added.append(f"entry {entry.code}")
        elif entry.retired_at is None and _stored_state(entry) == state:
            report.unchanged += 1
            continue
        else:
            report.updated.append(f"entry {entry.code}")
            history.append(
                EntryChange(
                    entry=entry,
                    was_version=entry.version,
                    became_version=catalogue.version,
                    changed_at=now,
                    was=_stored_state(entry) | {"retired": entry.retired_at is not None},
                )
            )
        changed.append((entry, state))
        existing[entry.code] = entry
    # First save the fields, then the links between entries, which may point at new ones.
    for entry, state in changed:
        for key in ("kind", "name", "description", "group", "psychosocial", "structured"):
            setattr(entry, key, state[key])
        entry.needs_assessed_need = state["needs_assessed_need"]
        entry.source, entry.attributes = state["source"], state["attributes"]
        entry.tier = tiers[state["tier"]] if state["tier"] else None
        entry.version, entry.retired_at = catalogue.version, None
        entry.reports_as = entry.parent = None
        entry.save()
    EntryChange.objects.bulk_create(history)
    for entry, state in changed:
        entry.reports_as = existing[state["reports_as"]] if state["reports_as"] else None
        entry.parent = existing[state["parent"]] if state["parent"] else None
        entry.save(update_fields=["reports_as", "parent"])
        entry.phases.set([phases[code] for code in state["phases"]])
    codes = {item["code"] for item in catalogue.entries}
    for entry in existing.values():
        if entry.code not in codes and entry.retired_at is None:
            entry.retired_at = now
            entry.save(update_fields=["retired_at"])
            report.retired.append(f"entry {entry.code}")
