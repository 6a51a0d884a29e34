"""Reading debates: the list, a debate's tree, one claim in focus (or its branch, for htmx),
starting a debate, and my profile."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from arguments import services
from arguments.explore import gaps, listings, search
from arguments.reading.feedback import offers_feedback
from arguments.reading.tree import ORDERS
from arguments.structure import first_screen
from arguments.views import member_pages, tokens, visitor_pages
from arguments.views.access import (
    MAX_ARIA_LEVEL,
    HtmxHttpRequest,
    SignedInRequest,
    lens_for,
    whole_number,
)
from arguments.views.forms import DebateForm, form_errors_to
from arguments.views.fragments import oembed_discovery, tree_context
from arguments.views.kept_reads import kept_through_perspective
from arguments.views.maps import path_minimap

# The page shows a thesis (or the claim in focus) with its pros and cons, folded: the first
# screen holds the whole first level (Kialo's reading); deeper branches load on demand.
INITIAL_LEVELS = 1
MAX_PAGE = 1000  # of the home page's list: 30,000 debates, read by an index however far


def _query(request: HttpRequest) -> str:
    """The search words asked for (`q`), trimmed; a longer query is cut, not refused."""
    return request.GET.get("q", "").strip()[: search.QUERY_MAX_LENGTH]


def debate_list(request: HttpRequest) -> HttpResponse:
    """A page of the debates (`page`), or with `q` the debates and the claims (in the
    debates the reader may read) that match it."""
    query = _query(request)
    page = whole_number(request.GET, "page", default=1, minimum=1, maximum=MAX_PAGE)
    return render(
        request,
        "arguments/debate_list.html",
        {
            "debates": listings.debates_for_listing(search=query, page=page),
            "hits": search.search_claims(request.user, query) if query else [],
            "q": query,
            "form": DebateForm(initial={"default_role": "writer"}),
        },
    )


def debate_search(request: HttpRequest, slug: str) -> HttpResponse:
    """The claims of one debate that match `q`, each in its place, as the reader sees them."""
    lens = lens_for(request, slug)
    query = _query(request)
    hits = search.search_debate(lens, query) if query else []
    return render(
        request,
        "arguments/debate_search.html",
        {"lens": lens, "debate": lens.debate, "hits": hits, "q": query},
    )


@login_required
@require_http_methods(["GET", "POST"])
def debate_new(request: HttpRequest) -> HttpResponse:
    # A new debate is written, most likely, in the language its owner reads the site in.
    initial = {"default_role": "writer", "language": translation.get_language()}
    form = DebateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            debate = services.debate_create(owner=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_errors_to(form, error)
        else:
            return redirect(debate)
    status = 422 if request.method == "POST" else 200
    return render(request, "arguments/debate_new.html", {"form": form}, status=status)


@kept_through_perspective  # issue 35 (35p): a page through a perspective, kept per reader
def debate_detail(request: HttpRequest, slug: str) -> HttpResponse:
    # A worker holding nothing of the debate reads only what the page shows.
    lens = lens_for(request, slug, first_screen=INITIAL_LEVELS <= first_screen.LEVELS)

    shown: list = []

    def theses() -> list:
        # Called by the template only when it renders the tree: a visitor's cached tree
        # needs no items built.
        if not shown:
            shown.extend(lens.theses(INITIAL_LEVELS))
        return shown

    context = tree_context(
        lens,
        theses=theses,
        orders=ORDERS,
        oembed_url=oembed_discovery(request, lens, lens.urls.page),
        needs_you=gaps.offered_to(lens),
    )
    response = render(request, "arguments/debate_detail.html", context)
    if lens.user_id is None and lens.viewpoint is None and not request.GET:
        # Every visitor's page of this state of the debate: kept whole
        # (arguments/views/visitor_pages.py).
        visitor_pages.mark(response, lens.debate)
    elif lens.user_id is not None and lens.viewpoint is None and not request.GET:
        # This member's page of this state of the debate (arguments/views/member_pages.py).
        # Its vote regions too, when the members' store asks, to fill after votes.
        hides = lens.debate.hide_votes_until_voted
        regions = member_pages.vote_regions(request, shown, hides)
        member_pages.mark(response, lens.debate, lens.user_id, regions)
    return response


@vary_on_headers("HX-Request")
@kept_through_perspective  # issue 35 (35p): a focus page through a perspective, kept
def claim_detail(request: HtmxHttpRequest, slug: str, pk: int) -> HttpResponse:
    """A claim in focus; with htmx and `part=branch`, only its pros and cons (one level). A
    worker holding nothing of the debate reads only the claims around it."""
    lens = lens_for(request, slug, around=pk)
    if not lens.sees(pk):
        merged_into = lens.merged_into(pk)
        if merged_into is not None:
            return redirect(lens.claim_urls(merged_into).page)
        raise Http404("No such claim in this debate.")
    if request.htmx and request.GET.get("part") == "branch":
        depth = whole_number(request.GET, "depth", default=0, maximum=MAX_ARIA_LEVEL)
        item = lens.focus(pk, levels=1, depth=depth)  # depth: the branch's aria-level
        return render(request, "arguments/claim_detail.html#branch", tree_context(lens, item=item))
    item = lens.focus(pk, levels=INITIAL_LEVELS)
    # The breadcrumbs: each claim above, from the thesis down, with where it leads.
    path = [(node, lens.claim_urls(node.id).focus) for node in lens.structure.path_to(pk)[:-1]]
    context = tree_context(
        lens,
        item=item,
        path=path,
        minimap=path_minimap(lens, pk),
        orders=ORDERS,
        oembed_url=oembed_discovery(request, lens, item.urls.page),
        feedback_url=reverse("arguments:claim_feedback", args=[slug, pk])
        if offers_feedback(lens, pk)
        else None,
    )
    return render(request, "arguments/claim_detail.html", context)


@login_required
def profile(request: SignedInRequest) -> HttpResponse:
    """My debates, my claims and my API tokens."""
    return render(request, "arguments/profile.html", tokens.profile_context(request.user))
