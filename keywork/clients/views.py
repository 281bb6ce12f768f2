from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from keywork.audit import trail
from keywork.clients import actions, policies, queries
from keywork.clients.forms import (
    ChangeDetailsForm,
    DischargeForm,
    KeyworkerForm,
    OpenEpisodeForm,
    PhaseForm,
    RegisterForm,
    TriageForm,
    client_as_shown,
)
from keywork.clients.models import Client, Episode
from keywork.core.forms import ActionForm, InErrorForm
from keywork.core.views import changed


def open_client(request: HttpRequest, local_id: str, what: str) -> Client:
    """The client a client page is about: found through the scoper (anyone else is answered
    404, and the refusal audited by the middleware), and the read audited as `what`."""
    client = queries.visible_client(request.user, local_id)
    if client is None:
        raise Http404("No client with that id on the records you can see.")
    trail.record_read(actor=request.user, what=what, clients=[client])
    return client


def episode_change(
    request: HttpRequest,
    local_id: str,
    *,
    form_class: type[ActionForm],
    allowed: Callable[[Any, Episode], bool],
    perform: Callable[[Episode, Any], object],
    title: str,
    done: str,
    template: str = "clients/episode_form.html",
    initial: dict[str, object] | None = None,
    latest: bool = False,
    version: Callable[[Episode], int] | None = None,
    then: Callable[[Any], str] | None = None,
) -> HttpResponse:
    """A change to a client's open episode (or, with `latest`, to the one discharged last if
    none is open): the form (built with the episode, and the version of what it changes),
    the action (given the episode and the valid form), its refusal shown on the form. Done,
    it goes back to the record, or to `then(what the action made)`."""
    client = queries.visible_client(request.user, local_id)
    if client is None:
        episode = None
    elif latest:
        episode = queries.latest_episode(client)
    else:
        episode = client.episodes.filter(discharged_on=None).first()
    if client is None or episode is None or not allowed(request.user, episode):
        raise Http404("No open episode for that client that you can change.")
    if form_class.versioned:
        initial = {**(initial or {}), "version": (version or actions.episode_version)(episode)}
    form = form_class(request.POST or None, episode=episode, initial=initial)
    made: list[object] = []
    if changed(request, form, lambda: made.append(perform(episode, form)), done):
        return redirect(then(made[0])) if then else redirect("client", local_id=client.local_id)
    trail.record_read(actor=request.user, what=title.lower(), clients=[client])
    context = {"form": form, "client": client, "episode": episode, "title": title}
    return render(request, template, context)


def record_change(
    request: HttpRequest,
    local_id: str,
    records: QuerySet[Any],
    pk: int,
    *,
    form_class: type[ActionForm],
    perform: Callable[[Any, Any], object],
    title: str,
    done: str,
    back: str,
    version: Callable[[Any], int] | None = None,
    initial: Callable[[Any], dict[str, object]] | None = None,
    template: str = "clients/record_change.html",
    back_to_record: bool = False,
) -> HttpResponse:
    """A change to one clinical record of a client (a session's notes, an intervention, a
    prescription): the form (built with the record, what it holds now and the version it
    was read at), the action, its refusal; then back to the `back` page (the record's own,
    given its pk, with `back_to_record`)."""
    client = queries.visible_client(request.user, local_id)
    record = records.filter(pk=pk).first() if client else None
    if (
        client is None
        or record is None
        or record.episode.client_id != client.pk  # another client's: as if there were none
        or not policies.can_work_with(request.user, record.episode)
    ):
        raise Http404("No such record on the records you can change.")
    shown = initial(record) if initial else {}
    if version and form_class.versioned:
        shown["version"] = version(record)
    form = form_class(request.POST or None, record=record, initial=shown)
    if changed(request, form, lambda: perform(record, form), done):
        if back_to_record:
            return redirect(back, local_id=local_id, pk=record.pk)
        return redirect(back, local_id=local_id)
    trail.record_read(actor=request.user, what=title.lower(), clients=[client])
    context = {"form": form, "client": client, "record": record, "title": title}
    return render(request, template, context)


def record_in_error(
    request: HttpRequest,
    local_id: str,
    records: QuerySet[Any],
    pk: int,
    *,
    mark: Callable[[Any, str], object],
    back: str,
) -> HttpResponse:
    """Mark one clinical record entered in error with a reason (rule 13), through `mark`."""
    return record_change(
        request,
        local_id,
        records,
        pk,
        form_class=InErrorForm,
        perform=lambda record, form: mark(record, form.cleaned_data["reason"]),
        title="Mark as entered in error",
        done="Marked as entered in error; it stays on the record.",
        back=back,
    )


@login_required
def move_phase(request: HttpRequest, local_id: str) -> HttpResponse:
    return episode_change(
        request,
        local_id,
        form_class=PhaseForm,
        allowed=policies.can_work_with,
        perform=lambda episode, form: actions.move_phase(
            actor=request.user,
            episode=episode,
            given=actions.MovePhaseInput(
                to=form.cleaned_data["to"],
                on=form.cleaned_data["on"],
                reason=form.cleaned_data["reason"],
                expected_version=form.expected_version(),
            ),
        ),
        title="Move phase",
        done="Phase moved.",
    )


@login_required
def change_keyworker(request: HttpRequest, local_id: str) -> HttpResponse:
    return episode_change(
        request,
        local_id,
        form_class=KeyworkerForm,
        allowed=policies.can_allocate,
        perform=lambda episode, form: actions.allocate_keyworker(
            actor=request.user,
            episode=episode,
            given=actions.AllocateKeyworkerInput(
                worker=form.cleaned_data["worker"],
                on=form.cleaned_data["on"],
                reason=form.cleaned_data["reason"],
                expected_version=form.expected_version(),
            ),
        ),
        title="Change keyworker",
        done="Keyworker changed.",
    )


@login_required
def triage(request: HttpRequest, local_id: str) -> HttpResponse:
    return episode_change(
        request,
        local_id,
        form_class=TriageForm,
        allowed=policies.can_work_with,
        perform=lambda episode, form: actions.record_triage(
            actor=request.user,
            episode=episode,
            given=actions.TriageInput(on=form.cleaned_data["on"]),
        ),
        title="Record triage",
        done="Triage recorded: treatment starts.",
    )


@login_required
def discharge(request: HttpRequest, local_id: str) -> HttpResponse:
    return episode_change(
        request,
        local_id,
        form_class=DischargeForm,
        allowed=lambda user, episode: (
            policies.can_work_with(user, episode) or policies.can_allocate(user, episode)
        ),
        perform=lambda episode, form: actions.discharge(
            actor=request.user,
            episode=episode,
            given=actions.DischargeInput(
                on=form.cleaned_data["on"],
                exit_reason=form.cleaned_data["exit_reason"],
                note=form.cleaned_data["note"],
                expected_version=form.expected_version(),
            ),
        ),
        title="Discharge",
        done="Episode discharged.",
    )


def _registrar(request: HttpRequest) -> Any:
    worker = policies.worker_of(request.user)
    if worker is None or not policies.registers_clients(request.user):
        raise Http404("Clients are registered by the service's keyworkers and managers.")
    return worker


@login_required
def register(request: HttpRequest) -> HttpResponse:
    """Register a new client, then open their episode."""
    _registrar(request)
    form = RegisterForm(request.POST or None)
    made: list[Client] = []
    if changed(
        request,
        form,
        lambda: made.append(actions.register_client(actor=request.user, given=form.given())),
        "Client registered: now open their episode.",
    ):
        return redirect("open_episode", local_id=made[0].local_id)
    return render(request, "clients/register.html", {"form": form, "title": "Register a client"})


@login_required
def open_episode(request: HttpRequest, local_id: str) -> HttpResponse:
    worker = _registrar(request)
    client = queries.visible_client(request.user, local_id)
    if client is None or client.episodes.filter(discharged_on=None).exists():
        raise Http404("No client without an open episode by that id on your records.")
    form = OpenEpisodeForm(request.POST or None, worker=worker)
    if changed(
        request,
        form,
        lambda: actions.open_episode(actor=request.user, client=client, given=form.given()),
        "Episode opened.",
    ):
        return redirect("client", local_id=client.local_id)
    trail.record_read(actor=request.user, what="open an episode", clients=[client])
    context = {"form": form, "client": client, "title": "Open an episode"}
    return render(request, "clients/register.html", context)


@login_required
def change_details(request: HttpRequest, local_id: str) -> HttpResponse:
    client = queries.visible_client(request.user, local_id)
    if client is None or not policies.can_change_details(request.user, client):
        raise Http404("No client by that id whose details you can change.")
    form = ChangeDetailsForm(request.POST or None, initial=client_as_shown(client))
    if changed(
        request,
        form,
        lambda: actions.update_client_details(
            actor=request.user, client=client, given=form.given()
        ),
        "Details saved; what they were is kept.",
    ):
        return redirect("client", local_id=client.local_id)
    trail.record_read(actor=request.user, what="client details", clients=[client])
    history = client.changes.select_related("changed_by")
    context = {"form": form, "client": client, "title": "Change details", "history": history}
    return render(request, "clients/register.html", context)
