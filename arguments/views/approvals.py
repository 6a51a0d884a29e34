"""Moderating claims in place: approve a suggestion, hide a claim, restore a hidden one, and
the moderation page of a claim its author or a moderator may see although the tree does not
show it (a hidden claim)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from arguments import selectors, services
from arguments.models import Claim
from arguments.rules.permissions import Action
from arguments.views.access import HtmxHttpRequest, claim_to_act_on, lens_for
from arguments.views.fragments import (
    back_to,
    body_response,
    moderation_response,
    next_or_back,
    tree_context,
)


def _moderate(
    request: HtmxHttpRequest,
    slug: str,
    pk: int,
    action: Action,
    act: Callable[..., Claim],
    done: str,
) -> HttpResponse:
    lens = lens_for(request, slug)
    # A hidden claim's author may know of it (a 403, not a 404) but not restore it.
    claim = claim_to_act_on(request, lens, pk, action, known=True)
    assert not isinstance(claim, HttpResponse)  # POST only: never the login page
    try:
        act(actor=request.user, claim=claim)
    except ValidationError as error:
        if request.htmx:
            return moderation_response(request, lens, pk, status=422)
        messages.error(request, " ".join(error.messages))
        return back_to(lens, pk)
    lens.refresh()
    if request.htmx and request.POST.get("from") == "queue":
        # From the settings page's suggestion queue: the row becomes a confirmation.
        return HttpResponse(
            format_html('<li id="pending-{}" role="status">{} <q>{}</q></li>', pk, done, claim.text)
        )
    if request.htmx and lens.sees(pk):
        # The whole claim body comes back: its status badge changes with the buttons.
        return body_response(request, lens, pk)
    if request.htmx:
        return moderation_response(request, lens, pk)
    messages.success(request, done)
    return next_or_back(request, lens, pk)


@vary_on_headers("HX-Request")
@require_POST
def claim_approve(request: HtmxHttpRequest, slug: str, pk: int) -> HttpResponse:
    """Publish a suggested claim."""
    return _moderate(
        request,
        slug,
        pk,
        Action.APPROVE_CLAIM,
        services.claim_approve,
        _("The claim is published."),
    )


@vary_on_headers("HX-Request")
@require_POST
def claim_hide(request: HtmxHttpRequest, slug: str, pk: int) -> HttpResponse:
    """Hide a claim and its branch (restorable)."""
    return _moderate(
        request, slug, pk, Action.HIDE_CLAIM, services.claim_hide, _("The claim is hidden.")
    )


@vary_on_headers("HX-Request")
@require_POST
def claim_restore(request: HtmxHttpRequest, slug: str, pk: int) -> HttpResponse:
    """Bring a hidden claim back."""
    return _moderate(
        request, slug, pk, Action.RESTORE_CLAIM, services.claim_restore, _("The claim is restored.")
    )


def claim_moderation(request: HtmxHttpRequest, slug: str, pk: int) -> HttpResponse:
    """A claim's moderation as its author or a moderator sees it: why it is hidden or flagged,
    and the buttons that go with it (the tree does not show a hidden claim to its author)."""
    lens = lens_for(request, slug)
    if not lens.knows(pk):
        raise Http404("No such claim in this debate.")
    claim = selectors.claim_in(lens.debate, pk)
    if claim is None:
        raise Http404("No such claim in this debate.")
    merged_into = lens.claim_urls(claim.merged_into_id).page if claim.merged_into_id else ""
    context = tree_context(
        lens, claim=claim, item=lens.focus(pk, levels=0), merged_into=merged_into
    )
    return render(request, "arguments/claim_moderation.html", context)
