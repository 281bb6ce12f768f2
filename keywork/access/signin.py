"""Signing in: the password, then (for those who have one, and for the roles that need one)
a second factor, an authenticator app's code or a one-time recovery code; only then is the
session signed in. Repeated failures of either lock the account out from that address
(django-axes). Every step is audited (keywork/access/signals.py)."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import django_otp
import segno
from axes.handlers.proxy import AxesProxyHandler
from axes.utils import reset as axes_reset
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, signals
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import User
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from keywork.access import actions
from keywork.access.models import SECOND_FACTOR_ROLES, Worker

PENDING = "keywork_sign_in_pending"  # the password was right; the second factor is to come
SETTING_UP = "keywork_second_factor_device"
PENDING_SECONDS = 5 * 60


def code_for(device: TOTPDevice) -> str:
    """The code an authenticator app with this key shows now; if that one has been used
    (codes are single-use), the next, which is accepted for a step either side. For the
    demo's `keywork demo --code` and the tests."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    ahead = max(0, device.last_t + 1 - totp.t())
    totp.time += ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def second_factor_required(user: User) -> bool:
    worker: Worker | None = getattr(user, "worker", None)
    return worker is not None and worker.role in SECOND_FACTOR_ROLES


def has_second_factor(user: User) -> bool:
    return bool(django_otp.user_has_device(user))


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "autofocus": True}
        ),
    )


class SignIn(LoginView):
    """The password first; with a second factor to come, the session is not signed in yet."""

    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        if not (has_second_factor(user) or second_factor_required(user)):
            response = super().form_valid(form)
            axes_reset(username=user.username)  # a whole sign-in clears the failures
            return response
        self.request.session[PENDING] = {
            "user": user.pk,
            "backend": user.backend,  # type: ignore[attr-defined]
            "at": int(time.time()),
            "next": self.get_redirect_url(),
        }
        return redirect("second_factor" if has_second_factor(user) else "set_up_second_factor")


def _pending(request: HttpRequest) -> User | None:
    """The person half-way through signing in, if they are and it was lately."""
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None
    return User.objects.filter(pk=pending["user"], is_active=True).first()


def _again(request: HttpRequest) -> HttpResponse:
    messages.info(
        request, "Sign in again: the second step has to follow the password within five minutes."
    )
    return redirect("login")


def _finish(request: HttpRequest, user: User, device: Any, how: str) -> str:
    """Sign in for real: a new session id, the device remembered, the failures cleared.
    Returns where to go next."""
    pending = request.session.pop(PENDING)
    request.keywork_second_factor = how  # type: ignore[attr-defined]  # for the audit row
    login(request, user, backend=pending["backend"])
    django_otp.login(request, device)
    axes_reset(username=user.username)
    goal = pending.get("next") or ""
    if not url_has_allowed_host_and_scheme(goal, allowed_hosts={request.get_host()}):
        goal = ""
    return goal or resolve_url(settings.LOGIN_REDIRECT_URL)


def locked_out(
    request: HttpRequest, original_response: Any = None, credentials: dict | None = None
) -> HttpResponse:
    """Axes's answer once an account is locked from an address: the same whether or not the
    account exists, and when to try again."""
    until = timezone.localtime() + settings.AXES_COOLOFF_TIME
    context = {"until": until, "minutes": int(settings.AXES_COOLOFF_TIME / dt.timedelta(minutes=1))}
    return render(request, "registration/locked_out.html", context, status=429)


def second_factor(request: HttpRequest) -> HttpResponse:
    user = _pending(request)
    if user is None:
        return _again(request)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        credentials = {"username": user.username}
        if AxesProxyHandler.is_locked(request, credentials):
            return locked_out(request, None, credentials)
        device = django_otp.match_token(user, form.cleaned_data["code"].replace(" ", ""))
        if device is not None:
            how = "recovery code" if isinstance(device, StaticDevice) else "authenticator app"
            response = HttpResponseRedirect(_finish(request, user, device, how))
            if how == "recovery code":
                left = device.token_set.count()
                messages.warning(
                    request,
                    f"You signed in with a recovery code; {left} left. Make new ones on "
                    "the Two-factor page if you are running short.",
                )
            return response
        signals.user_login_failed.send(
            sender=__name__,
            credentials={**credentials, "second_factor": True},
            request=request,
        )
        form.add_error("code", "That code is not right, or has been used. Try the newest code.")
    return render(request, "registration/second_factor.html", {"form": form, "person": user})


def _device_being_set_up(request: HttpRequest, user: User) -> TOTPDevice:
    device = TOTPDevice.objects.filter(
        pk=request.session.get(SETTING_UP), user=user, confirmed=False
    ).first()
    if device is None:
        device = actions.start_second_factor(actor=user, user=user)
        request.session[SETTING_UP] = device.pk
    return device


def set_up_second_factor(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: while signing in (a role that needs one), or from the
    Two-factor page when signed in."""
    signed_in = request.user.is_authenticated
    user = request.user if signed_in else _pending(request)
    if not isinstance(user, User):
        return _again(request)
    device = _device_being_set_up(request, user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = actions.confirm_second_factor(
            actor=user,
            device=device,
            given=actions.ConfirmSecondFactorInput(code=form.cleaned_data["code"]),
        )
        if codes is not None:
            request.session.pop(SETTING_UP, None)
            goal = resolve_url(settings.LOGIN_REDIRECT_URL)
            if not signed_in:
                goal = _finish(request, user, device, "authenticator app, set up now")
            # Shown once, in this answer: the codes are kept nowhere but in the database.
            shown = {"codes": codes, "goal": goal}
            return render(request, "registration/recovery_codes.html", shown)
        form.add_error(
            "code", "That code does not match. Check the phone's clock, then try the newest code."
        )
    qr = segno.make(device.config_url, error="m").svg_inline(scale=4, light="#fff", title="QR code")
    secret = device.config_url.split("secret=")[1].split("&")[0]
    context: dict[str, Any] = {
        "form": form,
        "qr": mark_safe(qr),
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "required": second_factor_required(user),
        "signed_in": signed_in,
    }
    return render(request, "registration/set_up_second_factor.html", context)


@login_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes, replacing the old, shown once."""
    user = request.user
    if request.method != "POST" or not isinstance(user, User):
        return redirect("two_factor")
    codes = actions.new_recovery_codes(actor=user, user=user)
    return render(request, "registration/recovery_codes.html", {"codes": codes, "goal": "/"})


@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    context = {
        "app": TOTPDevice.objects.filter(user=user, confirmed=True).first(),
        "codes_left": sum(d.token_set.count() for d in StaticDevice.objects.filter(user=user)),
        "required": second_factor_required(user),
    }
    return render(request, "registration/two_factor.html", context)
