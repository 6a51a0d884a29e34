"""The moderation forms of the site: flag a claim or note, invite a member, open, lock or
close a debate. What each may offer comes from the reader's lens (the claims they see, the
roles they may give)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from arguments import selectors
from arguments.models import Debate, Flag, GradeFormula, Role


class FlagForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason"), choices=Flag.Reason.choices, widget=forms.RadioSelect
    )
    fallacy = forms.ChoiceField(
        label=_("Fallacy"),
        choices=[("", "—"), *Flag.Fallacy.choices],
        required=False,
        widget=forms.RadioSelect,
    )
    duplicate_of = forms.TypedChoiceField(
        choices=[], coerce=int, required=False, empty_value=None, label=_("Duplicate of")
    )
    note = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Note for the moderators (optional)"),
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
            self.add_error("fallacy", _("Choose which fallacy."))
        if reason == Flag.Reason.DUPLICATE and not data.get("duplicate_of"):
            self.add_error("duplicate_of", _("Choose the claim this one duplicates."))
        return data

    def fallacy_rows(self) -> list[dict[str, Any]]:
        """Each fallacy with its one-line explanation and whether it is chosen."""
        chosen = self["fallacy"].value() or ""
        return [
            {
                "value": value,
                "label": label,
                "explanation": _explanation(value),
                "checked": value == chosen,
            }
            for value, label in Flag.Fallacy.choices
        ]


class MemberForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=[])

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
            raise ValidationError(_("No one has that username."))
        return user


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=Debate.Status.choices, widget=forms.RadioSelect
    )
    conclusion = forms.CharField(
        label=_("Conclusion"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Needed to close the debate; shown at its top (Markdown)."),
    )


class GradingForm(forms.Form):
    """How participation becomes a grade in the courses that link the debate as graded."""

    grade_formula = forms.ChoiceField(
        label=_("Grade formula"), choices=GradeFormula.choices, widget=forms.RadioSelect
    )
    grade_full_marks = forms.IntegerField(
        min_value=1,
        max_value=1000,
        label=_("Points for full marks"),
        help_text=_("A student with this many points or more gets 100 %."),
    )


def _explanation(fallacy: str) -> str:
    """A fallacy's one-line explanation in the reader's language ("" for none)."""
    english = Flag.FALLACY_EXPLANATIONS.get(fallacy, "")
    return gettext(english) if english else ""


# What each visibility means, said where it is chosen (the new-debate form and the settings).
VISIBILITY_HELP = {
    Debate.Visibility.PUBLIC: _(
        "Listed on the home page and Explore, found by search; anyone "
        "may read it, and every signed-in user takes part with the newcomers' role."
    ),
    Debate.Visibility.UNLISTED: _(
        "Not listed nor found by search: whoever has its link may "
        "read it and, signed in, take part with the newcomers' role."
    ),
    Debate.Visibility.PRIVATE: _(
        "Only its members (invited, or joined through a share link or a "
        "course) may read it; it cannot be embedded in other sites."
    ),
}
NEWCOMER_CHOICES = [
    ("writer", _("Write claims directly")),
    ("suggester", _("Suggest claims, which wait for a moderator's approval")),
    ("viewer", _("Only read, vote and add notes")),
]


class DebateSettingsForm(forms.Form):
    """The debate's settings, by section of the settings page; built with the fields of one
    section that the manager may change (`fields`), so a POST can name no other."""

    SECTIONS: dict[str, tuple[str, ...]] = {
        "about": ("title", "description", "language"),
        "participation": (
            "visibility",
            "default_role",
            "requires_approval",
            "hide_votes_until_voted",
            "voting_enabled",
            "annotations_enabled",
            "accepts_write_requests",
        ),
        "embedding": ("embed_origins",),
    }

    title = forms.CharField(label=_("Question"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Context shown under the question (Markdown)."),
    )
    language = forms.ChoiceField(
        label=_("Language of the debate"),
        choices=settings.LANGUAGES,
        required=False,  # left out: unchanged
        help_text=_("The language its claims are written in; search understands its words."),
    )
    visibility = forms.ChoiceField(
        label=_("Who may find and read it"),
        choices=[(value, label) for value, label in Debate.Visibility.choices],
        widget=forms.RadioSelect,
        required=False,  # left out: unchanged
    )
    default_role = forms.ChoiceField(
        label=_("Signed-in newcomers may"),
        choices=NEWCOMER_CHOICES,
        widget=forms.RadioSelect,
        required=False,  # left out: unchanged
        help_text=_(
            "Members keep the role you give them; this is for everyone else who signs "
            "in (public and unlisted debates)."
        ),
    )
    requires_approval = forms.BooleanField(
        label=_("Writers' new claims wait for a moderator's approval"),
        required=False,
        help_text=_("Suggesters' claims always wait; editors, moderators and the owner never do."),
    )
    hide_votes_until_voted = forms.BooleanField(
        label=_("Hide votes and strengths until one has voted"),
        required=False,
        help_text=_("Guided voting: each reader judges a point before seeing what others think."),
    )
    voting_enabled = forms.BooleanField(label=_("Voting is on"), required=False)
    annotations_enabled = forms.BooleanField(label=_("Notes are on"), required=False)
    accepts_write_requests = forms.BooleanField(
        label=_("Viewers and suggesters may ask to write"),
        required=False,
        help_text=_(
            "They send a short message; you and the moderators accept or decline it "
            "(Settings → Requests to write)."
        ),
    )
    embed_origins = forms.CharField(
        label=_("Sites that may embed this debate"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "https://moodle.school.example"}),
        help_text=_(
            "One site per line, as https://school.example (a page's whole address works "
            "too). Empty: any https site may show a public or unlisted debate."
        ),
    )

    def __init__(self, *args: Any, fields: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name not in fields:
                del self.fields[name]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        # A choice left out (a form without it, or a script posting part of it) is unchanged.
        for name in ("visibility", "default_role", "language"):
            if data.get(name) == "":
                del data[name]
        return data

    def visibility_rows(self) -> list[dict[str, Any]]:
        """Each visibility with what it means, for the radio buttons' descriptions."""
        chosen = self["visibility"].value() if "visibility" in self.fields else ""
        return [
            {
                "value": value,
                "label": label,
                "help": VISIBILITY_HELP[Debate.Visibility(value)],
                "checked": value == chosen,
            }
            for value, label in Debate.Visibility.choices
        ]


class FlagResolveForm(forms.Form):
    """A moderator's decision on a flag, with the reason the author and reporter are told."""

    DECISIONS = {
        "dismiss": (False, False),
        "uphold": (True, False),
        "uphold_hide": (True, True),
    }

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("dismiss", _("Dismiss")),
            ("uphold", _("Uphold")),
            ("uphold_hide", _("Uphold and hide")),
        ],
    )
    note = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        help_text=_("Shown to the reporter, and to the author when you uphold."),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("decision", "").startswith("uphold") and not data.get("note", "").strip():
            self.add_error("note", _("Say why you uphold it: the author reads it."))
        return data
