"""The assessment form: every section, the five risk ratings, safeguarding, strengths and
the needs identified. The action checks it all; the form only gathers it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from keywork.assessments.actions import AssessmentInput, NeedInput
from keywork.assessments.models import RISK_AREAS, SECTIONS, Assessment, Domain, RiskLevel
from keywork.assessments.queries import latest_assessment
from keywork.clients.models import Episode
from keywork.core.forms import ActionForm

NEED_ROWS = 6


class AssessmentForm(ActionForm):
    versioned = True
    field_aliases = {"needs": "need_1_description", "risks": "risk_notes"}

    assessed_on = forms.DateField(
        label="Date of assessment",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, episode: Episode, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        earlier = latest_assessment(episode)
        for name, label in SECTIONS:
            self.fields[name] = forms.CharField(
                label=label, widget=forms.Textarea(attrs={"rows": 3}), required=False
            )
        for name, label in RISK_AREAS:
            self.fields[name] = forms.ChoiceField(
                label=label,
                choices=RiskLevel.choices,
                widget=forms.RadioSelect(attrs={"class": "inline-choices"}),
                required=False,
            )
        self.fields["risk_notes"] = forms.CharField(
            label="About the risks", widget=forms.Textarea(attrs={"rows": 2}), required=False
        )
        self.fields["safeguarding_concern"] = forms.BooleanField(
            label="There is a safeguarding concern", required=False
        )
        self.fields["safeguarding_detail"] = forms.CharField(
            label="The concern", widget=forms.Textarea(attrs={"rows": 2}), required=False
        )
        self.fields["dependent_children"] = forms.IntegerField(
            label="Children who depend on the client", min_value=0, initial=0
        )
        self.fields["other_dependants"] = forms.CharField(label="Other dependants", required=False)
        self.fields["strengths"] = forms.CharField(
            label="Strengths",
            help_text="One per line: what the client has going for them.",
            widget=forms.Textarea(attrs={"rows": 3}),
            required=False,
        )
        for row in range(1, NEED_ROWS + 1):
            self.fields[f"need_{row}_domain"] = forms.ChoiceField(
                label=f"Need {row}: domain",
                choices=[("", "—"), *Domain.choices],
                required=False,
            )
            self.fields[f"need_{row}_description"] = forms.CharField(
                label=f"Need {row}: what it is", required=False
            )
        self.fields["assessed_on"].initial = timezone.localdate()
        if earlier is not None:
            self._start_from(earlier)

    def _start_from(self, earlier: Assessment) -> None:
        """A reassessment starts from the last assessment's words; the old one is kept."""
        for name, _ in (*SECTIONS, *RISK_AREAS):
            self.fields[name].initial = getattr(earlier, name)
        for name in ("risk_notes", "safeguarding_concern", "safeguarding_detail"):
            self.fields[name].initial = getattr(earlier, name)
        self.fields["dependent_children"].initial = earlier.dependent_children
        self.fields["other_dependants"].initial = earlier.other_dependants
        self.fields["strengths"].initial = "\n".join(earlier.strengths)
        for row, need in enumerate(earlier.needs.all()[:NEED_ROWS], start=1):
            self.fields[f"need_{row}_domain"].initial = need.domain
            self.fields[f"need_{row}_description"].initial = need.description

    def sections(self) -> list[forms.BoundField]:
        return [self[name] for name, _ in SECTIONS]

    def risks(self) -> list[forms.BoundField]:
        return [self[name] for name, _ in RISK_AREAS]

    def needs(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [
            (self[f"need_{row}_domain"], self[f"need_{row}_description"])
            for row in range(1, NEED_ROWS + 1)
        ]

    def assessment(self) -> AssessmentInput:
        data = self.cleaned_data
        rows = [
            (data[f"need_{row}_domain"], data[f"need_{row}_description"])
            for row in range(1, NEED_ROWS + 1)
        ]
        return AssessmentInput(
            expected_version=self.expected_version(),
            assessed_on=data["assessed_on"],
            sections={name: data[name] for name, _ in SECTIONS},
            risks={name: data[name] for name, _ in RISK_AREAS},
            risk_notes=data["risk_notes"],
            safeguarding_concern=data["safeguarding_concern"],
            safeguarding_detail=data["safeguarding_detail"],
            dependent_children=data["dependent_children"],
            other_dependants=data["other_dependants"],
            strengths=tuple(line for line in data["strengths"].splitlines() if line.strip()),
            needs=tuple(
                NeedInput(domain=d, description=text) for d, text in rows if d or text.strip()
            ),
        )
