"""Bringing a debate's structure held in memory up to date with what others wrote since,
reading only what changed: the next reader after a write or a vote pays for the change, not
for the debate's size.

- A write records every claim it changed (its row, a relation at either end, its citations
  or notes) with the debate's new structure version (`StructureChange`, services.guards). A
  process holding version v reads the claims changed after v, every relation touching them
  (hidden ones too: nothing is deleted, so a hidden row says "gone"), and their citations and
  notes, and rebuilds just those entries into a new structure that shares everything else.
- A vote stamps its point with the debate's new tally version (`tallied_in`); a process reads
  the points voted on since its version and re-scores the voted claims' ancestors.

Both only ever set values read from rows, never add to them, so reading a change twice (one
committed while a catch-up ran is read again by the next) is harmless.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import TYPE_CHECKING

from django.db import connections
from django.db.models import Q

from arguments import caches, replicas
from arguments.models import Claim, Relation, StructureChange, tally_of
from arguments.structure import strengths
from arguments.structure.graph import (
    EDGE_COLUMNS,
    NODE_COLUMNS,
    PUBLISHED,
    DebateStructure,
    citation_rows,
    citations_from,
    edge_from,
    node_from,
    note_rows,
    notes_from,
)

if TYPE_CHECKING:
    from arguments.models import Debate
    from arguments.structure.graph import Edge

logger = logging.getLogger(__name__)

caches.register(
    "structure changes",
    kept=caches.Kept.DATABASE,
    key="`StructureChange` rows: a claim a write changed, at the debate's structure version",
    stale="never: only ever inserted, read by processes catching up from an older version",
)


def catch_up(held: DebateStructure, debate: Debate) -> tuple[DebateStructure, set[int]] | None:
    """A new structure: `held` with the claims changed since its version read again (one
    query, three more when there are any), and the claims whose strength it set or removed.
    `held` itself is left as it was. None when a relation read names a claim the structure
    does not hold (reads not from one snapshot): the caller reloads the debate whole."""
    since = StructureChange.objects.filter(debate=debate, version__gt=held.version[0])
    rows = Claim.objects.filter(debate=debate, pk__in=since.values("claim_id"))
    changed_rows = list(rows.values_list(*NODE_COLUMNS))
    structure = dataclasses.replace(
        held,
        version=(debate.structure_version, debate.created_at),
        # Shallow copies: lists inside are replaced, never changed, for the entries rebuilt.
        nodes=dict(held.nodes),
        children=dict(held.children),
        parents=dict(held.parents),
        original=dict(held.original),
        theses=list(held.theses),
        citations=dict(held.citations),
        notes=dict(held.notes),
        base=dict(held.base),
        strength=dict(held.strength),
    )
    if not changed_rows:
        return structure, set()
    changed = set()
    for row in changed_rows:
        node = node_from(row)
        structure.nodes[node.id] = node
        changed.add(node.id)
        if node.is_thesis and node.id not in structure.theses:
            structure.theses = sorted([*structure.theses, node.id])
    ends = _relink(structure, changed)
    unknown = ends - structure.nodes.keys()
    if unknown:
        logger.warning("debate %s: catch-up met unread claims %s", debate.pk, sorted(unknown))
        return None
    _replace(structure.citations, changed, citations_from(citation_rows(claim_id__in=changed)))
    _replace(structure.notes, changed, notes_from(note_rows(claim_id__in=changed)))
    for claim_id in changed:
        if structure.nodes[claim_id].status == PUBLISHED:
            structure.strength.setdefault(claim_id, 0.0)  # scored by `rescore` just below
        else:
            structure.base.pop(claim_id, None)
            structure.strength.pop(claim_id, None)
    # A relation that came or went changes the strength of the claims at both its ends; the
    # changed claims' base scores may have changed too (a tally read with the row).
    return structure, changed | strengths.rescore(structure, changed | ends)


def _relink(structure: DebateStructure, changed: set[int]) -> set[int]:
    """Rebuild the relations at both ends of every relation touching a changed claim, from
    their rows (one query); returns the claims at those ends."""
    # Found by the claims' ids alone, through the parent and child indexes: with the
    # debate's id in the filter too, SQLite walked the debate's index, every relation of the
    # debate on each catch-up (O(debate), not O(change)). A relation joins two claims of one
    # debate (services.guards.check_same_debate), and the changed claims are the debate's.
    rows = (
        Relation.objects.filter(Q(parent_id__in=changed) | Q(child_id__in=changed))
        .order_by("position", "id")
        .values_list(*EDGE_COLUMNS, "is_hidden")
    )
    fresh: dict[int, Edge | None] = {}  # relation id -> its edge, None where hidden
    parents_of: set[int] = set(changed)
    children_of: set[int] = set(changed)
    for *columns, hidden in rows:
        edge = edge_from(tuple(columns))
        fresh[edge.id] = None if hidden else edge
        parents_of.add(edge.parent)
        children_of.add(edge.child)
        # Where the relation stood before (a move): that parent loses it.
        for before in structure.parents.get(edge.child, ()):
            if before.id == edge.id:
                parents_of.add(before.parent)
    # Every relation of a changed claim was read, so its lists start empty; a claim at the
    # other end keeps the relations that were not read, in their place.
    for parent in parents_of:
        kept = [] if parent in changed else structure.children.get(parent, [])
        edges = [e for e in kept if e.id not in fresh]
        edges += [e for e in fresh.values() if e is not None and e.parent == parent]
        edges.sort(key=lambda e: (e.position, e.id))
        _set(structure.children, parent, edges)
    for child in children_of:
        kept = [] if child in changed else structure.parents.get(child, [])
        edges = [e for e in kept if e.id not in fresh]
        edges += [e for e in fresh.values() if e is not None and e.child == child]
        _set(structure.parents, child, edges)
        original = next((e for e in edges if not e.is_link), None)
        if original is None:
            structure.original.pop(child, None)
        else:
            structure.original[child] = original
    return parents_of | children_of


def _set(index: dict[int, list[Edge]], key: int, edges: list[Edge]) -> None:
    if edges:
        index[key] = edges
    else:
        index.pop(key, None)


def _replace[T](index: dict[int, T], keys: set[int], fresh: dict[int, T]) -> None:
    for key in keys:
        if key in fresh:
            index[key] = fresh[key]
        else:
            index.pop(key, None)


# The points voted on since a tally version, relations and theses in one query (plain SQL:
# the ORM's union compiles slower than it runs). Each part reads its (debate, tallied_in)
# index.
_TALLY_COLUMNS = ", ".join(Claim.TALLY_FIELDS)
VOTED_SINCE_SQL = f"""
    SELECT 0, id, child_id, {_TALLY_COLUMNS} FROM {Relation._meta.db_table}
    WHERE debate_id = %s AND tallied_in > %s
    UNION ALL
    SELECT 1, id, id, {_TALLY_COLUMNS} FROM {Claim._meta.db_table}
    WHERE debate_id = %s AND tallied_in > %s AND is_thesis = %s
"""  # names from the models; values are parameters


def catch_up_tallies(structure: DebateStructure, version: int) -> set[int]:
    """Apply the votes cast since the structure's tally version, in place: the points voted
    on since (one query, relations and theses), their tallies, and the strengths of the voted
    claims and their ancestors (`strengths.rescore`, whose claims it returns)."""
    held = structure.tally_version
    changed: set[int] = set()
    debate_id = structure.debate_id
    with connections[replicas.reads_from()].cursor() as cursor:
        cursor.execute(VOTED_SINCE_SQL, [debate_id, held, debate_id, held, True])
        voted = cursor.fetchall()
    for is_thesis, point_id, child_id, *tally in voted:
        if is_thesis:
            node = structure.nodes.get(point_id)
            if node is not None:
                node.tally = tally_of(tally)
                changed.add(point_id)
            continue
        for edge in structure.parents.get(child_id, ()):
            if edge.id == point_id:
                edge.tally = tally_of(tally)
                if not edge.is_link:  # a link place's votes do not feed strength
                    changed.add(child_id)
    rescored = strengths.rescore(structure, changed)
    structure.tally_version = version
    return rescored
