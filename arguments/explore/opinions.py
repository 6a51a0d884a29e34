"""The opinion page of one reader (issue 33): the stored opinion map (`OpinionMap`, computed
in the background by arguments/tasks/opinions.py with structure/opinion_groups.py) read
through the reader's lens. One query for the stored row; the points are the lens's own.

Privacy, decided here:
- dots carry no name and no id, and are drawn in the order of their groups and positions
  (not of accounts), so nothing on the page ties a dot to a person but the reader's own;
- groups of fewer than `OpinionMap.MIN_GROUP` people are not shown (their members' dots
  are left off the drawing and counted);
- a point the reader may not see, or whose votes guided voting hides from them, is left out
  of every list (counted), as in the crux finder;
- the page itself waits for the reader's first vote when the debate shows votes only after
  voting (`waits_for_vote`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from arguments.models import OpinionMap, Vote

if TYPE_CHECKING:
    from datetime import datetime

    from arguments.reading.lens import Lens

WIDTH, HEIGHT, PAD = 640, 400, 24
SHOWN_POINTS = 5  # per group's defining points
SHOWN_ACROSS = 10  # consensus and divisive points
STANCE_LABELS = {"pro": _("Pro"), "con": _("Con"), "thesis": _("Thesis")}


@dataclass(slots=True)
class Dot:
    x: float
    y: float
    group: int  # the group's index in the stored result (its colour)
    mine: bool = False


@dataclass(frozen=True, slots=True)
class LabelPlace:
    x: float
    y: float


# Beside the reader's ring (radius 9): above it, below it, then to either side, the word
# centred on each (a centred anchor reads the same in a right-to-left page). A group's letter
# is drawn at its centre, often near the reader's own dot: the first place whose box keeps
# clear of every letter and of the drawing's edges wins.
_LABEL_PLACES = ((0, -13), (0, 24), (27, 5), (-27, 5))
_LABEL_HALF_WIDTH, _LABEL_HEIGHT = 14, 13  # "you" at 13px; a letter at 15px is ~10 wide


def _place_mine_label(mine: Dot, groups: list[Group]) -> LabelPlace:
    def clear(x: float, y: float) -> bool:
        left, right, top = x - _LABEL_HALF_WIDTH, x + _LABEL_HALF_WIDTH, y - _LABEL_HEIGHT
        inside = left >= 0 and top >= 0 and right <= WIDTH and y <= HEIGHT
        return inside and all(
            right < g.x - 6 or left > g.x + 6 or y < g.y - 14 or top > g.y + 2 for g in groups
        )

    places = [LabelPlace(round(mine.x + dx, 1), round(mine.y + dy, 1)) for dx, dy in _LABEL_PLACES]
    return next((place for place in places if clear(place.x, place.y)), places[0])


@dataclass(slots=True)
class Point:
    """A point named by the map, as the reader sees it."""

    claim_id: int
    text: str
    kind: str  # pro, con or thesis
    url: str
    votes: int
    is_thesis_point: bool
    means: list[tuple[str, float | None]] = field(default_factory=list)  # (group, mean)
    mean: float | None = None  # the group's, for a defining point
    rest: float | None = None  # everyone else's, for a defining point

    @property
    def kind_label(self) -> str:
        return str(STANCE_LABELS[self.kind])

    @property
    def scale(self) -> dict[int, str]:
        labels = Vote.THESIS_VALUE_LABELS if self.is_thesis_point else Vote.VALUE_LABELS
        return {value: str(label) for value, label in labels.items()}

    @property
    def higher(self) -> bool:
        return (self.mean or 0) > (self.rest or 0)


@dataclass(slots=True)
class Group:
    index: int
    label: str
    size: int
    share: int  # % of the people placed
    x: float  # its centre on the drawing
    y: float
    where: str  # the centre in words ("upper left")
    defining: list[Point]
    page_url: str
    map_url: str
    mine: bool = False


@dataclass(slots=True)
class OpinionPage:
    computed_at: datetime | None
    pending: bool  # a computation waits on the queue
    stale: bool  # computed before the latest votes
    voters: int = 0  # placed on the map
    left_out: int = 0  # too few votes to place
    in_small_groups: int = 0  # placed, in groups too small to show
    points: int = 0
    dots: list[Dot] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    consensus: list[Point] = field(default_factory=list)
    divisive: list[Point] = field(default_factory=list)
    # Points named by the map that this reader may not see (or whose votes they may not yet).
    withheld_ids: set[int] = field(default_factory=set)
    mine: Dot | None = None
    mine_label: LabelPlace | None = None  # where "you" is written beside the reader's dot
    min_votes: int = OpinionMap.MIN_VOTES
    min_group: int = OpinionMap.MIN_GROUP
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def computed(self) -> bool:
        return self.computed_at is not None

    @property
    def withheld(self) -> int:
        return len(self.withheld_ids)

    @property
    def my_group(self) -> Group | None:
        return next((group for group in self.groups if group.mine), None)


def waits_for_vote(lens: Lens) -> bool:
    """Guided voting: the opinion map, made of everyone's votes, waits for the reader's
    first vote in the debate (a query, only in a debate with guided voting)."""
    return lens.debate.hide_votes_until_voted and not lens.own_votes


def stored_map(debate_id: int) -> OpinionMap | None:
    return OpinionMap.objects.filter(debate_id=debate_id).first()


def _where(x: float, y: float) -> str:
    """A position on the drawing in words, for the text alternative."""
    third_x, third_y = WIDTH / 3, HEIGHT / 3
    across = "left" if x < third_x else "right" if x > 2 * third_x else ""
    down = "upper" if y < third_y else "lower" if y > 2 * third_y else ""
    return f"{down} {across}".strip() or "centre"


def _scale(values: list[float], size: int) -> tuple[float, float]:
    """(factor, offset) putting values in [PAD, size - PAD], 0 at the middle."""
    reach = max((abs(v) for v in values), default=0.0) or 1.0
    return (size / 2 - PAD) / reach, size / 2


def _point(lens: Lens, row: list[Any]) -> Point | None:
    point, claim_id, votes = row[0], row[1], row[2]
    if not lens.sees(claim_id) or lens.hides_votes(point):
        return None
    structure = lens.structure
    edge = structure.original.get(claim_id)
    return Point(
        claim_id=claim_id,
        text=structure.nodes[claim_id].text,
        kind=edge.stance if edge is not None else "thesis",
        url=lens.claim_urls(claim_id).focus,
        votes=votes,
        is_thesis_point=point.startswith("c"),
    )


def opinion_page(lens: Lens, stored: OpinionMap | None) -> OpinionPage:
    """The reader's opinion page from the stored map (None: never computed)."""
    debate = lens.debate
    if stored is None or stored.computed_at is None:
        return OpinionPage(
            computed_at=None,
            pending=stored is not None and stored.wanted_at is not None,
            stale=True,
        )
    result = stored.result
    page = OpinionPage(
        computed_at=stored.computed_at,
        pending=stored.wanted_at is not None,
        stale=(stored.computed_from or 0) < debate.tally_version,
        voters=result.get("voters", 0),
        left_out=result.get("left_out", 0),
        points=result.get("points", 0),
    )
    stored_groups = result.get("groups", [])
    shown = [g for g, group in enumerate(stored_groups) if group["size"] >= OpinionMap.MIN_GROUP]
    raw_dots = result.get("dots", [])
    kx, ox = _scale([d[1] for d in raw_dots], WIDTH)
    ky, oy = _scale([d[2] for d in raw_dots], HEIGHT)
    placed: dict[int, list[Dot]] = {}
    for user_id, x, y, group in raw_dots:
        # y grows downwards on the drawing: the second component's positive side is up.
        dot = Dot(round(ox + kx * x, 1), round(oy - ky * y, 1), group, user_id == lens.user_id)
        if dot.mine:
            page.mine = dot
        placed.setdefault(group, []).append(dot)
    page.in_small_groups = sum(len(placed.get(g, [])) for g in range(len(stored_groups))) - sum(
        len(placed.get(g, [])) for g in shown
    )
    shown_total = sum(stored_groups[g]["size"] for g in shown) or 1
    for g in shown:
        dots = placed.get(g, [])
        page.dots += sorted(dots, key=lambda d: (d.x, d.y))
        cx = sum(d.x for d in dots) / len(dots)
        cy = sum(d.y for d in dots) / len(dots)
        defining: list[Point] = []
        for row in stored_groups[g]["defining"]:
            found = _point(lens, row)
            if found is None:
                page.withheld_ids.add(row[1])
                continue
            if len(defining) < SHOWN_POINTS:
                found.mean, found.rest = row[3], row[4]
                defining.append(found)
        key = f"opinion:{g}"
        page.groups.append(
            Group(
                index=g,
                label=stored_groups[g]["label"],
                size=stored_groups[g]["size"],
                share=round(100 * stored_groups[g]["size"] / shown_total),
                x=round(cx, 1),
                y=round(cy, 1),
                where=_where(cx, cy),
                defining=defining,
                page_url=lens.urls.page_as(key),
                map_url=lens.urls.map_as(key),
                mine=page.mine is not None and page.mine.group == g,
            )
        )
    if page.mine is not None:
        page.mine_label = _place_mine_label(page.mine, page.groups)
    labels = [stored_groups[g]["label"] for g in result.get("shown", [])]
    for name in ("consensus", "divisive"):
        listed: list[Point] = getattr(page, name)
        for row in result.get(name, []):
            found = _point(lens, row)
            if found is None:
                page.withheld_ids.add(row[1])
                continue
            if len(listed) < SHOWN_ACROSS:
                found.means = list(zip(labels, row[3], strict=True))
                listed.append(found)
    return page
