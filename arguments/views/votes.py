"""Voting on a point and explaining a claim's strength."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from arguments import selectors, services
from arguments.models import Claim, Relation
from arguments.rules.permissions import Action
from arguments.views.access import HtmxHttpRequest, id_from, lens_for, require_seen
from arguments.views.fragments import page_context, safe_next


def _key(point: Relation | Claim) -> str:
    return f"r{point.pk}" if isinstance(point, Relation) else f"c{point.pk}"


@vary_on_headers("HX-Request")
@require_POST
def claim_vote(request: HtmxHttpRequest, slug: str, pk: int) -> HttpResponse:
    """Cast, change (`value` 0-4) or withdraw (`withdraw`) my vote on a point."""
    # Around the claim: a worker holding nothing of the debate reads the claim, its way up
    # and its pros and cons, as its focus page does, not the whole debate.
    lens = lens_for(request, slug, around=pk)
    # Checked against everyone's structure: a perspective's strengths are computed again
    # after the vote anyway (`Lens.after_vote`).
    checking = lens.everyone
    require_seen(checking, pk)
    given = request.POST.get("relation", "")
    relation_id = id_from(given)
    if given and relation_id is None:
        raise Http404("No such place.")
    point = selectors.vote_point(lens.debate, pk, relation_id)
    if point is None:
        raise Http404("No such place.")
    claim = point.child if isinstance(point, Relation) else point
    if isinstance(point, Relation) and point.is_link and not checking.structure.whole:
        # A place the claim is linked to: the slice around the claim holds its original
        # place only, and the answer shows the link's place.
        lens = lens_for(request, slug)
        checking = lens.everyone
    checking.check(Action.VOTE, claim=claim)
    error, mine = "", None
    try:
        # As the named perspective the reader chose to vote as (lens.voting_as), if any.
        as_ = lens.voting_as
        if request.POST.get("withdraw"):
            services.vote_withdraw(user=request.user, point=point, perspective=as_)
        else:
            value = id_from(request.POST.get("value"))
            if value is None:
                raise ValidationError(_("Choose a vote from 0 to 4."))
            vote = services.vote_cast(user=request.user, point=point, value=value, perspective=as_)
            mine = vote.value
    except ValidationError as problem:
        error = " ".join(problem.messages)
        mine = checking.votes.get(_key(point))
    if not request.htmx:
        back = safe_next(request) or f"{lens.claim_urls(pk).page}#claim-{pk}"
        if error:
            context = page_context(lens, claim=claim, error=error, back=back)
            return render(request, "arguments/vote_error.html", context, status=422)
        withdrawn = bool(request.POST.get("withdraw"))
        if lens.voting_as is None:
            done = _("Vote withdrawn.") if withdrawn else _("Your vote is counted.")
        else:
            done = (
                _("Vote withdrawn as %(name)s.")
                if withdrawn
                else _("Your vote is counted as %(name)s.")
            ) % {"name": lens.voting_as.name}
        messages.success(request, done)
        return redirect(back)
    item = lens.after_vote(point, mine)
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
