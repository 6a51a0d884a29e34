"""Reads of a debate: its whole structure in a fixed number of queries, built into a tree in
Python and kept in memory under the debate's structure version.

The structure is the same for every reader, so it is kept; what depends on the reader (which
pending or hidden claims they may see, their votes, their role) is applied afterwards.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.db import connections
from django.db.models import Count, Max, OuterRef, Prefetch, Q, Subquery
from lti_tool.models import Key, LtiRegistration

from arguments import scoring, stored_strengths
from arguments.models import (
    Annotation,
    Citation,
    Claim,
    CourseActivity,
    Debate,
    Flag,
    Membership,
    Perspective,
    Relation,
    ScoreReport,
    Vote,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
    from django.db.models import QuerySet

    AnyUser = AbstractBaseUser | AnonymousUser

PUBLISHED = Claim.Status.PUBLISHED
Row = tuple[Any, ...]  # a row from values_list()
PENDING = Claim.Status.PENDING


@dataclass(slots=True)
class Node:
    """A claim as the tree needs it."""

    id: int
    text: str
    elaboration: str
    status: str
    is_thesis: bool
    author_id: int | None
    author: str
    merged_into_id: int | None
    tally: tuple[int, int, int, int, int]


@dataclass(slots=True)
class Edge:
    """A relation as the tree needs it: `child` is a `stance` of `parent`."""

    id: int
    parent: int
    child: int
    stance: str
    is_link: bool
    position: int
    tally: tuple[int, int, int, int, int]


@dataclass(slots=True)
class CitedSource:
    source_id: int
    url: str
    title: str
    kind: str
    quote: str
    locator: str


@dataclass(slots=True)
class Note:
    """An annotation as the tree shows it; replies are gathered under their parent."""

    id: int
    claim_id: int
    parent_id: int | None
    author_id: int | None
    author: str
    body: str
    motivation: str
    visibility: str
    exact: str
    start: int | None
    end: int | None
    is_orphaned: bool
    created_at: datetime
    replies: list[Note] = field(default_factory=list)
    status: str = Annotation.Status.PUBLISHED  # the structure holds published notes only


@dataclass
class DebateStructure:
    """Every claim and relation of one debate, indexed for walking the tree."""

    debate_id: int
    version: tuple[int, datetime]  # the debate's structure version and creation time
    nodes: dict[int, Node]
    children: dict[int, list[Edge]]  # parent id -> edges in sibling order
    original: dict[int, Edge]  # child id -> the relation where it was written
    theses: list[int]
    # child id -> every relation above it (links too): the way strength flows after a vote.
    parents: dict[int, list[Edge]] = field(default_factory=dict)
    # The debate's tally version the tallies and strengths here are current with; votes
    # after it are read and applied in place (`catch_up_tallies`), not by reloading.
    tally_version: int = 0
    citations: dict[int, list[CitedSource]] = field(default_factory=dict)
    # Published annotations by claim, top level first with their replies; every visibility
    # is here, and `notes_for` filters them for one reader.
    notes: dict[int, list[Note]] = field(default_factory=dict)
    # Argument strength (DF-QuAD) of every published claim, computed once per version.
    base: dict[int, float] = field(default_factory=dict)
    strength: dict[int, float] = field(default_factory=dict)
    # False for a debate page's first screen read alone (arguments/first_screen.py): it
    # holds the theses and two levels beneath, never kept, never asked about anything else.
    whole: bool = True

    @cached_property
    def newest_claim(self) -> int:
        """The highest claim id held (what the live poll compares with): asked on every page,
        so found once per structure, which is never changed once built."""
        return max(self.nodes, default=0)

    def strength_edges(self) -> list[tuple[int, int, str]]:
        """(parent, child, stance) between published claims: the graph strength runs on."""
        nodes = self.nodes
        return [
            (edge.parent, edge.child, edge.stance)
            for edges in self.children.values()
            for edge in edges
            if nodes[edge.parent].status == PUBLISHED and nodes[edge.child].status == PUBLISHED
        ]

    def explain(self, claim_id: int) -> scoring.Explanation:
        """Why a claim has its strength: its base score and what each pro and con did.
        Reads only the claim's own pros and cons, not every edge of the debate."""
        nodes = self.nodes
        edges = []
        if nodes[claim_id].status == PUBLISHED:
            edges = [
                (edge.parent, edge.child, edge.stance)
                for edge in self.children.get(claim_id, ())
                if nodes[edge.child].status == PUBLISHED
            ]
        return scoring.explain(claim_id, self.base, edges, self.strength)

    def path_to(self, claim_id: int) -> list[Node]:
        """The claims from a thesis down to `claim_id`, both included."""
        path: list[Node] = []
        current: int | None = claim_id
        seen: set[int] = set()
        while current is not None and current not in seen:
            seen.add(current)
            path.append(self.nodes[current])
            edge = self.original.get(current)
            current = edge.parent if edge else None
        path.reverse()
        return path

    def walk(self, root: int) -> Iterator[int]:
        """Ids of `root`'s subtree over original relations (links are not followed)."""
        stack = [root]
        while stack:
            current = stack.pop()
            yield current
            stack.extend(e.child for e in self.children.get(current, ()) if not e.is_link)


# The columns each structure row is built from, shared by the whole load and the catch-up
# after a write (arguments/structure_changes.py), so both build the same rows.
NODE_COLUMNS = (
    "id", "text", "elaboration", "status", "is_thesis", "author_id", "author__username",
    "merged_into_id", *Claim.TALLY_FIELDS,
)  # fmt: skip
EDGE_COLUMNS = (
    "id", "parent_id", "child_id", "stance", "is_link", "position", *Relation.TALLY_FIELDS,
)  # fmt: skip
CITATION_COLUMNS = (
    "claim_id", "source_id", "source__url", "source__title", "source__kind", "quote", "locator",
)  # fmt: skip
NOTE_COLUMNS = (
    "id", "claim_id", "parent_id", "author_id", "author__username", "body",
    "motivation", "visibility", "exact", "start", "end", "is_orphaned", "created_at",
)  # fmt: skip


STORED_STRENGTH = "stored_strength__strength"  # read with a claim's row (stored_strengths.py)


def node_from(row: Row) -> Node:
    node = Node(*row[:8], tally=tuple(row[8:]))  # type: ignore[arg-type]
    node.author = node.author or ""
    node.is_thesis = bool(node.is_thesis)  # SQLite's 0 and 1, read raw (`raw_rows`)
    return node


def edge_from(row: Row) -> Edge:
    edge = Edge(*row[:6], tally=tuple(row[6:]))  # type: ignore[arg-type]
    edge.is_link = bool(edge.is_link)
    return edge


def edge_indexes(
    edges: Iterable[Edge],
) -> tuple[dict[int, list[Edge]], dict[int, list[Edge]], dict[int, Edge]]:
    """Edges (in sibling order) by parent, by child, and each child's original place."""
    children: dict[int, list[Edge]] = defaultdict(list)
    parents: dict[int, list[Edge]] = defaultdict(list)
    original: dict[int, Edge] = {}
    for edge in edges:
        children[edge.parent].append(edge)
        parents[edge.child].append(edge)
        if not edge.is_link:
            original[edge.child] = edge
    return dict(children), dict(parents), original


def raw_rows(rows: QuerySet[Any]) -> list[Row]:
    """A `values_list` queryset's rows as the driver gives them, in one fetch: the ORM's
    per-row converters and chunked fetching cost a fifth of a cold page at 20,000 claims. Only
    for columns whose raw values need no converting (ints, text; booleans are `bool()`ed)."""
    sql, params = rows.query.sql_with_params()
    with connections[rows.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def citations_from(rows: Iterable[Row]) -> dict[int, list[CitedSource]]:
    citations: dict[int, list[CitedSource]] = defaultdict(list)
    for claim_id, *rest in rows:
        citations[claim_id].append(CitedSource(*rest))
    return dict(citations)


def notes_from(rows: Iterable[Row]) -> dict[int, list[Note]]:
    """Notes by claim, top level first with their replies gathered under them; `rows` in
    order of creation."""
    notes: dict[int, list[Note]] = defaultdict(list)
    by_id: dict[int, Note] = {}
    for row in rows:
        note = Note(*row)
        note.author = note.author or ""
        by_id[note.id] = note
        parent = by_id.get(note.parent_id) if note.parent_id else None
        if parent is not None:
            parent.replies.append(note)
        elif note.parent_id is None:
            notes[note.claim_id].append(note)
    return dict(notes)


def citation_rows(**where: object) -> Iterable[Row]:
    cited = Citation.objects.filter(is_hidden=False, **where).order_by("id")
    return cited.values_list(*CITATION_COLUMNS)


def note_rows(**where: object) -> Iterable[Row]:
    notes = Annotation.objects.filter(status=Annotation.Status.PUBLISHED, **where)
    return notes.order_by("created_at", "id").values_list(*NOTE_COLUMNS)


def _load_structure(debate: Debate) -> DebateStructure:
    nodes: dict[int, Node] = {}
    theses: list[int] = []
    stored: dict[int, float | None] = {}  # the strengths as stored (stored_strengths.py)
    claims = Claim.objects.filter(debate=debate).values_list(*NODE_COLUMNS, STORED_STRENGTH)
    for *columns, strength in raw_rows(claims):
        node = node_from(columns)
        nodes[node.id] = node
        stored[node.id] = strength
        if node.is_thesis:
            theses.append(node.id)
    relations = (
        Relation.objects.filter(debate=debate)
        .active()
        .order_by("position", "id")
        .values_list(*EDGE_COLUMNS)
    )
    children, parents, original = edge_indexes(edge_from(row) for row in raw_rows(relations))
    structure = DebateStructure(
        debate_id=debate.pk,
        version=(debate.structure_version, debate.created_at),
        nodes=nodes,
        children=children,
        original=original,
        theses=theses,
        parents=parents,
        # The version as read before the rows: a vote committed in between is applied again
        # by the next catch-up, which is harmless (it sets, never adds).
        tally_version=debate.tally_version,
        citations=citations_from(citation_rows(claim__debate=debate)),
        notes=notes_from(note_rows(claim__debate=debate)),
    )
    structure.base, structure.strength = claim_strengths(structure)
    stored_strengths.store_loaded(structure, seen=stored_strengths.stamp_of(debate), stored=stored)
    return structure


def claim_strengths(structure: DebateStructure) -> tuple[dict[int, float], dict[int, float]]:
    """Base score and DF-QuAD strength of every published claim, from data already loaded.

    A thesis's base score comes from its truth votes; any other claim's from the impact votes
    on the place where it was written (its original relation).
    """
    base: dict[int, float] = {}
    original = structure.original
    for node in structure.nodes.values():
        if node.status != PUBLISHED:
            continue
        edge = original.get(node.id)
        v0, v1, v2, v3, v4 = edge.tally if edge else node.tally
        votes = v0 + v1 + v2 + v3 + v4
        # scoring.base_score, inlined: it runs once per claim on every cold load.
        base[node.id] = (v1 + 2 * v2 + 3 * v3 + 4 * v4) / (4 * votes) if votes else 0.5
    return base, scoring.strengths(base, structure.strength_edges())


# Structures live in this process's memory, not in the shared cache: a shared cache pickles,
# and unpickling tens of thousands of nodes on every request cost more than the page itself.
# Each worker loads a debate once per version (a few queries) and keeps the few debates it
# served last; the version on the debate row, read on every request, invalidates them all.
_STRUCTURES: OrderedDict[int, DebateStructure] = OrderedDict()
_STRUCTURES_KEPT = 16
_STRUCTURES_LOCK = threading.Lock()


def debate_structure(debate: Debate) -> DebateStructure:
    """The debate's claims, relations, citations and annotations: four queries, or none when
    this process already holds the debate's current version. When it holds an older one, it
    reads only what changed since: the claims a write changed (four queries) and the points
    voted on (one), see arguments/structure_changes.py. Either way, when the strengths stored
    in the database are behind, it stores what it computed (arguments/stored_strengths.py)."""
    caught_up = _caught_up(debate)
    if caught_up is not None:
        structure, since, rescored = caught_up
        if since != (debate.structure_version, debate.tally_version) and not (
            stored_strengths.current(debate)
        ):
            stored_strengths.store_caught_up(structure, since=since, claims=rescored)
        return structure
    structure = _load_structure(debate)
    with _STRUCTURES_LOCK:
        _STRUCTURES[debate.pk] = structure
        _STRUCTURES.move_to_end(debate.pk)
        while len(_STRUCTURES) > _STRUCTURES_KEPT:
            _STRUCTURES.popitem(last=False)
    return structure


def _caught_up(debate: Debate) -> tuple[DebateStructure, tuple[int, int], set[int]] | None:
    """The structure this process holds, brought up to the debate's versions, with the
    versions it was held at and the claims whose strength the catch-up set; None when it
    holds none it can catch up."""
    # Imported here: structure_changes builds on this module's rows and classes.
    from arguments import structure_changes

    with _STRUCTURES_LOCK:
        held = _STRUCTURES.get(debate.pk)
        # The creation time guards against SQLite reusing a deleted debate's id.
        if held is not None and held.version[1] == debate.created_at:
            version = held.version[0]
            structure: DebateStructure | None = held
            since = (version, held.tally_version)
            rescored: set[int] = set()
            if version < debate.structure_version:
                # A write that named what it changed: a new structure sharing the rest, so a
                # thread still reading the held one sees it whole. Queries under the lock
                # keep two threads from catching up the same change twice.
                structure = None
                if debate.rebuilt_in <= version:
                    structure, rescored = structure_changes.catch_up(held, debate)
            if structure is not None:
                if structure.tally_version < debate.tally_version:
                    # In place: a reader meanwhile sees each tally and strength either before
                    # or after, never torn.
                    rescored |= structure_changes.catch_up_tallies(structure, debate.tally_version)
                _STRUCTURES[debate.pk] = structure
                _STRUCTURES.move_to_end(debate.pk)
                return structure, since, rescored
    return None


def holds(debate: Debate) -> bool:
    """Whether this process holds a structure of the debate (of any version)."""
    with _STRUCTURES_LOCK:
        held = _STRUCTURES.get(debate.pk)
    return held is not None and held.version[1] == debate.created_at


def forget_structures() -> None:
    """Drop every structure this process holds (tests start each case from the database)."""
    with _STRUCTURES_LOCK:
        _STRUCTURES.clear()


def debate_by_slug(slug: str, *, reader: AnyUser | None = None) -> Debate | None:
    """The debate with this slug, with its owner; None when there is none. With a signed-in
    `reader`, their membership's role comes in the same query, remembered where `role_in`
    looks first (a query less on every signed-in page)."""
    debates = Debate.objects.select_related("owner")
    signed_in = reader is not None and reader.is_authenticated
    if signed_in:
        role = Membership.objects.filter(debate=OuterRef("pk"), user=reader).values("role")
        debates = debates.annotate(reader_role=Subquery(role[:1]))
    try:
        debate = debates.get(slug=slug)
    except Debate.DoesNotExist:
        return None
    if signed_in:
        debate.__dict__.setdefault("_membership_roles", {})[reader.pk] = debate.reader_role
    return debate


def debates_for_listing(*, search: str = "") -> list[Debate]:
    """Public debates (those whose title or description matches `search`, when given) with
    their claim and participant counts, last activity, published theses (`published_theses`)
    and tags, in three queries: featured ones first, then the most recently active
    (arguments/listings.py)."""
    from arguments.search import debate_matches  # search reads through the lens, which imports us

    debates = Debate.objects.listed().select_related("owner")
    if search:
        debates = debates.filter(debate_matches(search))
    theses = Claim.objects.theses().published().order_by("id")
    return list(
        debates.annotate(
            claim_count=Count("claims", filter=Q(claims__status=PUBLISHED), distinct=True),
            participant_count=Count("claims__author", distinct=True),
            last_activity=Max("claims__updated_at"),
        )
        .prefetch_related(Prefetch("claims", queryset=theses, to_attr="published_theses"), "tags")
        .order_by("-featured", "-updated_at")
    )


def debates_to_pick() -> list[Debate]:
    """Public debates by title, for an instructor choosing one for a course."""
    return list(Debate.objects.listed().order_by("title")[:200])


def claim_in(debate: Debate, claim_id: int) -> Claim | None:
    """One claim of the debate (its `debate` set, so services ask no query for it)."""
    claim = Claim.objects.filter(pk=claim_id, debate=debate).first()
    if claim is not None:
        claim.debate = debate
    return claim


def note_in(debate: Debate, note_id: int) -> Annotation | None:
    """A published annotation on a claim of the debate, with its claim."""
    note = (
        Annotation.objects.select_related("claim")
        .filter(pk=note_id, claim__debate=debate, status=Annotation.Status.PUBLISHED)
        .first()
    )
    if note is not None:
        note.claim.debate = debate
    return note


def flag_in(debate: Debate, flag_id: int) -> Flag | None:
    """A flag on a claim of the debate, or on a note on one, with what it flags."""
    flag = (
        Flag.objects.select_related("claim", "annotation__claim")
        .filter(Q(claim__debate=debate) | Q(annotation__claim__debate=debate), pk=flag_id)
        .first()
    )
    if flag is not None:
        (flag.claim or flag.annotation.claim).debate = debate  # type: ignore[union-attr]
    return flag


def vote_point(debate: Debate, claim_id: int, relation_id: int | None) -> Relation | Claim | None:
    """The point voted on: the given place of the claim, its original place, or the thesis
    itself; one query (a relation comes with its claim)."""
    places = Relation.objects.select_related("child").filter(child_id=claim_id, debate=debate)
    if relation_id is not None:
        point: Relation | Claim | None = places.active().filter(pk=relation_id).first()
    else:
        point = places.originals().first() or (
            Claim.objects.theses().filter(pk=claim_id, debate=debate).first()
        )
    if point is not None:
        (point.child if isinstance(point, Relation) else point).debate = debate
    return point


def course_activities_of(debate: Debate) -> list[CourseActivity]:
    """The LMS course links of a debate, with their courses and the scores sent (settings)."""
    return list(
        CourseActivity.objects.filter(debate=debate)
        .select_related("resource_link__context")
        .prefetch_related(
            Prefetch(
                "scores", ScoreReport.objects.select_related("user").order_by("user__username")
            )
        )
    )


def course_activity_of(debate: Debate, activity_id: int) -> CourseActivity | None:
    return (
        CourseActivity.objects.filter(debate=debate, pk=activity_id)
        .select_related("debate", "resource_link__context__deployment__registration")
        .first()
    )


def members_of(debate: Debate) -> list[Membership]:
    return list(Membership.objects.filter(debate=debate).select_related("user").order_by("id"))


def membership_of(debate: Debate, user_id: int) -> Membership | None:
    membership = (
        Membership.objects.select_related("user").filter(debate=debate, user_id=user_id).first()
    )
    if membership is not None:
        membership.debate = debate
    return membership


def pending_claims(debate: Debate, *, limit: int) -> list[Claim]:
    """Suggestions awaiting approval, oldest first."""
    return list(
        Claim.objects.filter(debate=debate, status=PENDING)
        .select_related("author")
        .order_by("created_at")[:limit]
    )


def open_flag_count(debate: Debate) -> int:
    return Flag.objects.filter(
        Q(claim__debate=debate) | Q(annotation__claim__debate=debate), status=Flag.Status.OPEN
    ).count()


def debates_of(user: AnyUser) -> list[Debate]:
    """The debates a user owns or is a member of."""
    return list(Debate.objects.filter(Q(owner=user) | Q(memberships__user=user)).distinct())


def claims_by(user: AnyUser, *, limit: int = 100) -> list[Claim]:
    """A user's latest claims (not the deleted ones), with their debates."""
    return list(
        Claim.objects.filter(author=user)
        .exclude(status=Claim.Status.DELETED)
        .select_related("debate")
        .order_by("-created_at")[:limit]
    )


def my_votes(
    user: AnyUser, debate: Debate, *, perspective: Perspective | None = None
) -> dict[str, int]:
    """The reader's votes in the debate, keyed "r<relation id>" and "c<thesis id>": their own,
    or those they cast as a named `perspective`; one query."""
    if not user.is_authenticated:
        return {}
    rows = Vote.objects.filter(user=user, perspective=perspective).filter(
        Q(relation__debate=debate) | Q(thesis__debate=debate)
    )
    return {
        (f"r{relation}" if relation else f"c{thesis}"): value
        for relation, thesis, value in rows.values_list("relation_id", "thesis_id", "value")
    }


def public_annotations(debate: Debate) -> list[Annotation]:
    """Published public annotations on published claims, for export; one query."""
    return list(
        Annotation.objects.filter(
            claim__debate=debate,
            claim__status=PUBLISHED,
            status=Annotation.Status.PUBLISHED,
            visibility=Annotation.Visibility.PUBLIC,
        )
        .select_related("author")
        .order_by("id")
    )


def lti_registration(uuid: object) -> LtiRegistration | None:
    """An active LTI platform registration by the UUID in our tool's URL."""
    return LtiRegistration.objects.active().filter(uuid=uuid).first()


def lti_tool_jwks() -> dict[str, object]:
    """Our public keys as a JSON Web Key Set."""
    return Key.objects.as_jwks()
