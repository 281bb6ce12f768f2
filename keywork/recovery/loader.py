"""Recovery-capital instruments read from their TOML files, checked, and kept as loaded: a
version once loaded is never changed (a check reads against the instrument it was taken
with), so a changed file must say a new version. The instruments shipped with keywork
(keywork/recovery/instruments/) load with the catalogue; a service's own with
`keywork load_instrument FILE`."""

from __future__ import annotations

import hashlib
import json
import tomllib
from pathlib import Path
from typing import Any

from keywork.assessments.models import Domain
from keywork.core.writes import bulk_write
from keywork.recovery.models import Instrument

SHIPPED = Path(__file__).parent / "instruments"
METHODS = ("mean", "sum")


class InstrumentError(Exception):
    """A file that is not an instrument keywork can use: the message names the file and
    the field."""


def _need(where: str, value: Any, kind: type, name: str) -> Any:
    if not isinstance(value, kind) or (isinstance(value, str) and not value.strip()):
        raise InstrumentError(f"{where}: `{name}` must be {kind.__name__}, and given")
    return value


def _items(where: str, domain: dict[str, Any], seen: set[str]) -> list[dict[str, Any]]:
    items = _need(where, domain.get("items"), list, "items")
    if not items:
        raise InstrumentError(f"{where}: a domain needs at least one statement (`items`)")
    out = []
    for n, item in enumerate(items, start=1):
        at = f"{where}, statement {n}"
        code = _need(at, item.get("code"), str, "code")
        if code in seen:
            raise InstrumentError(f"{at}: the code '{code}' is used twice")
        seen.add(code)
        reverse = item.get("reverse", False)
        out.append(
            {
                "code": code,
                "text": _need(at, item.get("text"), str, "text"),
                "reverse": _need(at, reverse, bool, "reverse"),
            }
        )
    return out


def _domains(path: str, raw: list[Any]) -> list[dict[str, Any]]:
    if not raw:
        raise InstrumentError(f"{path}: no `[[domain]]`: an instrument has at least one")
    codes: set[str] = set()
    items: set[str] = set()
    out = []
    for n, domain in enumerate(raw, start=1):
        where = f"{path}, domain {n}"
        code = _need(where, domain.get("code"), str, "code")
        if code in codes:
            raise InstrumentError(f"{where}: the code '{code}' is used twice")
        codes.add(code)
        goal_domain = domain.get("goal_domain", "")
        if goal_domain and goal_domain not in Domain.values:
            raise InstrumentError(
                f"{where}: `goal_domain` '{goal_domain}' is not a life domain of a care-plan "
                f"goal ({', '.join(Domain.values)})"
            )
        out.append(
            {
                "code": code,
                "name": _need(where, domain.get("name"), str, "name"),
                "goal_domain": goal_domain,
                "goal": domain.get("goal", ""),
                "items": _items(where, domain, items),
            }
        )
    return out


def _scale(path: str, raw: dict[str, Any]) -> list[dict[str, Any]]:
    values = _need(f"{path}, [scale]", raw.get("values"), list, "values")
    out = [
        {
            "value": _need(f"{path}, [scale]", v.get("value"), int, "value"),
            "label": _need(f"{path}, [scale]", v.get("label"), str, "label"),
        }
        for v in values
    ]
    numbers = [v["value"] for v in out]
    if len(out) < 2 or numbers != list(range(len(out))):
        raise InstrumentError(
            f"{path}, [scale]: the answers are numbered 0, 1, 2 ... in order (at least two)"
        )
    return out


def _scoring(path: str, raw: dict[str, Any], top: int) -> dict[str, Any]:
    where = f"{path}, [scoring]"
    for name in ("domain", "total"):
        if raw.get(name) not in METHODS:
            raise InstrumentError(f"{where}: `{name}` is one of {', '.join(METHODS)}")
    low = raw.get("low")
    if not isinstance(low, (int, float)) or not 0 <= low <= top:
        raise InstrumentError(f"{where}: `low` is a domain score from 0 to {top}")
    return {"domain": raw["domain"], "total": raw["total"], "low": float(low)}


def read_instrument(path: Path) -> dict[str, Any]:
    """The instrument in a file, checked; InstrumentError names what is wrong."""
    shown = path.name
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise InstrumentError(f"{shown}: cannot be read ({error})") from None
    except tomllib.TOMLDecodeError as error:
        raise InstrumentError(f"{shown}: not TOML ({error})") from None
    scale = _scale(shown, raw.get("scale", {}))
    top = scale[-1]["value"]
    return {
        "code": _need(shown, raw.get("code"), str, "code"),
        "version": _need(shown, raw.get("version"), str, "version"),
        "name": _need(shown, raw.get("name"), str, "name"),
        "source": _need(shown, raw.get("source"), str, "source"),
        "intro": raw.get("intro", ""),
        "content": {
            "domains": _domains(shown, raw.get("domain", [])),
            "scale": scale,
            "scoring": _scoring(shown, raw.get("scoring", {}), top),
        },
    }


def checksum(instrument: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(instrument, sort_keys=True).encode()).hexdigest()


def load_instrument(instrument: dict[str, Any]) -> tuple[Instrument, bool]:
    """The instrument kept in the database: added (True), or found as it was (False). A
    version loaded before with other content is refused: versions never change."""
    summed = checksum(instrument)
    found = Instrument.objects.filter(
        code=instrument["code"], version=instrument["version"]
    ).first()
    if found is not None:
        if found.checksum != summed:
            raise InstrumentError(
                f"{instrument['code']} version {instrument['version']} is loaded already with "
                "other content: checks were taken with it, so give the changed file a new version"
            )
        return found, False
    with bulk_write():
        return Instrument.objects.create(**instrument, checksum=summed), True


def load_shipped() -> None:
    """The instruments that come with keywork, each loaded if not there yet."""
    for path in sorted(SHIPPED.glob("*.toml")):
        load_instrument(read_instrument(path))
