"""The read API: debates, their claims (a tree, or flat pages with a cursor), one claim with
all the site shows of it, cruxes, gaps and the activity table.

Every answer is made from the reader's `Lens` and the `TreeItem`s it builds, as the site's
pages are: the same visibility (pending, hidden, private), the same names (pseudonyms), the
same votes (hidden until voted, with guided voting). Nothing here decides either.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import TYPE_CHECKING, Any

from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest
from ninja import Query, Router

from arguments import caches
from arguments.api import schemas
from arguments.api.problems import READ_PROBLEMS, Problem
from arguments.api.readers import TokenBearer, lens_of, reader_of, visitor
from arguments.explore import cruxes, gaps, listings
from arguments.models import Claim, Stance
from arguments.reading.activity import activity_of
from arguments.reading.activity import as_of as activity_moment
from arguments.rules.permissions import Action

if TYPE_CHECKING:
    from arguments.models import Debate
    from arguments.reading.lens import Lens
    from arguments.reading.tree import NoteItem, TreeItem

router = Router(auth=[TokenBearer(), visitor], tags=["read"])

PAGE_DEFAULT, PAGE_MAX = 100, 500
LEVELS_MAX = 6
ROWS_MAX = 100


def answers(schema: object, *more: int) -> dict[int, object]:
    """An operation's documented answers: the schema, and a problem for each refusal."""
    return {200: schema, 304: None, **dict.fromkeys((*READ_PROBLEMS, *more), Problem)}


def perspective_query() -> Any:
    """The `perspective` parameter of the operations that show strengths and tallies."""
    return Query(
        "",
        max_length=40,
        description="See strengths and vote distributions as a perspective saw them: "
        "user:<id> or group:<id> (owner and moderators), named:<id>, opinion:<n>; "
        "empty for everyone's votes (as the site's ?perspective=)",
    )


def cursor_of(raw: str | None) -> int | None:
    """A cursor is the last id of the previous page (opaque to clients: pass it back)."""
    if raw is None or raw == "":
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 18):
        raise BadRequest("cursor must be a value this API gave as next_cursor.")
    return int(raw)


# -- shaping what the lens gives --------------------------------------------------------


def claim_out(request: HttpRequest, item: TreeItem) -> dict[str, Any]:
    """A claim as the reader sees it where it stands."""
    node, edge = item.node, item.edge
    hidden = item.votes_hidden
    return {
        "id": node.id,
        "text": node.text,
        "elaboration": node.elaboration,
        "status": node.status,
        "is_thesis": node.is_thesis,
        "stance": edge.stance if edge is not None else None,
        "parent_id": edge.parent if edge is not None else None,
        "relation_id": item.point_relation,
        "is_link": item.is_link,
        "author": item.author,
        "strength": item.strength,
        "votes": {
            "hidden": hidden,
            "counts": None if hidden else list(item.tally),
            "total": item.vote_count,
            "mine": item.my_vote,
        },
        "pro_count": item.pro_count,
        "con_count": item.con_count,
        "url": request.build_absolute_uri(item.urls.page),
    }


def _tree_out(request: HttpRequest, item: TreeItem) -> dict[str, Any]:
    out = claim_out(request, item)
    out["pros"] = [_tree_out(request, child) for child in item.pros]
    out["cons"] = [_tree_out(request, child) for child in item.cons]
    return out


def _note_out(note: NoteItem) -> dict[str, Any]:
    return {
        "id": note.note.id,
        "author": note.author,
        "body": note.note.body,
        "motivation": note.note.motivation,
        "visibility": note.note.visibility,
        "created_at": note.note.created_at,
        "exact": note.note.exact,
        "replies": [
            {
                "id": reply.note.id,
                "author": reply.author,
                "body": reply.note.body,
                "motivation": reply.note.motivation,
                "visibility": reply.note.visibility,
                "created_at": reply.note.created_at,
            }
            for reply in note.replies
        ],
    }


def _debate_out(request: HttpRequest, debate: Debate) -> dict[str, Any]:
    # No owner: the site's pages do not name one (a pseudonymous debate names nobody).
    return {
        "slug": debate.slug,
        "title": debate.title,
        "description": debate.description,
        "visibility": debate.visibility,
        "status": debate.status,
        "pseudonymous": debate.pseudonymous,
        "voting_enabled": debate.voting_enabled,
        "annotations_enabled": debate.annotations_enabled,
        "hide_votes_until_voted": debate.hide_votes_until_voted,
        "tags": [tag.name for tag in debate.tags.all()],
        "created_at": debate.created_at,
        "updated_at": debate.updated_at,
        "url": request.build_absolute_uri(debate.get_absolute_url()),
    }


# What a reader sees of a debate, kept per state of it: the claims they see by id, and the
# figures of them. A pass over every claim (20,000 in the bench) costs more than the rest of
# an answer, and is the same until a write or a vote moves the versions in the key.
Seen = tuple[list[int], dict[str, int]]
# Readers' views kept per process, the least recently used dropped past the budget (issue
# 35): an id in a list is about 40 bytes.
_SEEN = caches.Bounded("API: what a reader sees", sizer=lambda seen: 40 * len(seen[0]) + 400,
                       default_mb=8)  # fmt: skip


def _forget_seen() -> None:
    _SEEN.clear()


caches.register(
    "API: what a reader sees",
    kept=caches.Kept.PROCESS,
    key="(debate id, structure version, tally version, moderates, reader's id)",
    stale="never: a write or a vote moves the versions in its key (the oldest go past the "
    "budget of bytes)",
    forget=_forget_seen,
    holds=_SEEN,
)


def _seen(lens: Lens) -> Seen:
    """The claims the reader sees, sorted by id, and their figures (`_stats`)."""
    structure = lens.structure
    key = (
        lens.debate.pk,
        structure.version,
        structure.tally_version,
        lens.moderates,
        lens.user_id,  # one's own pending claims
        lens.perspective_query,  # a perspective's tallies
    )
    found = _SEEN.fetch(key)
    if found is None:
        found = (sorted(lens.visible_ids), _stats(lens))
        _SEEN.keep(key, found)
    return found


def _stats(lens: Lens) -> dict[str, int]:
    structure = lens.structure
    seen = lens.visible_ids
    theses = pros = sources = votes = pending = 0
    for claim_id in seen:
        node = structure.nodes[claim_id]
        edge = structure.original.get(claim_id)
        if edge is None:
            theses += 1
            tally = node.tally
        else:
            pros += edge.stance == Stance.PRO
            tally = edge.tally
        votes += sum(tally)
        sources += len(structure.citations.get(claim_id, ()))
        pending += node.status == Claim.Status.PENDING
    return {
        "claims": len(seen),
        "theses": theses,
        "pros": pros,
        "cons": len(seen) - theses - pros,
        "sources": sources,
        "votes": votes,
        "pending": pending,
    }


# -- the operations ---------------------------------------------------------------------


@router.get("/debates", response=answers(schemas.DebatePage), summary="List or search debates")
def debate_list(
    request: HttpRequest,
    q: str = Query("", max_length=200, description="Words in the title or description"),
    cursor: str | None = Query(None, max_length=20),
    limit: int = Query(50, ge=1, le=PAGE_MAX),
) -> dict[str, Any]:
    """The debates the reader may find (public ones, and those they own or belong to), most
    recently started first, with the counts Explore shows."""
    found = listings.listed_page(
        reader_of(request).user, search=q.strip(), before=cursor_of(cursor), limit=limit
    )
    page = found[:limit]
    return {
        "items": [
            {
                **_debate_out(request, debate),
                "claim_count": debate.claim_count,
                "participant_count": debate.participant_count,
                "vote_count": debate.vote_count,
            }
            for debate in page
        ],
        "next_cursor": str(page[-1].pk) if len(found) > limit else None,
    }


@router.get("/debates/{slug}", response=answers(schemas.DebateDetail, 403), summary="One debate")
def debate_detail(
    request: HttpRequest, slug: str, perspective: str = perspective_query()
) -> dict[str, Any]:
    """A debate with its figures (what the reader sees of it) and its theses."""
    lens = lens_of(request, slug, perspective)
    return {
        **_debate_out(request, lens.debate),
        "role": lens.role if lens.user_id is not None else None,
        "conclusion": lens.debate.conclusion,
        "stats": _seen(lens)[1],
        "theses": [claim_out(request, item) for item in lens.theses(0)],
    }


@router.get(
    "/debates/{slug}/claims", response=answers(schemas.ClaimPage, 403), summary="Claims, flat"
)
def claim_list(
    request: HttpRequest,
    slug: str,
    cursor: str | None = Query(None, max_length=20),
    limit: int = Query(PAGE_DEFAULT, ge=1, le=PAGE_MAX),
    perspective: str = perspective_query(),
) -> dict[str, Any]:
    """Every claim the reader sees, each once in its original place, by id (new claims come
    last, so a cursor stays good while the debate grows)."""
    lens = lens_of(request, slug, perspective)
    seen = _seen(lens)[0]
    after = cursor_of(cursor)
    start = 0 if after is None else bisect_right(seen, after)
    page = seen[start : start + limit]
    return {
        "items": [claim_out(request, lens.focus(claim_id, levels=0)) for claim_id in page],
        "total": len(seen),
        "next_cursor": str(page[-1]) if start + limit < len(seen) else None,
    }


@router.get(
    "/debates/{slug}/tree", response=answers(list[schemas.TreeClaim], 403), summary="Claims, a tree"
)
def claim_tree(
    request: HttpRequest,
    slug: str,
    root: int | None = Query(None, ge=1, le=2**62, description="A claim to start from"),
    levels: int = Query(2, ge=0, le=LEVELS_MAX),
    perspective: str = perspective_query(),
) -> list[dict[str, Any]]:
    """The theses (or one claim) with their pros and cons unfolded `levels` deep."""
    lens = lens_of(request, slug, perspective)
    if root is None:
        return [_tree_out(request, item) for item in lens.theses(levels)]
    if not lens.sees(root):
        raise Http404("No such claim in this debate.")
    return [_tree_out(request, lens.focus(root, levels=levels))]


@router.get(
    "/debates/{slug}/claims/{claim_id}",
    response=answers(schemas.ClaimDetail, 403),
    summary="One claim, with all that is said of it",
)
def claim_detail(
    request: HttpRequest, slug: str, claim_id: int, perspective: str = perspective_query()
) -> dict[str, Any]:
    """A claim in its original place: its pros and cons, sources, notes, vote distribution
    and how its strength was reached."""
    lens = lens_of(request, slug, perspective)
    if not lens.sees(claim_id):
        raise Http404("No such claim in this debate.")
    item = lens.focus(claim_id, levels=1)
    why = lens.why(claim_id, rows=len(lens.structure.children.get(claim_id, ())))
    return {
        **claim_out(request, item),
        "pros": [claim_out(request, child) for child in item.pros],
        "cons": [claim_out(request, child) for child in item.cons],
        "sources": [
            {
                "url": cited.url,
                "title": cited.title,
                "kind": cited.kind,
                "quote": cited.quote,
                "locator": cited.locator,
            }
            for cited in item.citations
        ],
        "notes": [_note_out(note) for note in item.notes],
        "why": None
        if why is None
        else {
            "base": why.explanation.base,
            "strength": why.explanation.strength,
            "contributions": [
                {
                    "claim_id": node.id,
                    "stance": part.stance,
                    "strength": part.strength,
                    "effect": part.effect,
                }
                for node, part, _url in why.rows
            ],
        },
    }


@router.get("/debates/{slug}/cruxes", response=answers(list[schemas.Crux], 403), summary="Cruxes")
def debate_cruxes(
    request: HttpRequest,
    slug: str,
    limit: int = Query(20, ge=1, le=ROWS_MAX),
    perspective: str = perspective_query(),
) -> list[dict[str, Any]]:
    """Where the room is most divided: the points the reader sees (and whose votes they may
    see), most split first."""
    lens = lens_of(request, slug, perspective)
    found = cruxes.cruxes_of(lens, limit=limit)
    return [
        {"claim": claim_out(request, crux.item), "polarization": crux.polarization}
        for crux in found.shown
    ]


@router.get("/debates/{slug}/gaps", response=answers(schemas.Gaps, 403), summary="Gaps")
def debate_gaps(
    request: HttpRequest,
    slug: str,
    limit: int = Query(20, ge=1, le=ROWS_MAX),
    perspective: str = perspective_query(),
) -> dict[str, Any]:
    """What the debate needs: claims without a source, without an answer, with few votes,
    and (for those who approve them) suggestions awaiting approval."""
    lens = lens_of(request, slug, perspective)
    found = gaps.gaps_of(lens, limit=limit)

    def gap(one: gaps.Gap) -> dict[str, Any]:
        return {"total": one.total, "claims": [claim_out(request, i) for i in one.shown]}

    return {
        "unsourced": gap(found.unsourced),
        "unanswered": gap(found.unanswered),
        "few_votes": gap(found.few_votes),
        "pending": gap(found.pending),
    }


@router.get(
    "/debates/{slug}/activity",
    response=answers(list[schemas.ActivityRow], 403),
    summary="Each participant's activity (owner and moderators)",
)
def debate_activity(
    request: HttpRequest,
    slug: str,
    as_of: int | None = Query(
        None, ge=1, le=2**31 - 1, description="A snapshot's number: the figures as of it"
    ),
) -> list[dict[str, Any]]:
    """The settings page's activity table, for the debate's owner and moderators; with
    `as_of`, counted as of that snapshot (as the page's `?as_of=`)."""
    lens = lens_of(request, slug)
    lens.check(Action.MODERATE)
    at = None
    if as_of is not None:
        at = activity_moment(lens.debate, as_of)
        if at is None:
            raise Http404("No such version of this debate.")
    return [
        {
            "username": row.username,
            "name": row.name,
            "pseudonym": row.pseudonym,
            "role": row.role,
            "claims": row.claims,
            "sources": row.sources,
            "votes": row.votes,
            "notes": row.notes,
            "flags_received": row.flags_received,
            "last_active": row.last_active,
        }
        for row in activity_of(lens.debate, at)
    ]
