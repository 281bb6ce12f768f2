"""What other apps add to a session as recorded, registered in their AppConfig.ready(): the
sessions app knows no app above it.

- `tools_used`: given attendance ids, the mapping tools used at each through the app's own
  records (a map drawn or changed at the session counts as the mapping tool used there,
  rule 5: a technique, never a structured intervention on its own), as
  {attendance id: [what to show]}."""

from __future__ import annotations

from collections.abc import Callable, Sequence

ToolsUsed = Callable[[Sequence[int]], dict[int, list[str]]]
_tools_used: list[ToolsUsed] = []


def tools_used(provider: ToolsUsed) -> None:
    if provider not in _tools_used:
        _tools_used.append(provider)


def tools_at(attendance_ids: Sequence[int]) -> dict[int, list[str]]:
    """Every registered app's tools used at each of the attendances."""
    found: dict[int, list[str]] = {}
    for provider in _tools_used:
        for pk, shown in provider(attendance_ids).items():
            found.setdefault(pk, []).extend(shown)
    return found
