"""Debate cards rendered once and reused: the home page, Explore and a tag's page list 6 to 60
debates, each a card (its question, what it is about or its theses, tags, counts, last
activity), and rendering those cards through Django's templates was most of each listing's
time, on every request (issue 35: a listing of 30 cards about 20 ms of CPU, its SQL 5).

A card's HTML depends only on what `fingerprint` reads of its debate (the values the card
shows: slug, title, description, language, featured, tags, claim, participant and vote
counts, last activity), the template, the interface's language, the time zone and the
script prefix (its links). The fingerprint is the key, so nothing is ever invalidated: an
edit, a vote or a new tag makes a new key, and the old card ages out of the bounded store.
The listing's own query reads every value (they are its rows), so a kept card costs no
query.

One part of a card moves with the clock, not with the debate: "active 3 minutes ago". The
card is kept with a stand-in there, and each request puts in the time since, as the
template's `timesince` would (the `<time datetime>` beside it is the debate's own). No
part of a card is per reader: a member's own marks are not on the cards.

A search's results (a claim found, in its place: `_search_hit.html`) are kept the same way,
keyed by every field of the hit and what it shows of its debate.

The home page's "New debate" form (a member's, folded) is kept the same way, once per
language: the empty form is the same for every member but for its CSRF token, which is put
in per request as the claim cards' is (arguments/views/cards.py).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from django.urls import get_script_prefix
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince
from django.utils.timezone import get_current_timezone_name
from django.utils.translation import get_language

from arguments import caches
from arguments.explore.search import Hit
from arguments.views.cards import CSRF_STAND_IN

if TYPE_CHECKING:
    from django.template import Context, Engine

    from arguments.models import Debate

NEW_DEBATE_FORM = "arguments/_debate_form.html"
SEARCH_HIT = "arguments/_search_hit.html"  # a claim found, in a search's results
EXPLORE_CARD = "arguments/_debate_card.html"  # Explore's lists and a tag's page
HOME_CARD = "arguments/_home_card.html"  # the home page: its theses, no description
# What a kept card holds in place of the time since the debate's last activity (nothing to
# escape in it). The time is the card's last part, after every text a participant wrote, so
# the last stand-in in a card is this one even if a title or a tag holds the same text.
SINCE_STAND_IN = "\ue000since\ue000"


@dataclass(frozen=True, slots=True)
class KeptCard:
    head: str  # the card up to the time since its last activity
    tail: str | None  # after it (None: a card that shows no such time)
    nbytes: int  # the card's and its key's strings (the key holds the title and description)


# Every field of a search hit but its debate (keyed by what a hit shows of it): a field added
# to `Hit` is in the key.
_HIT = attrgetter(*(f.name for f in fields(Hit) if f.name != "debate"))

# Debate cards, about 1 KB each with their keys, bounded by bytes (issue 35).
_cards = caches.Bounded("debate cards", sizer=lambda card: card.nbytes, default_mb=2)


def fingerprint(debate: Debate, template_name: str) -> tuple[Any, ...]:
    """Everything the card template reads of `debate` (the home card its published theses
    too, the others its description), as the listing's query gave it."""
    tags = tuple((tag.name, tag.slug) for tag in debate.tags.all())  # prefetched
    theses: tuple[str, ...] = ()
    if template_name == HOME_CARD:
        theses = tuple(thesis.text for thesis in getattr(debate, "published_theses", ()))
    return (
        debate.pk,
        debate.slug,
        debate.title,
        debate.description if template_name != HOME_CARD else "",
        debate.language,
        debate.featured,
        tags,
        theses,
        getattr(debate, "claim_count", None),
        debate.participant_count,
        debate.vote_count,
        debate.updated_at,
    )


def _engine(context: Context) -> Engine:
    assert context.template is not None
    return context.template.engine


def render_debate_card(debate: Debate, template_name: str, context: Context) -> SafeString:
    """The card of `debate` as `template_name` renders it, from the store when this worker
    rendered the same card before; the time since its last activity put in."""
    key = (
        template_name,
        get_language(),
        get_current_timezone_name(),
        get_script_prefix(),
        *fingerprint(debate, template_name),
    )
    kept = _cards.fetch(key)
    if kept is None:
        with context.push(debate=debate, since=SINCE_STAND_IN):
            html = _engine(context).get_template(template_name).render(context)
        head, found, tail = html.rpartition(SINCE_STAND_IN)
        strings = sum(caches.text_size(part) for part in key if isinstance(part, str))
        kept = (
            KeptCard(head, tail, caches.text_size(html) + strings + 200)
            if found
            else KeptCard(html, None, caches.text_size(html) + strings + 200)
        )
        _cards.keep(key, kept)
    if kept.tail is None:
        return mark_safe(kept.head)
    since = conditional_escape(timesince(debate.updated_at))
    return mark_safe(f"{kept.head}{since}{kept.tail}")


def render_new_debate_form(context: Context) -> SafeString:
    """The empty "New debate" form (`form` in the context, unbound) as `_debate_form.html`
    renders it, kept per language, with this request's CSRF token put in. A bound form (its
    values, its errors) is rendered each time."""
    form = context["form"]
    if form.is_bound:
        return mark_safe(_engine(context).get_template(NEW_DEBATE_FORM).render(context))
    key = (NEW_DEBATE_FORM, get_language(), get_script_prefix(), tuple(form.initial.items()))
    kept = _cards.fetch(key)
    if kept is None:
        with context.push(csrf_token=CSRF_STAND_IN):
            html = _engine(context).get_template(NEW_DEBATE_FORM).render(context)
        kept = KeptCard(html, None, caches.text_size(html) + 200)
        _cards.keep(key, kept)
    return mark_safe(kept.head.replace(CSRF_STAND_IN, str(context.get("csrf_token", ""))))


def render_search_hit(hit: Hit, show_debate: bool, context: Context) -> SafeString:
    """A search result (`_search_hit.html`), kept: its HTML is made of the hit's fields and
    its debate's title, slug and language alone (whether the reader sees the claim was
    decided before it became a hit)."""
    debate = hit.debate
    key = (
        SEARCH_HIT,
        get_language(),
        get_script_prefix(),
        bool(show_debate),
        _HIT(hit),
        debate.pk,
        debate.slug,
        debate.title,
        debate.language,
    )
    kept = _cards.fetch(key)
    if kept is None:
        with context.push(hit=hit, show_debate=show_debate):
            html = _engine(context).get_template(SEARCH_HIT).render(context)
        strings = sum(caches.text_size(str(part)) for part in _HIT(hit) if isinstance(part, str))
        kept = KeptCard(html, None, caches.text_size(html) + strings + 300)
        _cards.keep(key, kept)
    return mark_safe(kept.head)


def forget_debate_cards() -> None:
    """Drop every debate card this worker holds (tests that compare fresh renders)."""
    _cards.clear()


caches.register(
    "debate cards",
    kept=caches.Kept.PROCESS,
    key="the card's template, the interface's language, the time zone, the script prefix "
    "and the card's `fingerprint`: every value of the debate the card shows; the empty "
    "new-debate form's template, language, script prefix and initial values; a search "
    "hit's template, language, script prefix, every field of the hit and its debate's slug, "
    "title and language",
    stale="never: anything shown changes the key (the time since the last activity is put "
    "in on each request); the cards used last are kept, within their budget of bytes",
    forget=forget_debate_cards,
    holds=_cards,
)
