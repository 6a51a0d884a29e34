"""Pages of a debate. Views stay thin: permissions from `permissions`, reads from `selectors`,
the tree from `tree`, writes through `services`."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from arguments.models import Claim, Debate, Role
from arguments.moderation import claim_notices
from arguments.permissions import Action, at_least, permits, role_in
from arguments.selectors import debate_structure, debates_for_listing, theses_by_debate
from arguments.tree import Reader, build_item

INITIAL_LEVELS = 3


def _debate_for(request: HttpRequest, slug: str) -> tuple[Debate, Role]:
    """The debate if the user may read it; a private debate is a 404 to non-members."""
    debate = get_object_or_404(Debate.objects.select_related("owner"), slug=slug)
    role = role_in(request.user, debate)
    if role is None or not permits(request.user, Action.VIEW, debate, role=role):
        raise Http404("No debate here.")
    return debate, role


def _reader(request: HttpRequest, role: Role) -> Reader:
    user_id = request.user.pk if request.user.is_authenticated else None
    return Reader(user_id=user_id, sees_everything=at_least(role, Role.MODERATOR))


def debate_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()[:100]
    debates = debates_for_listing(search=search)
    theses = theses_by_debate(debates)
    for debate in debates:
        debate.thesis_list = theses.get(debate.pk, [])
    return render(request, "arguments/debate_list.html", {"debates": debates, "q": search})


def debate_detail(request: HttpRequest, slug: str) -> HttpResponse:
    debate, role = _debate_for(request, slug)
    structure = debate_structure(debate)
    reader = _reader(request, role)
    theses = [
        build_item(structure, thesis_id, edge=None, reader=reader, levels=INITIAL_LEVELS)
        for thesis_id in structure.theses
        if structure.nodes[thesis_id].status == "published" or reader.sees_everything
    ]
    return render(
        request,
        "arguments/debate_detail.html",
        {
            "debate": debate,
            "theses": theses,
            "role": role,
            "notices": claim_notices(user=request.user, debate=debate),
        },
    )


def claim_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    debate, role = _debate_for(request, slug)
    structure = debate_structure(debate)
    reader = _reader(request, role)
    node = structure.nodes.get(pk)
    if node is None or not (reader.sees_everything or structure.is_reachable(pk)):
        raise Http404("No such claim in this debate.")
    edge = structure.original.get(pk)
    item = build_item(structure, pk, edge=None, reader=reader, levels=INITIAL_LEVELS)
    return render(
        request,
        "arguments/claim_detail.html",
        {
            "debate": debate,
            "item": item,
            "edge": edge,
            "path": structure.path_to(pk)[:-1],
            "role": role,
            "notices": claim_notices(user=request.user, debate=debate),
        },
    )


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
