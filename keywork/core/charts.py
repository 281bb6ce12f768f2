"""The figures of a chart, as the one chart script draws them (keywork/static/keywork/
charts.js), passed to the page with `json_script`. Every chart has its figures in a table
beside it too, for anyone who cannot see it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def figures(
    kind: str,
    labels: Sequence[str],
    series: Mapping[str, Sequence[Any]],
    *,
    y_max: float | None = None,
    y_title: str = "",
    after: Sequence[str] | None = None,
) -> dict[str, Any]:
    """A bar or line chart: one dataset per series, a value per label; `after`, a line
    under each label's tooltip."""
    data: dict[str, Any] = {
        "type": kind,
        "labels": list(labels),
        "datasets": [{"label": name, "data": list(values)} for name, values in series.items()],
        "y": {"max": y_max, "title": y_title},
    }
    if after is not None:
        data["after"] = list(after)
    return data
