"""Voting on a point and explaining a claim's strength."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from arguments import selectors, services
from arguments.models import Claim, Relation
from arguments.reading import perspectives
from arguments.reading.lens import Lens
from arguments.rules.permissions import Action
from arguments.structure import scoring
from arguments.views.access import HtmxHttpRequest, id_from, lens_for, require_seen
from arguments.views.fragments import page_context, safe_next


def _key(point: Relation | Claim) -> str:
    return f"r{point.pk}" if isinstance(point, Relation) else f"c{point.pk}"


@vary_on_headers("HX-Request")
@require_POST
def claim_vote(request: HtmxHttpRequest, slug: str, pk: int) -> HttpResponse:
    """Cast, change (`value` 0-4) or withdraw (`withdraw`) my vote on a point."""
    lens = lens_for(request, slug)
    # A vote posted from a page seen through a perspective is checked against everyone's
    # structure; the perspective is applied to the answer, after the vote (`_vote_block`).
    seen_as = lens.viewpoint
    lens.see_through(None)
    require_seen(lens, pk)
    given = request.POST.get("relation", "")
    relation_id = id_from(given)
    if given and relation_id is None:
        raise Http404("No such place.")
    point = selectors.vote_point(lens.debate, pk, relation_id)
    if point is None:
        raise Http404("No such place.")
    claim = point.child if isinstance(point, Relation) else point
    lens.check(Action.VOTE, claim=claim)
    error, mine = "", None
    try:
        # As the named perspective the reader chose to vote as (lens.voting_as), if any.
        as_ = lens.voting_as
        if request.POST.get("withdraw"):
            services.vote_withdraw(user=request.user, point=point, perspective=as_)
        else:
            value = id_from(request.POST.get("value"))
            if value is None:
                raise ValidationError("Choose a vote from 0 to 4.")
            vote = services.vote_cast(user=request.user, point=point, value=value, perspective=as_)
            mine = vote.value
    except ValidationError as problem:
        error = " ".join(problem.messages)
        mine = lens.votes.get(_key(point))
    if not request.htmx:
        back = safe_next(request) or f"{lens.claim_urls(pk).page}#claim-{pk}"
        if error:
            context = page_context(lens, claim=claim, error=error, back=back)
            return render(request, "arguments/vote_error.html", context, status=422)
        done = "Vote withdrawn." if request.POST.get("withdraw") else "Your vote is counted."
        if lens.voting_as is not None:
            done = f"{done[:-1]} as {lens.voting_as.name}."
        messages.success(request, done)
        return redirect(back)
    if seen_as is not None:
        return _vote_block_seen_as(request, lens, claim, point, mine, error)
    return _vote_block(request, lens, claim, point, mine, error)


def _vote_block(
    request: HtmxHttpRequest,
    lens: Lens,
    claim: Claim,
    point: Relation | Claim,
    mine: int | None,
    error: str,
) -> HttpResponse:
    """The point's summary after the vote, without reloading the debate's structure: the
    fresh tally is one row, and the point's own strength is recombined locally."""
    structure = lens.structure
    fresh = point.histogram  # the service left the point's tally as the database now has it
    edge = None
    if isinstance(point, Relation):
        edge = next(
            (e for e in structure.children.get(point.parent_id, ()) if e.id == point.pk), None
        )
    lens.votes = {_key(point): mine} if mine is not None else {}  # known: no query for it
    item = lens.tree(claim.pk, edge=edge, levels=0)
    item.tally = tuple(fresh)
    # A link place's votes do not feed the claim's base score, so only the original place's
    # (or a thesis's) vote changes the claim's strength.
    if claim.pk in structure.strength and not getattr(point, "is_link", False):
        children = [
            (structure.strength[e.child], e.stance)
            for e in structure.children.get(claim.pk, ())
            if e.child in structure.strength
        ]
        item.strength = scoring.local_strength(scoring.base_score(fresh), children)
    context = page_context(lens, item=item, vote_error=error)
    return render(request, "arguments/_vote.html", context, status=422 if error else 200)


def _vote_block_seen_as(
    request: HtmxHttpRequest,
    lens: Lens,
    claim: Claim,
    point: Relation | Claim,
    mine: int | None,
    error: str,
) -> HttpResponse:
    """The point's summary after the vote on a page seen through a perspective: the
    perspective read again (its version, or everyone's tallies, moved with the vote) and its
    strengths computed once more (arguments/reading/perspectives.py)."""
    lens.refresh()
    lens.see_through(perspectives.viewpoint_for(lens, request.GET.get("perspective", "")))
    structure = lens.structure
    edge = None
    if isinstance(point, Relation):
        edge = next(
            (e for e in structure.children.get(point.parent_id, ()) if e.id == point.pk), None
        )
    lens.votes = {_key(point): mine} if mine is not None else {}  # known: no query for it
    item = lens.tree(claim.pk, edge=edge, levels=0)
    context = page_context(lens, item=item, vote_error=error)
    return render(request, "arguments/_vote.html", context, status=422 if error else 200)


@vary_on_headers("HX-Request")
@require_GET
def claim_why(request: HtmxHttpRequest, slug: str, pk: int) -> HttpResponse:
    """A claim's strength explained: its base score and the pros and cons that moved it."""
    lens = lens_for(request, slug)
    why = lens.why(pk)
    if why is None:
        raise Http404("No strength for this claim.")
    context = page_context(lens, why=why)
    template = "arguments/claim_why.html#why" if request.htmx else "arguments/claim_why.html"
    return render(request, template, context)
