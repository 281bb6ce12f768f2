"""Recovery-capital checks: every statement answered on the instrument's scale, the scores
as the instrument says, what is low, and when the next check is due. Pure checks over plain
values; the stages (one start, reviews, one exit, within the episode) are the outcome
profiles' own rule (keywork/outcomes/rules.py, rule 11)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from keywork.core.errors import invalid

TENTH = Decimal("0.1")


def check_answers(answers: dict[str, int], content: dict[str, Any]) -> None:
    """An answer on the scale for each statement of the instrument, and no other."""
    values = {v["value"] for v in content["scale"]}
    asked = [i for d in content["domains"] for i in d["items"]]
    known = {i["code"] for i in asked}
    for code in answers:
        if code not in known:
            raise invalid("answers", f"'{code}' is not a statement of this instrument")
    for item in asked:
        answer = answers.get(item["code"])
        if answer is None:
            raise invalid("answers", f"{item['code']}: answer “{item['text']}”")
        if answer not in values:
            raise invalid(
                "answers",
                f"{item['code']}: {answer} is not an answer on the scale "
                f"({min(values)} to {max(values)})",
            )


def _combined(numbers: list[Decimal], method: str) -> Decimal:
    summed = sum(numbers, Decimal(0))
    value = summed / len(numbers) if method == "mean" else summed
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)


def scores(answers: dict[str, int], content: dict[str, Any]) -> tuple[dict[str, Decimal], Decimal]:
    """Each domain's score and the total, as the instrument's scoring says (a reversed
    statement scores the top of the scale less its answer)."""
    top = max(v["value"] for v in content["scale"])
    method = content["scoring"]
    by_domain = {
        d["code"]: _combined(
            [
                Decimal(top - answers[i["code"]] if i["reverse"] else answers[i["code"]])
                for i in d["items"]
            ],
            method["domain"],
        )
        for d in content["domains"]
    }
    return by_domain, _combined(list(by_domain.values()), method["total"])


def low_domains(scores: dict[str, Any], content: dict[str, Any]) -> list[dict[str, Any]]:
    """The instrument's domains scored below its `low` mark, lowest first."""
    low = Decimal(str(content["scoring"]["low"]))
    found = [d for d in content["domains"] if Decimal(str(scores[d["code"]])) < low]
    return sorted(found, key=lambda d: Decimal(str(scores[d["code"]])))


def next_due(*, taken_on: dt.date, stage: str, weeks: int) -> dt.date | None:
    """The next check is due at the next care-plan review (the service's weeks between
    reviews); none after the exit check."""
    return None if stage == "exit" else taken_on + dt.timedelta(weeks=weeks)
