"""Voting on a point and explaining a claim's strength."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from arguments import scoring, services
from arguments.models import Claim, Debate, Relation, Role
from arguments.selectors import DebateStructure, debate_structure
from arguments.tree import Reader, build_item
from arguments.views.access import (
    HtmxHttpRequest,
    controls_for,
    debate_for,
    reader_for,
    visibility_reader,
    visible_claim,
)


def _point(debate: Debate, pk: int, relation_id: str | None) -> Relation | Claim:
    """The point voted on: the given place of the claim, its original place, or the thesis.

    One query: the relation comes with its claim."""
    places = Relation.objects.select_related("child").filter(child_id=pk, child__debate=debate)
    if relation_id:
        if not relation_id.isdigit():
            raise Http404("No such place.")
        point = get_object_or_404(places, pk=int(relation_id), is_hidden=False)
    else:
        point = places.filter(is_link=False).first() or get_object_or_404(
            Claim, pk=pk, debate=debate, is_thesis=True
        )
    claim = point.child if isinstance(point, Relation) else point
    claim.debate = debate
    return point


@require_POST
def claim_vote(request: HtmxHttpRequest, slug: str, pk: int) -> HttpResponse:
    """Cast, change (`value` 0-4) or withdraw (`withdraw`) my vote on a point."""
    debate, role = debate_for(request, slug)
    structure = debate_structure(debate)
    reader = visibility_reader(request, role)
    if not visible_claim(structure, reader, pk):
        raise Http404("No such claim in this debate.")
    point = _point(debate, pk, request.POST.get("relation"))
    claim = point.child if isinstance(point, Relation) else point
    error, mine = "", None
    try:
        if request.POST.get("withdraw"):
            services.vote_withdraw(user=request.user, point=point)
        else:
            raw = request.POST.get("value", "")
            if not raw.isdigit():
                raise ValidationError("Choose a vote from 0 to 4.")
            mine = services.vote_cast(user=request.user, point=point, value=int(raw)).value
    except ValidationError as problem:
        error = " ".join(problem.messages)
        mine = reader_for(request, debate, role).votes.get(_key(point))
    if not request.htmx:
        if error:
            context = {"debate": debate, "claim": claim, "error": error}
            context["back"] = _back(request, debate.slug, claim.pk)
            return render(request, "arguments/vote_error.html", context, status=422)
        done = "Vote withdrawn." if request.POST.get("withdraw") else "Your vote is counted."
        messages.success(request, done)
        return redirect(_back(request, debate.slug, claim.pk))
    return _vote_block(request, debate, role, structure, claim, point, mine, error)


def _key(point: Relation | Claim) -> str:
    return f"r{point.pk}" if isinstance(point, Relation) else f"c{point.pk}"


def _vote_block(
    request: HtmxHttpRequest,
    debate: Debate,
    role: Role,
    structure: DebateStructure,
    claim: Claim,
    point: Relation | Claim,
    mine: int | None,
    error: str,
) -> HttpResponse:
    """The point's summary after the vote, without reloading the debate's structure: the
    fresh tally is one row, and the point's own strength is recombined locally."""
    fresh = point.histogram  # the service left the point's tally as the database now has it
    edge = None
    if isinstance(point, Relation):
        edge = next(
            (e for e in structure.children.get(point.parent_id, ()) if e.id == point.pk), None
        )
    item = build_item(structure, claim.pk, edge=edge, reader=Reader(votes={}), levels=0)
    item.tally, item.my_vote = tuple(fresh), mine
    # A link place's votes do not feed the claim's base score, so only the original place's
    # (or a thesis's) vote changes the claim's strength.
    if claim.pk in structure.strength and not getattr(point, "is_link", False):
        children = [
            (structure.strength[e.child], e.stance)
            for e in structure.children.get(claim.pk, ())
            if e.child in structure.strength
        ]
        item.strength = scoring.local_strength(scoring.base_score(fresh), children)
    context = {
        "debate": debate,
        "item": item,
        "can": controls_for(request, debate, role),
        "vote_error": error,
    }
    return render(request, "arguments/_vote.html", context, status=422 if error else 200)


def _back(request: HtmxHttpRequest, slug: str, pk: int) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("arguments:claim", kwargs={"slug": slug, "pk": pk}) + f"#claim-{pk}"


@require_GET
def claim_why(request: HtmxHttpRequest, slug: str, pk: int) -> HttpResponse:
    """A claim's strength explained: its base score and the pros and cons that moved it."""
    debate, role = debate_for(request, slug)
    structure = debate_structure(debate)
    reader = reader_for(request, debate, role)
    if not visible_claim(structure, reader, pk) or pk not in structure.strength:
        raise Http404("No strength for this claim.")
    explanation = structure.explain(pk)
    rows = [
        (structure.nodes[c.child], c) for c in explanation.contributions if abs(c.effect) > 1e-9
    ]
    context = {
        "debate": debate,
        "node": structure.nodes[pk],
        "explanation": explanation,
        "rows": rows[:8],
        "more": max(0, len(rows) - 8),
    }
    template = "arguments/claim_why.html#why" if request.htmx else "arguments/claim_why.html"
    return render(request, template, context)
