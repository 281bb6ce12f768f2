"""Account pages a signed-in person uses for themselves."""

from __future__ import annotations

from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpResponse, HttpResponseRedirect

from keywork.access import actions
from keywork.core.errors import RuleViolation


class ChangeOwnPassword(auth_views.PasswordChangeView):
    """Django's page, saved through the action (audited); this session stays signed in and
    every other session of the account ends."""

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        try:
            user = actions.change_own_password(
                actor=self.request.user,
                given=actions.ChangeOwnPasswordInput(
                    old_password=form.cleaned_data["old_password"],
                    new_password=form.cleaned_data["new_password1"],
                ),
            )
        except RuleViolation as error:
            form.add_error(None, error.shown)
            return self.form_invalid(form)
        update_session_auth_hash(self.request, user)
        return HttpResponseRedirect(self.get_success_url())
