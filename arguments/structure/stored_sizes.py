"""Every claim's branch size as a visitor sees it, stored in the database (`StoredBranchSize`),
so that a worker holding nothing can draw a map from the claims it draws
(arguments/structure/map_slice.py) instead of loading the whole debate to size its segments.

A branch's size is the claim itself plus, for each pro and con beneath it that a visitor sees,
one for a link and the size of the branch for any other: `branch_sizes`, the one rule the map
sizes its segments by (`maps._sizes` calls it for every reader). A size is stored for every
claim a visitor sees on its own (`sees_claim`: published, not merged), whether or not its
ancestors are seen: it is "the branch's size if the claim is reached", so hiding a claim
changes its own row and its ancestors', never its descendants'. Whether a claim is reached at
all is the lens's question, asked of the rows the map reads.

The stored values are a copy of what a process holding the debate computed. The debate's row
stamps them with the structure version they are current with (`sizes_structure_version`;
votes change no size), and a reader uses them only when the stamp is the debate's structure
version. Who stores:

- A whole load (or the task after an import or a write that could not say what it changed)
  stores every size that differs from the stored rows, when the stamp is behind.
- A catch-up after a write stores the sizes that write changed, when the stamp is the version
  it caught up from: the changed claims and their ancestors (before and after a move), and the
  ancestors of every link whose target a visitor may now see or not (it lies under a claim
  whose status, merging or place changed). Every other size is unchanged, so the branch
  sizes of the claims it recomputes come from the stored rows of their other children.

Each store moves the stamp with one conditional UPDATE of the debate's row in a short
transaction with the rows' writes, as stored strengths do, so two processes never both store
one change and the stamp never moves back. A catch-up that cannot store (the stamp was not
where it started) leaves it behind: a reader then loads the debate whole, which stores.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import connection, transaction
from django.db.models import Q

from arguments import caches
from arguments.models import Claim, Debate, StoredBranchSize
from arguments.rules.permissions import sees_along, sees_claim

if TYPE_CHECKING:
    from collections.abc import Iterable

    from arguments.structure.graph import DebateStructure, Edge, Node

caches.register(
    "stored branch sizes",
    kept=caches.Kept.DATABASE,
    key="`StoredBranchSize` rows by claim (a visitor's branch sizes), stamped on the debate's "
    "row with the structure version they are current with (`sizes_structure_version`)",
    stale="the stamp differs from the debate's structure version: a map's reader then loads "
    "the debate whole, which stores every size that changed",
)

_SIZES = StoredBranchSize._meta.db_table
UPSERT_SQL = (
    f"INSERT INTO {_SIZES} (claim_id, size) VALUES (%s, %s) "
    "ON CONFLICT (claim_id) DO UPDATE SET size = excluded.size"
)
DELETE_SQL = f"DELETE FROM {_SIZES} WHERE claim_id = %s"
# The stored sizes of a debate's claims: a full store diffs against them.
DEBATE_SIZES_SQL = (
    f"SELECT z.claim_id, z.size FROM {_SIZES} z "
    f"JOIN {Claim._meta.db_table} c ON c.id = z.claim_id WHERE c.debate_id = %s"
)
# Where a structure keeps every size stored for its version, once it computed them.
KEPT = "_stored_sizes"
# Ids per statement: far below SQLite's limit on parameters (32,766).
CHUNK = 5_000


def current(debate: Debate) -> bool:
    """Whether the stored sizes are those of the debate as its row was read."""
    return debate.sizes_structure_version == debate.structure_version


class _Rule:
    """Which pros and cons beneath a claim a reader sees: `Lens.beneath`'s rule, on the
    structure alone (the lens applies it with the reader's id and role)."""

    def __init__(self, structure: DebateStructure, user_id: int | None, moderates: bool) -> None:
        self.structure = structure
        self.user_id = user_id
        self.moderates = moderates

    def shows(self, claim_id: int) -> bool:
        node = self.structure.nodes[claim_id]
        return sees_claim(node, user_id=self.user_id, moderates=self.moderates)

    def sees(self, claim_id: int) -> bool:
        structure = self.structure
        if claim_id not in structure.nodes:
            return False
        path = structure.path_to(claim_id)
        return sees_along(path, user_id=self.user_id, moderates=self.moderates)

    def beneath(self, claim_id: int) -> list[Edge]:
        return [
            e
            for e in self.structure.children.get(claim_id, ())
            if self.shows(e.child) and (not e.is_link or self.sees(e.child))
        ]


def branch_sizes(
    structure: DebateStructure, *, user_id: int | None = None, moderates: bool = False
) -> dict[int, int]:
    """How many claims each claim the reader sees holds in its branch (itself included; a
    link counts one): one pass from the theses they see. A visitor's are kept with the
    structure (a new version is a new structure)."""
    visitor = user_id is None and not moderates
    if visitor and (known := structure.__dict__.get("_visitor_branch_sizes")) is not None:
        return known
    rule = _Rule(structure, user_id, moderates)
    order: list[tuple[int, list[Edge]]] = []
    stack = [t for t in structure.theses if rule.sees(t)]
    while stack:
        claim_id = stack.pop()
        edges = rule.beneath(claim_id)
        order.append((claim_id, edges))
        stack.extend(e.child for e in edges if not e.is_link)
    sizes: dict[int, int] = {}
    for claim_id, edges in reversed(order):  # children before their parent
        sizes[claim_id] = 1 + sum(1 if e.is_link else sizes[e.child] for e in edges)
    if visitor:
        structure.__dict__["_visitor_branch_sizes"] = sizes
    return sizes


def stored_sizes(structure: DebateStructure) -> dict[int, int]:
    """What is stored: a visitor's branch size of every claim a visitor sees on its own
    (reached from a thesis or not), computed bottom-up over the written relations."""
    rule = _Rule(structure, None, False)
    return _sizes_of(rule, [c for c in structure.nodes if rule.shows(c)], {})


def _sizes_of(rule: _Rule, claims: Iterable[int], known: dict[int, int]) -> dict[int, int]:
    """The sizes of `claims` (each shown on its own), taking the size of any other child
    from `known`; without recursion (debates run deep). A cycle of written relations (none is
    ever made) is cut where it closes."""
    wanted = set(claims)
    sizes: dict[int, int] = {}
    under: dict[int, list[Edge]] = {}
    for start in wanted:
        stack = [start]
        while stack:
            claim_id = stack[-1]
            if claim_id in sizes:
                stack.pop()
                continue
            edges = under.get(claim_id)
            if edges is None:  # entered: its children first
                edges = under[claim_id] = rule.beneath(claim_id)
                stack.extend(
                    e.child
                    for e in edges
                    if not e.is_link and e.child in wanted and e.child not in under
                )
                continue
            stack.pop()
            sizes[claim_id] = 1 + sum(
                1 if e.is_link else sizes.get(e.child) or known.get(e.child, 1) for e in edges
            )
    return sizes


def store_loaded(structure: DebateStructure, *, stamp: int | None) -> bool:
    """After a whole load at a structure version the stamp (`stamp`, read with the rows) is
    behind: store every size that differs from the rows stored. True when it stored."""
    now = structure.version[0]
    if stamp is not None and stamp >= now:
        return False
    sizes = stored_sizes(structure)
    # Kept with the structure: its catch-ups then take the sizes they do not recompute from
    # here rather than from the rows (a query less on each write).
    structure.__dict__[KEPT] = sizes
    with transaction.atomic(savepoint=False):
        # Moving the stamp first locks the debate's row: no other store runs until commit, so
        # the rows read next are those the store diffs against (none before the first store).
        behind = Q(sizes_structure_version__isnull=True) | Q(sizes_structure_version__lt=now)
        if not Debate.objects.filter(behind, pk=structure.debate_id).update(
            sizes_structure_version=now
        ):
            return False
        with connection.cursor() as cursor:
            stored: dict[int, int] = {}
            if stamp is not None:
                cursor.execute(DEBATE_SIZES_SQL, [structure.debate_id])
                stored = dict(cursor.fetchall())
            gone = [(claim_id,) for claim_id in stored if claim_id not in sizes]
            changed = [(c, size) for c, size in sizes.items() if stored.get(c) != size]
            if gone:
                cursor.executemany(DELETE_SQL, gone)
            if changed:
                cursor.executemany(UPSERT_SQL, changed)
    return True


def store_caught_up(
    held: DebateStructure,
    structure: DebateStructure,
    *,
    changed: Iterable[int],
    stamp: int | None,
    in_place: bool = False,
) -> bool:
    """After a catch-up from `held` to `structure` over the claims a write `changed`: store the
    sizes it changed, if the stamp (`stamp`, as the request read it) is `held`'s version.
    `in_place`: the catch-up changed `held`'s indexes in place (`held` is a view of them as
    they were), so the sizes kept with it are changed in place too, not copied. True when it
    stored."""
    since, now = held.version[0], structure.version[0]
    if stamp != since or now == since:
        return False
    rule = _Rule(structure, None, False)
    affected = _affected(held, structure, set(changed))
    # The other children of the claims recomputed keep their stored size.
    others = sorted(
        {
            e.child
            for claim_id in affected
            if claim_id in structure.nodes
            for e in rule.beneath(claim_id)
            if not e.is_link and e.child not in affected
        }
    )
    every: dict[int, int] | None = held.__dict__.get(KEPT)
    # From the sizes kept with the held structure (its own store's), else from the rows.
    known = _read(others) if every is None else {c: every[c] for c in others if c in every}
    if len(known) < len(others):
        return False  # a row missing: left behind, for a whole load to store
    shown = [c for c in affected if c in structure.nodes and rule.shows(c)]
    sizes = _sizes_of(rule, shown, known)
    gone = [(c,) for c in sorted(affected - sizes.keys())]
    if every is not None:
        if not in_place:  # a thread may still read `held`'s, whole
            every = dict(every)
        for (claim_id,) in gone:
            every.pop(claim_id, None)
        every.update(sizes)
        structure.__dict__[KEPT] = every
    return store_changes(structure.debate_id, since=since, now=now, sizes=sizes, gone=gone)


def store_changes(
    debate_id: int, *, since: int, now: int, sizes: dict[int, int], gone: list[tuple[int]]
) -> bool:
    """Store the sizes a catch-up from structure version `since` computed (and delete those
    of `gone`, claims a visitor no longer sees), if the stamp is still `since`: the stamp
    moved first, so two processes never both store one change. True when it stored."""
    with transaction.atomic(savepoint=False):
        if not Debate.objects.filter(pk=debate_id, sizes_structure_version=since).update(
            sizes_structure_version=now
        ):
            return False
        with connection.cursor() as cursor:
            if gone:
                cursor.executemany(DELETE_SQL, gone)
            if sizes:
                cursor.executemany(UPSERT_SQL, sorted(sizes.items()))
    return True


def visitors_sizes(
    structure: DebateStructure, claims: Iterable[int], known: dict[int, int]
) -> dict[int, int]:
    """A visitor's branch sizes of `claims` (each one a visitor sees on its own) in a
    structure that holds their pros and cons (and the ways up of the linked ones), every
    other pro's or con's size taken from `known`: the one rule, for a catch-up that reads
    the rows around a change instead of holding the debate (stored_writes.py)."""
    return _sizes_of(_Rule(structure, None, False), claims, known)


def shown(node: Node) -> bool:
    """Whether a visitor sees the claim on its own: whether it has a stored size."""
    return sees_claim(node, user_id=None, moderates=False)


def _affected(held: DebateStructure, structure: DebateStructure, changed: set[int]) -> set[int]:
    """The claims whose stored size a write over `changed` may have changed: the changed
    claims and their ancestors before and after it, and the ancestors of every link (its
    parent) whose target's visibility may have changed, which lies beneath a changed claim
    whose status, merging or written place changed."""
    moved = {c for c in changed if _placed(held, c) != _placed(structure, c)}
    beneath: set[int] = set()
    for version in (held, structure):
        for claim_id in moved:
            if claim_id in version.nodes:
                beneath.update(version.walk(claim_id))
    seeds = set(changed)
    for version in (held, structure):
        for target in beneath:
            seeds.update(e.parent for e in version.parents.get(target, ()) if e.is_link)
    affected: set[int] = set()
    for version in (held, structure):
        met: set[int] = set()  # per version: a claim's ancestors differ after a move
        for claim_id in seeds:
            current: int | None = claim_id
            while current is not None and current in version.nodes and current not in met:
                met.add(current)
                edge = version.original.get(current)
                current = edge.parent if edge else None
        affected |= met
    return affected


def _placed(structure: DebateStructure, claim_id: int) -> tuple[object, ...] | None:
    """What a claim's own visibility turns on: its status, merging, thesis-hood and where it
    was written (None when the structure does not hold it)."""
    node = structure.nodes.get(claim_id)
    if node is None:
        return None
    edge = structure.original.get(claim_id)
    return (node.status, node.merged_into_id, node.is_thesis, edge.id if edge else None,
            edge.parent if edge else None)  # fmt: skip


def _read(claims: list[int]) -> dict[int, int]:
    """The stored sizes of `claims` (a query per `CHUNK`, none without claims)."""
    found: dict[int, int] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(claims), CHUNK):
            part = claims[start : start + CHUNK]
            marks = ", ".join(["%s"] * len(part))
            cursor.execute(f"SELECT claim_id, size FROM {_SIZES} WHERE claim_id IN ({marks})", part)
            found.update(cursor.fetchall())
    return found
