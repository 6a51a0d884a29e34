"""Claim cards rendered once and reused: the card of a claim is the same HTML for every reader
who sees the same claim the same way, so each worker keeps the cards it rendered last.

A signed-in reader's page used to render every card (text, vote bar, "⋯" menu and its forms)
through Django's templates: about 3.5 ms a card, most of the member page's time. A card's
HTML depends only on what `fingerprint` lists: the claim as it stands (text, status, counts,
citations), the point's tallies and strength, the reader's vote and authorship, their actions
(the lens computes them per claim shape from the role), and the links of the reader's frame.
The fingerprint is the key, so nothing is ever invalidated: a vote or an edit makes a new
key, and the old card ages out of the bounded store.

Two things differ per request and are put in afterwards: the CSRF token (the card is
rendered with a stand-in, replaced by the request's own token) and nothing else. Cards that
carry per-reader detail the key does not hold (notes, whose visibility and actions vary by
reader; a moderation notice; an htmx swap's out-of-band flag or a vote's error) are rendered
each time. docs/PERFORMANCE.md, "Signed-in pages".
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import astuple
from typing import TYPE_CHECKING, Any

from django.utils.safestring import SafeString, mark_safe

if TYPE_CHECKING:
    from django.template import Context, Engine

    from arguments.reading.tree import TreeItem

CARD_TEMPLATE = "arguments/_claim_body.html"
ITEM_TEMPLATE = "arguments/_claim.html"  # the card in its <li>, with its slot and branch
CARDS_KEPT = 4096  # cards and folded <li>s, about 3 KB each: a few MB per worker
# Context flags under which a card is not the plain card of its key.
PER_REQUEST_FLAGS = ("oob", "open_notes", "vote_error")
# What the card holds in place of the request's CSRF token. Not a valid token's shape (those
# are 64 letters and digits), so it cannot collide with one.
CSRF_STAND_IN = "csrf-token-of-this-request"

_cards: OrderedDict[tuple[Any, ...], str] = OrderedDict()
_lock = threading.Lock()


def fingerprint(item: TreeItem, full_path: str) -> tuple[Any, ...] | None:
    """Everything `_claim_body.html` reads, or None for a card that must be rendered each time
    (it shows notes or a moderation notice)."""
    node, edge, lens, urls = item.node, item.edge, item.lens, item.urls
    if item.notes or lens.notice(node.id) is not None:
        return None
    return (
        node.id,
        node.text,
        node.elaboration,
        node.status,
        node.is_thesis,
        item.author,
        item.is_own,
        None if edge is None else (edge.id, edge.stance, edge.is_link),
        item.depth,
        item.expanded,
        item.pro_count,
        item.con_count,
        tuple(astuple(citation) for citation in item.citations),
        item.actions,
        item.strength,
        item.point,
        item.point_relation,
        item.tally,
        item.my_vote,
        item.votes_hidden,
        # The reader's frame, perspective, order and script prefix, as the links show them.
        urls.focus,
        urls.branch,
        urls.vote,
        lens.is_staff,  # staff get a link to the claim's flags in the admin
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
        key = None if shown is None else (template_name, *shown)
    html = None
    if key is not None:
        with _lock:
            html = _cards.get(key)
            if html is not None:
                _cards.move_to_end(key)
    if html is None:
        template = _engine(context).get_template(template_name)
        with context.push(csrf_token=CSRF_STAND_IN):
            html = template.render(context)
        if key is not None:
            with _lock:
                _cards[key] = html
                while len(_cards) > CARDS_KEPT:
                    _cards.popitem(last=False)
    if CSRF_STAND_IN in html:
        # Asked only for a card with a form: a visitor's page sets no CSRF cookie. (Inside
        # a kept `<li>`, the token is the stand-in still, put in by the `<li>` itself.)
        html = html.replace(CSRF_STAND_IN, str(context.get("csrf_token", "")))
    return mark_safe(html)


def forget_cards() -> None:
    """Drop every card this worker holds (tests that compare fresh renders)."""
    with _lock:
        _cards.clear()
