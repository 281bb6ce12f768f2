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
from django.utils import timezone

from keywork.clients import actions, glass, policies
from keywork.clients.models import BreakGlass, Client
from keywork.core.forms import ActionForm
from keywork.core.views import changed
from keywork.referrals.actions import review_consent_override
from keywork.referrals.models import Referral


class ReasonForm(ActionForm):
    reason = forms.CharField(
        label="Why you need this record now",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="The service manager reviews every use. Say what the emergency is.",
    )


class ReviewForm(ActionForm):
    kind = forms.ChoiceField(choices=[("glass", "break-glass"), ("override", "consent override")])
    pk = forms.IntegerField()
    note = forms.CharField(label="What the review found", required=False)


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
                actor=request.user, client=client, reason=form.cleaned_data["reason"]
            )
        ),
        "Break-glass access opened: every page you read is audited and reviewed.",
    ):
        glass.remember(request, made)
        return redirect("client", local_id=local_id)
    context = {"form": form, "local_id": local_id, "hours": settings.KEYWORK_BREAK_GLASS_HOURS}
    return render(request, "clients/break_glass.html", context)


@login_required
def reviews(request: HttpRequest) -> HttpResponse:
    """The service manager's list: break-glass uses and consent overrides to sign off."""
    worker = policies.worker_of(request.user)
    if worker is None or worker.service_id is None or not policies.reviews_access(request.user):
        raise Http404("Access reviews are for the service manager.")
    service_id: int = worker.service_id
    form = ReviewForm(request.POST or None)
    if changed(request, form, lambda: _sign_off(request, service_id, form), "Signed off."):
        return redirect("access_reviews")
    grants = BreakGlass.objects.filter(service_id=service_id).select_related(
        "client", "worker__user", "reviewed_by__user"
    )
    overrides = Referral.objects.filter(
        episode__service_id=service_id, consent_to_share=False
    ).select_related("episode__client", "made_by__user", "review__reviewed_by__user")
    context = {
        "form": form,
        "grants": grants[:200],
        "overrides": overrides.order_by("-made_on")[:200],
        "now": timezone.now(),
    }
    return render(request, "clients/access_reviews.html", context)


def _sign_off(request: HttpRequest, service_id: int, form: ReviewForm) -> object:
    data = form.cleaned_data
    if data["kind"] == "glass":
        grant = BreakGlass.objects.filter(pk=data["pk"], service_id=service_id).first()
        if grant is None:
            raise Http404("No such access.")
        return actions.review_break_glass(actor=request.user, grant=grant, note=data["note"])
    referral = Referral.objects.filter(pk=data["pk"], episode__service_id=service_id).first()
    if referral is None:
        raise Http404("No such referral.")
    return review_consent_override(actor=request.user, referral=referral, note=data["note"])
