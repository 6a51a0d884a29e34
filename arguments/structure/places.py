"""Some claims of a debate read with their ways up to their thesis, and nothing else: what the
visibility rule needs (it runs along a claim's way up) to decide who sees them, for a page
that lists a few claims picked by their stored rows (the cruxes) on a worker that holds
nothing of the debate (issue 35).

One recursive query, whatever the debate's size: the claims a condition on their row and
their point's tally picks, then the claims above them through standing original relations.
Each row is a `Place`: the claim's state as the rules read it, where it was written, and its
point's tally (a thesis's own, any other claim's original relation's). The cards of the
claims finally shown are read afterwards, as a slice (first_screen.py, `cards`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import connections

from arguments import replicas
from arguments.models import Claim, Relation, Tally, tally_of

if TYPE_CHECKING:
    from collections.abc import Sequence

# More rows than this (the picked claims and their ways up) and the caller loads the debate
# whole instead: a condition that picks most of a big debate costs a whole load anyway.
PLACES_MAX = 5_000

_CLAIMS = Claim._meta.db_table
_RELATIONS = Relation._meta.db_table
_CLAIM_TALLY = ", ".join(f"c.{name}" for name in Claim.TALLY_FIELDS)
_RELATION_TALLY = ", ".join(f"r.{name}" for name in Relation.TALLY_FIELDS)
# The point's tally of a claim `c` with its original relation `r` (none for a thesis).
POINT_TALLY = tuple(f"COALESCE(r.{name}, c.{name})" for name in Claim.TALLY_FIELDS)
# Both ends of this join name a claim's standing original relation, if it has one.
_ORIGINAL = f"LEFT JOIN {_RELATIONS} r ON r.child_id = c.id AND r.is_link = %s AND r.is_hidden = %s"


@dataclass(slots=True)
class Place:
    """A claim as the visibility rule reads it (`permissions.ClaimState`), where it was
    written, and its point's tally."""

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


def places_up(
    debate_id: int, *, where: str, params: Sequence[bool | int | str]
) -> dict[int, Place] | None:
    """The claims of the debate that `where` picks (SQL over the claim `c` and its original
    relation `r`, none for a thesis: `POINT_TALLY` names its point's tally), and every claim
    on their ways up, by id; None when they are more than `PLACES_MAX`."""
    sql = f"""
        WITH RECURSIVE up(id) AS (
            SELECT c.id FROM {_CLAIMS} c {_ORIGINAL}
            WHERE c.debate_id = %s AND ({where})
            UNION
            SELECT r.parent_id FROM {_RELATIONS} r JOIN up ON r.child_id = up.id
            WHERE r.is_link = %s AND r.is_hidden = %s
        )
        SELECT c.id, c.status, c.is_thesis, c.author_id, c.merged_into_id, r.id, r.parent_id,
            {_CLAIM_TALLY}, {_RELATION_TALLY}
        FROM up JOIN {_CLAIMS} c ON c.id = up.id {_ORIGINAL}
        LIMIT %s
    """  # names from the models; values are parameters
    values: list[bool | int | str] = [
        False,
        False,
        debate_id,
        *params,
        False,
        False,
        False,
        False,
        PLACES_MAX + 1,
    ]
    with connections[replicas.reads_from()].cursor() as cursor:
        cursor.execute(sql, values)
        rows = cursor.fetchall()
    if len(rows) > PLACES_MAX:
        return None
    places: dict[int, Place] = {}
    for pk, status, is_thesis, author_id, merged, relation, parent, *tallies in rows:
        tally = tallies[5:] if relation is not None else tallies[:5]
        places[pk] = Place(
            pk, status, bool(is_thesis), author_id, merged, relation, parent, tally_of(tally)
        )
    return places


def path(places: dict[int, Place], claim_id: int) -> list[Place]:
    """The claims from a thesis down to `claim_id` (as `DebateStructure.path_to` walks)."""
    found: list[Place] = []
    current: int | None = claim_id
    seen: set[int] = set()
    while current is not None and current not in seen and current in places:
        seen.add(current)
        place = places[current]
        found.append(place)
        current = place.parent
    found.reverse()
    return found
