"""The debate settings' tags field: names separated by commas."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class TagsForm(forms.Form):
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=400,
        help_text=_("Separated by commas, e.g. “AI policy, Open source”. At most 8."),
    )
