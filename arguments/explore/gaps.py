"""The gaps view: where a debate needs its participants, each gap with the act that fills it.

- **Unsourced**: published claims that cite no source (fill it: Add a source);
- **Unanswered**: published claims with no pro or con the reader sees (Add a pro or a con);
- **Few votes**: points with fewer than `FEW_VOTES` votes that the reader has not voted on
  (Vote);
- **Waiting for review**: pending claims the reader may approve (moderators: Review).

Everything is read from the debate's structure through the reader's lens (only claims they
see; controls only where `item.actions` allows), shallowest claims first: a gap near a
thesis matters more than one at the end of a long branch. Each list is cut at `limit`, and
the lens builds items only for the claims shown, so a page costs the same on any debate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import connections

from arguments import caches, replicas
from arguments.models import Citation, Claim, Relation
from arguments.rules.permissions import Action
from arguments.structure import places, stored_gaps
from arguments.structure.snapshot import snapshot

if TYPE_CHECKING:
    from collections.abc import Iterable

    from arguments.reading.lens import Lens
    from arguments.reading.tree import TreeItem

FEW_VOTES = stored_gaps.FEW_VOTES  # fewer votes than this on a point say little about it
# A walk without the debate returns at least this many of each kind (the gaps page's rows),
# so that the debate page's panel and the gaps page after it share one walk.
WALK_ROWS = 50


@dataclass(slots=True)
class Gap:
    """One kind of gap: the first claims of it (as the reader sees them) and how many."""

    shown: list[TreeItem] = field(default_factory=list)
    total: int = 0

    @property
    def more(self) -> int:
        return self.total - len(self.shown)


@dataclass(slots=True)
class Gaps:
    unsourced: Gap
    unanswered: Gap
    few_votes: Gap
    pending: Gap

    @property
    def any(self) -> bool:
        return bool(
            self.unsourced.total
            or self.unanswered.total
            or self.few_votes.total
            or self.pending.total
        )


def offered_to(lens: Lens) -> bool:
    """Whether the debate page shows the reader a "Needs you" panel: signed-in readers who
    may add claims there (writers, suggesters and up, while the debate is open)."""
    return lens.user_id is not None and lens.may(Action.ADD_CLAIM)


def _shallowest_first(lens: Lens) -> list[int]:
    """The claims the reader sees, by depth beneath their thesis, then in tree order."""
    structure = lens.structure
    visible = lens.visible_ids  # tree order: a claim comes after the claim it answers
    depth: dict[int, int] = {}
    for claim_id in visible:
        edge = structure.original.get(claim_id)
        depth[claim_id] = depth[edge.parent] + 1 if edge is not None else 0
    return sorted(visible, key=depth.__getitem__)


@dataclass(frozen=True, slots=True)
class _Found:
    """Every gap of the debate as one kind of reader sees it, shallowest first: claim ids,
    and for few votes (claim id, point) so that each reader's own votes can be left out."""

    unsourced: list[int]
    unanswered: list[int]
    few_votes: list[tuple[int, str]]
    pending: list[int]  # pending claims the reader sees (only moderators may approve them)


def _scan(lens: Lens) -> _Found:
    structure = lens.structure
    nodes, original = structure.nodes, structure.original
    found = _Found(unsourced=[], unanswered=[], few_votes=[], pending=[])
    for claim_id in _shallowest_first(lens):
        node = nodes[claim_id]
        if node.status == Claim.Status.PENDING:
            found.pending.append(claim_id)
            continue
        if node.status != Claim.Status.PUBLISHED:
            continue
        if not structure.citations.get(claim_id):
            found.unsourced.append(claim_id)
        if not lens.beneath(claim_id):
            found.unanswered.append(claim_id)
        edge = original.get(claim_id)
        tally = edge.tally if edge is not None else node.tally
        if sum(tally) < FEW_VOTES:
            found.few_votes.append(
                (claim_id, f"r{edge.id}" if edge is not None else f"c{claim_id}")
            )
    return found


def _reader_kind(lens: Lens) -> str | None:
    """Readers who see the same claims, whose scan is shared: moderators (they see every
    claim), and everyone else who wrote no claim that waits or was hidden (they see what a
    visitor sees). None: a reader with claims of their own only they see."""
    if lens.moderates:
        return "moderator"
    if lens.user_id is None:
        return "reader"
    own_unpublished = any(
        node.author_id == lens.user_id and node.status != Claim.Status.PUBLISHED
        for node in lens.structure.nodes.values()
    )
    return None if own_unpublished else "reader"


def _found(lens: Lens) -> _Found:
    """The reader's scan, shared with readers of the same kind: kept with the structure for
    its tally version (a write makes a new structure, a vote a new tally version)."""
    kind = _reader_kind(lens)
    if kind is None:
        return _scan(lens)
    structure = lens.structure
    memo = structure.__dict__.setdefault("_gaps", {})
    key = (structure.tally_version, kind)
    found = memo.get(key)
    if found is None:
        found = _scan(lens)
        for old in [k for k in memo if k[0] != structure.tally_version]:
            memo.pop(old, None)
        memo[key] = found
    return found


def gaps_of(lens: Lens, *, limit: int) -> Gaps:
    """The reader's gaps of the debate, the first `limit` claims of each kind."""
    sliced = _sliced(lens, limit=limit)
    if sliced is not None:
        return sliced
    found = _found(lens)
    nodes = lens.structure.nodes
    votes = lens.votes
    few_votes = [claim_id for claim_id, point in found.few_votes if point not in votes]
    pending = []
    if lens.may(Action.APPROVE_CLAIM):
        pending = [c for c in found.pending if lens.may(Action.APPROVE_CLAIM, claim=nodes[c])]

    def gap(ids: list[int]) -> Gap:
        items = [lens.focus(claim_id, levels=0) for claim_id in ids[:limit]]
        return Gap(shown=items, total=len(ids))

    return Gaps(
        unsourced=gap(found.unsourced),
        unanswered=gap(found.unanswered),
        few_votes=gap(few_votes),
        pending=gap(pending),
    )


# -- on a worker that holds nothing of the debate (issue 35) ------------------------------

_CLAIMS = Claim._meta.db_table
_RELATIONS = Relation._meta.db_table
_CITATIONS = Citation._meta.db_table


def _key(vendor: str, column: str) -> str:
    """SQL: a positive integer as ten digits, so that paths of them sort as their numbers."""
    if vendor == "sqlite":
        return f"printf('%%010d', {column})"  # %% : the cursor's parameter style
    return f"lpad(CAST({column} AS text), 10, '0')"


def _in(ids: Iterable[int]) -> tuple[str, list[int]]:
    """SQL `IN` of ids (never empty: -1 is no claim's id) and its parameters."""
    values = sorted(ids) or [-1]
    return ", ".join(["%s"] * len(values)), values


def _gaps_sql(vendor: str, unseen: str, theses: str, relations: str) -> str:
    """Every claim the reader sees, walked down from the theses by their original places
    (depth, and a path of (position, id) that sorts as tree order at one depth: the whole
    structure's `visible_ids`), with which gaps it is; running counts of each kind in the
    order shallowest first, then tree order, keep only the first `limit` of each (and every
    pending claim), each row with the kinds' totals."""
    collate = "" if vendor == "sqlite" else ' COLLATE "C"'
    tally = " + ".join(f"o.{name}" for name in Relation.TALLY_FIELDS)
    thesis_tally = " + ".join(f"c.{name}" for name in Claim.TALLY_FIELDS)
    child_key = f"{_key(vendor, 'r.position')} || {_key(vendor, 'r.child_id')}"
    return f"""
        WITH RECURSIVE tree(id, depth, path) AS (
            SELECT c.id, 0, {_key(vendor, "c.id")} FROM {_CLAIMS} c
            WHERE c.debate_id = %s AND c.is_thesis = %s AND c.id NOT IN ({unseen})
            UNION ALL
            SELECT r.child_id, t.depth + 1, t.path || {child_key}
            FROM {_RELATIONS} r JOIN tree t ON r.parent_id = t.id
            WHERE r.is_link = %s AND r.is_hidden = %s AND r.child_id NOT IN ({unseen})
        ),
        found AS (
            SELECT t.id, t.depth, t.path, c.status,
                CASE WHEN c.status = %s AND NOT EXISTS (
                    SELECT 1 FROM {_CITATIONS} s WHERE s.claim_id = t.id AND s.is_hidden = %s
                ) THEN 1 ELSE 0 END AS u,
                CASE WHEN c.status = %s AND NOT EXISTS (
                    SELECT 1 FROM {_RELATIONS} b
                    WHERE b.parent_id = t.id AND b.is_hidden = %s AND b.child_id NOT IN ({unseen})
                ) THEN 1 ELSE 0 END AS a,
                CASE WHEN c.status = %s AND (CASE WHEN o.id IS NULL THEN {thesis_tally}
                    ELSE {tally} END) < %s AND NOT (
                    (o.id IS NULL AND c.id IN ({theses}))
                    OR (o.id IS NOT NULL AND o.id IN ({relations}))
                ) THEN 1 ELSE 0 END AS f
            FROM tree t JOIN {_CLAIMS} c ON c.id = t.id
            LEFT JOIN {_RELATIONS} o ON o.child_id = t.id AND o.is_link = %s AND o.is_hidden = %s
        ),
        ranked AS (
            SELECT id, depth, path, status, u, a, f,
                SUM(u) OVER w AS ru, SUM(a) OVER w AS ra, SUM(f) OVER w AS rf,
                SUM(u) OVER () AS tu, SUM(a) OVER () AS ta, SUM(f) OVER () AS tf
            FROM found WINDOW w AS (ORDER BY depth, path{collate} ROWS UNBOUNDED PRECEDING)
        )
        SELECT id, status, u, a, f, tu, ta, tf FROM ranked
        WHERE (u = 1 AND ru <= %s) OR (a = 1 AND ra <= %s) OR (f = 1 AND rf <= %s)
            OR status = %s
        ORDER BY depth, path{collate}
    """  # names from the models; values are parameters


type _Reader = tuple[tuple[int, ...], tuple[str, ...]]


def _size(kept: tuple[_Reader, list[tuple[Any, ...]]]) -> int:
    """About: a hundred bytes a row and an id of who reads."""
    (unseen, voted), rows = kept
    return 100 * (len(rows) + len(unseen) + len(voted)) + 200


_kept = caches.Bounded("gaps", sizer=_size, default_mb=4)
caches.register(
    "gaps",
    kept=caches.Kept.PROCESS,
    key="(debate, its structure and tally versions, the rows asked for, a hash of the claims "
    "the reader does not see and the points they voted on; the entry holds those in full)",
    stale="never: a write or a vote moves a version, and the next read asks under a new key",
    forget=_kept.clear,
    holds=_kept,
)


def _walked(
    lens: Lens, unseen: set[int], pending: list[int], *, limit: int
) -> list[tuple[Any, ...]]:
    """The walk's rows (`_gaps_sql`) for a reader who does not see `unseen` (nor the
    pending claims other than `pending`) and voted on `lens.votes`: read from the stored
    rows when they are current (structure/stored_gaps.py), else walked; kept in this
    process for the debate's versions: readers who see the same claims and voted on the
    same points (every visitor) share it."""
    debate = lens.debate
    reader: _Reader = (tuple(sorted(unseen)), tuple(sorted(lens.votes)))
    limit = max(limit, WALK_ROWS)
    key = (debate.pk, debate.structure_version, debate.tally_version, limit, hash(reader))
    kept = _kept.fetch(key)
    if kept is not None and kept[0] == reader:
        return kept[1]
    database = replicas.reads_from()
    stored = stored_gaps.read(
        debate, database, unseen=unseen, voted=reader[1], pending=pending, limit=limit
    )
    if stored is not None:
        _kept.keep(key, (reader, stored))
        return list(stored)
    unseen_in, unseen_params = _in(unseen)
    voted = reader[1]
    theses, theses_params = _in(int(p[1:]) for p in voted if p.startswith("c"))
    relations, relations_params = _in(int(p[1:]) for p in voted if p.startswith("r"))
    published = Claim.Status.PUBLISHED
    params: list[Any] = [
        *(debate.pk, True, *unseen_params, False, False, *unseen_params),
        *(published, False, published, False, *unseen_params),
        *(published, FEW_VOTES, *theses_params, *relations_params, False, False),
        *(limit, limit, limit, Claim.Status.PENDING),
    ]
    sql = _gaps_sql(connections[database].vendor, unseen_in, theses, relations)
    with connections[database].cursor() as cursor:
        if connections[database].vendor == "postgresql":
            # The walk's estimate (windows over every claim) passes `jit_above_cost`, and
            # compiling it took ~0.9 s of a ~1.1 s walk at 20,000 claims. LOCAL: until the
            # transaction (the snapshot, or the caller's) ends; later reads there are small.
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    _kept.keep(key, (reader, rows))
    return rows


def _sliced(lens: Lens, *, limit: int) -> Gaps | None:
    """The reader's gaps read without loading the debate: who sees what from the claims
    beneath unpublished ones (structure/places.py), the gaps and their totals in one walk in
    SQL, and only the cards shown as a slice; None when the lens does not read slices or a
    read is too big (the caller loads the debate, outside the snapshot)."""
    if not lens.reads_slices:
        return None
    debate = lens.debate
    if not stored_gaps.current(debate):
        stored_gaps.bring_up_to_date(debate)  # else the walk below
    places.ready(debate)  # a write, outside the read-only snapshot
    with snapshot():
        under = places.unpublished_under(debate)
        votes = lens.votes
        if under is None or len(votes) > places.PLACES_MAX:
            return None
        unseen = places.unseen_by(under, user_id=lens.user_id, moderates=lens.moderates)
        waiting = [
            c
            for c, place in under.items()
            if place.status == Claim.Status.PENDING and c not in unseen
        ]
        rows = _walked(lens, unseen, waiting, limit=limit)
        kinds: dict[str, list[int]] = {"u": [], "a": [], "f": [], "p": []}
        for claim_id, status, u, a, f, *_totals in rows:
            if status == Claim.Status.PENDING:
                kinds["p"].append(claim_id)
            for kind, flag in (("u", u), ("a", a), ("f", f)):
                if flag:
                    kinds[kind].append(claim_id)
        pending = []
        if lens.may(Action.APPROVE_CLAIM):
            pending = [c for c in kinds["p"] if lens.may(Action.APPROVE_CLAIM, claim=under[c])]
        shown = {c for ids in (kinds["u"], kinds["a"], kinds["f"], pending) for c in ids[:limit]}
        if not lens.read_cards(sorted(shown)):
            return None

        def gap(ids: list[int], total: int) -> Gap:
            items = [lens.focus(claim_id, levels=0) for claim_id in ids[:limit]]
            return Gap(shown=items, total=total)

        # Every row carries the totals; no row: no gap of any kind.
        totals = rows[0][5:8] if rows else (0, 0, 0)
        unsourced, unanswered, few_votes = (int(total or 0) for total in totals)
        return Gaps(
            unsourced=gap(kinds["u"], unsourced),
            unanswered=gap(kinds["a"], unanswered),
            few_votes=gap(kinds["f"], few_votes),
            pending=gap(pending, len(pending)),
        )
