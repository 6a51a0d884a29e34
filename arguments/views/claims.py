"""Writing in place: add a pro or con, edit a claim, cite a source, link an existing claim.

Each view works without JavaScript (a form page, POST, redirect) and with htmx (the form opens
in the claim's slot; on success the changed region comes back, other regions out of band).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from django_htmx.http import reswap, retarget, trigger_client_event

from arguments import services
from arguments.forms import CitationForm, ClaimForm, LinkForm, StanceForm
from arguments.models import Claim, Debate, Role
from arguments.permissions import Action, permits
from arguments.selectors import DebateStructure, debate_structure
from arguments.tree import Reader, build_item
from arguments.views.access import HtmxHttpRequest, debate_for, reader_for, visible_claim
from arguments.views.debates import tree_context
from arguments.views.forms import form_errors_to

LINK_CANDIDATES = 20


@dataclass
class Place:
    """The claim a write is about, loaded once with everything the response needs."""

    debate: Debate
    role: Role
    claim: Claim
    structure: DebateStructure
    reader: Reader


def place_for(request: HttpRequest, slug: str, pk: int, action: Action) -> Place | HttpResponse:
    """Load the claim, or answer: 404 if unseen, login for visitors' GETs, 403 otherwise."""
    debate, role = debate_for(request, slug)
    structure = debate_structure(debate)
    reader = reader_for(request, debate, role)
    if not visible_claim(structure, reader, pk):
        raise Http404("No such claim in this debate.")
    if not request.user.is_authenticated and request.method == "GET":
        return redirect_to_login(request.get_full_path())
    claim = get_object_or_404(Claim, pk=pk, debate=debate)
    claim.debate = debate
    if not permits(request.user, action, debate, claim=claim, role=role):
        raise PermissionDenied("Your role in this debate does not allow this.")
    return Place(debate=debate, role=role, claim=claim, structure=structure, reader=reader)


def _fresh(place: Place) -> DebateStructure:
    place.debate.refresh_from_db(fields=["structure_version", "updated_at"])
    return debate_structure(place.debate)


def form_page(
    request: HtmxHttpRequest, place: Place, template: str, context: dict[str, object]
) -> HttpResponse:
    status = 422 if request.method == "POST" else 200
    context = {"debate": place.debate, "claim": place.claim} | context
    if request.htmx:
        return render(request, f"{template}#form", context, status=status)
    return render(request, template, context, status=status)


def _branch_response(request: HtmxHttpRequest, place: Place, *, focus: int) -> HttpResponse:
    """The claim's pros and cons re-rendered, its body and its emptied slot out of band."""
    structure = _fresh(place)
    claim_id = place.claim.pk
    item = build_item(
        structure,
        claim_id,
        edge=structure.original.get(claim_id),
        reader=place.reader,
        levels=1,
    )
    context = tree_context(request, place.debate, place.role) | {"item": item}
    html = render_to_string("arguments/claim_detail.html#branch", context, request)
    html += render_to_string("arguments/_claim_oob.html", context, request)
    response = HttpResponse(html)
    response = retarget(response, f"#children-{claim_id}")
    response = reswap(response, "outerHTML")
    return trigger_client_event(response, "claimChanged", {"id": focus, "parent": claim_id})


def body_response(
    request: HtmxHttpRequest, place: Place, *, open_notes: bool = False
) -> HttpResponse:
    """The claim's body re-rendered in place, its slot emptied."""
    structure = _fresh(place)
    claim_id = place.claim.pk
    item = build_item(
        structure, claim_id, edge=structure.original.get(claim_id), reader=place.reader, levels=1
    )
    context = tree_context(request, place.debate, place.role) | {
        "item": item,
        "open_notes": open_notes,
    }
    html = render_to_string("arguments/_claim_body.html", context, request)
    html += f'<div id="slot-{claim_id}" class="slot" hx-swap-oob="true"></div>'
    response = retarget(HttpResponse(html), f"#body-{claim_id}")
    response = reswap(response, "outerHTML")
    return trigger_client_event(response, "claimChanged", {"id": claim_id})


def back_to(place: Place, claim_id: int) -> HttpResponse:
    url = reverse("arguments:claim", kwargs={"slug": place.debate.slug, "pk": place.claim.pk})
    return redirect(f"{url}#claim-{claim_id}")


@require_http_methods(["GET", "POST"])
def claim_add(request: HtmxHttpRequest, slug: str, pk: int) -> HttpResponse:
    place = place_for(request, slug, pk, Action.ADD_CLAIM)
    if isinstance(place, HttpResponse):
        return place
    data = request.POST if request.method == "POST" else None
    stance_form = StanceForm(data or request.GET)
    form = ClaimForm(data)
    if data is not None and stance_form.is_valid() and form.is_valid():
        try:
            claim = services.claim_add(
                actor=request.user,
                parent=place.claim,
                stance=stance_form.cleaned_data["stance"],
                text=form.cleaned_data["text"],
                elaboration=form.cleaned_data["elaboration"],
            )
        except ValidationError as error:
            form_errors_to(form, error)
        else:
            if request.htmx:
                return _branch_response(request, place, focus=claim.pk)
            if claim.status == Claim.Status.PENDING:
                messages.info(request, "Thank you: your claim awaits a moderator's approval.")
            return back_to(place, claim.pk)
    if data is not None and not stance_form.is_valid():
        form.add_error(None, "Choose whether the claim is a pro or a con.")
    stance = stance_form.data.get("stance", "pro")
    return form_page(
        request,
        place,
        "arguments/claim_form.html",
        {
            "form": form,
            "stance": stance if stance in ("pro", "con") else "pro",
            "heading": f"Add a {'con' if stance == 'con' else 'pro'}",
            "action": reverse("arguments:claim_add", kwargs={"slug": slug, "pk": pk}),
            "submit": f"Add {'con' if stance == 'con' else 'pro'}",
        },
    )


@require_http_methods(["GET", "POST"])
def claim_edit(request: HtmxHttpRequest, slug: str, pk: int) -> HttpResponse:
    place = place_for(request, slug, pk, Action.EDIT_CLAIM)
    if isinstance(place, HttpResponse):
        return place
    claim = place.claim
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
            if request.htmx:
                return body_response(request, place)
            return back_to(place, claim.pk)
    return form_page(
        request,
        place,
        "arguments/claim_form.html",
        {
            "form": form,
            "heading": "Edit the claim",
            "action": reverse("arguments:claim_edit", kwargs={"slug": slug, "pk": pk}),
            "submit": "Save",
        },
    )


@require_http_methods(["GET", "POST"])
def claim_cite(request: HtmxHttpRequest, slug: str, pk: int) -> HttpResponse:
    place = place_for(request, slug, pk, Action.CITE_SOURCE)
    if isinstance(place, HttpResponse):
        return place
    form = CitationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.source_cite(actor=request.user, claim=place.claim, **form.cleaned_data)
        except ValidationError as error:
            form_errors_to(form, error)
        else:
            if request.htmx:
                return body_response(request, place)
            return back_to(place, place.claim.pk)
    return form_page(
        request,
        place,
        "arguments/claim_form.html",
        {
            "form": form,
            "heading": "Add a source",
            "action": reverse("arguments:claim_cite", kwargs={"slug": slug, "pk": pk}),
            "submit": "Add source",
        },
    )


def _link_candidates(place: Place, query: str) -> list[tuple[int, str]]:
    """Published claims of the debate matching the words, not already under this claim."""
    structure = place.structure
    taken = {edge.child for edge in structure.children.get(place.claim.pk, ())}
    taken.add(place.claim.pk)
    words = query.lower().split()
    found: list[tuple[int, str]] = []
    for node in structure.nodes.values():
        if node.id in taken or node.status != "published":
            continue
        text = node.text.lower()
        if all(word in text for word in words):
            found.append((node.id, node.text))
            if len(found) == LINK_CANDIDATES:
                break
    return found


@require_http_methods(["GET", "POST"])
def claim_link(request: HtmxHttpRequest, slug: str, pk: int) -> HttpResponse:
    place = place_for(request, slug, pk, Action.LINK_CLAIM)
    if isinstance(place, HttpResponse):
        return place
    query = request.GET.get("q", "").strip()[:100]
    form = LinkForm(
        request.POST if request.method == "POST" else None,
        initial={"stance": request.GET.get("stance", "con")},
    )
    if request.method == "POST" and form.is_valid():
        target = Claim.objects.filter(pk=form.cleaned_data["claim"]).first()
        if target is None or target.debate_id != place.debate.pk:
            form.add_error("claim", "Choose a claim of this debate.")
        else:
            try:
                services.claim_link(
                    actor=request.user,
                    claim=target,
                    parent=place.claim,
                    stance=form.cleaned_data["stance"],
                )
            except ValidationError as error:
                form_errors_to(form, error)
            else:
                if request.htmx:
                    return _branch_response(request, place, focus=place.claim.pk)
                return back_to(place, place.claim.pk)
    context = {
        "form": form,
        "q": query,
        "candidates": _link_candidates(place, query),
        "heading": "Link an existing claim",
        "action": reverse("arguments:claim_link", kwargs={"slug": slug, "pk": pk}),
    }
    if request.htmx and request.GET.get("part") == "results":
        return render(
            request, "arguments/claim_link.html#results", context | {"claim": place.claim}
        )
    return form_page(request, place, "arguments/claim_link.html", context)
