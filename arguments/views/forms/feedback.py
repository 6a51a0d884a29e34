"""The feedback and grade forms: a claim's feedback, a participant's overall grade, the
debate's scale. The services check the grade against the scale (the form cannot know it)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

TEXT_MAX = 5000


class ClaimFeedbackForm(forms.Form):
    body = forms.CharField(
        label=_("Feedback"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Markdown. Only the claim's author (once released) and the debate's moderators read it."
        ),
    )
    grade = forms.IntegerField(label=_("Grade"), required=False, min_value=0, max_value=1000)


class ParticipantGradeForm(forms.Form):
    grade = forms.IntegerField(
        label=_("Overall grade"), required=False, min_value=0, max_value=1000
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Markdown, for this participant alone, shown once released."),
    )


class GradeScaleForm(forms.Form):
    grade_scale = forms.IntegerField(label=_("Grades out of"), min_value=1, max_value=1000)
