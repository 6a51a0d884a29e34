"""Guided voting (`/d/<slug>/guided/`): one unrated claim at a time, level by level from the
theses, with the claim it answers in view; one click votes (or skips) and brings the next.
A plain form that redirects without JavaScript; with htmx the walk's region is swapped.
What the reader skipped lives in their session, per debate, until they start again."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.vary import vary_on_headers

from arguments import selectors, services
from arguments.reading.guided import next_step, on_walk, summary
from arguments.reading.lens import Lens
from arguments.rules.permissions import Action
from arguments.views.access import HtmxHttpRequest, id_from, lens_for

MAX_SKIPPED = 2000  # a session stays small whatever the debate's size


def _key(lens: Lens) -> str:
    return f"guided-skipped:{lens.debate.pk}"


def _render(
    request: HtmxHttpRequest, lens: Lens, skipped: set[int], *, error: str = ""
) -> HttpResponse:
    url = reverse("arguments:guided_voting", args=[lens.debate.slug])
    context = {
        "lens": lens,
        "debate": lens.debate,
        "step": next_step(lens, skipped),
        "summary": summary(lens, skipped),
        "url": url,
        "error": error,
    }
    template = "arguments/guided_voting.html"
    if request.htmx:
        template += "#walk"
    return render(request, template, context, status=422 if error else 200)


@vary_on_headers("HX-Request")
def guided_voting(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """GET: the next claim to rate, or the summary; POST: rate it (`value` 0-4), skip it
    (`skip`), or start again with the skipped claims (`restart`)."""
    lens = lens_for(request, slug)
    if not request.user.is_authenticated:
        if request.method == "GET":
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied(_("Sign in first."))
    lens.check(Action.VOTE)
    skipped = set(request.session.get(_key(lens), []))
    if request.method != "POST":
        return _render(request, lens, skipped)
    if request.POST.get("restart"):
        skipped = set()
    else:
        claim_id = id_from(request.POST.get("claim"))
        if claim_id is None or not on_walk(lens, claim_id):
            raise Http404("No such claim to rate here.")
        if request.POST.get("skip"):
            skipped.add(claim_id)
        elif not request.POST.get("value", "").strip():
            pass  # sent without a button (a script): nothing chosen, the walk stays
        else:
            point = selectors.vote_point(lens.debate, claim_id, None)
            if point is None:
                raise Http404("No such claim to rate here.")
            value = id_from(request.POST.get("value"))
            try:
                if value is None:
                    raise ValidationError(_("Choose a vote from 0 to 4, or skip."))
                services.vote_cast(
                    user=request.user, point=point, value=value, perspective=lens.voting_as
                )
            except ValidationError as problem:
                return _render(request, lens, skipped, error=" ".join(problem.messages))
    request.session[_key(lens)] = sorted(skipped)[:MAX_SKIPPED]
    if not request.htmx:
        return redirect(reverse("arguments:guided_voting", args=[slug]))
    # The vote moved the reader's votes: a fresh lens reads them again.
    return _render(request, lens_for(request, slug), skipped)
