"""Who makes a change or reads a record: a signed-in user, or None for the system (the
server's operator at the command line)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User

Actor = User | AnonymousUser | None


def user_or_none(actor: Actor) -> User | None:
    """The account behind an actor, or None for the system."""
    return actor if isinstance(actor, User) and actor.is_authenticated else None
