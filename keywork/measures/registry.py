"""The measures by code: adding a statement of the quality standard is one module and a
line here."""

from __future__ import annotations

from keywork.measures.framework import Measure
from keywork.measures.qs6 import QS6

MEASURES: dict[str, Measure] = {m.code: m for m in (QS6(),)}
