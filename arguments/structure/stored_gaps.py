"""Where each claim stands in its debate's tree and which gaps it is, stored in the database
(`StoredGapPlace`), so that the gaps page reads its first claims of each kind and their
totals with a few indexed queries (arguments/explore/gaps.py) instead of walking the debate.

A row per claim reached from a thesis along standing original relations, whatever its
status: its depth, a path of ten-digit keys (the thesis's id, then each step's position and
claim id) that sorts as tree order at one depth, and its gaps to a reader who sees every
claim: published and citing no standing source (unsourced), published with no standing pro
or con at all (unanswered), published with fewer than `FEW_VOTES` votes on its point (few
votes). A reader who does not see some claims (structure/places.py, `unseen_by`: few, and
closed downward) has them taken out, and the claims whose every pro and con is among them
added to the unanswered, by the reader's query; their own votes likewise.

The debate's row stamps the rows with the versions they are current with
(`gaps_structure_version`, `gaps_tally_version`). A reader whose versions are ahead brings
them up to date before reading (`bring_up_to_date`), in one short transaction that first
moves the stamp with a conditional UPDATE (so two processes never both store one change and
the stamp never moves back):

- after writes, from the claims they changed (`StructureChange`): the claims whose standing
  original relation (or thesis-hood) changed have their old branch deleted (a range of
  paths) and their new one walked again from their parent's row; every changed claim's gaps
  are computed again (a relation at either end, a citation, a status are all recorded);
- after votes, the points stamped `tallied_in` since have their "few votes" computed again;
- when the stamp is unset, a write did not say what it changed (`rebuilt_in`) or more than
  `CHANGES_MAX` claims changed: every row of the debate is written again in one walk;
- each kind's total on the debate's row (`gaps_unsourced`, …) is counted after a whole
  write, and moved by what a catch-up changed (the rows of the branches it deleted and
  walked, the changed claims' rows before and after, the "few votes" it turned), so that a
  reader reads the totals instead of counting, and a catch-up costs its change.

Every step sets values read from rows, so reading a change twice is harmless.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import connection, connections, transaction
from django.db.models import F, Q

from arguments import caches, selectors
from arguments.models import (
    THESES_INDEX_HINT,
    Citation,
    Claim,
    Debate,
    Relation,
    StoredGapPlace,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from django.db.backends.utils import CursorWrapper

type Totals = tuple[int, int, int]  # how many stored rows are unsourced, unanswered, few votes

FEW_VOTES = 3  # fewer votes than this on a point say little about it
# More changed claims than this and the catch-up writes the debate's rows again.
CHANGES_MAX = 5_000

caches.register(
    "stored gap places",
    kept=caches.Kept.DATABASE,
    key="`StoredGapPlace` rows by claim (depth, tree path, gaps to a reader who sees every "
    "claim), stamped on the debate's row with the versions they are current with "
    "(`gaps_structure_version`, `gaps_tally_version`)",
    stale="a stamp behind the debate's versions: the next gaps reader brings them up to date "
    "from the claims changed and the points voted on since",
)

PLACES = StoredGapPlace._meta.db_table
_CLAIMS = Claim._meta.db_table
_RELATIONS = Relation._meta.db_table
_CITATIONS = Citation._meta.db_table
_COLUMNS = "claim_id, debate_id, depth, path, relation, parent, position, unsourced, "
_COLUMNS += "unanswered, few_votes"


def key(vendor: str, column: str) -> str:
    """SQL: a positive integer as ten digits, so that paths of them sort as their numbers
    (in any collation: the paths hold digits only)."""
    if vendor == "sqlite":
        return f"printf('%%010d', {column})"  # %% : the cursor's parameter style
    return f"lpad(CAST({column} AS text), 10, '0')"


def _marks(values: Sequence[object]) -> str:
    return ", ".join(["%s"] * len(values)) or "NULL"


def current(debate: Debate) -> bool:
    """Whether the stored rows are those of the debate as its row was read."""
    return (debate.gaps_structure_version, debate.gaps_tally_version) == (
        debate.structure_version,
        debate.tally_version,
    )


def _gaps(claim: str, relation: str) -> list[tuple[str, list[Any]]]:
    """SQL of a row's three gaps (unsourced, unanswered, few votes) from its claim's id and
    its standing original relation's id (NULL: a thesis, its own tally), each with its
    parameters."""
    published = f"EXISTS (SELECT 1 FROM {_CLAIMS} c WHERE c.id = {claim} AND c.status = %s)"
    relation_tally = " + ".join(f"o.{name}" for name in Relation.TALLY_FIELDS)
    thesis_tally = " + ".join(f"c.{name}" for name in Claim.TALLY_FIELDS)
    status = Claim.Status.PUBLISHED
    # names from the models; values are parameters
    return [
        (
            f"{published} AND NOT EXISTS (SELECT 1 FROM {_CITATIONS} s "
            f"WHERE s.claim_id = {claim} AND s.is_hidden = %s)",
            [status, False],
        ),
        (
            f"{published} AND NOT EXISTS (SELECT 1 FROM {_RELATIONS} b "
            f"WHERE b.parent_id = {claim} AND b.is_hidden = %s)",
            [status, False],
        ),
        (
            f"{published} AND COALESCE("
            f"(SELECT {relation_tally} FROM {_RELATIONS} o WHERE o.id = {relation}), "
            f"(SELECT {thesis_tally} FROM {_CLAIMS} c WHERE c.id = {claim})) < %s",
            [status, FEW_VOTES],
        ),
    ]


def _walk_sql(vendor: str, seeds: str) -> str:
    """Insert the rows of every claim beneath `seeds` (a SELECT of rows: id, depth, path,
    relation, parent, position) and of the seeds, walked along standing original relations."""
    child_key = f"{key(vendor, 'r.position')} || {key(vendor, 'r.child_id')}"
    gaps = ", ".join(f"({sql})" for sql, _params in _gaps("t.id", "t.relation"))
    return f"""
        WITH RECURSIVE tree(id, depth, path, relation, parent, position) AS (
            SELECT * FROM ({seeds}) AS seeds
            UNION ALL
            SELECT r.child_id, t.depth + 1, t.path || {child_key}, r.id, r.parent_id, r.position
            FROM {_RELATIONS} r JOIN tree t ON r.parent_id = t.id
            WHERE r.is_link = %s AND r.is_hidden = %s
        )
        INSERT INTO {PLACES} ({_COLUMNS})
        SELECT t.id, %s, t.depth, t.path, t.relation, t.parent, t.position, {gaps}
        FROM tree t
    """  # names from the models; values are parameters


def _walk_params(seeds: list[Any], debate_id: int) -> list[Any]:
    return [*seeds, False, False, debate_id, *(v for _sql, params in _gaps("", "") for v in params)]


def _write_all(cursor: CursorWrapper, debate_id: int) -> None:
    """Every row of the debate written again: one walk down from its theses."""
    vendor = connection.vendor
    if vendor == "postgresql":
        # The walk's estimate passes `jit_above_cost` on a big debate, and compiling its
        # plan costs more than it runs (explore/gaps.py). LOCAL: until the store commits.
        cursor.execute("SET LOCAL jit = off")
    cursor.execute(f"DELETE FROM {PLACES} WHERE debate_id = %s", [debate_id])
    theses = f"""
        SELECT c.id, 0, {key(vendor, "c.id")}, CAST(NULL AS bigint), CAST(NULL AS bigint),
            CAST(NULL AS integer)
        FROM {_CLAIMS} c {THESES_INDEX_HINT.get(vendor, "")}
        WHERE c.debate_id = %s AND c.is_thesis
    """  # names from the models; values are parameters
    cursor.execute(_walk_sql(vendor, theses), _walk_params([debate_id], debate_id))


def _sums(cursor: CursorWrapper, where: str, params: Sequence[Any]) -> Totals:
    """How many stored rows `where` picks are of each kind."""
    cursor.execute(
        "SELECT COALESCE(SUM(CASE WHEN unsourced THEN 1 ELSE 0 END), 0), "
        "COALESCE(SUM(CASE WHEN unanswered THEN 1 ELSE 0 END), 0), "
        f"COALESCE(SUM(CASE WHEN few_votes THEN 1 ELSE 0 END), 0) FROM {PLACES} WHERE {where}",
        params,
    )
    found = cursor.fetchone() or (0, 0, 0)
    return (int(found[0]), int(found[1]), int(found[2]))


def _branches(cursor: CursorWrapper, debate_id: int, paths: Sequence[str]) -> Totals:
    """How many stored rows of the branches at `paths` are of each kind (a branch within
    another counted once): what the branches cost, not the debate."""
    total = (0, 0, 0)
    end = ""
    for path in sorted(paths):
        if end and path < end:
            continue  # within the branch counted before it
        end = path[:-10] + f"{int(path[-10:]) + 1:010d}"
        found = _sums(cursor, "debate_id = %s AND path >= %s AND path < %s", [debate_id, path, end])
        total = _plus(total, found)
    return total


def _plus(a: Totals, b: Totals, sign: int = 1) -> Totals:
    return (a[0] + sign * b[0], a[1] + sign * b[1], a[2] + sign * b[2])


def _after_writes(cursor: CursorWrapper, debate_id: int, changed: list[int]) -> Totals:
    """The rows a write over the claims `changed` may have changed, written again; answers
    how each kind's count changed (counted over the rows it deleted, wrote and updated)."""
    vendor = connection.vendor
    marks = _marks(changed)
    cursor.execute(
        f"SELECT c.id, c.is_thesis, o.id, o.parent_id, o.position FROM {_CLAIMS} c "
        f"LEFT JOIN {_RELATIONS} o ON o.child_id = c.id AND o.is_link = %s AND o.is_hidden = %s "
        f"WHERE c.id IN ({marks})",
        [False, False, *changed],
    )
    now: dict[int, tuple[Any, ...] | None] = {}
    for claim_id, is_thesis, relation, parent, position in cursor.fetchall():
        if is_thesis:
            now[claim_id] = (None, None, None)
        elif relation is not None:
            now[claim_id] = (relation, parent, position)
        else:
            now.setdefault(claim_id, None)
    cursor.execute(
        f"SELECT claim_id, relation, parent, position, path FROM {PLACES} "
        f"WHERE claim_id IN ({marks})",
        changed,
    )
    stored = {row[0]: (tuple(row[1:4]), row[4]) for row in cursor.fetchall()}
    # Claims whose place a write changed: their old branches go (each the range of paths
    # that begin with its path: the last key's next number ends it), then their new
    # branches are walked from their parents' rows. A parent's row left standing is right:
    # no claim on its way up moved (else it lay in a branch that went).
    moved = sorted(c for c in changed if now.get(c) != (stored[c][0] if c in stored else None))
    gone = [
        (debate_id, path, path[:-10] + f"{int(path[-10:]) + 1:010d}")
        for c in moved
        if c in stored
        for path in [stored[c][1]]
    ]
    change = _plus((0, 0, 0), _branches(cursor, debate_id, [path for _d, path, _e in gone]), -1)
    if gone:
        cursor.executemany(
            f"DELETE FROM {PLACES} WHERE debate_id = %s AND path >= %s AND path < %s", gone
        )
    if moved:
        moved_marks = _marks(moved)
        child_key = f"{key(vendor, 'r.position')} || {key(vendor, 'r.child_id')}"
        seeds = f"""
            SELECT c.id, 0, {key(vendor, "c.id")}, CAST(NULL AS bigint), CAST(NULL AS bigint),
                CAST(NULL AS integer)
            FROM {_CLAIMS} c WHERE c.id IN ({moved_marks}) AND c.is_thesis = %s
            UNION ALL
            SELECT r.child_id, p.depth + 1, p.path || {child_key}, r.id, r.parent_id, r.position
            FROM {_RELATIONS} r JOIN {PLACES} p ON p.claim_id = r.parent_id
            WHERE r.child_id IN ({moved_marks}) AND r.is_link = %s AND r.is_hidden = %s
        """  # names from the models; values are parameters
        values = [*moved, True, *moved, False, False]
        cursor.execute(_walk_sql(vendor, seeds), _walk_params(values, debate_id))
        cursor.execute(f"SELECT path FROM {PLACES} WHERE claim_id IN ({moved_marks})", moved)
        walked = [path for (path,) in cursor.fetchall()]
        change = _plus(change, _branches(cursor, debate_id, walked))
    (unsourced, u), (unanswered, a), (few_votes, f) = _gaps(
        f"{PLACES}.claim_id", f"{PLACES}.relation"
    )
    change = _plus(change, _sums(cursor, f"claim_id IN ({marks})", changed), -1)
    cursor.execute(
        f"UPDATE {PLACES} SET unsourced = ({unsourced}), unanswered = ({unanswered}), "
        f"few_votes = ({few_votes}) WHERE claim_id IN ({marks})",
        [*u, *a, *f, *changed],
    )
    return _plus(change, _sums(cursor, f"claim_id IN ({marks})", changed))


def _after_votes(cursor: CursorWrapper, debate_id: int, since: int) -> int:
    """The "few votes" of the points voted on after tally version `since`, again; answers
    how their count changed: the rows each of two statements turned (a vote committed
    between them is counted by the one that turns it, if any)."""
    few_votes, params = _gaps(f"{PLACES}.claim_id", f"{PLACES}.relation")[2]
    voted = f"""claim_id IN (
        SELECT r.child_id FROM {_RELATIONS} r WHERE r.debate_id = %s AND r.tallied_in > %s
        UNION SELECT c.id FROM {_CLAIMS} c WHERE c.debate_id = %s AND c.tallied_in > %s
    )"""  # names from the models; values are parameters
    turned = 0
    for now, sign in ((True, 1), (False, -1)):
        condition = f"({few_votes})" if now else f"NOT COALESCE(({few_votes}), %s)"
        values = [*params] if now else [*params, False]
        cursor.execute(
            f"UPDATE {PLACES} SET few_votes = %s WHERE {voted} AND few_votes = %s AND {condition}",
            [now, debate_id, since, debate_id, since, not now, *values],
        )
        turned += sign * max(cursor.rowcount, 0)
    return turned


def bring_up_to_date(debate: Debate) -> bool:
    """Store what changed since the rows' stamp, up to the debate's versions now (read
    again here). True when the rows are current with versions at least those of `debate`
    as the caller read it."""
    fields = ("structure_version", "tally_version", "rebuilt_in")
    stamps = ("gaps_structure_version", "gaps_tally_version")
    row = Debate.objects.filter(pk=debate.pk).values_list(*fields, *stamps).first()
    if row is None:
        return False
    structure_version, tally_version, rebuilt_in, since, tallied = row
    behind = since is None or tallied is None
    if not behind and since >= structure_version and tallied >= tally_version:
        return True
    with transaction.atomic():
        # Moving the stamp first locks the debate's row: no other store runs until commit.
        stamped = (
            Q(gaps_structure_version=since)
            if since is not None
            else Q(gaps_structure_version__isnull=True)
        )
        stamped &= (
            Q(gaps_tally_version=tallied)
            if tallied is not None
            else Q(gaps_tally_version__isnull=True)
        )
        moved = Debate.objects.filter(stamped, pk=debate.pk).update(
            gaps_structure_version=structure_version, gaps_tally_version=tally_version
        )
        if not moved:
            return False
        with connection.cursor() as cursor:
            if since is None or tallied is None or rebuilt_in > since:
                _write_all(cursor, debate.pk)
                _count(cursor, debate.pk)
                return True
            change = (0, 0, 0)
            if since < structure_version:
                changed = selectors.claims_changed_since(debate.pk, since)
                if len(changed) > CHANGES_MAX:
                    _write_all(cursor, debate.pk)
                    _count(cursor, debate.pk)
                    return True
                if changed:
                    change = _after_writes(cursor, debate.pk, changed)
            if tallied < tally_version:
                change = _plus(change, (0, 0, _after_votes(cursor, debate.pk, tallied)))
            if change != (0, 0, 0):
                Debate.objects.filter(pk=debate.pk).update(
                    gaps_unsourced=F("gaps_unsourced") + change[0],
                    gaps_unanswered=F("gaps_unanswered") + change[1],
                    gaps_few_votes=F("gaps_few_votes") + change[2],
                )
    return True


def _count(cursor: CursorWrapper, debate_id: int) -> None:
    """Each kind's rows counted onto the debate's row after every row is written again: a
    reader then reads the totals rather than counting the debate's rows (a catch-up adds
    what it changed instead)."""
    cursor.execute(
        f"SELECT (SELECT COUNT(*) FROM {PLACES} WHERE debate_id = %s AND unsourced = %s), "
        f"(SELECT COUNT(*) FROM {PLACES} WHERE debate_id = %s AND unanswered = %s), "
        f"(SELECT COUNT(*) FROM {PLACES} WHERE debate_id = %s AND few_votes = %s)",
        [debate_id, True, debate_id, True, debate_id, True],
    )
    counts = cursor.fetchone() or (0, 0, 0)
    unsourced, unanswered, few_votes = (int(n or 0) for n in counts)
    Debate.objects.filter(pk=debate_id).update(
        gaps_unsourced=unsourced, gaps_unanswered=unanswered, gaps_few_votes=few_votes
    )


def _in(ids: Sequence[int]) -> tuple[str, list[int]]:
    """SQL `IN` of ids (never empty: -1 is no claim's id) and its parameters."""
    values = sorted(ids) or [-1]
    return ", ".join(["%s"] * len(values)), values


# Parameters a statement may carry on SQLite (32,766), with room for the others.
_PARAMETERS_MAX = 30_000
_UNSOURCED, _UNANSWERED, _FEW_VOTES, _ALL_SEEN_ANSWERED, _PENDING = range(5)

type Row = tuple[int, str, int, int, int, int, int, int]


def read(
    debate: Debate,
    database: str,
    *,
    unseen: set[int],
    voted: Sequence[str],
    pending: Sequence[int],
    limit: int,
) -> list[Row] | None:
    """The gaps of a reader who does not see `unseen` (closed downward), voted on `voted`
    and sees the pending claims `pending`, from the stored rows, as the walk in SQL gives
    them (explore/gaps.py): (claim, status, unsourced, unanswered, few votes, and the three
    totals) shallowest first, then in tree order, the first `limit` of each kind and every
    pending claim. None when the rows are not current with the debate's versions as
    `debate` holds them, or the reader's sets are too many parameters for one statement."""
    relations = [int(point[1:]) for point in voted if point.startswith("r")]
    theses = [int(point[1:]) for point in voted if point.startswith("c")]
    if 8 * len(unseen) + 3 * len(voted) + len(pending) > _PARAMETERS_MAX:
        return None
    u_in, u_values = _in(sorted(unseen))
    r_in, r_values = _in(relations)
    t_in, t_values = _in(theses)
    connection_ = connections[database]
    with connection_.cursor() as cursor:
        cursor.execute(
            f"""SELECT d.gaps_structure_version, d.gaps_tally_version,
                d.gaps_unsourced, d.gaps_unanswered, d.gaps_few_votes,
                (SELECT COUNT(*) FROM {PLACES} WHERE claim_id IN ({u_in}) AND unsourced = %s),
                (SELECT COUNT(*) FROM {PLACES} WHERE claim_id IN ({u_in}) AND unanswered = %s),
                (SELECT COUNT(*) FROM {PLACES} p WHERE p.few_votes = %s AND p.claim_id IN (
                    SELECT r.child_id FROM {_RELATIONS} r WHERE r.id IN ({r_in})
                    UNION SELECT c.id FROM {_CLAIMS} c WHERE c.id IN ({t_in})
                    UNION SELECT c.id FROM {_CLAIMS} c WHERE c.id IN ({u_in}))
                  AND (p.claim_id IN ({u_in}) OR p.relation IN ({r_in})
                    OR (p.relation IS NULL AND p.claim_id IN ({t_in}))))
            FROM {Debate._meta.db_table} d WHERE d.id = %s""",  # names from the models
            [
                *(*u_values, True, *u_values, True),
                *(True, *r_values, *t_values, *u_values, *u_values, *r_values, *t_values),
                debate.pk,
            ],
        )
        found = cursor.fetchone()
        if found is None:
            return None
        since, tallied, *counts = found
        if since is None or tallied is None:
            return None
        if since < debate.structure_version or tallied < debate.tally_version:
            return None
        all_u, all_a, all_f, unseen_u, unseen_a, left_f = (int(n or 0) for n in counts)
        kinds = f"""
            SELECT * FROM (SELECT claim_id, depth, path, {_UNSOURCED} FROM {PLACES}
                WHERE debate_id = %s AND unsourced = %s AND claim_id NOT IN ({u_in})
                ORDER BY depth, path LIMIT %s) AS u
            UNION ALL
            SELECT * FROM (SELECT claim_id, depth, path, {_UNANSWERED} FROM {PLACES}
                WHERE debate_id = %s AND unanswered = %s AND claim_id NOT IN ({u_in})
                ORDER BY depth, path LIMIT %s) AS a
            UNION ALL
            SELECT * FROM (SELECT claim_id, depth, path, {_FEW_VOTES} FROM {PLACES}
                WHERE debate_id = %s AND few_votes = %s AND claim_id NOT IN ({u_in})
                    AND (relation IS NULL OR relation NOT IN ({r_in}))
                    AND (relation IS NOT NULL OR claim_id NOT IN ({t_in}))
                ORDER BY depth, path LIMIT %s) AS f
        """  # names from the models; values are parameters
        values: list[Any] = [
            *(debate.pk, True, *u_values, limit, debate.pk, True, *u_values, limit),
            *(debate.pk, True, *u_values, *r_values, *t_values, limit),
        ]
        if unseen:
            # Published claims whose every standing pro and con is one the reader does not
            # see: unanswered to them, not to the stored rows.
            kinds += f"""
                UNION ALL
                SELECT p.claim_id, p.depth, p.path, {_ALL_SEEN_ANSWERED} FROM {PLACES} p
                JOIN {_CLAIMS} c ON c.id = p.claim_id
                WHERE p.claim_id IN (SELECT r.parent_id FROM {_RELATIONS} r
                        WHERE r.child_id IN ({u_in}) AND r.is_hidden = %s)
                    AND p.claim_id NOT IN ({u_in}) AND p.unanswered = %s AND c.status = %s
                    AND NOT EXISTS (SELECT 1 FROM {_RELATIONS} b WHERE b.parent_id = p.claim_id
                        AND b.is_hidden = %s AND b.child_id NOT IN ({u_in}))
            """  # names from the models; values are parameters
            values += [*u_values, False, *u_values, False, Claim.Status.PUBLISHED]
            values += [False, *u_values]
        if pending:
            p_in, p_values = _in(sorted(pending))
            kinds += f"""
                UNION ALL
                SELECT claim_id, depth, path, {_PENDING} FROM {PLACES}
                WHERE claim_id IN ({p_in})
            """  # names from the models; values are parameters
            values += p_values
        cursor.execute(kinds, values)
        listed = cursor.fetchall()
    by_kind: dict[int, list[tuple[int, str, int]]] = {kind: [] for kind in range(5)}
    for claim_id, depth, path, kind in listed:
        by_kind[kind].append((depth, path, claim_id))
    more_unanswered = by_kind[_ALL_SEEN_ANSWERED]
    answered = sorted(by_kind[_UNANSWERED] + more_unanswered)[:limit]
    totals = (all_u - unseen_u, all_a - unseen_a + len(more_unanswered), all_f - left_f)
    flags: dict[int, list[Any]] = {}
    for index, entries in enumerate((by_kind[_UNSOURCED], answered, by_kind[_FEW_VOTES])):
        for depth, path, claim_id in entries:
            row = flags.setdefault(claim_id, [depth, path, Claim.Status.PUBLISHED, 0, 0, 0])
            row[3 + index] = 1
    for depth, path, claim_id in by_kind[_PENDING]:
        flags[claim_id] = [depth, path, Claim.Status.PENDING, 0, 0, 0]
    ordered = sorted(flags.items(), key=lambda item: (item[1][0], item[1][1]))
    return [(claim_id, status, u, a, f, *totals) for claim_id, (_d, _p, status, u, a, f) in ordered]
