"""Forms with the plain field names the design promises: a claim's text is `text`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms.renderers import TemplatesSetting
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from arguments.models import (
    ANNOTATION_MAX_LENGTH,
    CLAIM_MAX_LENGTH,
    ELABORATION_MAX_LENGTH,
    Annotation,
    Debate,
    Source,
    Stance,
)


class FormRenderer(TemplatesSetting):
    """Our forms render each field as `templates/arguments/_field.html` (label, widget, help,
    errors) through `{{ field.as_field_group }}`: one field layout for every form."""

    field_template_name = "arguments/_field.html"


class DebateForm(forms.Form):
    title = forms.CharField(label=_("Question"), max_length=200)
    thesis = forms.CharField(
        label=_("Thesis"),
        max_length=CLAIM_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The statement under debate, one sentence."),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=ELABORATION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional context, in Markdown."),
    )
    visibility = forms.ChoiceField(
        label=_("Who may find and read it"),
        choices=Debate.Visibility.choices,
        initial=Debate.Visibility.UNLISTED,
        help_text=_(
            "A new debate starts unlisted: whoever has its link may read it, but it is "
            "listed nowhere until you make it public (from its settings page, any time). Public: "
            "on the home page and Explore. Private: members only."
        ),
    )
    default_role = forms.ChoiceField(
        label=_("Newcomers may"),
        choices=[
            ("writer", _("Write claims directly")),
            ("suggester", _("Suggest claims for approval")),
            ("viewer", _("Only read and vote")),
        ],
    )
    requires_approval = forms.BooleanField(
        label=_("New claims need a moderator's approval"), required=False
    )
    language = forms.ChoiceField(
        label=_("Language of the debate"),
        choices=settings.LANGUAGES,
        required=False,  # left out: the site's default
        help_text=_("The language its claims are written in; search understands its words."),
    )


class ClaimForm(forms.Form):
    # Length is checked after folding white space, by the service, so the message is one.
    text = forms.CharField(
        label=_("Claim"),
        strip=True,
        # No `maxlength`: it cut a pasted text silently. A live counter (static/js/counter.js)
        # says how far over the limit one is; the service refuses what is too long, with words.
        widget=forms.Textarea(
            attrs={"rows": 2, "data-count-max": CLAIM_MAX_LENGTH, "data-mentions": ""}
        ),
        help_text=format_lazy(_("One statement, at most {max} characters."), max=CLAIM_MAX_LENGTH),
    )
    elaboration = forms.CharField(
        label=_("Elaboration (optional, Markdown)"),
        required=False,
        max_length=ELABORATION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "data-mentions": ""}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].error_messages["required"] = _("Write the claim: it cannot be empty.")


class StanceForm(forms.Form):
    stance = forms.ChoiceField(label=_("Stance"), choices=Stance.choices)


class CitationForm(forms.Form):
    url = forms.CharField(label=_("Web address"), max_length=2000, required=False)
    title = forms.CharField(label=_("Title"), max_length=300, required=False)
    quote = forms.CharField(
        label=_("Quote (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    locator = forms.CharField(
        label=_("Page or paragraph (optional)"), max_length=100, required=False
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=Source.Kind.choices, initial=Source.Kind.ARTICLE
    )


class LinkForm(forms.Form):
    stance = forms.ChoiceField(label=_("Stance"), choices=Stance.choices)
    claim = forms.IntegerField(label=_("Claim to link"), min_value=1)


class AnnotationForm(forms.Form):
    # Without JavaScript, the span is typed as a quote; with it, the selection fills these.
    exact = forms.CharField(
        label=_("Quoted words (optional)"),
        required=False,
        max_length=CLAIM_MAX_LENGTH,
        help_text=_("Leave empty to annotate the whole claim."),
    )
    start = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    end = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    motivation = forms.ChoiceField(label=_("Motivation"), choices=Annotation.Motivation.choices)
    body = forms.CharField(
        label=_("Note (Markdown)"),
        required=False,
        max_length=ANNOTATION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "data-mentions": ""}),
    )
    visibility = forms.ChoiceField(
        label=_("Who may see it"), choices=Annotation.Visibility.choices, initial="public"
    )


class NoteEditForm(forms.Form):
    motivation = forms.ChoiceField(label=_("Motivation"), choices=Annotation.Motivation.choices)
    body = forms.CharField(
        label=_("Note (Markdown)"),
        required=False,
        max_length=ANNOTATION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "data-mentions": ""}),
    )


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Body"), max_length=ANNOTATION_MAX_LENGTH)


def form_errors_to(form: forms.Form, error: ValidationError) -> None:
    """Attach the service's messages to the form's fields (or to the form as a whole)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)
