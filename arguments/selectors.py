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
from typing import TYPE_CHECKING

from django.db.models import Count, Max, Q

from arguments import scoring
from arguments.models import Annotation, Citation, Claim, Debate, Relation, Vote

if TYPE_CHECKING:
    from collections.abc import Iterator

    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    AnyUser = AbstractBaseUser | AnonymousUser

PUBLISHED = Claim.Status.PUBLISHED
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


@dataclass
class DebateStructure:
    """Every claim and relation of one debate, indexed for walking the tree."""

    debate_id: int
    version: tuple[int, datetime]  # the debate's structure version and creation time
    nodes: dict[int, Node]
    children: dict[int, list[Edge]]  # parent id -> edges in sibling order
    original: dict[int, Edge]  # child id -> the relation where it was written
    theses: list[int]
    citations: dict[int, list[CitedSource]] = field(default_factory=dict)
    # Published annotations by claim, top level first with their replies; every visibility
    # is here, and `notes_for` filters them for one reader.
    notes: dict[int, list[Note]] = field(default_factory=dict)
    # Argument strength (DF-QuAD) of every published claim, computed once per version.
    base: dict[int, float] = field(default_factory=dict)
    strength: dict[int, float] = field(default_factory=dict)

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
        """Why a claim has its strength: its base score and what each pro and con did."""
        edges = [e for e in self.strength_edges() if e[0] == claim_id]
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


def _load_structure(debate: Debate) -> DebateStructure:
    claims = Claim.objects.filter(debate=debate).values_list(
        "id",
        "text",
        "elaboration",
        "status",
        "is_thesis",
        "author_id",
        "author__username",
        *Claim.TALLY_FIELDS,
    )
    nodes: dict[int, Node] = {}
    theses: list[int] = []
    for row in claims:
        node = Node(*row[:7], tally=tuple(row[7:]))  # type: ignore[arg-type]
        node.author = node.author or ""
        nodes[node.id] = node
        if node.is_thesis:
            theses.append(node.id)
    children: dict[int, list[Edge]] = defaultdict(list)
    original: dict[int, Edge] = {}
    relations = (
        Relation.objects.filter(debate=debate, is_hidden=False)
        .order_by("position", "id")
        .values_list(
            "id", "parent_id", "child_id", "stance", "is_link", "position", *Relation.TALLY_FIELDS
        )
    )
    for row in relations:
        edge = Edge(*row[:6], tally=tuple(row[6:]))  # type: ignore[arg-type]
        children[edge.parent].append(edge)
        if not edge.is_link:
            original[edge.child] = edge
    citations: dict[int, list[CitedSource]] = defaultdict(list)
    cited = (
        Citation.objects.filter(claim__debate=debate, is_hidden=False)
        .order_by("id")
        .values_list(
            "claim_id",
            "source_id",
            "source__url",
            "source__title",
            "source__kind",
            "quote",
            "locator",
        )
    )
    for claim_id, *rest in cited:
        citations[claim_id].append(CitedSource(*rest))
    notes: dict[int, list[Note]] = defaultdict(list)
    by_id: dict[int, Note] = {}
    rows = (
        Annotation.objects.filter(claim__debate=debate, status=Annotation.Status.PUBLISHED)
        .order_by("created_at", "id")
        .values_list(
            "id", "claim_id", "parent_id", "author_id", "author__username", "body",
            "motivation", "visibility", "exact", "start", "end", "is_orphaned", "created_at",
        )
    )  # fmt: skip
    for row in rows:
        note = Note(*row)
        note.author = note.author or ""
        by_id[note.id] = note
        parent = by_id.get(note.parent_id) if note.parent_id else None
        if parent is not None:
            parent.replies.append(note)
        elif note.parent_id is None:
            notes[note.claim_id].append(note)
    structure = DebateStructure(
        debate_id=debate.pk,
        version=(debate.structure_version, debate.created_at),
        nodes=nodes,
        children=dict(children),
        original=original,
        theses=theses,
        citations=dict(citations),
        notes=dict(notes),
    )
    structure.base, structure.strength = claim_strengths(structure)
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
    this process already holds the debate's current version."""
    with _STRUCTURES_LOCK:
        structure = _STRUCTURES.get(debate.pk)
        # The creation time guards against SQLite reusing a deleted debate's id.
        if structure is not None and structure.version == (
            debate.structure_version,
            debate.created_at,
        ):
            _STRUCTURES.move_to_end(debate.pk)
            return structure
    structure = _load_structure(debate)
    with _STRUCTURES_LOCK:
        _STRUCTURES[debate.pk] = structure
        _STRUCTURES.move_to_end(debate.pk)
        while len(_STRUCTURES) > _STRUCTURES_KEPT:
            _STRUCTURES.popitem(last=False)
    return structure


def forget_structures() -> None:
    """Drop every structure this process holds (tests start each case from the database)."""
    with _STRUCTURES_LOCK:
        _STRUCTURES.clear()


def visible_to(node: Node, *, viewer_id: int | None, sees_everything: bool) -> bool:
    """Published claims are for everyone; a pending one for its author and moderators; a
    hidden one for moderators only."""
    if node.status == PUBLISHED:
        return True
    if sees_everything:
        return node.status in (PENDING, Claim.Status.HIDDEN)
    return node.status == PENDING and viewer_id is not None and node.author_id == viewer_id


def visible_children(
    structure: DebateStructure,
    claim_id: int,
    *,
    viewer_id: int | None = None,
    sees_everything: bool = False,
) -> list[Edge]:
    return [
        edge
        for edge in structure.children.get(claim_id, ())
        if visible_to(
            structure.nodes[edge.child], viewer_id=viewer_id, sees_everything=sees_everything
        )
    ]


def debates_for_listing(*, search: str = "") -> list[Debate]:
    """Public debates with their claim and participant counts and last activity."""
    debates = Debate.objects.listed().select_related("owner")
    if search:
        debates = debates.filter(title__icontains=search)
    return list(
        debates.annotate(
            claim_count=Count("claims", filter=Q(claims__status=PUBLISHED), distinct=True),
            participant_count=Count("claims__author", distinct=True),
            last_activity=Max("claims__updated_at"),
        ).order_by("-updated_at")
    )


def theses_by_debate(debates: list[Debate]) -> dict[int, list[Claim]]:
    """The published theses of several debates, in one query."""
    result: dict[int, list[Claim]] = defaultdict(list)
    for thesis in Claim.objects.filter(
        debate__in=debates, is_thesis=True, status=PUBLISHED
    ).order_by("id"):
        result[thesis.debate_id].append(thesis)
    return result


def my_votes(user: AnyUser, debate: Debate) -> dict[str, int]:
    """The reader's votes in the debate, keyed "r<relation id>" and "c<thesis id>"; one query."""
    if not user.is_authenticated:
        return {}
    rows = Vote.objects.filter(user=user).filter(
        Q(relation__debate=debate) | Q(thesis__debate=debate)
    )
    return {
        (f"r{relation}" if relation else f"c{thesis}"): value
        for relation, thesis, value in rows.values_list("relation_id", "thesis_id", "value")
    }


def may_see_note(note: Note, *, user_id: int | None, participant: bool, moderator: bool) -> bool:
    """Public notes for all; debate notes for participants; private ones for their author
    and the moderators."""
    if note.visibility == Annotation.Visibility.PUBLIC:
        return True
    if note.visibility == Annotation.Visibility.DEBATE:
        return participant or moderator
    return moderator or (user_id is not None and note.author_id == user_id)


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
