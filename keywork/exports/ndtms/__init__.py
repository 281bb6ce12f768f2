"""The national return: an NDTMS-style CSV extract for a reporting month, one module per
dataset version, the version in use named by `KEYWORK_NDTMS_DATASET`."""

from __future__ import annotations

from django.conf import settings

from keywork.core.errors import RuleViolation
from keywork.exports.ndtms import v2026_1, v2026_2
from keywork.exports.ndtms.dataset import Dataset

DATASETS: dict[str, Dataset] = {d.version: d for d in (v2026_1.DATASET, v2026_2.DATASET)}


def in_use() -> Dataset:
    version = str(settings.KEYWORK_NDTMS_DATASET)
    if version not in DATASETS:
        known = ", ".join(sorted(DATASETS))
        raise RuleViolation(
            "CONFIG", f"KEYWORK_NDTMS_DATASET: no dataset version '{version}' (known: {known})"
        )
    return DATASETS[version]
