"""Answers shared by the views that write: a form as a page or in the claim's slot, the
regions of a claim re-rendered after a write (its body, its branch, its moderation), and the
redirect back to it without JavaScript. Every region is rendered through the reader's lens;
after a write, the view calls `lens.refresh()` first, so the lens reads the new version."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import reswap, retarget, trigger_client_event

from arguments.models import Claim
from arguments.reading.lens import Lens
from arguments.views.access import HtmxHttpRequest


def page_context(lens: Lens, **extra: object) -> dict[str, object]:
    """What every template of a debate needs: its lens and the debate."""
    return {"lens": lens, "debate": lens.debate, **extra}


def tree_context(lens: Lens, **extra: object) -> dict[str, object]:
    """The same for a page or fragment that shows claims. It loads the reader's notices and
    votes first (a query each; none for visitors): loaded lazily from inside the template's
    rendering they cost twice as much (measured on the branch fragment: +1 ms of 5)."""
    lens.notices  # noqa: B018 (loaded now, on purpose)
    lens.votes  # noqa: B018
    return page_context(lens, **extra)


def oembed_discovery(request: HttpRequest, lens: Lens, page_path: str) -> str:
    """The oEmbed URL that describes this page, for its discovery link ("" for a private
    debate, which cannot be embedded)."""
    if not lens.embeddable:
        return ""
    page_url = request.build_absolute_uri(page_path)
    query = urlencode({"url": page_url, "format": "json"})
    return request.build_absolute_uri(f"{reverse('arguments:oembed')}?{query}")


def in_slot(request: HtmxHttpRequest) -> bool:
    """Whether htmx asked for this form to fill a claim's slot (`#slot-<id>`)."""
    return bool(request.htmx) and (request.htmx.target or "").startswith("slot-")


def form_page(
    request: HtmxHttpRequest,
    lens: Lens,
    claim: Claim,
    template: str,
    context: dict[str, object],
) -> HttpResponse:
    """A claim's form: in its slot for htmx, else a page; 422 when a POST was refused.

    `in_slot` says where the form stands: only a form opened in a claim's slot posts with htmx
    (its answer is the claim's regions, swapped into the tree around it); the same form on its
    own page (a new tab, a notification, the "Needs you" panel) posts plainly and redirects,
    with JavaScript on or off, since none of the tree's regions are there to swap into."""
    status = 422 if request.method == "POST" else 200
    context = (
        page_context(
            lens, claim=claim, claim_urls=lens.claim_urls(claim.pk), in_slot=in_slot(request)
        )
        | context
    )
    if request.htmx:
        return render(request, f"{template}#form", context, status=status)
    return render(request, template, context, status=status)


def branch_response(
    request: HttpRequest, lens: Lens, claim_id: int, *, focus: int, depth: int = 0
) -> HttpResponse:
    """The claim's pros and cons re-rendered, its body and its emptied slot out of band, at
    the claim's `depth` on the page the write came from (its aria-level less one)."""
    context = tree_context(lens, item=lens.focus(claim_id, levels=1, depth=depth))
    html = render_to_string("arguments/claim_detail.html#branch", context, request)
    html += render_to_string("arguments/_claim_oob.html", context, request)
    response = retarget(HttpResponse(html), f"#children-{claim_id}")
    response = reswap(response, "outerHTML")
    return trigger_client_event(response, "claimChanged", {"id": focus, "parent": claim_id})


def body_response(
    request: HttpRequest, lens: Lens, claim_id: int, *, open_notes: bool = False
) -> HttpResponse:
    """The claim's body re-rendered in place (its status, controls and notes), its slot
    emptied."""
    context = tree_context(lens, item=lens.focus(claim_id, levels=1), open_notes=open_notes)
    html = render_to_string("arguments/_claim_body.html", context, request)
    html += render_to_string("arguments/_slot.html", context | {"oob": True}, request)
    response = retarget(HttpResponse(html), f"#body-{claim_id}")
    response = reswap(response, "outerHTML")
    return trigger_client_event(response, "claimChanged", {"id": claim_id})


def moderation_response(
    request: HttpRequest, lens: Lens, claim_id: int, *, status: int = 200
) -> HttpResponse:
    """The claim's moderation fragment re-rendered (after a flag or a review request)."""
    context = tree_context(lens, item=lens.focus(claim_id, levels=0))
    response = render(request, "arguments/_claim_moderation.html", context, status=status)
    return trigger_client_event(response, "claimChanged", {"id": claim_id})


def safe_next(request: HttpRequest) -> str:
    """The `next` address a form carries, if it is one of ours ("" otherwise)."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def next_or_back(request: HttpRequest, lens: Lens, claim_id: int) -> HttpResponse:
    """Without JavaScript, after a write: to the form's own `next`, if it is ours, else
    `back_to` the claim."""
    target = safe_next(request)
    return redirect(target) if target else back_to(lens, claim_id)


def back_to(lens: Lens, claim_id: int, *, at: int | None = None) -> HttpResponse:
    """Without JavaScript, after a write: the claim in focus, scrolled to `at` (or itself);
    a claim the reader can no longer see in the tree (hidden, say): its moderation page."""
    if not lens.sees(claim_id):
        return redirect(lens.claim_urls(claim_id).moderation)
    return redirect(f"{lens.claim_urls(claim_id).page}#claim-{at or claim_id}")
