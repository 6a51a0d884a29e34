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

Two things differ per request and are put in afterwards: the CSRF token (the card is
rendered with a stand-in, replaced by the request's own token) and nothing else. Cards that
carry per-reader detail the key does not hold (notes, whose visibility and actions vary by
reader; a moderation notice; an htmx swap's out-of-band flag or a vote's error) are rendered
each time. docs/PERFORMANCE.md, "Signed-in pages".
"""

from __future__ import annotations

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
# Context flags under which a card is not the plain card of its key.
PER_REQUEST_FLAGS = ("oob", "open_notes", "vote_error")
# What the card holds in place of the request's CSRF token. Not a valid token's shape (those
# are 64 letters and digits), so it cannot collide with one.
CSRF_STAND_IN = "csrf-token-of-this-request"

# Cards and folded <li>s, about 3 KB each, bounded by bytes (issue 35).
_cards = caches.Bounded("cards", sizer=caches.text_size, default_mb=12)

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
# C-speed getters of every field (a card's key is computed on every page, for every card).
_NODE = attrgetter(*(f.name for f in fields(Node)))
_EDGE = attrgetter(*(f.name for f in fields(Edge)))
_CITATION = attrgetter(*(f.name for f in fields(CitedSource)))
_ITEM = attrgetter(*(f.name for f in fields(TreeItem) if f.name not in NOT_KEYED))


def fingerprint(item: TreeItem, full_path: str) -> tuple[Any, ...] | None:
    """Everything `_claim_body.html` and a folded `_claim.html` read, or None for a card that
    must be rendered each time (it shows notes or a moderation notice)."""
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
        full_path,  # the vote form's `next`
    )


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


def _engine(context: Context) -> Engine:
    """The engine rendering `context` (a template tag's context always has its template)."""
    assert context.template is not None
    return context.template.engine


def _kept(template_name: str, item: TreeItem, context: Context) -> SafeString:
    request = context.get("request")
    key = None
    if request is not None and not any(context.get(flag) for flag in PER_REQUEST_FLAGS):
        shown = fingerprint(item, request.get_full_path())
        # The language too: a card's labels ("Pro", "Vote") are in the reader's.
        key = None if shown is None else (template_name, get_language(), *shown)
    html = None
    if key is not None:
        html = _cards.fetch(key)
    if html is None:
        template = _engine(context).get_template(template_name)
        with context.push(csrf_token=CSRF_STAND_IN):
            html = template.render(context)
        if key is not None:
            _cards.keep(key, html)
    if CSRF_STAND_IN in html:
        # Asked only for a card with a form: a visitor's page sets no CSRF cookie. (Inside
        # a kept `<li>`, the token is the stand-in still, put in by the `<li>` itself.)
        html = html.replace(CSRF_STAND_IN, str(context.get("csrf_token", "")))
    return mark_safe(html)


def forget_cards() -> None:
    """Drop every card this worker holds (tests that compare fresh renders)."""
    _cards.clear()


caches.register(
    "cards",
    kept=caches.Kept.PROCESS,
    key="the template and the card's `fingerprint`: every field of the tree item, what the "
    "card reads through the lens, the links of the reader's frame, the page's path, the "
    "interface's language",
    stale="never: anything shown changes the key; the cards used last are kept, within their "
    "budget of bytes",
    forget=forget_cards,
    holds=_cards,
)
