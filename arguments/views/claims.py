"""Writing in place: add a pro or con, edit a claim, cite a source, link an existing claim.

Each view works without JavaScript (a form page, POST, redirect) and with htmx (the form opens
in the claim's slot; on success the changed region comes back, other regions out of band).
Who may do what is the lens's answer (`claim_to_act_on`); the services check again.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from arguments import selectors, services
from arguments.explore import search
from arguments.models import CLAIM_MAX_LENGTH, Claim, Stance
from arguments.reading.lens import Lens
from arguments.rules.permissions import Action
from arguments.views.access import (
    MAX_ARIA_LEVEL,
    HtmxHttpRequest,
    claim_to_act_on,
    lens_for,
    limit_act,
    whole_number,
)
from arguments.views.forms import CitationForm, ClaimForm, LinkForm, StanceForm, form_errors_to
from arguments.views.fragments import (
    back_to,
    body_response,
    branch_response,
    form_page,
    in_slot,
)

LINK_CANDIDATES = 20


@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def claim_add(request: HtmxHttpRequest, slug: str, pk: int) -> HttpResponse:
    # A worker holding nothing of the debate reads the claim written beneath and its
    # surroundings (as its focus page does), never the whole debate: while the writer types
    # (the claims their draft resembles, with their ways up), on the form, and on the write,
    # whose answer is that claim's branch (`branch_response`), read again around it once
    # the stored strengths are brought up to date (structure/stored_writes.py).
    lens = lens_for(request, slug, around=pk)
    parent = claim_to_act_on(request, lens, pk, Action.ADD_CLAIM)
    if isinstance(parent, HttpResponse):
        return parent
    data = request.POST if request.method == "POST" else None
    # Where the claim stands on the page its form was opened in (the add link's, carried by
    # the form): the answer's branch is rendered at that aria-level.
    depth = whole_number(data or request.GET, "depth", default=0, maximum=MAX_ARIA_LEVEL)
    stance_form = StanceForm(data or request.GET)
    stance = Stance.CON if stance_form.data.get("stance") == Stance.CON else Stance.PRO
    form = ClaimForm(data)
    if request.htmx and request.GET.get("part") == "similar":
        # While the writer types (debounced): the claims their draft resembles.
        draft = request.GET.get("text", "")[:CLAIM_MAX_LENGTH]
        limit_act(request, "similar")
        found = search.similar_claims(lens, draft, under=parent.pk)
        return render(
            request,
            "arguments/claim_form.html#similar",
            _similar_context(lens, parent, stance, found)
            | {"in_slot": request.GET.get("slot") == "1"},
        )
    similar: list[tuple[int, str]] = []
    if data is not None:
        limit_act(request, "claim")  # every submit counts, refused or not
    if data is not None and stance_form.is_valid() and form.is_valid() and not data.get("anyway"):
        # The same check without JavaScript: a first submit of a near-duplicate asks first.
        similar = search.similar_claims(lens, form.cleaned_data["text"], under=pk)
    if data is not None and stance_form.is_valid() and form.is_valid() and not similar:
        try:
            claim = services.claim_add(
                actor=request.user,
                parent=parent,
                stance=stance_form.cleaned_data["stance"],
                text=form.cleaned_data["text"],
                elaboration=form.cleaned_data["elaboration"],
            )
        except ValidationError as error:
            form_errors_to(form, error)
        else:
            lens.refresh()
            if request.htmx:
                return branch_response(request, lens, pk, focus=claim.pk, depth=depth)
            if claim.status == Claim.Status.PENDING:
                messages.info(request, _("Thank you: your claim awaits a moderator's approval."))
            return back_to(lens, pk, at=claim.pk)
    if data is not None and not stance_form.is_valid():
        form.add_error(None, _("Choose whether the claim is a pro or a con."))
    # The draft is checked as it is typed: htmx sends the text field (its own value) here.
    # `slot` tells the similar-claims answer where its "Link this one instead" forms stand.
    query = {"part": "similar", "stance": stance} | ({"slot": "1"} if in_slot(request) else {})
    similar_url = f"{lens.claim_urls(pk).add}?{urlencode(query)}"
    form.fields["text"].widget.attrs.update(
        {
            "hx-get": similar_url,
            "hx-trigger": "input changed delay:400ms",
            "hx-target": f"#similar-{pk}",
            "hx-swap": "outerHTML",
        }
    )
    return form_page(
        request,
        lens,
        parent,
        "arguments/claim_form.html",
        {
            "form": form,
            "heading": _("Add a pro") if stance == "pro" else _("Add a con"),
            "action": lens.claim_urls(pk).add,
            "submit": _("Add pro") if stance == "pro" else _("Add con"),
            "asked_anyway": bool(similar),
            "depth": depth,
            **_similar_context(lens, parent, stance, similar),
        },
    )


def _similar_context(
    lens: Lens, parent: Claim, stance: Stance, similar: list[tuple[int, str]]
) -> dict[str, object]:
    """What the similar-claims region shows: each claim with a form that links it beneath
    `parent` (the link view) instead of writing it again, as a `stance`."""
    return {
        "claim": parent,
        "similar": [
            (claim_id, text, lens.claim_urls(claim_id).focus) for claim_id, text in similar
        ],
        "link_action": lens.claim_urls(parent.pk).link,
        "stance": stance,
    }


@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def claim_edit(request: HtmxHttpRequest, slug: str, pk: int) -> HttpResponse:
    lens = lens_for(request, slug, around=pk)  # as `claim_add`: its answer is its body
    claim = claim_to_act_on(request, lens, pk, Action.EDIT_CLAIM)
    if isinstance(claim, HttpResponse):
        return claim
    initial = {"text": claim.text, "elaboration": claim.elaboration}
    form = ClaimForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.claim_edit(
                actor=request.user,
                claim=claim,
                text=form.cleaned_data["text"],
                elaboration=form.cleaned_data["elaboration"],
            )
        except ValidationError as error:
            form_errors_to(form, error)
        else:
            lens.refresh()
            if request.htmx:
                return body_response(request, lens, pk)
            return back_to(lens, pk)
    return form_page(
        request,
        lens,
        claim,
        "arguments/claim_form.html",
        {
            "form": form,
            "heading": _("Edit the claim"),
            "action": lens.claim_urls(pk).edit,
            "submit": _("Save"),
        },
    )


@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def claim_cite(request: HtmxHttpRequest, slug: str, pk: int) -> HttpResponse:
    lens = lens_for(request, slug, around=pk)  # as `claim_add`: its answer is its body
    claim = claim_to_act_on(request, lens, pk, Action.CITE_SOURCE)
    if isinstance(claim, HttpResponse):
        return claim
    form = CitationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.source_cite(actor=request.user, claim=claim, **form.cleaned_data)
        except ValidationError as error:
            form_errors_to(form, error)
        else:
            lens.refresh()
            if request.htmx:
                return body_response(request, lens, pk)
            return back_to(lens, pk)
    return form_page(
        request,
        lens,
        claim,
        "arguments/claim_form.html",
        {
            "form": form,
            "heading": _("Add a source"),
            "action": lens.claim_urls(pk).cite,
            "submit": _("Add source"),
        },
    )


@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def claim_link(request: HtmxHttpRequest, slug: str, pk: int) -> HttpResponse:
    lens = lens_for(request, slug)
    parent = claim_to_act_on(request, lens, pk, Action.LINK_CLAIM)
    if isinstance(parent, HttpResponse):
        return parent
    query = request.GET.get("q", "").strip()[:100]
    form = LinkForm(
        request.POST if request.method == "POST" else None,
        initial={"stance": request.GET.get("stance", Stance.CON)},
    )
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["claim"]
        target = selectors.claim_in(lens.debate, chosen) if lens.sees(chosen) else None
        if target is None:
            form.add_error("claim", _("Choose a claim of this debate."))
        else:
            try:
                services.claim_link(
                    actor=request.user,
                    claim=target,
                    parent=parent,
                    stance=form.cleaned_data["stance"],
                )
            except ValidationError as error:
                form_errors_to(form, error)
            else:
                lens.refresh()
                if request.htmx:
                    return branch_response(request, lens, pk, focus=pk)
                return back_to(lens, pk)
    context = {
        "form": form,
        "q": query,
        "candidates": lens.link_candidates(pk, query, limit=LINK_CANDIDATES),
        "heading": _("Link an existing claim"),
        "action": lens.claim_urls(pk).link,
    }
    if request.htmx and request.GET.get("part") == "results":
        return render(request, "arguments/claim_link.html#results", context)
    return form_page(request, lens, parent, "arguments/claim_link.html", context)
