"""The stored strengths brought up to date after votes by a process that holds nothing of the
debate (issue 35: a 200,000-claim debate in a worker of 250 MB).

Until this, only a process holding the whole debate kept the stored copy current: after a
vote, the next worker holding nothing found the stamp behind and loaded all of the debate
(3 to 6 s and ~270 MB at 200,000 claims) to store it. The catch-up of a held structure
(`changes.catch_up_tallies`, `strengths.rescore`) needs only the voted claims, their
ancestors and the strengths of those ancestors' other pros and cons; the stored copy holds
those strengths, so the same re-scoring runs on rows read for it:

- the voted claims (their points stamped `tallied_in` after the stamp's tally version: the
  theses, and the places where claims were written; a link place's votes feed no strength)
  and every published claim above them over the standing relations between published
  claims, links included (one recursive query);
- each of those claims' base score from its original place's tally (a thesis: its own) and
  the standing relations beneath them with their pros' and cons' stored strengths;
- `scoring.strengths` on that small graph, every other child entering at its stored
  strength: `strengths.rescore`'s rule, so exact on a forest and, through an ancestor, the
  same bounded fixpoint (a cycle through an ancestor lies wholly among the ancestors);
- stored with the stamp moved from the one read to the snapshot's versions
  (`stored_strengths.store_rescored`): a process that stored first wins, the other stores
  nothing and reads the newer copy.

A structural write since the stamp is not caught up here (its claims' rows, relations and
places changed): such a debate is loaded whole as before, or caught up by the writer.
"""

from __future__ import annotations

from django.db import connections

from arguments import replicas
from arguments.models import Claim, Debate, Relation, StoredStrength
from arguments.structure import scoring, stored_strengths
from arguments.structure.graph import PUBLISHED
from arguments.structure.loader import versions_now
from arguments.structure.snapshot import snapshot

_CLAIMS = Claim._meta.db_table
_RELATIONS = Relation._meta.db_table
_STRENGTHS = StoredStrength._meta.db_table
_TALLY = ", ".join(f"{{t}}.{field}" for field in Relation.TALLY_FIELDS)

# The voted claims whose strength can move, and every published claim above them over the
# relations strength runs on. UNION (not ALL): a claim reached twice is walked once, and a
# cycle through links ends.
AFFECTED_SQL = f"""
    WITH RECURSIVE up(id) AS (
        SELECT c.id FROM {_CLAIMS} c
        WHERE c.status = %(published)s AND c.id IN (
            SELECT child_id FROM {_RELATIONS}
            WHERE debate_id = %(debate)s AND tallied_in > %(since)s
                AND NOT is_link AND NOT is_hidden
            UNION ALL
            SELECT id FROM {_CLAIMS}
            WHERE debate_id = %(debate)s AND tallied_in > %(since)s AND is_thesis
        )
        UNION
        SELECT r.parent_id FROM {_RELATIONS} r
        JOIN up ON r.child_id = up.id
        JOIN {_CLAIMS} p ON p.id = r.parent_id
        WHERE NOT r.is_hidden AND p.status = %(published)s
    )
    SELECT id FROM up
"""  # names from the models; values are parameters

# Each claim's base score's tally: its original place's (the standing relation where it was
# written), else its own (a thesis's truth votes), as `strengths.base_of` reads the structure.
_BASES_SQL = f"""
    SELECT c.id, {_TALLY.format(t="c")}, {_TALLY.format(t="r")}
    FROM {_CLAIMS} c
    LEFT JOIN {_RELATIONS} r ON r.child_id = c.id AND NOT r.is_link AND NOT r.is_hidden
    WHERE c.id IN ({{ids}})
    ORDER BY c.id, r.position, r.id
"""

# The standing relations beneath those claims to published claims, with the children's
# stored strengths.
_BENEATH_SQL = f"""
    SELECT r.parent_id, r.child_id, r.stance, s.strength
    FROM {_RELATIONS} r
    JOIN {_CLAIMS} ch ON ch.id = r.child_id
    LEFT JOIN {_STRENGTHS} s ON s.claim_id = r.child_id
    WHERE r.parent_id IN ({{ids}}) AND NOT r.is_hidden AND ch.status = %s
    ORDER BY r.parent_id, r.position, r.id
"""


def _base(tally: tuple[int, ...]) -> float:
    v0, v1, v2, v3, v4 = tally
    votes = v0 + v1 + v2 + v3 + v4
    # `strengths.base_of`'s arithmetic, to the last bit.
    return (v1 + 2 * v2 + 3 * v3 + 4 * v4) / (4 * votes) if votes else scoring.DEFAULT_BASE


# Stores lost to another process before this one gives up (and its caller loads whole): two
# workers catching up the same votes at once, one from an older row, is the usual race.
ATTEMPTS = 3


def after_votes(debate: Debate) -> bool:
    """Whether the stored strengths are current for `debate` as its row was read, after
    bringing them up to date with the votes cast since their stamp when only votes came
    since (see the module's text). False when a write came since, or the copy is missing."""
    if stored_strengths.current(debate):
        return True
    stamp = stored_strengths.stamp_of(debate)
    if stamp is None or stamp[0] != debate.structure_version:
        return False
    if stamp[1] > debate.tally_version:
        return True  # stored by a process that read newer votes: as current as the row
    for _attempt in range(ATTEMPTS):
        with snapshot():
            now = versions_now(debate)
            seen = stored_strengths.stamp_of(now)
            if seen is None or seen[0] != debate.structure_version:
                return False
            if seen[1] >= debate.tally_version:
                return True  # stored meanwhile by another process
            if now.structure_version != seen[0]:
                return False  # a write since: not votes alone
            changes = _rescored(debate.pk, since=seen[1])
        if changes is None:
            return False
        target = (now.structure_version, now.tally_version)
        if stored_strengths.store_rescored(debate.pk, since=seen, now=target, changes=changes):
            return True
        # Another process stored first, maybe from an older row than this one: again from
        # where it left the stamp.
    return False


def _rescored(debate_id: int, *, since: int) -> list[tuple[int, float | None]] | None:
    """The new strengths of the claims voted on after tally version `since` and of every
    claim above them (three queries in the caller's snapshot); None when a stored strength
    the re-scoring needs is missing (a copy that cannot be caught up)."""
    with connections[replicas.reads_from()].cursor() as cursor:
        cursor.execute(AFFECTED_SQL, {"published": PUBLISHED, "debate": debate_id, "since": since})
        affected = sorted(row[0] for row in cursor.fetchall())
        if not affected:
            return []
        ids = ", ".join(["%s"] * len(affected))
        cursor.execute(_BASES_SQL.format(ids=ids), affected)
        base: dict[int, float] = {}
        # Two standing original places (never made so, but not refused by a constraint): the
        # last in sibling order, as `graph.edge_indexes` keeps it.
        for claim_id, *tallies in cursor.fetchall():
            own, placed = tuple(tallies[:5]), tuple(tallies[5:])
            base[claim_id] = _base(own if placed[0] is None else placed)
        cursor.execute(_BENEATH_SQL.format(ids=ids), [*affected, PUBLISHED])
        beneath = cursor.fetchall()
    fresh = scored(base, beneath)
    return None if fresh is None else [(claim_id, fresh[claim_id]) for claim_id in affected]


def scored(
    base: dict[int, float], beneath: list[tuple[int, int, str, float | None]]
) -> dict[int, float] | None:
    """The strengths of the claims re-scored (`base`: their base scores) from the standing
    relations beneath them (`_BENEATH_SQL`'s rows): `strengths.rescore`'s rule on rows. None
    when a child settled below the change has no stored strength."""
    edges: list[scoring.Edge] = []
    sub_base = dict(base)
    for parent, child, stance, stored in beneath:
        edges.append((parent, child, stance))
        if child not in base:
            if stored is None:
                return None
            # Settled below the change: enters as a leaf whose base is its strength.
            sub_base[child] = stored
    return scoring.strengths(sub_base, edges)
