"""The crux finder: the points of a debate where the room is most divided.

Every claim is voted on at one point: a thesis for how true it is, any other claim for its
impact in the place it was written (its original relation). A point's votes take the values
0-4, so its tally is a histogram of five buckets, and how split the room is can be read from
the histogram alone, with no query.

**Polarization** is the variance of the votes divided by the largest variance a 0-4 scale
allows (4: half the votes at 0, half at 4). It is 0 when everyone agrees, 1 when the room
splits evenly between the two ends, 0.75 when it splits three to one between them, 0.5 for
votes spread evenly over all five values, and small for votes bunched in the middle. With
votes only at the ends it is exactly 4p(1-p), p being the share at one end: the "share of
votes at both ends" made continuous, and it still counts a 1-versus-3 split as less divided
than a 0-versus-4 one. We chose it over a bimodality coefficient because that needs skew and
kurtosis, which are unstable on the handfuls of votes a point gets, and over the plain share
at the ends because it ignores how far apart the middle votes are.

A point is a **crux** when at least `MIN_VOTES` people voted on it (fewer say little about a
room) and its polarization is at least `POLARIZATION_FLOOR` (a standard deviation of one step
of the scale: below that, people roughly agree). Cruxes rank by polarization, then by votes.

**Between groups** (an option, `?by=groups`): the points ranked instead by how far apart the
debate's opinion groups vote on them (the highest group's mean minus the lowest's, issue 33),
read from the stored opinion map (`OpinionMap.result["split"]`, one query): a point can split
the room evenly inside every group and not between them, or the reverse.

**Between two perspectives** (`?by=perspectives&a=group:1&b=group:2`, for whoever may see
how groups voted: two teams made perspectives from the teams overview): the points ranked by
how far apart the two perspectives' average votes are (two grouped queries).

Everything goes through the reader's lens: only claims they see, and never a point whose
votes are hidden from them (guided voting shows a point's votes only once one voted on it).

**On a worker that holds nothing of the debate** (issue 35) the split points are not found by
loading it: the points' tallies are stored on their rows, so one scan of its relations picks
the points that may be cruxes (`_loose_split`: integer arithmetic, looser than the floor),
the same `polarization()` decides in Python (the same floats, so the same order and ties as
the whole structure's), who sees them comes from the few claims beneath unpublished ones
(structure/places.py), and only the cards shown are read (a slice: `Lens.read_cards`). A
stored tally is written with its vote and stamped `tallied_in`, so what the process keeps is
caught up from the points voted on since; the cards' strengths are the stored ones, read
only when current (else the whole load, as the focus page does).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from arguments.explore.opinions import stored_map
from arguments.models import Claim
from arguments.reading.perspectives import tallies
from arguments.structure import places
from arguments.structure.snapshot import snapshot

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from arguments.reading.lens import Lens
    from arguments.reading.perspectives import Viewpoint
    from arguments.reading.tree import TreeItem
    from arguments.structure.graph import DebateStructure

MIN_VOTES = 5
POLARIZATION_FLOOR = 0.25  # variance 1 of a largest 4: one step of the scale apart, on average
MAX_VARIANCE = 4.0  # half the votes at 0, half at 4
GROUPS_APART_FLOOR = 1.0  # between groups: one step of the scale between their means


def polarization(tally: Sequence[int]) -> float:
    """How split a point's votes are, from 0 (all agree) to 1 (half at each end)."""
    votes = sum(tally)
    if not votes:
        return 0.0
    mean = sum(value * count for value, count in enumerate(tally)) / votes
    variance = sum(count * (value - mean) ** 2 for value, count in enumerate(tally)) / votes
    return variance / MAX_VARIANCE


@dataclass(slots=True)
class Crux:
    """A claim where the room is split: the claim as the reader sees it (with its vote
    distribution), and how split."""

    item: TreeItem
    polarization: float
    groups_apart: float | None = None  # between-group ranking: the groups' means' spread

    @property
    def percent(self) -> int:
        return round(self.polarization * 100)

    @property
    def bars(self) -> list[tuple[int, str, int, int]]:
        """(value, label, count, height in % of the tallest) for a small histogram."""
        distribution = self.item.distribution
        tallest = max(count for _value, _label, count in distribution) or 1
        return [
            (value, label, count, round(100 * count / tallest))
            for value, label, count in distribution
        ]


@dataclass(slots=True)
class Cruxes:
    shown: list[Crux]
    total: int  # cruxes the reader may see, shown or not
    offset: int = 0  # cruxes ranked before the first shown (those of earlier pages)

    @property
    def more(self) -> int:
        """Cruxes ranked after those shown (less divided)."""
        return self.total - self.offset - len(self.shown)


def _split_points(structure: DebateStructure) -> list[tuple[float, int, int, str]]:
    """(polarization, votes, claim id, point) of every published claim of the debate that is
    a crux for whoever sees it, most divided first. The same for every reader, so computed
    once per structure and tally version and kept with the structure."""
    memo = structure.__dict__.setdefault("_cruxes", {})
    found = memo.get(structure.tally_version)
    if found is not None:
        return found
    nodes, original = structure.nodes, structure.original
    found = []
    for claim_id, node in nodes.items():
        if node.status != Claim.Status.PUBLISHED or node.merged_into_id:
            continue
        edge = original.get(claim_id)
        if edge is None and not node.is_thesis:
            continue  # no place in the tree
        tally = edge.tally if edge is not None else node.tally
        votes = sum(tally)
        if votes < MIN_VOTES:
            continue
        split = polarization(tally)
        if split >= POLARIZATION_FLOOR:
            point = f"r{edge.id}" if edge is not None else f"c{claim_id}"
            found.append((split, votes, claim_id, point))
    found.sort(key=lambda row: (-row[0], -row[1], row[2]))
    memo.clear()  # an older tally version's
    memo[structure.tally_version] = found
    return found


def _loose_split(tally: Sequence[str]) -> str:
    """SQL: a published point with at least `MIN_VOTES` votes that may be a crux, in integers
    on its stored tally (n votes, s their sum, q the sum of their squares): n·q - s² is n²
    times the variance, at least 1 at the floor (4 · 0.25); three quarters of that lets no
    float rounding of `polarization()` miss one, which decides in Python."""
    n = " + ".join(tally)
    s = " + ".join(f"{value} * {column}" for value, column in enumerate(tally))
    q = " + ".join(f"{value * value} * {column}" for value, column in enumerate(tally))
    big_n = f"CAST(({n}) AS BIGINT)"
    return (
        f"c.status = %s AND c.merged_into_id IS NULL AND ({n}) >= %s "
        f"AND 4 * ({big_n} * ({q}) - CAST(({s}) AS BIGINT) * ({s})) >= 3 * {big_n} * ({n})"
    )


def _stored_split_points(lens: Lens) -> list[tuple[float, int, int, str]] | None:
    """`_split_points` read from the stored tallies (kept in this process for the debate's
    versions); None when they are too many to read so (the caller loads the debate)."""
    params: list[object] = [Claim.Status.PUBLISHED, MIN_VOTES]
    return places.points_where(lens.debate, "cruxes", _loose_split, params, _split_among)


def _split_among(picked: list[places.Place]) -> list[tuple[float, int, int, str]]:
    """`_split_points` of the points picked in SQL (the same rules and floats)."""
    found = []
    for place in picked:
        if place.status != Claim.Status.PUBLISHED or place.merged_into_id:
            continue
        votes = sum(place.tally)
        if votes < MIN_VOTES:
            continue
        split = polarization(place.tally)
        if split >= POLARIZATION_FLOOR:
            found.append((split, votes, place.id, place.point))
    found.sort(key=lambda row: (-row[0], -row[1], row[2]))
    return found


def cruxes_of(lens: Lens, *, limit: int, offset: int = 0, between_groups: bool = False) -> Cruxes:
    """The reader's cruxes of the debate, most divided first, `limit` of them after the
    first `offset` (a page): the debate's split points that the reader sees and whose votes
    they may see (`between_groups`: those that divide the opinion groups most). Only the
    cards shown are built and read."""
    if between_groups:
        return _between_groups(lens, limit=limit, offset=offset)

    def rank(sees: Callable[[int], bool]) -> list[tuple[float, int]] | None:
        split_points = _stored_split_points(lens)
        return None if split_points is None else _seen(lens, split_points, sees)

    found = _from_slices(lens, rank, limit=limit, offset=offset)
    if found is not None:
        return found
    seen = _seen(lens, _split_points(lens.structure), lens.sees)
    return _cards(lens, seen, limit=limit, offset=offset)


def _from_slices(
    lens: Lens,
    rank: Callable[[Callable[[int], bool]], list[tuple[float, int]] | None],
    *,
    limit: int,
    offset: int = 0,
    apart: bool = False,
) -> Cruxes | None:
    """The cruxes `rank` finds (given whether the reader sees a claim) read without loading
    the debate, points, seeing and cards from one snapshot; None when the lens does not read
    slices or a read is too big: the caller loads the debate, outside the snapshot (a whole
    load may store strengths, and the snapshot is read-only)."""
    if not lens.reads_slices:
        return None
    places.ready(lens.debate)  # a write, outside the read-only snapshot
    with snapshot():
        sees = _seeing(lens)
        ranked = rank(sees) if sees is not None else None
        page = ranked[offset : offset + limit] if ranked is not None else []
        if ranked is None or not lens.read_cards([claim_id for _s, claim_id in page]):
            return None
        return _cards(lens, ranked, limit=limit, offset=offset, apart=apart)


def _seen(
    lens: Lens, split_points: list[tuple[float, int, int, str]], sees: Callable[[int], bool]
) -> list[tuple[float, int]]:
    return [
        (split, claim_id)
        for split, _votes, claim_id, point in split_points
        if sees(claim_id) and not lens.hides_votes(point)
    ]


def _seeing(lens: Lens) -> Callable[[int], bool] | None:
    """Whether the reader sees a claim where it stands, from the claims beneath unpublished
    ones (structure/places.py), for a lens that reads slices; None when those are too many
    (the caller loads the debate and asks the lens)."""
    under = places.unpublished_under(lens.debate)
    if under is None:
        return None
    unseen = places.unseen_by(under, user_id=lens.user_id, moderates=lens.moderates)
    return lambda claim_id: claim_id not in unseen


def _cards(
    lens: Lens,
    ranked: list[tuple[float, int]],
    *,
    limit: int,
    offset: int = 0,
    apart: bool = False,
) -> Cruxes:
    """Cruxes of `limit` of `ranked` (how split or, `apart`, how far apart the groups are;
    claim) after the first `offset`, as cards."""
    shown = []
    for score, claim_id in ranked[offset : offset + limit]:
        item = lens.focus(claim_id, levels=0)
        if apart:
            crux = Crux(item=item, polarization=polarization(item.tally), groups_apart=score)
        else:
            crux = Crux(item=item, polarization=score)
        shown.append(crux)
    return Cruxes(shown=shown, total=len(ranked), offset=offset)


def _between_groups(lens: Lens, *, limit: int, offset: int) -> Cruxes:
    stored = stored_map(lens.debate.pk)
    rows = stored.result.get("split", []) if stored is not None else []
    found = _from_slices(
        lens, lambda sees: _far_apart(lens, rows, sees), limit=limit, offset=offset, apart=True
    )
    if found is not None:
        return found
    far = _far_apart(lens, rows, lens.sees)
    return _cards(lens, far, limit=limit, offset=offset, apart=True)


def _far_apart(
    lens: Lens, rows: list[list[Any]], sees: Callable[[int], bool]
) -> list[tuple[float, int]]:
    """(how far apart, claim) of the opinion map's rows (point, claim, votes, how far apart
    the groups are) far enough apart, that the reader sees and whose votes they may see."""
    return [
        (apart, claim_id)
        for point, claim_id, _votes, apart in rows
        if apart >= GROUPS_APART_FLOOR and sees(claim_id) and not lens.hides_votes(point)
    ]


def _mean(tally: Sequence[int]) -> float | None:
    votes = sum(tally)
    return sum(value * count for value, count in enumerate(tally)) / votes if votes else None


def between_perspectives(
    lens: Lens, first: Viewpoint, second: Viewpoint, *, limit: int, offset: int = 0
) -> Cruxes:
    """The points where two perspectives (two teams' groups) vote furthest apart: the
    difference of their average votes, at least `GROUPS_APART_FLOOR`, largest first; only
    points both voted on, that the reader sees and whose votes they may see."""
    ours, theirs = tallies(lens.debate, first), tallies(lens.debate, second)
    apart: dict[str, float] = {}
    for point in ours.keys() & theirs.keys():
        a, b = _mean(ours[point]), _mean(theirs[point])
        if a is not None and b is not None and abs(a - b) >= GROUPS_APART_FLOOR:
            apart[point] = abs(a - b)

    def rank(sees: Callable[[int], bool]) -> list[tuple[float, int]] | None:
        claims = places.claims_of(lens.debate, sorted(apart))
        return None if claims is None else _apart(lens, apart, claims, sees)

    found = _from_slices(lens, rank, limit=limit, offset=offset, apart=True)
    if found is not None:
        return found
    structure = lens.structure
    claims = {f"c{claim_id}": claim_id for claim_id in structure.theses}
    claims.update((f"r{edge.id}", claim_id) for claim_id, edge in structure.original.items())
    found_apart = _apart(lens, apart, claims, lens.sees)
    return _cards(lens, found_apart, limit=limit, offset=offset, apart=True)


def _apart(
    lens: Lens, apart: dict[str, float], claims: dict[str, int], sees: Callable[[int], bool]
) -> list[tuple[float, int]]:
    """(how far apart, claim) of the points far apart that stand in the tree (`claims`: a
    point's claim), that the reader sees and whose votes they may see, largest first."""
    found = [
        (apart[point], claims[point])
        for point in apart
        if point in claims and sees(claims[point]) and not lens.hides_votes(point)
    ]
    found.sort(key=lambda row: (-row[0], row[1]))
    return found
