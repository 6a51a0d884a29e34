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
from typing import TYPE_CHECKING, Any

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
    from collections.abc import Iterator

    from arguments.models import Debate
    from arguments.structure.graph import Edge

logger = logging.getLogger(__name__)

caches.register(
    "structure changes",
    kept=caches.Kept.DATABASE,
    key="`StructureChange` rows: a claim a write changed, at the debate's structure version",
    stale="never: only ever inserted, read by processes catching up from an older version",
)


def catch_up(held: DebateStructure, debate: Debate, *, in_place: bool = False) -> CaughtUp | None:
    """`held` with the claims changed since its version read again (one query, three more
    when there are any), and the claims whose strength it set or removed. None when a
    relation read names a claim the structure does not hold (reads not from one snapshot):
    the caller reloads the debate whole, and `held` is as it was.

    `in_place`: the new structure shares `held`'s indexes and changes only their entries
    that changed (what the write changed, its ends and their ancestors' strengths), for a
    process where no other thread reads `held`. Otherwise the indexes are copied first (a
    thread still reading `held` sees it whole): O(debate), ~5 ms an index at 200,000 claims
    and as much again in the garbage collector's next passes over the copies."""
    since = StructureChange.objects.filter(debate=debate, version__gt=held.version[0])
    rows = Claim.objects.filter(debate=debate, pk__in=since.values("claim_id"))
    changed_rows = list(rows.values_list(*NODE_COLUMNS))
    version = (debate.structure_version, debate.created_at)
    if not changed_rows:
        structure = dataclasses.replace(held, version=version)
        _carry_newest(held, structure, set())
        return CaughtUp(structure, set(), held)
    nodes = [node_from(row) for row in changed_rows]
    changed = {node.id for node in nodes}
    # Every read before the first change: `held` is never left half caught up.
    relations = _relations_of(changed)
    unknown = {
        end
        for edge, _hidden in relations
        for end in (edge.parent, edge.child)
        if end not in held.nodes and end not in changed
    }
    if unknown:
        logger.warning("debate %s: catch-up met unread claims %s", debate.pk, sorted(unknown))
        return None
    citations = citations_from(citation_rows(claim_id__in=changed))
    notes = notes_from(note_rows(claim_id__in=changed))
    fresh, parents_of, children_of = _relinked(held, relations, changed)
    if in_place:
        structure = dataclasses.replace(held, version=version)
        before = _before(held, changed, parents_of, children_of)
    else:
        structure = dataclasses.replace(
            held,
            version=version,
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
        before = held
    _carry_newest(held, structure, changed)
    for node in nodes:
        structure.nodes[node.id] = node
        if node.is_thesis and node.id not in structure.theses:
            structure.theses = sorted([*structure.theses, node.id])
    _relink(structure, fresh, parents_of, children_of, changed)
    _replace(structure.citations, changed, citations)
    _replace(structure.notes, changed, notes)
    for claim_id in changed:
        if structure.nodes[claim_id].status == PUBLISHED:
            structure.strength.setdefault(claim_id, 0.0)  # scored by `rescore` just below
        else:
            structure.base.pop(claim_id, None)
            structure.strength.pop(claim_id, None)
    # A relation that came or went changes the strength of the claims at both its ends; the
    # changed claims' base scores may have changed too (a tally read with the row).
    ends = parents_of | children_of
    rescored = changed | strengths.rescore(structure, changed | ends)
    return CaughtUp(structure, rescored, before, in_place)


@dataclasses.dataclass(frozen=True, slots=True)
class CaughtUp:
    structure: DebateStructure
    rescored: set[int]  # the claims whose strength the catch-up set or removed
    # The structure as it was, for what compares a write's before and after (the stored
    # sizes): `held` itself, or after an in-place catch-up a view of its changed entries.
    before: DebateStructure
    in_place: bool = False  # `structure` shares `held`'s indexes, changed in place


def _carry_newest(held: DebateStructure, structure: DebateStructure, changed: set[int]) -> None:
    """The newest claim held, carried over when `held` knew it: claims are never deleted, so
    only a changed claim can be newer (no walk of every claim on the page after a write)."""
    if "newest_claim" in held.__dict__:
        structure.__dict__["newest_claim"] = max(held.newest_claim, *changed)


def _relations_of(changed: set[int]) -> list[tuple[Edge, bool]]:
    """Every relation touching a changed claim, hidden ones too, with whether it is hidden
    (one query)."""
    # Found by the claims' ids alone, through the parent and child indexes: with the
    # debate's id in the filter too, SQLite walked the debate's index, every relation of the
    # debate on each catch-up (O(debate), not O(change)). A relation joins two claims of one
    # debate (services.guards.check_same_debate), and the changed claims are the debate's.
    rows = (
        Relation.objects.filter(Q(parent_id__in=changed) | Q(child_id__in=changed))
        .order_by("position", "id")
        .values_list(*EDGE_COLUMNS, "is_hidden")
    )
    return [(edge_from(tuple(columns)), bool(hidden)) for *columns, hidden in rows]


def _relinked(
    held: DebateStructure, relations: list[tuple[Edge, bool]], changed: set[int]
) -> tuple[dict[int, Edge | None], set[int], set[int]]:
    """The relations read by id (None where hidden), and the claims whose lists of children
    and of parents they change: both ends, and a moved relation's parent before."""
    fresh: dict[int, Edge | None] = {}
    parents_of: set[int] = set(changed)
    children_of: set[int] = set(changed)
    for edge, hidden in relations:
        fresh[edge.id] = None if hidden else edge
        parents_of.add(edge.parent)
        children_of.add(edge.child)
        # Where the relation stood before (a move): that parent loses it.
        for before in held.parents.get(edge.child, ()):
            if before.id == edge.id:
                parents_of.add(before.parent)
    return fresh, parents_of, children_of


def _relink(
    structure: DebateStructure,
    fresh: dict[int, Edge | None],
    parents_of: set[int],
    children_of: set[int],
    changed: set[int],
) -> None:
    """Rebuild the relations at both ends of every relation read."""
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


def _before(
    held: DebateStructure, changed: set[int], parents_of: set[int], children_of: set[int]
) -> DebateStructure:
    """`held` as it is before an in-place catch-up changes it, for looking up claims and
    their relations: the entries about to change, as they are, over the indexes shared."""
    view = dataclasses.replace(
        held,
        nodes=Prior(held.nodes, changed),
        children=Prior(held.children, parents_of),
        parents=Prior(held.parents, children_of),
        original=Prior(held.original, children_of),
        theses=list(held.theses),
    )
    # What was kept with it (the sizes it stored), not its indexes: those are the fields.
    fields = {field.name for field in dataclasses.fields(held)}
    view.__dict__.update((k, v) for k, v in held.__dict__.items() if k not in fields)
    return view


class _Gone:
    """An entry absent before the catch-up."""


_GONE = _Gone()


class Prior[K, V](dict[K, V]):
    """An index as it was before an in-place catch-up changed `keys` in it: lookups only
    (`[]`, `get`, `in`), of the entries as they were over the index as it is now. Iterating
    it raises: it would take as long as the copy it saves."""

    def __init__(self, now: dict[K, V], keys: set[K]) -> None:
        super().__init__()
        self.now = now
        self.was: dict[K, V | _Gone] = {key: now.get(key, _GONE) for key in keys}

    def get(self, key: K, default: Any = None) -> Any:
        value = self.was[key] if key in self.was else self.now.get(key, _GONE)
        return default if value is _GONE else value

    def __getitem__(self, key: K) -> V:
        value = self.get(key, _GONE)
        if value is _GONE:
            raise KeyError(key)
        return value

    def __contains__(self, key: object) -> bool:
        return self.was[key] is not _GONE if key in self.was else key in self.now

    def __iter__(self) -> Iterator[K]:
        raise TypeError("an index before a catch-up is for lookups only")

    def __len__(self) -> int:
        raise TypeError("an index before a catch-up is for lookups only")


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
