"""The care-plan forms: a new version starts from the current one; a review asks for
progress against every milestone. The actions check it all; the forms only gather it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from keywork.assessments.models import Domain
from keywork.assessments.queries import latest_assessment
from keywork.careplans.actions import (
    ActionInput,
    GoalInput,
    MilestoneUpdate,
    PlanInput,
    review_weeks,
)
from keywork.careplans.models import (
    ActionKind,
    AgreedHow,
    CarePlan,
    Milestone,
    MilestoneProgress,
    Owner,
    Progress,
)
from keywork.careplans.queries import current_plan
from keywork.catalogue.models import Entry, Phase
from keywork.clients.forms import DATE
from keywork.clients.models import Episode
from keywork.core.dates import uk
from keywork.core.forms import ActionForm
from keywork.recovery.queries import suggested_goals

GOAL_ROWS = 4
ACTION_ROWS = 8
TEXT = {"rows": 2}


class CarePlanForm(ActionForm):
    versioned = True
    field_aliases = {"goals": "goal_1_description", "actions": "action_1_description"}

    agreed_on = forms.DateField(label="Agreed with the client on", widget=DATE)
    agreed_how = forms.ChoiceField(
        label="How the client agreed it", choices=[("", "—"), *AgreedHow.choices], required=False
    )
    review_due = forms.DateField(label="Review by", widget=DATE, required=False)
    change_note = forms.CharField(label="What changed from the last version", required=False)
    risk_management_plan = forms.CharField(
        label="Risk-management plan", widget=forms.Textarea(attrs=TEXT), required=False
    )
    crisis_warning_signs = forms.CharField(
        label="Crisis plan: warning signs", widget=forms.Textarea(attrs=TEXT), required=False
    )
    crisis_actions = forms.CharField(
        label="Crisis plan: what to do", widget=forms.Textarea(attrs=TEXT), required=False
    )
    crisis_contacts = forms.CharField(
        label="Crisis plan: who to contact", widget=forms.Textarea(attrs=TEXT), required=False
    )

    def __init__(self, *args: Any, episode: Episode, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assessed = latest_assessment(episode)
        needs = [(str(n.pk), str(n)) for n in assessed.needs.all()] if assessed else []
        offered = Entry.objects.offered().filter(kind__in=["intervention", "national_definition"])
        interventions = [(e.code, e.name) for e in offered.order_by("name")]
        in_line = Phase.objects.in_line()
        self.in_line = [(p.code, f"Yes: it locates {p.name}") for p in in_line]
        for row in range(1, GOAL_ROWS + 1):
            self._goal_fields(row, needs, interventions)
        for row in range(1, ACTION_ROWS + 1):
            self._action_fields(row)
        weeks = review_weeks(episode)
        self.fields["review_due"].help_text = f"Leave blank for the service's {weeks} weeks."
        self.fields["agreed_on"].initial = timezone.localdate()
        plan = current_plan(episode)
        if plan is not None:
            self._start_from(plan)
        self._suggest(episode)

    def _suggest(self, episode: Episode) -> None:
        """Goals the latest recovery-capital check suggests for its low domains, for the
        worker to tick with the client (none is added unless ticked)."""
        check, low = suggested_goals(episode)
        self.suggestions = {d["code"]: d for d in low}
        if low:
            assert check is not None
            self.fields["suggested"] = forms.MultipleChoiceField(
                label=f"Goals suggested by the recovery capital check of {uk(check.taken_on)}",
                help_text="Its low domains. Tick those the client wants as goals.",
                choices=[(d["code"], f"{d['name']}: {d['goal']}") for d in low],
                widget=forms.CheckboxSelectMultiple,
                required=False,
            )

    def _goal_fields(self, row: int, needs: list[tuple[str, str]], interventions: list) -> None:
        f = self.fields
        f[f"goal_{row}_domain"] = forms.ChoiceField(
            label="Life domain", choices=[("", "—"), *Domain.choices], required=False
        )
        f[f"goal_{row}_description"] = forms.CharField(label="Goal", required=False)
        f[f"goal_{row}_milestones"] = forms.CharField(
            label="Milestones (one per line)", widget=forms.Textarea(attrs=TEXT), required=False
        )
        f[f"goal_{row}_need"] = forms.ChoiceField(
            label="The assessed need it meets", choices=[("", "—"), *needs], required=False
        )
        f[f"goal_{row}_key_change"] = forms.ChoiceField(
            label="The key change?",
            choices=[("", "No"), *self.in_line],
            required=False,
            help_text="If this goal is the key change, the phase it puts the client in.",
        )
        f[f"goal_{row}_interventions"] = forms.MultipleChoiceField(
            label="Linked interventions",
            choices=interventions,
            widget=forms.SelectMultiple(attrs={"size": 4}),
            required=False,
        )

    def _action_fields(self, row: int) -> None:
        f = self.fields
        f[f"action_{row}_description"] = forms.CharField(label="Action", required=False)
        f[f"action_{row}_owner"] = forms.ChoiceField(
            label="Who does it", choices=[("", "—"), *Owner.choices], required=False
        )
        f[f"action_{row}_agency"] = forms.CharField(label="Agency", required=False)
        f[f"action_{row}_due"] = forms.DateField(label="By", widget=DATE, required=False)
        f[f"action_{row}_kind"] = forms.ChoiceField(
            label="Kind", choices=ActionKind.choices, required=False
        )

    def _start_from(self, plan: CarePlan) -> None:
        """A new version starts from the current one; the current one is kept whole."""
        f = self.fields
        for name in (
            "risk_management_plan",
            "crisis_warning_signs",
            "crisis_actions",
            "crisis_contacts",
        ):
            f[name].initial = getattr(plan, name)
        for row, goal in enumerate(plan.goals.all()[:GOAL_ROWS], start=1):
            f[f"goal_{row}_domain"].initial = goal.domain
            f[f"goal_{row}_description"].initial = goal.description
            f[f"goal_{row}_milestones"].initial = "\n".join(
                m.description for m in goal.milestones.all()
            )
            f[f"goal_{row}_need"].initial = str(goal.need_id or "")
            f[f"goal_{row}_interventions"].initial = [e.code for e in goal.interventions.all()]
            f[f"goal_{row}_key_change"].initial = (
                goal.key_change_phase.code if goal.key_change_phase else ""
            )
        for row, item in enumerate(plan.actions.all()[:ACTION_ROWS], start=1):
            f[f"action_{row}_description"].initial = item.description
            f[f"action_{row}_owner"].initial = item.owner
            f[f"action_{row}_agency"].initial = item.agency
            f[f"action_{row}_due"].initial = item.due_on
            f[f"action_{row}_kind"].initial = item.kind

    def goals(self) -> list[list[forms.BoundField]]:
        names = ("domain", "description", "milestones", "need", "key_change", "interventions")
        return [[self[f"goal_{r}_{n}"] for n in names] for r in range(1, GOAL_ROWS + 1)]

    def action_rows(self) -> list[list[forms.BoundField]]:
        names = ("description", "owner", "agency", "due", "kind")
        return [[self[f"action_{r}_{n}"] for n in names] for r in range(1, ACTION_ROWS + 1)]

    def plan(self) -> PlanInput:
        d = self.cleaned_data
        goals = [
            GoalInput(
                domain=d[f"goal_{r}_domain"],
                description=d[f"goal_{r}_description"],
                milestones=tuple(d[f"goal_{r}_milestones"].splitlines()),
                need=int(d[f"goal_{r}_need"]) if d[f"goal_{r}_need"] else None,
                interventions=tuple(d[f"goal_{r}_interventions"]),
                key_change=d[f"goal_{r}_key_change"],
            )
            for r in range(1, GOAL_ROWS + 1)
            if d[f"goal_{r}_domain"] or d[f"goal_{r}_description"].strip()
        ]
        written = {g.description.strip().lower() for g in goals}
        goals += [
            GoalInput(domain=low["goal_domain"], description=low["goal"])
            for code in d.get("suggested", [])
            if (low := self.suggestions[code])["goal"].strip().lower() not in written
        ]
        actions = [
            ActionInput(
                description=d[f"action_{r}_description"],
                owner=d[f"action_{r}_owner"],
                due_on=d[f"action_{r}_due"],
                agency=d[f"action_{r}_agency"],
                kind=d[f"action_{r}_kind"] or ActionKind.GENERAL,
            )
            for r in range(1, ACTION_ROWS + 1)
            if d[f"action_{r}_description"].strip() or d[f"action_{r}_owner"]
        ]
        return PlanInput(
            expected_version=self.expected_version(),
            agreed_on=d["agreed_on"],
            agreed_how=d["agreed_how"],
            goals=tuple(goals),
            actions=tuple(actions),
            review_due=d["review_due"],
            change_note=d["change_note"],
            risk_management_plan=d["risk_management_plan"],
            crisis_warning_signs=d["crisis_warning_signs"],
            crisis_actions=d["crisis_actions"],
            crisis_contacts=d["crisis_contacts"],
        )


class ReviewForm(ActionForm):
    field_aliases = {"progress": "summary"}

    reviewed_on = forms.DateField(label="Date of the review", widget=DATE)
    summary = forms.CharField(
        label="Summary", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    next_review_on = forms.DateField(label="Next review by", widget=DATE, required=False)
    move_to = forms.ChoiceField(label="Phase", required=False)
    move_reason = forms.CharField(label="Why the phase changes", required=False)

    def __init__(self, *args: Any, episode: Episode, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.episode = episode
        plan = current_plan(episode)
        self.milestones = list(
            Milestone.objects.filter(goal__care_plan=plan).select_related("goal") if plan else []
        )
        for milestone in self.milestones:
            self.fields[f"progress_{milestone.pk}"] = forms.ChoiceField(
                label=f"{milestone.goal.description}: {milestone.description}",
                choices=[("", "—"), *Progress.choices],
                required=False,
            )
            self.fields[f"note_{milestone.pk}"] = forms.CharField(label="Note", required=False)
        self._start_from_last_review()
        line = Phase.objects.in_line()
        self.fields["move_to"].choices = [  # type: ignore[attr-defined]
            ("", f"Stay in {episode.phase.name}"),
            *[(p.code, f"Move to {p.name}") for p in line if p.pk != episode.phase_id],
        ]
        self.fields["reviewed_on"].initial = timezone.localdate()
        weeks = review_weeks(episode)
        self.fields["next_review_on"].help_text = f"Leave blank for the service's {weeks} weeks."

    def _start_from_last_review(self) -> None:
        """Each milestone starts at the progress the last review gave it (one query)."""
        last: dict[int, MilestoneProgress] = {}
        for row in (
            MilestoneProgress.objects.filter(milestone__in=self.milestones)
            .order_by("-review__reviewed_on", "-review_id")
            .select_related("review")
        ):
            last.setdefault(row.milestone_id, row)
        for milestone_id, row in last.items():
            field = self.fields[f"progress_{milestone_id}"]
            field.initial = row.progress
            field.help_text = (
                f"At the review of {row.review.reviewed_on:%d/%m/%Y}: {row.get_progress_display()}"
                + (f" ({row.note})" if row.note else "")
            )

    def progress_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"progress_{m.pk}"], self[f"note_{m.pk}"]) for m in self.milestones]

    def updates(self) -> list[MilestoneUpdate]:
        d = self.cleaned_data
        return [
            MilestoneUpdate(milestone=m, progress=d[f"progress_{m.pk}"], note=d[f"note_{m.pk}"])
            for m in self.milestones
            if d[f"progress_{m.pk}"]
        ]


class ActionDoneForm(ActionForm):
    """The day an action of the care plan was done (today unless said)."""

    done_on = forms.DateField(label="Done on", widget=DATE)

    def __init__(self, *args: Any, record: object = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["done_on"].initial = timezone.localdate()
