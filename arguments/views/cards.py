"""Claim cards rendered once and reused: the card of a claim is the same HTML for every reader
who sees the same claim the same way, so each worker keeps the cards it rendered last.

A signed-in reader's page used to render every card (text, vote bar, "⋯" menu and its forms)
through Django's templates: about 3.5 ms a card, most of the member page's time. A card's
HTML depends only on its `fingerprint`: every field of the tree item (the claim as it stands,
its place, counts and citations, the point's tallies and strength, the reader's vote and
actions, which the lens computes per claim shape from the role), what the card reads through
the lens (the author's name as the reader sees it, authorship, staff), and the links of the
reader's frame. The fields are taken from the dataclasses themselves, so a field added to
`TreeItem`, `Node`, `Edge` or `CitedSource` is in the key unless `NOT_KEYED` says why not
(tests/test_claim_cards.py checks that equal keys render equal cards, whatever the reader).
The fingerprint is the key, so nothing is ever invalidated: a vote or an edit makes a new
key, and the old card ages out of the bounded store.

A card is kept in two parts (issue 35, the class at work): its vote line (`_vote.html`: the
point's tallies, strength, the reader's own vote, the vote form), keyed by the whole
fingerprint, and the card around it (text, author, counts, menu and its forms, citations),
kept cut at the vote line and keyed by the fingerprint without what only the vote line reads
(`VOTE_LINE`) and without the page's path (only the vote form's `next` shows it). A vote
makes a new key for the vote line alone: the card around it, two thirds of its rendering, is
kept through votes, and shared by every page showing the claim the same way (a focus page,
a branch, a write's answer). The parts are joined per request, as the CSRF token is put in.

Two things differ per request and are put in afterwards: the CSRF token (the card is
rendered with a stand-in, replaced by the request's own token) and nothing else. Cards that
carry per-reader detail the key does not hold (notes, whose visibility and actions vary by
reader; a moderation notice; an htmx swap's out-of-band flag or a vote's error) are rendered
each time. docs/PERFORMANCE.md, "Signed-in pages".
"""

from __future__ import annotations

import secrets
from dataclasses import fields
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from arguments import caches
from arguments.reading.tree import TreeItem
from arguments.structure.graph import CitedSource, Edge, Node

if TYPE_CHECKING:
    from django.template import Context, Engine

CARD_TEMPLATE = "arguments/_claim_body.html"
ITEM_TEMPLATE = "arguments/_claim.html"  # the card in its <li>, with its slot and branch
VOTE_TEMPLATE = "arguments/_vote.html"  # the card's vote line (`{% claim_votes %}`)
# Context flags under which a card is not the plain card of its key.
PER_REQUEST_FLAGS = ("oob", "open_notes", "vote_error")
# What the card holds in place of the request's CSRF token. Not a valid token's shape (those
# are 64 letters and digits), so it cannot collide with one.
CSRF_STAND_IN = "csrf-token-of-this-request"
# What a card kept apart from its vote line holds in the vote line's place, while it is
# rendered to be kept (in the context under `VOTE_HOLE`). Secret to this process, so no
# claim's text can hold it.
VOTE_HOLE = "claim_vote_hole"
_HOLE = f"\x00vote-line-{secrets.token_hex(8)}\x00"


def _size(kept: str | tuple[str, ...]) -> int:
    if isinstance(kept, str):
        return caches.text_size(kept)
    return sum(map(caches.text_size, kept))


# Vote lines, and cards and folded <li>s cut at them: about 1 and 2 KB each, bounded by
# bytes (issue 35).
_cards = caches.Bounded("cards", sizer=_size, default_mb=12)

# The fields of a tree item that are not in the key as they stand, and why. Every other
# field is, so a new one cannot be forgotten: it is keyed unless named here.
NOT_KEYED = {
    "node": "keyed field by field",
    "edge": "keyed field by field",
    "citations": "keyed source by source, field by field",
    "lens": "keyed by what the card reads through it: names, authorship, staff",
    "urls": "keyed by the links they make, which the lens's frame, perspective and order "
    "and the script prefix shape",
    "pros": "a card shows no branch, and a claim's <li> is kept only folded (`expanded`), "
    "when it has none",
    "cons": "as `pros`",
    "notes": "a card with notes is never kept",
}
# What a vote changes, which only the vote line reads: in the vote line's key (the whole
# fingerprint), not in the key of the card around it. Fields of the tree item, and `tally`
# of its `Node` and `Edge` too (the point's tally is taken from one of them).
VOTE_LINE = {
    "tally": "the point's votes, shown as counts and shares",
    "my_vote": "the reader's own vote, pressed and named",
    "votes_hidden": "guided voting hides others' votes until the reader votes",
    "strength": "the point's strength, its meter and percentage",
}
# C-speed getters of every field (a card's key is computed on every page, for every card).
_NODE = attrgetter(*(f.name for f in fields(Node) if f.name not in VOTE_LINE))
_EDGE = attrgetter(*(f.name for f in fields(Edge) if f.name not in VOTE_LINE))
_CITATION = attrgetter(*(f.name for f in fields(CitedSource)))
_ITEM = attrgetter(
    *(f.name for f in fields(TreeItem) if f.name not in NOT_KEYED and f.name not in VOTE_LINE)
)
_VOTED = attrgetter(*(f.name for f in fields(TreeItem) if f.name in VOTE_LINE))


def fingerprint(item: TreeItem) -> tuple[Any, ...] | None:
    """Everything `_claim_body.html` and a folded `_claim.html` read but their vote line, or
    None for a card that must be rendered each time (it shows notes or a moderation
    notice). The same on every page that shows the claim the same way: the page's path is
    read by the vote line alone (its form's `next`)."""
    node, edge, lens, urls = item.node, item.edge, item.lens, item.urls
    if item.notes or lens.notice(node.id) is not None:
        return None
    return (
        _NODE(node),
        None if edge is None else _EDGE(edge),
        _ITEM(item),
        tuple(map(_CITATION, item.citations)),
        item.author,  # as the reader sees it: a pseudonym in a pseudonymous debate
        item.is_own,
        lens.is_staff,  # staff get a link to the claim's flags in the admin (in a notice)
        lens.debate.language,  # the claim text's `lang`
        # The reader's frame, perspective, order and script prefix, as the links show them.
        urls.focus,
        urls.branch,
        urls.vote,
    )


def voted(item: TreeItem, full_path: str) -> tuple[Any, ...]:
    """What a vote changes on the card (`VOTE_LINE`), and the page's path (the vote form's
    `next`): with `fingerprint`, the vote line's key."""
    edge = item.edge
    return (item.node.tally, None if edge is None else edge.tally, _VOTED(item), full_path)


def render_card(item: TreeItem, context: Context) -> SafeString:
    """The card of `item` as `_claim_body.html` renders it in `context`, from the store when
    this worker rendered the same card before."""
    return _kept(CARD_TEMPLATE, item, context)


def render_item(item: TreeItem, context: Context) -> SafeString:
    """The claim's whole `<li>` (`_claim.html`: its card, slot and branch). A folded claim's
    branch is an empty placeholder, so its `<li>` is kept like its card; an unfolded one's
    holds other claims, and is rendered (each of those from the store in turn)."""
    with context.push(item=item):
        if item.expanded:
            return _engine(context).get_template(ITEM_TEMPLATE).render(context)
        return _kept(ITEM_TEMPLATE, item, context)


def render_votes(item: TreeItem, context: Context) -> SafeString:
    """The card's vote line (`_vote.html`) as the card in `context` shows it: from the store
    when this worker rendered it before, or the hole it is joined in later when the card
    around it is rendered to be kept."""
    hole = context.get(VOTE_HOLE)
    if hole:
        return mark_safe(hole)
    shown = _shown(item, context)
    if shown is None:
        return mark_safe(_engine(context).get_template(VOTE_TEMPLATE).render(context))
    return mark_safe(_with_token(_vote_line(item, context, shown), context))


def _engine(context: Context) -> Engine:
    """The engine rendering `context` (a template tag's context always has its template)."""
    assert context.template is not None
    return context.template.engine


def _shown(item: TreeItem, context: Context) -> tuple[Any, ...] | None:
    """The card's `fingerprint`, or None when the card in `context` is rendered each time."""
    if context.get("request") is None or any(context.get(flag) for flag in PER_REQUEST_FLAGS):
        return None
    return fingerprint(item)


def _kept(template_name: str, item: TreeItem, context: Context) -> SafeString:
    shown = _shown(item, context)
    if shown is None:
        template = _engine(context).get_template(template_name)
        with context.push(csrf_token=CSRF_STAND_IN):
            html = template.render(context)
        return mark_safe(_with_token(html, context))
    # The language too: a card's labels ("Pro", "Vote") are in the reader's.
    key = (template_name, get_language(), *shown)
    parts: tuple[str, ...] | None = _cards.fetch(key)
    if parts is None:
        template = _engine(context).get_template(template_name)
        with context.push(csrf_token=CSRF_STAND_IN, **{VOTE_HOLE: _HOLE}):
            parts = tuple(template.render(context).split(_HOLE))
        _cards.keep(key, parts)
    # Inside a card's `<li>` rendered to be kept, the hole stays for the `<li>`'s own.
    line = context.get(VOTE_HOLE) or _vote_line(item, context, shown)
    return mark_safe(_with_token(line.join(parts), context))


def _vote_line(item: TreeItem, context: Context, shown: tuple[Any, ...]) -> str:
    """The vote line of the card `shown`, with the CSRF token's stand-in."""
    key = (VOTE_TEMPLATE, get_language(), *shown, voted(item, context["request"].get_full_path()))
    html: str | None = _cards.fetch(key)
    if html is None:
        template = _engine(context).get_template(VOTE_TEMPLATE)
        with context.push(csrf_token=CSRF_STAND_IN):
            html = template.render(context)
        _cards.keep(key, html)
    return html


def _with_token(html: str, context: Context) -> str:
    if CSRF_STAND_IN in html:
        # Asked only for a card with a form: a visitor's page sets no CSRF cookie. (Inside
        # a kept `<li>`, the token is the stand-in still, put in by the `<li>` itself.)
        html = html.replace(CSRF_STAND_IN, str(context.get("csrf_token", "")))
    return html


def forget_cards() -> None:
    """Drop every card this worker holds (tests that compare fresh renders)."""
    _cards.clear()


caches.register(
    "cards",
    kept=caches.Kept.PROCESS,
    key="the template and the card's `fingerprint`: every field of the tree item, what the "
    "card reads through the lens, the links of the reader's frame, the interface's language; "
    "a card is kept cut at its vote line, whose key adds what only it reads (`VOTE_LINE`: "
    "tallies, strength, the reader's vote; the page's path)",
    stale="never: anything shown changes the key; the cards used last are kept, within their "
    "budget of bytes",
    forget=forget_cards,
    holds=_cards,
)
