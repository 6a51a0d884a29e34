"""Who is reading, and what they may do: shared by every view of a debate."""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django_htmx.middleware import HtmxDetails

from arguments.models import Debate, Role
from arguments.permissions import Action, at_least, permits, role_in
from arguments.selectors import DebateStructure, my_votes
from arguments.tree import ORDERS, Reader


class HtmxHttpRequest(HttpRequest):
    """A request as django-htmx's middleware leaves it (for type hints)."""

    htmx: HtmxDetails


@dataclass(frozen=True)
class Controls:
    """The write controls a reader sees (views and services check again on POST)."""

    add: bool = False
    link: bool = False
    cite: bool = False
    edit_any: bool = False
    vote: bool = False
    annotate: bool = False
    flag: bool = False
    moderate: bool = False
    user_id: int | None = None

    def can_edit(self, author_id: int | None) -> bool:
        return self.edit_any or (self.add and author_id is not None and author_id == self.user_id)


def debate_for(request: HttpRequest, slug: str) -> tuple[Debate, Role]:
    """The debate if the user may read it; a private debate is a 404 to non-members."""
    debate = get_object_or_404(Debate.objects.select_related("owner"), slug=slug)
    role = role_in(request.user, debate)
    if role is None or not permits(request.user, Action.VIEW, debate, role=role):
        raise Http404("No debate here.")
    return debate, role


def order_for(request: HttpRequest) -> str:
    order = request.GET.get("order", "stored")
    return order if order in ORDERS else "stored"


def visibility_reader(request: HttpRequest, role: Role) -> Reader:
    """Just enough of the reader to decide which claims they see (no query)."""
    user_id = request.user.pk if request.user.is_authenticated else None
    return Reader(user_id=user_id, sees_everything=at_least(role, Role.MODERATOR))


def reader_for(request: HttpRequest, debate: Debate, role: Role) -> Reader:
    """Who reads: their pending claims, moderator's view, sibling order and votes (one query)."""
    return replace(
        visibility_reader(request, role),
        order=order_for(request),
        votes=my_votes(request.user, debate),
        participant=request.user.is_authenticated,
    )


def controls_for(request: HttpRequest, debate: Debate, role: Role) -> Controls:
    user = request.user
    if not user.is_authenticated:
        return Controls()

    def may(action: Action) -> bool:
        return permits(user, action, debate, role=role)

    return Controls(
        add=may(Action.ADD_CLAIM),
        link=may(Action.LINK_CLAIM),
        cite=may(Action.CITE_SOURCE),
        edit_any=may(Action.EDIT_CLAIM) and at_least(role, Role.EDITOR),
        vote=may(Action.VOTE),
        annotate=may(Action.ANNOTATE),
        flag=may(Action.FLAG),
        moderate=may(Action.MODERATE),
        user_id=user.pk,
    )


def visible_claim(structure: DebateStructure, reader: Reader, claim_id: int) -> bool:
    """Whether the reader may see this claim where it stands (else: 404)."""
    node = structure.nodes.get(claim_id)
    if node is None:
        return False
    if reader.sees_everything:
        return True
    path = structure.path_to(claim_id)
    return all(
        n.status == "published" or (n.status == "pending" and n.author_id == reader.user_id)
        for n in path
    )
