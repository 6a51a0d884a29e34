"""A debate as the tree needs it: claims (`Node`), relations (`Edge`), citations and notes,
indexed for walking (`DebateStructure`), and the columns and row builders that every reader
of a structure (the whole load, the catch-up after a write, the first screen) shares, so all
of them build the same rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.db import connections

from arguments.models import Annotation, Citation, Claim, Relation, Tally, tally_of
from arguments.structure import scoring

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

    from django.db.models import QuerySet

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
    tally: Tally


@dataclass(slots=True)
class Edge:
    """A relation as the tree needs it: `child` is a `stance` of `parent`."""

    id: int
    parent: int
    child: int
    stance: str
    is_link: bool
    position: int
    tally: Tally
    # Premises that support their parent only together share a number (a linked argument).
    premise_group: int | None = None


@dataclass(slots=True)
class CitedSource:
    source_id: int | None  # None: an imported reference with no readable address
    url: str | None
    title: str | None
    kind: str | None
    quote: str
    locator: str
    address: str = ""  # as the file wrote it (fragment and all); empty: the source's URL

    @property
    def link(self) -> str:
        """Where the citation leads: the address as written when it is a web address (so a
        text fragment still opens the right section), else the source's URL; empty when the
        reference has no address to open."""
        if self.address.startswith(("http://", "https://")):
            return self.address
        return self.url or ""

    @property
    def label(self) -> str:
        return self.title or self.address


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
# after a write (arguments/structure/changes.py), so both build the same rows.
NODE_COLUMNS = (
    "id", "text", "elaboration", "status", "is_thesis", "author_id", "author__username",
    "merged_into_id", *Claim.TALLY_FIELDS,
)  # fmt: skip
EDGE_COLUMNS = (
    "id", "parent_id", "child_id", "stance", "is_link", "position", "premise_group",
    *Relation.TALLY_FIELDS,
)  # fmt: skip
CITATION_COLUMNS = (
    "claim_id", "source_id", "source__url", "source__title", "source__kind", "quote", "locator",
    "address",
)  # fmt: skip
NOTE_COLUMNS = (
    "id", "claim_id", "parent_id", "author_id", "author__username", "body",
    "motivation", "visibility", "exact", "start", "end", "is_orphaned", "created_at",
)  # fmt: skip


STORED_STRENGTH = "stored_strength__strength"  # read with a claim's row (stored_strengths.py)


def node_from(row: Sequence[Any], same: dict[Any, Any] | None = None) -> Node:
    """A claim's node from its row. `same`: equal values across the rows of one load held as
    one object (a whole load's, loader._read_whole: most statuses, names and tallies repeat)."""
    pk, text, elaboration, status, is_thesis, author_id, author, merged_into_id, *tally = row
    author = author or ""
    counts = tally_of(tally)
    if same is not None:
        status, author, counts = (
            same.setdefault(status, status),
            same.setdefault(author, author),
            same.setdefault(counts, counts),
        )
    return Node(
        pk,
        text,
        elaboration,
        status,
        bool(is_thesis),  # SQLite's 0 and 1, read raw (`raw_rows`)
        author_id,
        author,
        merged_into_id,
        counts,
    )


def edge_from(row: Sequence[Any], same: dict[Any, Any] | None = None) -> Edge:
    """A relation's edge from its row; `same` as for `node_from` (its ends then share the
    nodes' id objects when the nodes were built first)."""
    pk, parent, child, stance, is_link, position, group, *tally = row
    counts = tally_of(tally)
    if same is not None:
        parent, child = same.setdefault(parent, parent), same.setdefault(child, child)
        stance, counts = same.setdefault(stance, stance), same.setdefault(counts, counts)
    return Edge(pk, parent, child, stance, bool(is_link), position, counts, group)


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


def dangling(structure: DebateStructure) -> set[int]:
    """The relations held (by id) whose claim at either end is not held. A structure with
    any is never served: the tree would look up a claim it does not have."""
    nodes = structure.nodes
    return {
        edge.id
        for index in (structure.children, structure.parents)
        for edges in index.values()
        for edge in edges
        if edge.child not in nodes or edge.parent not in nodes
    }


def drop_edges(structure: DebateStructure, unwanted: set[int]) -> None:
    """Take the relations `unwanted` (by id) out of the structure's indexes."""
    for index in (structure.children, structure.parents):
        for key, edges in list(index.items()):
            kept = [edge for edge in edges if edge.id not in unwanted]
            if len(kept) != len(edges):
                index[key] = kept
    for child, edge in list(structure.original.items()):
        if edge.id in unwanted:
            del structure.original[child]


def raw_rows(rows: QuerySet[Any]) -> list[Row]:
    """A `values_list` queryset's rows as the driver gives them, in one fetch: the ORM's
    per-row converters and chunked fetching cost a fifth of a cold page at 20,000 claims. Only
    for columns whose raw values need no converting (ints, text; booleans are `bool()`ed)."""
    sql, params = rows.query.sql_with_params()
    with connections[rows.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def raw_batches(rows: QuerySet[Any], size: int = 2000) -> Iterator[list[Row]]:
    """`raw_rows`, a batch at a time: for a read too big to hold all its rows at once."""
    sql, params = rows.query.sql_with_params()
    with connections[rows.db].cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(size):
            yield batch


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
