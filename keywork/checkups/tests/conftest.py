import datetime as dt
from typing import Any

import pytest

from keywork.clients import actions as clients
from keywork.core.dates import today


@pytest.fixture
def completed(personas: Any) -> Any:
    """T0001's episode, completed drug free 20 days ago."""
    clients.discharge(
        actor=personas.mi_keyworker.user,
        episode=personas.episode,
        given=clients.DischargeInput(
            on=today() - dt.timedelta(days=20), exit_reason="completed_drug_free"
        ),
    )
    personas.episode.refresh_from_db()
    return personas.episode
