"""Finding where to take part: a debate's cruxes (where the room is split) and gaps (where it
needs someone), each a page and, for the debate page's panels, an htmx fragment."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from arguments import cruxes, gaps
from arguments.views.access import HtmxHttpRequest, lens_for
from arguments.views.fragments import page_context

PAGE_ROWS = 50  # a page lists this many of each; the panel a few
PANEL_ROWS = 3


def _as_panel(request: HtmxHttpRequest) -> bool:
    """The debate page's panel asks for its fragment with htmx and `part=panel`."""
    return bool(request.htmx) and request.GET.get("part") == "panel"


@vary_on_headers("HX-Request")
@require_GET
def debate_cruxes(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The points where the room is most divided, with how people voted on each."""
    lens = lens_for(request, slug)
    panel = _as_panel(request)
    found = cruxes.cruxes_of(lens, limit=PANEL_ROWS if panel else PAGE_ROWS)
    context = page_context(
        lens,
        cruxes=found,
        min_votes=cruxes.MIN_VOTES,
        hides_votes=lens.debate.hide_votes_until_voted,
        panel=panel,
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
    found = gaps.gaps_of(lens, limit=PANEL_ROWS if panel else PAGE_ROWS)
    context = page_context(lens, gaps=found, few_votes=gaps.FEW_VOTES, panel=panel)
    template = "arguments/debate_gaps.html"
    return render(request, f"{template}#panel" if panel else template, context)
