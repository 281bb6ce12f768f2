"""axe-core, vendored and pinned (`axe/axe.min.js`, 4.14.1 from the npm package `axe-core`,
MPL-2.0, `axe/LICENSE`), run in the browser journeys on the page as it stands.

It is put into the page by the browser's own evaluation, not as a script tag, so the page's
Content-Security-Policy is the one users get. To update: `npm pack axe-core@VERSION`, copy
`package/axe.min.js` and `package/LICENSE` here and change the version above."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

SOURCE = Path(__file__).parent / "axe" / "axe.min.js"
BLOCKING = ("critical", "serious")


@cache
def source() -> str:
    return SOURCE.read_text(encoding="utf-8")


def violations(page: Any) -> list[dict[str, Any]]:
    """Every axe-core violation on the page (WCAG 2.2 A and AA and best practice), each
    with its rule, impact, help and the elements it found."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(source())
    found: list[dict[str, Any]] = page.evaluate(
        """async () => {
            const results = await axe.run(document, {resultTypes: ['violations']});
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map(n => n.target.join(' ')).slice(0, 5),
            }));
        }"""
    )
    return found


def counts(found: list[dict[str, Any]]) -> dict[str, int]:
    """How many violations of each impact."""
    tally = {"critical": 0, "serious": 0, "moderate": 0, "minor": 0}
    for violation in found:
        tally[violation["impact"] or "minor"] += 1
    return tally


def blocking(found: list[dict[str, Any]]) -> list[str]:
    """The critical and serious violations, each as one readable line."""
    return [
        f"{v['impact']}: {v['id']} ({v['help']}) at {', '.join(v['targets'])}"
        for v in found
        if v["impact"] in BLOCKING
    ]
