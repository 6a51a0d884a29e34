"""Who sees which claims of a debate, and which claims a page lists, read without loading the
debate: for pages that list a few claims picked by their stored rows (the cruxes) on a worker
that holds nothing of it (issue 35).

A reader sees a claim when every claim on its way up to its thesis passes the visibility rule
(`permissions.sees_along`). Every claim on a way up that fails it for someone is not
published, merged, or has no place in the tree (no standing original relation, not a thesis);
those are few, so one recursive query reads them and every claim beneath them
(`unpublished_under`), and whoever reads, the claims they do not see are found among these
in memory (`unseen_by`). Any other claim is seen by everyone. The claims with no place
cannot be found by an index of their own rows (it is the absence of a relation), so they
are stored (`UnplacedClaim`, stamped on the debate's row) and brought up to date from the
claims the writes since changed (`store_unplaced`); the query then starts from them, the
unpublished and the merged (indexed), and costs what it finds.

The points a page lists are picked by a condition on their rows and their points' tallies
(`points_where`), one scan of the debate's relations. Both reads are kept in this process,
keyed by the debate's versions they were read at (a write moves the structure version, a
vote the tally version), so a page read again costs only its cards; the cards of the claims
shown are read as a slice (first_screen.py, `cards`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import connection, connections, transaction
from django.db.models import Q

from arguments import caches, replicas, selectors
from arguments.models import (
    THESES_INDEX_HINT,
    Claim,
    Debate,
    Relation,
    Tally,
    UnplacedClaim,
    tally_of,
)
from arguments.rules.permissions import sees_claim
from arguments.structure.snapshot import in_snapshot

if TYPE_CHECKING:
    from django.db.backends.utils import CursorWrapper

# More rows than this and the caller loads the debate whole instead: a debate with most of
# its claims unpublished, or a condition that picks most of it, costs a whole load anyway.
PLACES_MAX = 5_000

_CLAIMS = Claim._meta.db_table
_RELATIONS = Relation._meta.db_table
_UNPLACED_TABLE = UnplacedClaim._meta.db_table
# More claims changed since the stored claims with no place than this: scan them all again.
CHANGES_MAX = 5_000
# A point's tally as `points_where`'s condition names it.
TALLY = ("t0", "t1", "t2", "t3", "t4")
_CLAIM_TALLY = ", ".join(f"c.{name}" for name in Claim.TALLY_FIELDS)
_RELATION_TALLY = ", ".join(
    f"r.{name} AS {alias}" for name, alias in zip(Relation.TALLY_FIELDS, TALLY, strict=True)
)
_UNPUBLISHED = (Claim.Status.PENDING, Claim.Status.HIDDEN, Claim.Status.DELETED)


@dataclass(slots=True)
class Place:
    """A claim as the visibility rule reads it (`permissions.ClaimState`), where it was
    written, and its point's tally (a thesis's own, any other claim's original relation's)."""

    id: int
    status: str
    is_thesis: bool
    author_id: int | None
    merged_into_id: int | None
    relation: int | None  # its standing original relation (None: a thesis, or no place)
    parent: int | None
    tally: Tally

    @property
    def point(self) -> str:
        """The key its votes are cast on (`r<relation>`, a thesis's `c<claim>`)."""
        return f"r{self.relation}" if self.relation is not None else f"c{self.id}"


def _size(kept: tuple[int, object] | _Picked) -> int:
    """About: a few hundred bytes a row read (a `Place`, and what was made of it)."""
    rows = kept.rows if isinstance(kept, _Picked) else kept[0]
    return 300 * rows + 100


_kept = caches.Bounded("places", sizer=_size, default_mb=8)
caches.register(
    "places",
    kept=caches.Kept.PROCESS,
    key="(debate, and the claims under unpublished ones and the structure version; or a "
    "page's points, kept with the structure and tally versions they were read at)",
    stale="the claims under unpublished ones: never (a write moves the structure version, a "
    "read after it asks under a new key); a page's points: read again after a write, caught "
    "up after votes (the points stamped `tallied_in` after the tally version kept)",
    forget=_kept.clear,
    holds=_kept,
)


def _places(rows: Sequence[Sequence[Any]]) -> list[Place]:
    return [
        Place(pk, status, bool(is_thesis), author, merged, relation, parent, tally_of(tally))
        for pk, status, is_thesis, author, merged, relation, parent, *tally in rows
    ]


def _read[T](
    key: tuple[object, ...], sql: str, params: list[Any], pick: Callable[[list[Place]], T]
) -> T | None:
    """What `pick` makes of the places a query reads, kept under `key`; None when they are
    more than `PLACES_MAX`."""
    found = _kept.fetch(key)
    if found is None:
        with connections[replicas.reads_from()].cursor() as cursor:
            cursor.execute(sql, [*params, PLACES_MAX + 1])
            rows = cursor.fetchall()
        found = (len(rows), pick(_places(rows)) if len(rows) <= PLACES_MAX else None)
        _kept.keep(key, found)
    return found[1]


@dataclass(slots=True)
class _Picked:
    """A page's points as read at the debate's `versions` (structure, tally), by point, and
    what the page made of them (None: more than `PLACES_MAX`, and so not kept by point)."""

    rows: int
    versions: tuple[int, int]
    points: dict[str, Place] | None
    made: Any


def _points_sql(where: Callable[[Sequence[str]], str], *, since: bool) -> str:
    """The debate's points (its standing original relations, its theses) that pass `where`;
    `since` a tally version: every point voted on after it, each with whether it passes."""
    relation_tally = where([f"r.{column}" for column in Relation.TALLY_FIELDS])
    thesis_tally = where([f"c.{column}" for column in Claim.TALLY_FIELDS])
    if since:
        relation_pick = f"CASE WHEN ({relation_tally}) THEN 1 ELSE 0 END"
        thesis_pick = f"CASE WHEN ({thesis_tally}) THEN 1 ELSE 0 END"
        relation_where, thesis_where = "r.tallied_in > %s", "c.tallied_in > %s"
    else:
        relation_pick = thesis_pick = "1"
        relation_where, thesis_where = relation_tally, thesis_tally
    return f"""
        SELECT c.id, c.status, c.is_thesis, c.author_id, c.merged_into_id, r.id, r.parent_id,
            {_RELATION_TALLY}, {relation_pick}
        FROM {_RELATIONS} r JOIN {_CLAIMS} c ON c.id = r.child_id
        WHERE r.debate_id = %s AND r.is_link = %s AND r.is_hidden = %s AND ({relation_where})
        UNION ALL
        SELECT c.id, c.status, c.is_thesis, c.author_id, c.merged_into_id, NULL, NULL,
            {_CLAIM_TALLY}, {thesis_pick}
        FROM {_CLAIMS} c {THESES_INDEX_HINT.get(connections[replicas.reads_from()].vendor, "")}
        WHERE c.debate_id = %s AND c.is_thesis AND ({thesis_where})
        LIMIT %s
    """  # names from the models and the caller's condition; values are parameters


def points_where[T](
    debate: Debate,
    name: str,
    where: Callable[[Sequence[str]], str],
    params: list[Any],
    pick: Callable[[list[Place]], T],
) -> T | None:
    """What `pick` makes of the points of the debate (its theses, its standing original
    relations) whose claim `c` and tally pass `where` (SQL over the tally's five columns it
    is given), kept under `name`; None when they are more than `PLACES_MAX`.

    Kept for the debate's structure version, and caught up after votes: only the points
    voted on since (each vote stamps its point with the new tally version, `tallied_in`, as
    the structure's catch-up reads them: structure/changes.py) are read again."""
    key = (debate.pk, name)
    now = (debate.structure_version, debate.tally_version)
    kept: _Picked | None = _kept.fetch(key)
    if kept is not None and kept.versions == now:
        return kept.made
    points: dict[str, Place] | None = None
    if kept is not None and kept.points is not None and _behind(kept.versions, now):
        since = kept.versions[1]
        values = [*params, debate.pk, False, False, since, *params, debate.pk, since]
        voted = _read_points(_points_sql(where, since=True), values)
        if voted is not None:
            points = dict(kept.points)
            for place, picked in voted:
                if picked:
                    points[place.point] = place
                else:
                    points.pop(place.point, None)
    if points is None:
        values = [debate.pk, False, False, *params, debate.pk, *params]
        found = _read_points(_points_sql(where, since=False), values)
        if found is None:
            _kept.keep(key, _Picked(PLACES_MAX, now, None, None))
            return None
        points = {place.point: place for place, _picked in found}
    if len(points) > PLACES_MAX:
        kept = _Picked(len(points), now, None, None)
    else:
        kept = _Picked(len(points), now, points, pick(list(points.values())))
    _kept.keep(key, kept)
    return kept.made


def _behind(kept: tuple[int, int], now: tuple[int, int]) -> bool:
    """Whether what was kept at versions `kept` is caught up by the votes since alone."""
    return kept[0] == now[0] and kept[1] < now[1]


def _read_points(sql: str, values: list[Any]) -> list[tuple[Place, bool]] | None:
    """The points a query reads, each with whether it passes; None when they are more than
    `PLACES_MAX` (the caller reads them all again, or keeps none)."""
    with connections[replicas.reads_from()].cursor() as cursor:
        cursor.execute(sql, [*values, PLACES_MAX + 1])
        rows = cursor.fetchall()
    if len(rows) > PLACES_MAX:
        return None
    places = _places([row[:-1] for row in rows])
    return [(place, bool(row[-1])) for place, row in zip(places, rows, strict=True)]


caches.register(
    "claims with no place",
    kept=caches.Kept.DATABASE,
    key="`UnplacedClaim` rows by claim (a claim that is no thesis and has no standing "
    "original relation), stamped on the debate's row with the structure version they are "
    "current with (`unplaced_version`)",
    stale="a stamp behind the debate's structure version: the next reader of the claims under "
    "unpublished ones looks again at the claims changed since (`StructureChange`), or at "
    "every claim after a write that could not say (`rebuilt_in`)",
)

_ORIGINAL = "r.is_link = %s AND r.is_hidden = %s"
# A claim with no place: not a thesis, and no standing original relation (`c`: the claim).
_NO_PLACE = (
    f"c.is_thesis = %s AND NOT EXISTS (SELECT 1 FROM {_RELATIONS} r "
    f"WHERE r.child_id = c.id AND {_ORIGINAL})"
)
_NO_PLACE_PARAMS = [False, False, False]


def unplaced_current(debate: Debate) -> bool:
    """Whether the stored claims with no place are those of the debate as its row was read."""
    stamp = debate.unplaced_version
    return stamp is not None and stamp >= debate.structure_version


def store_unplaced(debate: Debate) -> bool:
    """Bring the stored claims with no place (`UnplacedClaim`) up to the debate's structure
    version now: the claims changed since their stamp (`StructureChange`: both ends of every
    relation a write added, hid or moved, every claim it made) are looked at again; every
    claim of the debate, once, when the stamp is unset or a write since could not say what it
    changed (`rebuilt_in`: an import, a merge, a claim or relation deleted by any means).
    True when the rows are current with the versions of `debate` as the caller read it
    (False: another process is storing them or stored newer ones)."""
    # The versions as the caller read them: a write since moves the structure version past
    # the stamp this stores, and the next reader catches it up.
    structure_version, rebuilt_in = debate.structure_version, debate.rebuilt_in
    since = debate.unplaced_version
    if since is not None and since >= structure_version:
        return True
    with transaction.atomic():
        # Moving the stamp first locks the debate's row: no other store runs until commit,
        # and the stamp never moves back (stored_gaps.py does the same).
        stamped = Q(unplaced_version=since) if since is not None else Q(unplaced_version=None)
        if not Debate.objects.filter(stamped, pk=debate.pk).update(
            unplaced_version=structure_version
        ):
            return False  # another process stores them, or stored newer ones
        debate.unplaced_version = structure_version
        changed: list[int] | None = None
        if since is not None and rebuilt_in <= since:
            changed = selectors.claims_changed_since(debate.pk, since)
            if len(changed) > CHANGES_MAX:
                changed = None
        if changed == []:
            return True
        with connection.cursor() as cursor:
            _store(cursor, debate.pk, changed)
    return True


def _store(cursor: CursorWrapper, debate_id: int, changed: list[int] | None) -> None:
    """The rows of `changed` claims written again (None: every claim of the debate)."""
    insert = (
        f"INSERT INTO {_UNPLACED_TABLE} (claim_id, debate_id) SELECT c.id, c.debate_id "
        f"FROM {_CLAIMS} c WHERE c.debate_id = %s AND {_NO_PLACE}"
    )  # names from the models; values are parameters
    if changed is None:
        cursor.execute(f"DELETE FROM {_UNPLACED_TABLE} WHERE debate_id = %s", [debate_id])
        cursor.execute(insert, [debate_id, *_NO_PLACE_PARAMS])
        return
    for start in range(0, len(changed), 500):
        some = changed[start : start + 500]
        marks = ", ".join(["%s"] * len(some))
        cursor.execute(f"DELETE FROM {_UNPLACED_TABLE} WHERE claim_id IN ({marks})", some)
        cursor.execute(f"{insert} AND c.id IN ({marks})", [debate_id, *_NO_PLACE_PARAMS, *some])


# A claim with its place as `Place` reads it (`c`: the claim, `r`: its standing original
# relation, if any), and the columns of the recursive query that carries them.
_CLAIM_PLACE = "c.id, c.status, c.is_thesis, c.author_id, c.merged_into_id"
_PLACE_COLUMNS = f"{_CLAIM_PLACE}, r.id, r.parent_id, {_CLAIM_TALLY}"
_UNDER_COLUMNS = "id, status, is_thesis, author_id, merged_into_id, relation, parent, " + (
    ", ".join(TALLY)
)


def _under_sql(*, stored: bool, fenced: bool) -> str:
    """The recursive query of `unpublished_under`: the claims it starts from (unpublished,
    merged, with no place: `stored`, from their stored rows), each with its place, and the
    claims beneath them, each found with its place by the relation that reaches it.

    Each row carries what the page reads, so no join of the result with the debate's claims
    follows. `fenced` (PostgreSQL): each step reads the children of each claim found by the
    relations' parent index, a lateral subquery the planner may not flatten (`OFFSET 0`).
    PostgreSQL cannot estimate a recursive query (it guessed 273,000 rows for 87) and, left
    free, scanned and hashed every relation at each level and every claim for the join:
    100 ms at 20,000 claims for what costs 87 index reads. SQLite walks a recursive query
    one row at a time through the indexes already."""
    unplaced = f"SELECT {_CLAIM_PLACE}, NULL, NULL, {_CLAIM_TALLY}"
    if stored:
        no_place = (
            f"{unplaced} FROM {_UNPLACED_TABLE} u JOIN {_CLAIMS} c ON c.id = u.claim_id "
            f"WHERE u.debate_id = %s AND {_NO_PLACE}"
        )
    else:
        no_place = f"{unplaced} FROM {_CLAIMS} c WHERE c.debate_id = %s AND {_NO_PLACE}"
    children = (
        f"SELECT {_PLACE_COLUMNS} FROM {_RELATIONS} r JOIN {_CLAIMS} c ON c.id = r.child_id "
        f"WHERE r.parent_id = u.id AND {_ORIGINAL}"
    )
    if fenced:
        step = f"SELECT k.* FROM under u CROSS JOIN LATERAL ({children} OFFSET 0) k"
    else:
        step = children.replace(f"FROM {_RELATIONS} r", f"FROM under u JOIN {_RELATIONS} r", 1)
    placed = f"LEFT JOIN {_RELATIONS} r ON r.child_id = c.id AND {_ORIGINAL}"
    return f"""
        WITH RECURSIVE under({_UNDER_COLUMNS}) AS (
            SELECT {_PLACE_COLUMNS} FROM {_CLAIMS} c {placed}
            WHERE c.debate_id = %s AND c.status IN (%s, %s, %s)
            UNION
            SELECT {_PLACE_COLUMNS} FROM {_CLAIMS} c {placed}
            WHERE c.debate_id = %s AND c.merged_into_id IS NOT NULL
            UNION
            {no_place}
            UNION
            {step}
        )
        SELECT {_UNDER_COLUMNS} FROM under LIMIT %s
    """  # names from the models; values are parameters


def ready(debate: Debate) -> None:
    """Bring the stored claims with no place up to date for a read of `unpublished_under`
    in a snapshot that follows (a snapshot writes nothing)."""
    if not unplaced_current(debate):
        store_unplaced(debate)


def unpublished_under(debate: Debate) -> dict[int, Place] | None:
    """The claims of the debate that are not published, are merged or have no place in the
    tree, and every claim beneath them, by id; None when more than `PLACES_MAX`.

    The claims with no place are read from their stored rows (`store_unplaced`, brought up
    to date first when behind), so the read costs what is unpublished, not a scan of every
    claim of the debate; the scan serves only while another process stores them."""
    key = (debate.pk, "under", debate.structure_version)
    found = _kept.fetch(key)
    if found is not None:
        return found[1]
    # Inside a read snapshot nothing is written (PostgreSQL's is read-only; SQLite's cannot
    # always become a writer): its callers bring the rows up to date before it (`ready`).
    stored = unplaced_current(debate) or (not in_snapshot() and store_unplaced(debate))
    vendor = connections[replicas.reads_from()].vendor
    sql = _under_sql(stored=stored, fenced=vendor == "postgresql")
    values = [
        *(False, False, debate.pk, *_UNPUBLISHED),
        *(False, False, debate.pk),
        *(debate.pk, *_NO_PLACE_PARAMS),
        *(False, False),
    ]
    return _read(key, sql, values, lambda found: {place.id: place for place in found})


def unseen_by(under: dict[int, Place], *, user_id: int | None, moderates: bool) -> set[int]:
    """The claims a reader does not see where they stand, of `under` (every other claim
    they see): a claim that fails the rule, or stands beneath one, or on a way up that does
    not reach a thesis."""
    seen: dict[int, bool] = {}
    for claim_id in under:
        chain: list[Place] = []
        current: int | None = claim_id
        while current is not None and current in under and current not in seen:
            if any(place.id == current for place in chain):
                break  # a cycle: no way up to a thesis
            place = under[current]
            chain.append(place)
            current = place.parent
        if current is not None and current in seen:
            above = seen[current]
        elif current is not None and current not in under:
            above = True  # published, in place, and so is everything above it
        else:
            above = bool(chain) and chain[-1].is_thesis and chain[-1].parent is None
        for place in reversed(chain):
            above = above and sees_claim(place, user_id=user_id, moderates=moderates)
            seen[place.id] = above
    return {claim_id for claim_id, shown in seen.items() if not shown}


def claims_of(debate: Debate, points: Sequence[str]) -> dict[str, int] | None:
    """The claim of each of `points` ("r<relation>", "c<thesis>") that stands in the tree
    as that point: a standing original relation's child, a thesis; None when they are more
    than `PLACES_MAX` (two queries, by primary key)."""
    if len(points) > PLACES_MAX:
        return None
    relations = [int(point[1:]) for point in points if point.startswith("r")]
    theses = [int(point[1:]) for point in points if point.startswith("c")]
    found: dict[str, int] = {}
    if relations:
        standing = Relation.objects.filter(
            debate=debate, pk__in=relations, is_link=False, is_hidden=False
        )
        found.update((f"r{pk}", child) for pk, child in standing.values_list("pk", "child_id"))
    if theses:
        kept = Claim.objects.filter(debate=debate, pk__in=theses, is_thesis=True)
        found.update((f"c{pk}", pk) for pk in kept.values_list("pk", flat=True))
    return found
