"""Finding where to take part: Explore (featured, active, new and popular debates, tags), a
debate's cruxes (where the room is split) and gaps (where it needs someone), and its tags.
The crux and gap pages are also htmx fragments for the debate page's panels."""

from __future__ import annotations

import re

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from arguments.explore import cruxes, gaps, listings
from arguments.models import Tag
from arguments.reading.perspectives import viewpoint_for
from arguments.rules.permissions import Action
from arguments.views.access import HtmxHttpRequest, lens_for, whole_number
from arguments.views.fragments import page_context

SLUG = re.compile(r"[-a-zA-Z0-9_]+")  # the URL's <slug:tag>
PAGE_ROWS = 50  # a page lists this many of each; the panels a few
# The cruxes come in pages (`?page=`): a reader reads the most divided first, and fifty cards
# with their bars cost more to render than the whole page's other work (issue 35).
CRUX_PAGE_ROWS = 20
MAX_CRUX_PAGE = 1000
CRUX_PANEL_ROWS = 3
GAP_PANEL_ROWS = 1  # of each kind: the panel stays short above the tree, even on a phone


@require_GET
def explore(request: HttpRequest) -> HttpResponse:
    """Featured, active, new and popular debates, and the tags they carry; `?tag=` leads to
    the tag's own page."""
    slug = request.GET.get("tag", "").strip()
    if slug:
        # To the tag's page, which answers 404 when the reader finds no debate with it: a
        # redirect only for known tags would tell which tags private debates carry.
        if not SLUG.fullmatch(slug):
            raise Http404("No such tag.")
        return redirect("arguments:explore_tag", tag=slug)
    return render(request, "arguments/explore.html", {"explore": listings.explore(request.user)})


@require_GET
def explore_tag(request: HttpRequest, tag: str) -> HttpResponse:
    """The debates the reader may find that carry one tag; a 404, like an unknown tag, when
    they find none (a tag only private debates carry is theirs alone, name and all)."""
    found = get_object_or_404(Tag, slug=tag)
    debates = listings.tagged(request.user, found)
    if not debates:
        raise Http404("No such tag.")
    context = {"tag": found, "debates": debates}
    return render(request, "arguments/explore_tag.html", context)


def _as_panel(request: HtmxHttpRequest) -> bool:
    """The debate page's panel asks for its fragment with htmx and `part=panel`."""
    return bool(request.htmx) and request.GET.get("part") == "panel"


@vary_on_headers("HX-Request")
@require_GET
def debate_cruxes(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The points where the room is most divided, with how people voted on each."""
    lens = lens_for(request, slug)
    panel = _as_panel(request)
    # `?by=groups`: ranked by how far apart the opinion groups vote (the page's option).
    between_groups = request.GET.get("by") == "groups" and not panel
    # `?by=perspectives&a=…&b=…`: how far apart two perspectives (two teams) vote.
    compared = None
    if request.GET.get("by") == "perspectives" and not panel:
        may_see_voters = lens.may(Action.MANAGE_MEMBERS)
        compared = tuple(
            viewpoint_for(lens.debate, request.GET.get(key, ""), may_see_voters=may_see_voters)
            for key in ("a", "b")
        )
        if None in compared:
            return HttpResponseBadRequest(_("Choose two perspectives to compare (a and b)."))
    page = (
        1
        if panel
        else whole_number(request.GET, "page", default=1, minimum=1, maximum=MAX_CRUX_PAGE)
    )
    offset = (page - 1) * CRUX_PAGE_ROWS
    if compared is not None:
        first, second = compared
        assert first is not None and second is not None
        found = cruxes.between_perspectives(
            lens, first, second, limit=CRUX_PAGE_ROWS, offset=offset
        )
    else:
        found = cruxes.cruxes_of(
            lens,
            limit=CRUX_PANEL_ROWS if panel else CRUX_PAGE_ROWS,
            offset=offset,
            between_groups=between_groups,
        )
    context = page_context(
        lens,
        cruxes=found,
        compared=compared,
        between_groups=between_groups or compared is not None,
        min_votes=cruxes.MIN_VOTES,
        hides_votes=lens.debate.hide_votes_until_voted,
        panel=panel,
        page=page,
    )
    template = "arguments/debate_cruxes.html"
    return render(request, f"{template}#panel" if panel else template, context)


@vary_on_headers("HX-Request")
@require_GET
def debate_gaps(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Claims without a source, without an answer, with few votes, and (for moderators) the
    suggestions waiting for review, each with the act that fills the gap."""
    lens = lens_for(request, slug)
    panel = _as_panel(request)
    found = gaps.gaps_of(lens, limit=GAP_PANEL_ROWS if panel else PAGE_ROWS)
    context = page_context(lens, gaps=found, few_votes=gaps.FEW_VOTES, panel=panel)
    template = "arguments/debate_gaps.html"
    return render(request, f"{template}#panel" if panel else template, context)
