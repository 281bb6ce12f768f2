"""What every page that changes something shares."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest

from keywork.core.errors import RuleViolation
from keywork.core.forms import ActionForm


def changed(
    request: HttpRequest, form: ActionForm, perform: Callable[[], object], done: str
) -> bool:
    """On a POST of a valid form, make the change through its action: True when it was made
    (and say so), False when there was nothing to do or the action refused (the refusal is
    then shown on the form, in the rule's words)."""
    if request.method != "POST" or not form.is_valid():
        return False
    try:
        perform()
    except RuleViolation as error:
        form.refuse(error)
        return False
    messages.success(request, done)
    return True


def query_without(request: HttpRequest, *names: str) -> str:
    """The page's query without some of its parameters: for a pager, which adds its own."""
    given = request.GET.copy()
    for name in names:
        given.pop(name, None)
    return given.urlencode()
