"""The client banner on every client page: who the client is and how to reach them, their
keyworker and phase, open risks and safeguarding, and consents (two queries)."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import F, OuterRef

from keywork.assessments.queries import flags_of
from keywork.clients import policies
from keywork.clients.models import Client

register = template.Library()


@register.inclusion_tag("overview/banner.html", takes_context=True)
def client_banner(context: Any, client: Client) -> dict[str, Any]:
    """Shown only to someone who may see the client (a page offering to break the glass
    names the client and no more)."""
    user = context["request"].user
    if not policies.clients_visible_to(user).filter(pk=client.pk).exists():
        return {"shown": False}
    latest = (
        client.episodes.annotate(risk_flags=flags_of(OuterRef("pk")))
        .select_related("keyworker__user", "phase", "team")
        .order_by(F("discharged_on").desc(nulls_first=True), "-referral_date", "-pk")
        .first()
    )
    return {"shown": True, "client": client, "episode": latest}
