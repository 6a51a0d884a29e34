"""The import form: a file (read as UTF-8 text, at most 5 MB), its format, a title, who may
open the new debate, and what to make of AIF's rephrases."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from arguments.formats import LABELS
from arguments.models import TITLE_MAX_LENGTH, Debate

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "A Kialo export (.txt), an Argdown file, AIF JSON (AIFdb, OVA) or a JSON "
            "backup from this site; up to 5 MB. The new debate starts private (only you can "
            "open it; a backup keeps its own setting): make it unlisted or public from its "
            "settings page when it is ready."
        ),
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("", _("Detect from the file")), *LABELS.items()],
        required=False,
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=TITLE_MAX_LENGTH,
        required=False,
        help_text=_("The debate's question; leave empty to take the file's."),
    )
    visibility = forms.ChoiceField(
        choices=[
            ("", _("As the file says (usually private)")),
            *Debate.Visibility.choices,
        ],
        required=False,
        label=_("Who may open it"),
        help_text=_(
            "As the file says: a backup from this site keeps its own setting, any other "
            "file starts private. Private: you and the members you add. Unlisted: anyone with its "
            "link, not listed. Public: listed on the home page and in Explore. You can change it "
            "later on the debate's settings page."
        ),
    )

    rephrases = forms.ChoiceField(
        choices=[
            ("keep", _("Keep both wordings, one a rephrase of the other")),
            ("merge", _("Merge them into one claim where no support or attack is lost")),
        ],
        initial="keep",
        required=False,
        label=_("AIF rephrases"),
        help_text=_(
            "Only for AIF files: what to make of a rephrase (an MA node). Merged, the "
            "other wording goes into the claim's elaboration; an export writes it back as a "
            "rephrase either way."
        ),
    )

    def clean_rephrases(self) -> bool:
        """Whether to merge each rephrase into one claim (the default keeps both)."""
        return self.cleaned_data.get("rephrases") == "merge"

    def clean_file(self) -> str:
        """The upload's text; the file name stays on `self.filename` for format detection."""
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            megabytes = upload.size / 1024 / 1024
            raise forms.ValidationError(
                _(
                    "The file is %(size).1f MB; files of up to 5 MB can be imported. "
                    "Split the debate, or ask an administrator to run the import_debate command."
                )
                % {"size": megabytes}
            )
        self.filename = upload.name or ""
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                _("The file is not UTF-8 text; save it as UTF-8 and upload it again.")
            ) from None
