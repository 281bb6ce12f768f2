"""Break-glass: opening, in an emergency, the record of a client of the service outside
one's scope (read only, for a set time, with a reason, every read audited as break-glass);
and the service manager's review list, where each use and each referral made without the
client's consent is reviewed and signed off."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from keywork.clients import actions, glass, policies
from keywork.clients.models import BreakGlass, Client
from keywork.core.forms import ActionForm
from keywork.core.inputs import Reason
from keywork.core.views import changed


class ReasonForm(ActionForm):
    reason = forms.CharField(
        label="Why you need this record now",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="The service manager reviews every use. Say what the emergency is.",
    )


def offer(request: HttpRequest, client: Client) -> HttpResponse:
    """A client of the service outside the worker's scope: refused, with the way in."""
    return render(
        request, "clients/break_glass_offer.html", {"local_id": client.local_id}, status=403
    )


@login_required
def break_glass(request: HttpRequest, local_id: str) -> HttpResponse:
    client = Client.objects.filter(local_id=local_id).first()
    if client is None or not policies.can_break_glass(request.user, client):
        raise Http404("No client with that id on the records you can see.")
    form = ReasonForm(request.POST or None)
    made: list[BreakGlass] = []
    if changed(
        request,
        form,
        lambda: made.append(
            actions.break_glass(
                actor=request.user, client=client, given=Reason(reason=form.cleaned_data["reason"])
            )
        ),
        "Break-glass access opened: every page you read is audited and reviewed.",
    ):
        glass.remember(request, made)
        return redirect("client", local_id=local_id)
    context = {"form": form, "local_id": local_id, "hours": settings.KEYWORK_BREAK_GLASS_HOURS}
    return render(request, "clients/break_glass.html", context)
