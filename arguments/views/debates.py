"""Reading debates: the list, a debate's tree, one claim in focus (or its branch, for htmx),
starting a debate, and my profile."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from arguments import services
from arguments.forms import DebateForm
from arguments.models import Claim, Debate, Role
from arguments.moderation import claim_notices
from arguments.selectors import debate_structure, debates_for_listing, theses_by_debate
from arguments.tree import ORDERS, TreeItem, build_item
from arguments.views.access import (
    HtmxHttpRequest,
    controls_for,
    debate_for,
    order_for,
    reader_for,
    visible_claim,
)
from arguments.views.forms import form_errors_to

INITIAL_LEVELS = 2  # the page shows a thesis, its pros and cons and theirs; deeper loads on demand


def tree_context(request: HttpRequest, debate: Debate, role: Role) -> dict[str, object]:
    """What every tree template needs besides the items themselves."""
    return {
        "debate": debate,
        "role": role,
        "can": controls_for(request, debate, role),
        "order": order_for(request),
        "orders": ORDERS,
        "notices": claim_notices(user=request.user, debate=debate, role=role),
    }


def debate_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()[:100]
    debates = debates_for_listing(search=search)
    theses = theses_by_debate(debates)
    for debate in debates:
        debate.thesis_list = theses.get(debate.pk, [])
    return render(
        request,
        "arguments/debate_list.html",
        {"debates": debates, "q": search, "form": DebateForm(initial={"default_role": "writer"})},
    )


@login_required
@require_http_methods(["GET", "POST"])
def debate_new(request: HttpRequest) -> HttpResponse:
    form = DebateForm(request.POST or None, initial={"default_role": "writer"})
    if request.method == "POST" and form.is_valid():
        try:
            debate = services.debate_create(owner=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_errors_to(form, error)
        else:
            return redirect(debate)
    status = 422 if request.method == "POST" else 200
    return render(request, "arguments/debate_new.html", {"form": form}, status=status)


def debate_detail(request: HttpRequest, slug: str) -> HttpResponse:
    debate, role = debate_for(request, slug)
    structure = debate_structure(debate)
    reader = reader_for(request, debate, role)

    def theses() -> list[TreeItem]:
        # Called by the template only when it renders the tree: a visitor's cached tree
        # needs no items built.
        return [
            build_item(structure, thesis_id, edge=None, reader=reader, levels=INITIAL_LEVELS)
            for thesis_id in structure.theses
            if structure.nodes[thesis_id].status == "published" or reader.sees_everything
        ]

    context = tree_context(request, debate, role) | {"theses": theses}
    return render(request, "arguments/debate_detail.html", context)


def claim_detail(request: HtmxHttpRequest, slug: str, pk: int) -> HttpResponse:
    """A claim in focus; with htmx and `part=branch`, only its pros and cons (one level)."""
    debate, role = debate_for(request, slug)
    structure = debate_structure(debate)
    reader = reader_for(request, debate, role)
    if not visible_claim(structure, reader, pk):
        merged = Claim.objects.filter(pk=pk, debate=debate).values_list("merged_into", flat=True)
        if merged and merged[0]:
            return redirect("arguments:claim", slug=debate.slug, pk=merged[0])
        raise Http404("No such claim in this debate.")
    edge = structure.original.get(pk)
    context = tree_context(request, debate, role)
    if request.htmx and request.GET.get("part") == "branch":
        depth = request.GET.get("depth", "0")
        depth = min(int(depth), 1000) if depth.isdigit() else 0  # the branch's aria-level
        item = build_item(structure, pk, edge=edge, reader=reader, depth=depth, levels=1)
        return render(request, "arguments/claim_detail.html#branch", context | {"item": item})
    item = build_item(structure, pk, edge=edge, reader=reader, levels=INITIAL_LEVELS)
    context |= {"item": item, "edge": edge, "path": structure.path_to(pk)[:-1]}
    return render(request, "arguments/claim_detail.html", context)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """My debates and my claims."""
    user = request.user
    debates = Debate.objects.filter(Q(owner=user) | Q(memberships__user=user)).distinct()
    claims = (
        Claim.objects.filter(author=user)
        .exclude(status=Claim.Status.DELETED)
        .select_related("debate")
        .order_by("-created_at")[:100]
    )
    return render(request, "arguments/profile.html", {"debates": debates, "claims": claims})
