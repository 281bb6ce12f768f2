from typing import Any

from django.http import HttpRequest

from keywork.access.models import Service


def keywork(request: HttpRequest) -> dict[str, Any]:
    """Say on every page when the database holds synthetic demo data."""
    return {"synthetic_demo": Service.objects.filter(is_synthetic=True).exists()}
