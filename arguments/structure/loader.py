"""A debate's whole structure in a fixed number of queries, built in Python and kept in this
process's memory under the debate's versions; brought up to date with what changed since
(arguments/structure/changes.py) instead of reloaded.

The structure is the same for every reader, so it is kept; what depends on the reader (which
pending or hidden claims they may see, their votes, their role) is applied afterwards.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from arguments import caches
from arguments.models import Claim, Debate, Relation
from arguments.structure import changes, scoring, stored_strengths
from arguments.structure.graph import (
    EDGE_COLUMNS,
    NODE_COLUMNS,
    PUBLISHED,
    STORED_STRENGTH,
    DebateStructure,
    Node,
    citation_rows,
    citations_from,
    edge_from,
    edge_indexes,
    node_from,
    note_rows,
    notes_from,
    raw_rows,
)


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
    voted on (one), see arguments/structure/changes.py. Either way, when the strengths stored
    in the database are behind, it stores what it computed (stored_strengths.py)."""
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
                    structure, rescored = changes.catch_up(held, debate)
            if structure is not None:
                if structure.tally_version < debate.tally_version:
                    # In place: a reader meanwhile sees each tally and strength either before
                    # or after, never torn.
                    rescored |= changes.catch_up_tallies(structure, debate.tally_version)
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


caches.register(
    "structures",
    kept=caches.Kept.PROCESS,
    key="the debate's id, checked against its creation time (SQLite reuses a deleted id)",
    stale="the debate's structure or tally version moves: caught up with what changed since "
    "(structure/changes.py), reloaded whole after a write that could not say what it changed "
    "(`rebuilt_in`); the cruxes and gaps scans kept inside a structure go with it",
    forget=forget_structures,
    holds=_STRUCTURES,
)
