"""Right to left (issue 34): the map drawings mirror themselves when the active language reads
right to left, and stay exactly as they were for a left-to-right reader."""

from __future__ import annotations

import re

from django.utils import translation

from arguments.maps.layout import MapNode, measure, sunburst, tree_boxes
from arguments.maps.svg import BOX_W, SLOT, Links, sunburst_svg, tree_svg

LINKS = Links(claim=lambda i: f"/c/{i}/", more=lambda i: f"/m/{i}/")


def branch() -> MapNode:
    """A thesis with a pro (itself answered by a con) and a con."""
    pro = MapNode(id=2, text="The pro comes first", stance="pro", strength=0.8)
    pro.children.append(MapNode(id=4, text="A con of the pro", stance="con", strength=0.3))
    thesis = MapNode(id=1, text="The thesis", stance=None, strength=0.5)
    thesis.children += [pro, MapNode(id=3, text="The con comes second", stance="con")]
    measure(thesis)
    return thesis


def boxes_x(svg: str) -> dict[str, int]:
    """Each box's left edge by the claim its link opens."""
    found = re.findall(r'<a href="/c/(\d+)/"[^>]*><rect x="(\d+)"', svg)
    return {claim: int(x) for claim, x in found}


def test_a_left_to_right_reader_gets_the_drawing_unchanged() -> None:
    segments = sunburst([branch()], max_depth=3, min_span=0.0)
    boxes = tree_boxes(branch(), max_depth=3, max_boxes=20)
    with translation.override("en"):
        assert sunburst_svg(segments, LINKS, title="Map") == sunburst_svg(
            segments, LINKS, title="Map", mirror=False
        )
        tree = tree_svg(boxes, LINKS, title="Tree")
        assert tree == tree_svg(boxes, LINKS, title="Tree", mirror=False)
    assert "direction=" not in tree


def test_the_tree_runs_right_to_left_in_arabic_with_bars_and_words_at_the_right() -> None:
    boxes = tree_boxes(branch(), max_depth=3, max_boxes=20)
    ltr = tree_svg(boxes, LINKS, title="Tree", mirror=False)
    with translation.override("ar"):
        rtl = tree_svg(boxes, LINKS, title="Tree")
    assert ' direction="rtl"' in rtl
    # The first child (the pro) stands left of the second in a left-to-right drawing, right of
    # it mirrored; the stance bar (the box's first rect) moves to the box's right end.
    assert boxes_x(ltr)["2"] < boxes_x(ltr)["3"]
    assert boxes_x(rtl)["3"] + 166 < boxes_x(rtl)["2"] + 166
    drawn = int(re.search(r'width="(\d+)"', rtl).group(1)) - (SLOT - BOX_W)  # the boxes' reach
    for claim, x in boxes_x(ltr).items():
        assert boxes_x(rtl)[claim] == drawn - x - 6, claim  # the 6px bar, mirrored


def test_the_sunburst_turns_anticlockwise_in_arabic() -> None:
    segments = sunburst([branch()], max_depth=3, min_span=0.0)
    ltr = sunburst_svg(segments, LINKS, title="Map", mirror=False)
    with translation.override("ar"):
        rtl = sunburst_svg(segments, LINKS, title="Map")
    assert ' direction="rtl"' in rtl

    def outer_arc(svg: str, claim: int) -> list[float]:
        """Where the segment's outer arc starts and ends (x0, y0, x1, y1)."""
        number = r"(-?[\d.]+)"
        arc = rf"M{number} {number}A\S+ \S+ 0 \d 1 {number} {number}"
        found = re.search(rf'<a href="/c/{claim}/"[^>]*><path d="{arc}', svg)
        assert found, claim
        return [float(n) for n in found.groups()]

    # Each segment is its mirror image: it starts where the left-to-right one ends, on the
    # other side of the vertical axis, and the first child (the pro) lies left of the top.
    for claim in (2, 3, 4):
        x0, y0, x1, y1 = outer_arc(ltr, claim)
        mx0, my0, mx1, my1 = outer_arc(rtl, claim)
        assert (mx0, my0, mx1, my1) == (-x1, y1, -x0, y0), claim
    assert outer_arc(ltr, 2)[0] == 0 and outer_arc(rtl, 2)[2] == 0
