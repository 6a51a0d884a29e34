"""The moderation forms of the site: flag a claim or note, invite a member, open, lock or
close a debate. What each may offer comes from the reader's lens (the claims they see, the
roles they may give)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from arguments import selectors
from arguments.models import Debate, Flag, GradeFormula, Role


class FlagForm(forms.Form):
    reason = forms.ChoiceField(choices=Flag.Reason.choices, widget=forms.RadioSelect)
    fallacy = forms.ChoiceField(
        choices=[("", "—"), *Flag.Fallacy.choices], required=False, widget=forms.RadioSelect
    )
    duplicate_of = forms.TypedChoiceField(
        choices=[], coerce=int, required=False, empty_value=None, label="Duplicate of"
    )
    note = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Note for the moderators (optional)",
    )

    def __init__(self, *args: Any, others: list[tuple[int, str]], **kwargs: Any) -> None:
        """`others`: the claims the reporter sees that this one may duplicate."""
        super().__init__(*args, **kwargs)
        duplicate_of = self.fields["duplicate_of"]
        assert isinstance(duplicate_of, forms.TypedChoiceField)  # as declared above
        duplicate_of.choices = [("", "—"), *others]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        reason = data.get("reason")
        if reason == Flag.Reason.FALLACY and not data.get("fallacy"):
            self.add_error("fallacy", "Choose which fallacy.")
        if reason == Flag.Reason.DUPLICATE and not data.get("duplicate_of"):
            self.add_error("duplicate_of", "Choose the claim this one duplicates.")
        return data

    def fallacy_rows(self) -> list[dict[str, Any]]:
        """Each fallacy with its one-line explanation and whether it is chosen."""
        chosen = self["fallacy"].value() or ""
        return [
            {
                "value": value,
                "label": label,
                "explanation": Flag.FALLACY_EXPLANATIONS.get(value, ""),
                "checked": value == chosen,
            }
            for value, label in Flag.Fallacy.choices
        ]


class MemberForm(forms.Form):
    username = forms.CharField(max_length=150)
    role = forms.ChoiceField(choices=[])

    def __init__(self, *args: Any, roles: list[Role], **kwargs: Any) -> None:
        """`roles`: those the manager may give (`permissions.grantable_roles`)."""
        super().__init__(*args, **kwargs)
        role_field = self.fields["role"]
        assert isinstance(role_field, forms.ChoiceField)  # as declared above
        role_field.choices = [(role.value, role.label) for role in roles]

    def clean_username(self) -> Any:
        name = self.cleaned_data["username"].strip()
        user = selectors.user_named(name)
        if user is None:
            raise ValidationError("No one has that username.")
        return user


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Debate.Status.choices, widget=forms.RadioSelect)
    conclusion = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Needed to close the debate; shown at its top (Markdown).",
    )


class GradingForm(forms.Form):
    """How participation becomes a grade in the courses that link the debate as graded."""

    grade_formula = forms.ChoiceField(choices=GradeFormula.choices, widget=forms.RadioSelect)
    grade_full_marks = forms.IntegerField(
        min_value=1,
        max_value=1000,
        label="Points for full marks",
        help_text="A student with this many points or more gets 100 %.",
    )
