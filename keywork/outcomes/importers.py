"""Import lines for outcome profiles; each calls the action the web form calls."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from keywork.clients.importers import client_of, latest_episode_of
from keywork.core.actors import Actor
from keywork.core.errors import invalid
from keywork.core.importer import Fields, importer
from keywork.outcomes import actions
from keywork.outcomes.actions import ProfileInput
from keywork.outcomes.models import DAY_ITEMS, RATINGS, YES_NO, OutcomeProfile


def use_of(f: Fields) -> dict[str, tuple[int, Decimal | None]]:
    """`use`: {"alcohol": [days, amount]}, the amount a number or null."""
    value = f.data.get("use", {})
    if not isinstance(value, dict):
        raise invalid("use", 'must be an object such as {"alcohol": [12, 14]}')
    use = {}
    for group, pair in value.items():
        if not isinstance(pair, list) or len(pair) != 2:
            raise invalid("use", f"{group}: give [days used, amount on a day of use]")
        days, amount = pair
        if isinstance(days, bool) or not isinstance(days, int):
            raise invalid("use", f"{group}: days used must be a whole number")
        try:
            use[group] = (days, None if amount is None else Decimal(str(amount)))
        except InvalidOperation:
            raise invalid("use", f"{group}: '{amount}' is not an amount") from None
    return use


@importer("take_outcomes")
def take_outcomes(actor: Actor, f: Fields) -> object:
    """Days default to 0 and yes-or-no items to no; the three ratings must be given."""
    items: dict[str, Any] = {name: f.number(name, 0) for name in DAY_ITEMS}
    items.update({name: f.number(name) for name in RATINGS})
    items.update({name: bool(f.flag(name, False)) for name in YES_NO})
    given = ProfileInput(stage=f.text("stage"), taken_on=f.date("taken_on"), use=use_of(f), **items)
    return actions.take_outcomes(actor=actor, episode=latest_episode_of(actor, f), given=given)


@importer("mark_outcomes_in_error")
def mark_outcomes_in_error(actor: Actor, f: Fields) -> object:
    client = client_of(actor, f)
    taken_on = f.date("taken_on")
    found = list(
        OutcomeProfile.objects.filter(
            episode__client=client, taken_on=taken_on, entered_in_error_at=None
        ).select_related("episode")[:2]
    )
    if len(found) != 1:
        which = "no outcome profile" if not found else "more than one outcome profile"
        raise invalid("taken_on", f"{which} taken on {taken_on:%d/%m/%Y}")
    return actions.mark_outcomes_in_error(
        actor=actor, profile=found[0], reason=f.text("reason", "")
    )
