"""A debate's public activity feed: who wrote, cited and annotated what, newest first, as one
reader may see it (the lens: a pending or hidden claim, a private note, are not in it) and
names as the debate shows them (pseudonyms where it uses them).

Votes are not in the feed: who voted how is not shown anywhere on the site (only tallies).
Four queries (the newest rows of each kind, and of the debate's own history: the settings
a participant notices), whatever the debate's size, plus pseudonyms.

Each act is one sentence in the reader's language, its placeholders the person
(`%(name)s`), the claim (`%(claim)s`) and a source's or new title's words: the page fills
them with markup (`{% feed_sentence %}`), so no translated fragment is glued to a name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from arguments import selectors
from arguments.models import Annotation, Citation, Claim
from arguments.reading.lens import Lens

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

KINDS = {
    "claim": _("Claims"),
    "source": _("Sources"),
    "note": _("Notes"),
    "settings": _("Settings"),
}

# How a change of the debate's settings reads in the feed (selectors.ANNOUNCED_SETTINGS).
SETTING_SENTENCES: dict[str, dict[object, StrOrPromise]] = {
    "visibility": {
        "public": _("%(name)s made the debate public: listed, and open to everyone signed in."),
        "unlisted": _("%(name)s made the debate unlisted: open to whoever has its link."),
        "private": _("%(name)s made the debate private: for its members only."),
    },
    "default_role": {
        "writer": _("%(name)s let newcomers write claims directly."),
        "suggester": _("%(name)s asked newcomers to suggest claims, which wait for approval."),
        "viewer": _("%(name)s let newcomers only read, vote and add notes."),
    },
    "requires_approval": {
        True: _("%(name)s asked that new claims wait for a moderator's approval."),
        False: _("%(name)s let new claims appear without approval."),
    },
    "hide_votes_until_voted": {
        True: _("%(name)s hid votes and strengths until one has voted."),
        False: _("%(name)s showed votes and strengths to everyone."),
    },
    "voting_enabled": {
        True: _("%(name)s switched voting on."),
        False: _("%(name)s switched voting off."),
    },
    "annotations_enabled": {
        True: _("%(name)s switched notes on."),
        False: _("%(name)s switched notes off."),
    },
    "status": {
        "open": _("%(name)s opened the debate."),
        "locked": _("%(name)s locked the debate (read-only for now)."),
        "closed": _("%(name)s closed the debate with a conclusion."),
    },
}
RECENT = 300  # rows read per kind: the feed shows the newest acts, not the debate's history


@dataclass(frozen=True)
class FeedItem:
    kind: str
    at: datetime
    person: str  # as the debate names them ("" for an account since deleted)
    # One sentence, in the reader's language: "%(name)s wrote “%(claim)s”", where the page
    # puts the person and the claim's words (`text`, linked to `url`), and `words` for the
    # source or title it quotes.
    sentence: StrOrPromise
    text: str  # the claim's words
    url: str
    words: str = ""


def _name(lens: Lens, user_id: int | None, username: str | None) -> str:
    """As the debate names them; "" for no one (the page says "Someone" in its language)."""
    return lens.author_name(user_id, username or "") if user_id else ""


def debate_feed(
    lens: Lens, *, kind: str = "", person: str = "", limit: int = 100
) -> tuple[list[FeedItem], list[str]]:
    """The newest acts the reader may see (of one `kind`, by one `person` as named on the
    page, when given), and everyone named in the feed (for the person filter)."""
    items: list[FeedItem] = []
    debate = lens.debate

    def place(claim_id: int) -> str:
        return f"{lens.claim_urls(claim_id).page}#claim-{claim_id}"

    if kind in ("", "claim"):
        rows = (
            Claim.objects.filter(debate=debate)
            .order_by("-created_at")
            .values_list("id", "text", "is_thesis", "author_id", "author__username", "created_at")
        )[:RECENT]
        for claim_id, text, is_thesis, author_id, username, at in rows:
            if lens.sees(claim_id):
                sentence = (
                    _("%(name)s set out the thesis “%(claim)s”")
                    if is_thesis
                    else _("%(name)s wrote “%(claim)s”")
                )
                items.append(
                    FeedItem("claim", at, _name(lens, author_id, username), sentence,
                             Truncator(text).chars(160), place(claim_id))
                )  # fmt: skip
    if kind in ("", "source"):
        cited = (
            Citation.objects.filter(claim__debate=debate, is_hidden=False)
            .order_by("-created_at")
            .values_list(
                "claim_id", "claim__text", "source__title", "added_by_id",
                "added_by__username", "created_at",
            )
        )[:RECENT]  # fmt: skip
        for claim_id, text, title, user_id, username, at in cited:
            if lens.sees(claim_id):
                items.append(
                    FeedItem("source", at, _name(lens, user_id, username),
                             _("%(name)s cited “%(words)s” for “%(claim)s”"),
                             Truncator(text).chars(160), place(claim_id),
                             Truncator(title).chars(80))
                )  # fmt: skip
    if kind in ("", "note"):
        notes = (
            Annotation.objects.filter(claim__debate=debate)
            .select_related("author", "claim")
            .order_by("-created_at")
        )[:RECENT]
        for note in notes:
            if lens.sees(note.claim_id) and lens.sees_note(note):
                author = note.author
                sentence = (
                    _("%(name)s replied to a note on “%(claim)s”")
                    if note.parent_id
                    else _("%(name)s annotated “%(claim)s”")
                )
                items.append(
                    FeedItem("note", note.created_at,
                             _name(lens, note.author_id, author.username if author else ""),
                             sentence, Truncator(note.claim.text).chars(160), place(note.claim_id))
                )  # fmt: skip
    if kind in ("", "settings"):
        for change in selectors.debate_setting_changes(debate):
            words = ""
            if change.field == "title":
                said: StrOrPromise | None = _("%(name)s renamed the debate “%(words)s”.")
                words = Truncator(change.value).chars(120)
            else:
                said = SETTING_SENTENCES[change.field].get(change.value)
            if said:
                items.append(
                    FeedItem("settings", change.at,
                             _name(lens, change.user_id, change.username), said, "",
                             lens.urls.page, words)
                )  # fmt: skip
    items.sort(key=lambda item: item.at, reverse=True)
    people = sorted({item.person for item in items if item.person}, key=str.casefold)
    if person:
        items = [item for item in items if item.person == person]
    return items[:limit], people
