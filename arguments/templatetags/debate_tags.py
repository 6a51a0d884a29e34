"""Template filters and tags for debates: sanitized Markdown, highlights, claim cards."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django import template
from django.template import Context
from django.template.base import render_value_in_context
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext, pgettext

from arguments import languages
from arguments.formats.document import LOSSES
from arguments.models import Stance
from arguments.reading.markup import render_markdown
from arguments.reading.picker import Picker, picker_of
from arguments.views.cards import render_card, render_item, render_votes
from arguments.views.debate_cards import (
    render_debate_card,
    render_new_debate_form,
    render_search_hit,
)

if TYPE_CHECKING:
    from arguments.explore.search import Hit
    from arguments.models import Debate, Tag
    from arguments.reading.feed import FeedItem
    from arguments.reading.lens import Lens
    from arguments.reading.tree import TreeItem, VoteShown

register = template.Library()


@register.simple_tag(takes_context=True)
def claim_card(context: Context) -> SafeString:
    """The card of the claim in `item` (arguments/_claim_body.html), rendered once per worker
    for each way it can look (arguments/views/cards.py)."""
    return render_card(context["item"], context)


@register.simple_tag(takes_context=True)
def claim_item(context: Context, item: TreeItem) -> SafeString:
    """`item`'s whole `<li>` (arguments/_claim.html), a folded one kept like its card."""
    return render_item(item, context)


@register.simple_tag(takes_context=True)
def claim_votes(context: Context) -> SafeString:
    """The vote line of the card in `item` (arguments/_vote.html), kept apart from the card
    around it: a vote changes only this (arguments/views/cards.py)."""
    return render_votes(context["item"], context)


# A vote region's steps (arguments/_vote.html), written here rather than as a template loop:
# the loop's five steps (a plural each) were most of a region's rendering, which a page does
# once per shown point and a member's page once more to check its regions. The markup is the
# loop's it replaced, byte for byte (tests/test_owner_page.py renders both).
_VOTE_BUTTON = (
    '<button type="submit" name="value" value="{value}" class="step share-{share}" '
    'aria-pressed="{pressed}" title="{value} {label}{shown}">{value}<span class="visually-hidden"> '
    "{label}{spoken}</span></button>"
)
_READONLY_STEP = '<span class="step share-{share}" title="{value} {label}: {count}">{value}</span>'


@register.simple_tag(takes_context=True)
def vote_buttons(context: Context, item: VoteShown) -> SafeString:
    """The vote form's buttons, one a value: pressed for the reader's own vote; each with its
    count unless guided voting hides others' votes."""
    hidden = item.votes_hidden
    buttons = []
    for value, label, count, share, mine in item.vote_steps:
        counted = render_value_in_context(count, context)
        buttons.append(
            _VOTE_BUTTON.format(
                value=value,
                share=share,
                pressed="true" if mine else "false",
                label=render_value_in_context(label, context),
                shown="" if hidden else f": {counted}",
                spoken=""
                if hidden
                else ", "
                + ngettext("%(counter)s vote", "%(counter)s votes", count) % {"counter": counted},
            )
        )
    return mark_safe("".join(buttons))


@register.simple_tag(takes_context=True)
def readonly_steps(context: Context, item: VoteShown) -> SafeString:
    """The steps of a point the reader may not vote on: each value's share and count."""
    return mark_safe(
        "".join(
            _READONLY_STEP.format(
                value=value,
                share=share,
                label=render_value_in_context(label, context),
                count=render_value_in_context(count, context),
            )
            for value, label, count, share, _mine in item.vote_steps
        )
    )


@register.simple_tag(takes_context=True)
def debate_card(context: Context, debate: Debate, template_name: str) -> SafeString:
    """A debate's card in a list (`template_name`: the home page's or Explore's), rendered
    once per worker for each way it can look (arguments/views/debate_cards.py)."""
    return render_debate_card(debate, template_name, context)


@register.simple_tag(takes_context=True)
def search_hit(context: Context, hit: Hit, show_debate: bool = False) -> SafeString:
    """A claim found, in its place (arguments/_search_hit.html), kept per worker for each
    way it can look (arguments/views/debate_cards.py)."""
    return render_search_hit(hit, show_debate, context)


@register.simple_tag(takes_context=True)
def new_debate_form(context: Context) -> SafeString:
    """The home page's "New debate" form (`form`), the empty one kept per language with
    this request's CSRF token (arguments/views/debate_cards.py)."""
    return render_new_debate_form(context)


@register.simple_tag
def perspective_picker(lens: Lens) -> Picker:
    """The perspectives this reader may see the debate through, and vote as
    (`{% perspective_picker lens as picker %}`)."""
    return picker_of(lens)


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    # render_markdown sanitizes with nh3, so the result is safe to mark as such.
    return mark_safe(render_markdown(text))


@register.filter
def percent(value: float | None) -> str:
    """0.634 -> '63%'; signed effects keep their sign ('-12%')."""
    if value is None:
        return ""
    return f"{round(value * 100)}%"


@register.filter
def highlight(text: str, spans: list[tuple[int, int]]) -> SafeString:
    """The text, escaped, with each annotated span wrapped in <mark> (overlaps merged)."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        start, end = max(0, start), min(len(text), end)
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    parts: list[str] = []
    cursor = 0
    for start, end in merged:
        parts.append(escape(text[cursor:start]))
        parts.append(f'<mark class="annotated">{escape(text[start:end])}</mark>')
        cursor = end
    parts.append(escape(text[cursor:]))
    return mark_safe("".join(parts))


@register.filter
def round_trip_losses(counts: dict[str, int]) -> list[tuple[int, str]]:
    """The `lost_<kind>` counts of an import preview, each with what it names (LOSSES)."""
    return [
        (n, str(LOSSES.get(name[5:], name[5:].replace("_", " "))))
        for name, n in counts.items()
        if name.startswith("lost_") and n
    ]


@register.simple_tag
def content_lang(debate: object) -> SafeString:
    """`lang` and `dir` for what the debate's participants wrote (its title, a claim's text),
    in the debate's language, while the interface around it speaks the reader's."""
    code = str(getattr(debate, "language", "") or "")
    if code not in languages.codes():
        return mark_safe("")
    return mark_safe(f'lang="{escape(code)}" dir="{languages.direction(code)}"')


def _fill(pattern: str, **parts: str) -> SafeString:
    """A translated sentence with markup in its placeholders: the sentence escaped, each
    part escaped unless it is already safe markup."""
    return mark_safe(escape(pattern) % {k: conditional_escape(v) for k, v in parts.items()})


def _listed(items: list[SafeString]) -> SafeString:
    """Items of a list but the last, joined as the language joins them ("، " in Arabic)."""
    return mark_safe(conditional_escape(pgettext("between the items of a list", ", ")).join(items))


@register.simple_tag
def together_with(texts: list[str]) -> SafeString:
    """ "together with “A” and “B”" under a premise of a linked argument, one sentence in the
    reader's language; each quoted claim keeps its own direction (`dir="auto"`)."""
    quoted = [
        _fill(
            pgettext("a quoted claim", "“%(claim)s”"),
            claim=format_html('<span dir="auto">{}</span>', Truncator(text).chars(80)),
        )
        for text in texts
    ]
    if not quoted:
        return mark_safe("")
    if len(quoted) == 1:
        return _fill(gettext("together with %(claim)s"), claim=quoted[0])
    return _fill(
        gettext("together with %(claims)s and %(last)s"),
        claims=_listed(quoted[:-1]),
        last=quoted[-1],
    )


@register.simple_tag
def linked_claim(stance: str, text: str) -> SafeString:
    """ "Linked pro: …" or "Linked con: …" for a version's linked claim, one sentence in the
    reader's language; the claim keeps its own direction (`dir="auto"`)."""
    claim = format_html('<span dir="auto">{}</span>', Truncator(text).chars(120))
    if stance == Stance.PRO:
        return _fill(gettext("Linked pro: %(claim)s"), claim=claim)
    return _fill(gettext("Linked con: %(claim)s"), claim=claim)


@register.simple_tag
def tag_links(tags: Iterable[Tag]) -> SafeString:
    """Links to Explore's page of each tag, as a list in the reader's language, to go into
    a whole translated sentence."""
    links = [
        format_html('<a href="{}" dir="auto">{}</a>', tag.get_absolute_url(), tag.name)
        for tag in tags
    ]
    return _listed(links)


@register.simple_tag
def feed_sentence(item: FeedItem) -> SafeString:
    """An act of the activity feed as one sentence in the reader's language: the person in
    bold, the claim's words linked, each keeping its own direction."""
    parts = {
        "name": format_html(
            '<strong dir="auto">{}</strong>', item.person or pgettext("an actor", "Someone")
        ),
        "claim": format_html('<a href="{}" dir="auto">{}</a>', item.url, item.text),
        "words": format_html('<span dir="auto">{}</span>', item.words),
    }
    return _fill(str(item.sentence), **parts)
