"""The write API: votes and notes, with a token of the write scope. Each write goes through
the same checks and services as the site's forms (`lens.check` for the role, then
`services.vote_cast`, `vote_withdraw`, `annotation_add`, which ask `permissions.require`), so
the rules stay in one place."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Query, Router, Status

from arguments import selectors, services
from arguments.api import schemas
from arguments.api.problems import READ_PROBLEMS, Problem
from arguments.api.readers import Reader, TokenBearer, lens_of, reader_of
from arguments.api.reads import claim_out
from arguments.models import Claim, Relation
from arguments.reading.lens import Lens
from arguments.rules.limits import check_act
from arguments.rules.permissions import Action

router = Router(auth=TokenBearer(), tags=["write"])


def answers(schema: object, status: int = 200) -> dict[int, object]:
    return {status: schema, **dict.fromkeys((*READ_PROBLEMS, 403), Problem)}


def _writer(request: HttpRequest) -> Reader:
    reader = reader_of(request)
    if not reader.writes:
        raise PermissionDenied("This token may only read: make one with the write scope.")
    return reader


def _point(lens: Lens, claim_id: int, relation_id: int | None) -> tuple[Relation | Claim, Claim]:
    """The point voted on (the claim's place, or the thesis), if the reader sees the claim
    and may vote on it (a 404, else a 403: as the site's vote form)."""
    if not lens.sees(claim_id):
        raise Http404("No such claim in this debate.")
    point = selectors.vote_point(lens.debate, claim_id, relation_id)
    if point is None:
        raise Http404("No such place.")
    claim = point.child if isinstance(point, Relation) else point
    lens.check(Action.VOTE, claim=claim)
    return point, claim


@router.put(
    "/debates/{slug}/claims/{claim_id}/vote",
    response=answers(schemas.ClaimOut),
    summary="Cast or change my vote",
)
def vote_cast(
    request: HttpRequest, slug: str, claim_id: int, payload: schemas.VoteIn
) -> dict[str, Any]:
    """Vote 0-4 on a claim where it stands (a thesis: how true; a pro or con: how much it
    matters there). Answers the claim as the voter now sees it."""
    reader = _writer(request)
    lens = lens_of(request, slug)
    point, _claim = _point(lens, claim_id, payload.relation_id)
    vote = services.vote_cast(user=reader.user, point=point, value=payload.value)
    return claim_out(request, lens.after_vote(point, vote.value))


@router.delete(
    "/debates/{slug}/claims/{claim_id}/vote",
    response=answers(schemas.ClaimOut),
    summary="Withdraw my vote",
)
def vote_withdraw(
    request: HttpRequest,
    slug: str,
    claim_id: int,
    relation_id: int | None = Query(None, ge=1, le=2**62),
) -> dict[str, Any]:
    reader = _writer(request)
    lens = lens_of(request, slug)
    point, _claim = _point(lens, claim_id, relation_id)
    services.vote_withdraw(user=reader.user, point=point)
    return claim_out(request, lens.after_vote(point, None))


@router.post(
    "/debates/{slug}/claims/{claim_id}/notes",
    response=answers(schemas.Note, 201),
    summary="Write a note on a claim, or reply to one",
)
def note_add(
    request: HttpRequest, slug: str, claim_id: int, payload: schemas.NoteIn
) -> Status[dict[str, Any]]:
    """A note on the claim (or on the quoted words `exact`), or a reply to one of its notes
    (`parent_id`), counted against the same allowance as the site's notes."""
    reader = _writer(request)
    lens = lens_of(request, slug)
    if not lens.sees(claim_id):
        raise Http404("No such claim in this debate.")
    claim = selectors.claim_in(lens.debate, claim_id)
    if claim is None:
        raise Http404("No such claim in this debate.")
    lens.check(Action.ANNOTATE, claim=claim)
    parent = None
    if payload.parent_id is not None:
        parent = selectors.note_in(lens.debate, payload.parent_id)
        if parent is None or not lens.sees_note(parent) or parent.claim_id != claim_id:
            raise Http404("No such note on this claim.")
    check_act("note", user_id=reader.user.pk, address=None)
    note = services.annotation_add(
        actor=reader.user,
        claim=claim,
        body=payload.body,
        motivation=payload.motivation,
        visibility=payload.visibility,
        exact=payload.exact,
        parent=parent.parent or parent if parent is not None else None,
    )
    return Status(
        201,
        {
            "id": note.pk,
            "author": lens.author_name(reader.user.pk, reader.user.get_username()),
            "body": note.body,
            "motivation": note.motivation,
            "visibility": note.visibility,
            "created_at": note.created_at,
            "exact": note.exact,
            "replies": [],
        },
    )
