"""The debate settings' tags field: names separated by commas."""

from __future__ import annotations

from django import forms


class TagsForm(forms.Form):
    tags = forms.CharField(
        required=False,
        max_length=400,
        help_text="Separated by commas, e.g. “AI policy, Open source”. At most 8.",
    )
