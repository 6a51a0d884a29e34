"""Snapshots through the API: a debate's frozen versions, one version's theses with their pros
and cons, its claims flat (a cursor, as the living debate's), one claim of it, its exports, and
what changed since (to another version or to now).

Each answer is made from `reading.snapshots` as the snapshot pages are (`views/snapshots.py`):
readable by whoever may read the debate now (`lens_of`: a private debate's versions are a 404
to strangers), showing what a visitor saw then, with tallies and strengths hidden where guided
voting was on, but from the moderators. A version never changes, so neither does its answer
(nor its ETag)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from ninja import Path, Query, Router

from arguments.api import schemas
from arguments.api.readers import TokenBearer, lens_of, visitor
from arguments.api.reads import PAGE_DEFAULT, PAGE_MAX, answers, cursor_of
from arguments.reading.snapshots import (
    diff,
    export_of,
    outline_now,
    outline_rows,
    snapshot_claims,
    snapshot_data,
    snapshots_of,
)

if TYPE_CHECKING:
    from arguments.reading.lens import Lens
    from arguments.reading.snapshots import OutlineRow, SnapshotView

router = Router(auth=[TokenBearer(), visitor], tags=["snapshots"])

NUMBER_MAX = 2**31 - 1  # a number the database can hold (a longer one names no version)
FormatName = Literal["kialo", "argdown", "aif", "json"]
# The export's answer, documented by content type: a text file, or a JSON document.
EXPORT_TYPES = {
    "text/plain": {"schema": {"type": "string"}},
    "application/json": {"schema": {"type": "object"}},
}


def _shows_votes(lens: Lens, votes_hidden: bool) -> bool:
    """Guided voting hid tallies: a snapshot keeps them hidden but from the moderators (the
    site's rule, `views/snapshots._shows_votes`)."""
    return not votes_hidden or lens.moderates


def _facts_out(request: HttpRequest, lens: Lens, facts: dict[str, Any]) -> dict[str, Any]:
    debate = lens.debate
    # Named as the site's list names them: nobody in a pseudonymous debate or at a deadline.
    named = facts["reason"] != "deadline" and not debate.pseudonymous
    return {
        "number": facts["number"],
        "title": facts["title"],
        "reason": facts["reason"],
        "note": facts["note"],
        "taken_by": facts["taken_by__username"] if named else None,
        "taken_at": facts["taken_at"],
        "sha256": facts["sha256"],
        "claim_count": facts["claim_count"],
        "votes_hidden": facts["votes_hidden"],
        "url": request.build_absolute_uri(
            reverse("arguments:snapshot", args=[debate.slug, facts["number"]])
        ),
    }


def _row_out(request: HttpRequest, row: OutlineRow, *, votes: bool, url: str) -> dict[str, Any]:
    data = row.data
    return {
        "id": row.claim_id,
        "parent_id": row.parent_id,
        "depth": row.depth,
        "path": row.path,
        "stance": data["stance"],
        "text": data["text"],
        "elaboration": data["elaboration"],
        "strength": data["strength"] if votes else None,
        "votes": list(data["votes"]) if votes else None,
        "child_count": data["children"],
        "source_count": data["sources"],
        "links": [
            {"claim_id": claim_id, "stance": stance, "text": text}
            for claim_id, stance, text in data["links"]
        ],
        "url": request.build_absolute_uri(url),
    }


class _Shaper:
    """Rows of one version as this reader sees them."""

    def __init__(self, request: HttpRequest, lens: Lens, number: int, votes_hidden: bool):
        self.request, self.slug, self.number = request, lens.debate.slug, number
        self.votes = _shows_votes(lens, votes_hidden)

    def row(self, row: OutlineRow) -> dict[str, Any]:
        url = reverse("arguments:snapshot_claim", args=[self.slug, self.number, row.claim_id])
        return _row_out(self.request, row, votes=self.votes, url=url)

    def branch(self, row: OutlineRow, view: SnapshotView) -> dict[str, Any]:
        return {
            **self.row(row),
            "children": [self.row(c) for c in view.children.get(row.claim_id, ())],
        }


def _view(lens: Lens, number: int, claim_id: int | None = None) -> SnapshotView:
    view = snapshot_data(lens.debate, number, claim_id=claim_id)
    if view is None:
        raise Http404("No such snapshot." if claim_id is None else "No such claim in it.")
    return view


@router.get(
    "/debates/{slug}/snapshots",
    response=answers(list[schemas.SnapshotOut]),
    summary="A debate's frozen versions",
)
def snapshot_list(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    """Every frozen version of the debate, newest first."""
    lens = lens_of(request, slug)
    return [_facts_out(request, lens, facts) for facts in snapshots_of(lens.debate)]


@router.get(
    "/debates/{slug}/snapshots/{number}",
    response=answers(schemas.SnapshotDetail),
    summary="One frozen version: its theses with their pros and cons",
)
def snapshot_detail(
    request: HttpRequest, slug: str, number: int = Path(..., ge=1, le=NUMBER_MAX)
) -> dict[str, Any]:
    """What the version's page shows: its facts, and the theses with their pros and cons as
    they were."""
    lens = lens_of(request, slug)
    view = _view(lens, number)
    shaper = _Shaper(request, lens, number, view.snapshot["votes_hidden"])
    return {
        **_facts_out(request, lens, view.snapshot),
        "theses": [shaper.branch(row, view) for row in view.items],
    }


@router.get(
    "/debates/{slug}/snapshots/{number}/claims",
    response=answers(schemas.FrozenClaimPage),
    summary="A frozen version's claims, flat",
)
def snapshot_claim_list(
    request: HttpRequest,
    slug: str,
    number: int = Path(..., ge=1, le=NUMBER_MAX),
    cursor: str | None = Query(None, max_length=20),
    limit: int = Query(PAGE_DEFAULT, ge=1, le=PAGE_MAX),
) -> dict[str, Any]:
    """Every claim of the version by id, a page at a time (as the living debate's list)."""
    lens = lens_of(request, slug)
    found = snapshot_claims(lens.debate, number, after=cursor_of(cursor), limit=limit)
    if found is None:
        raise Http404("No such snapshot.")
    facts, rows, more = found
    shaper = _Shaper(request, lens, number, facts["votes_hidden"])
    return {
        "items": [shaper.row(row) for row in rows],
        "total": facts["claim_count"],
        "next_cursor": str(rows[-1].claim_id) if more else None,
    }


@router.get(
    "/debates/{slug}/snapshots/{number}/claims/{claim_id}",
    response=answers(schemas.FrozenClaimDetail),
    summary="One claim of a frozen version, with its path and its pros and cons",
)
def snapshot_claim(
    request: HttpRequest,
    slug: str,
    number: int = Path(..., ge=1, le=NUMBER_MAX),
    claim_id: int = Path(..., ge=1, le=2**62),
) -> dict[str, Any]:
    """What the claim's page in the version shows: the claim, the claims above it from the
    thesis down, and its pros and cons."""
    lens = lens_of(request, slug)
    view = _view(lens, number, claim_id)
    assert view.focus is not None  # asked with a claim
    shaper = _Shaper(request, lens, number, view.snapshot["votes_hidden"])
    return {
        **shaper.branch(view.focus, view),
        "ancestors": [shaper.row(row) for row in view.path],
    }


@router.get(
    "/debates/{slug}/snapshots/{number}/export/{format_name}",
    response=answers(None),
    summary="A frozen version as a file",
    openapi_extra={
        "responses": {200: {"description": "The file", "content": EXPORT_TYPES}},
    },
)
def snapshot_export(
    request: HttpRequest,
    slug: str,
    format_name: FormatName,
    number: int = Path(..., ge=1, le=NUMBER_MAX),
) -> HttpResponse:
    """The version in Kialo's, Argdown's, AIF's or our own JSON format: what the living
    debate's export gives this reader (a visitor's view; its moderators' JSON is the whole
    stored document, whose SHA-256 is the version's `sha256`)."""
    found = export_of(lens_of(request, slug), number, format_name)
    if found is None:
        raise Http404("No such snapshot.")
    return HttpResponse(
        found.text,
        content_type=found.content_type,
        headers={"Content-Disposition": content_disposition_header(True, found.filename)},
    )


@router.get(
    "/debates/{slug}/snapshots/{number}/diff",
    response=answers(schemas.SnapshotChanges),
    summary="What changed since a frozen version",
)
def snapshot_diff(
    request: HttpRequest,
    slug: str,
    number: int = Path(..., ge=1, le=NUMBER_MAX),
    to: str = Query("now", max_length=12, description='"now", or another version\'s number'),
) -> dict[str, Any]:
    """What a visitor sees changed from this version to another one or to the debate now."""
    lens = lens_of(request, slug)
    before = outline_rows(lens.debate, number)
    if before is None:
        raise Http404("No such snapshot.")
    if to == "now":
        after: list[OutlineRow] | None = outline_now(lens.debate)
    else:
        after = outline_rows(lens.debate, int(to)) if to.isdigit() and len(to) < 10 else None
    if after is None:
        raise Http404("No such snapshot to compare with.")
    changes = diff(before, after)
    votes = lens.moderates or not lens.debate.hide_votes_until_voted  # as the diff page
    slug = lens.debate.slug

    def then(row: OutlineRow) -> dict[str, Any]:
        url = reverse("arguments:snapshot_claim", args=[slug, number, row.claim_id])
        return _row_out(request, row, votes=votes, url=url)

    def later(row: OutlineRow) -> dict[str, Any]:
        url = (
            reverse("arguments:claim", args=[slug, row.claim_id])
            if to == "now"
            else reverse("arguments:snapshot_claim", args=[slug, int(to), row.claim_id])
        )
        return _row_out(request, row, votes=votes, url=url)

    def pairs(found: list[tuple[OutlineRow, OutlineRow]]) -> list[dict[str, Any]]:
        return [{"before": then(was), "after": later(now)} for was, now in found]

    return {
        "number": number,
        "to": to,
        "added": [later(row) for row in changes.added],
        "removed": [then(row) for row in changes.removed],
        "edited": pairs(changes.edited),
        "moved": pairs(changes.moved),
        "strengths": pairs(changes.strengths) if votes else [],
    }
