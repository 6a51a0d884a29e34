"""Maps as server-rendered SVG: no script is needed to see one, and every claim is a link.

Pro and con differ in colour and in a second channel that needs no colour vision: a con is
hatched, a pro is plain (and the tree drawing ends a support with an arrow, an attack with a
bar). Strength (DF-QuAD) is the fill's opacity: a strong claim is vivid, a weak one pale. A
linked claim has a dashed outline; a pending or hidden one (shown only to those who may see
it) a dotted one. Each claim has a `<title>` with its stance and full text, for pointers and
screen readers. Every text is escaped here: this module builds markup by hand.

Right to left (an Arabic or Hebrew interface), a drawing is mirrored: the sunburst's
children run anticlockwise from the top, the tree's from right to left, a box's stance bar
and words sit at its right end, and the SVG says `direction="rtl"`.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from django.contrib.staticfiles import finders
from django.utils.html import escape
from django.utils.translation import get_language_bidi, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from arguments import caches
from arguments.maps.layout import Box, MapNode, Segment

CENTRE = 80  # radius of the disc the theses share (wide enough for the thesis's words)
RING = 60  # width of each further ring (two lines of a label)
LABEL_PX = 11  # a label's font size; its characters average about 0.56 of it
CHAR_W = LABEL_PX * 0.56
LINE_H = 13
MIN_CHARS = 8  # fewer would show a sign and an ellipsis, not words
BOX_W, BOX_H = 172, 66  # a claim's box on the tree drawing
SLOT, LEVEL = 188, 104  # its column and row pitch
LINE_CHARS = 26  # characters per line of a box

# The map's rules live in static/css/map.css: linked by the pages, copied into a downloaded
# file (so it looks the same wherever it is opened).
STYLE_FILE = "css/map.css"


@cache
def _style() -> str:
    path = finders.find(STYLE_FILE)
    return Path(path).read_text() if path else ""


caches.register(
    "map style",
    kept=caches.Kept.PROCESS,
    key="none: the one file, static/css/map.css, read once",
    stale="the file changes, which only a deploy does (and restarts the process)",
    forget=_style.cache_clear,
    holds=_style,
)


DEFS = (
    "<defs>"
    '<pattern id="map-con" width="6" height="6" patternUnits="userSpaceOnUse"'
    ' patternTransform="rotate(45)">'
    '<rect width="6" height="6" fill="var(--map-con)"/>'
    '<line x1="0" y1="0" x2="0" y2="6" stroke="var(--map-line)" stroke-width="2"'
    ' stroke-opacity=".55"/></pattern>'
    '<marker id="map-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7"'
    ' markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z"'
    ' fill="context-stroke"/></marker>'
    '<marker id="map-bar" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8"'
    ' markerHeight="8" orient="auto"><path d="M8 0V10" stroke="context-stroke"'
    ' stroke-width="3"/></marker>'
    "</defs>"
)


@dataclass(frozen=True)
class Links:
    """Where a map's claims lead: `claim(id)` the claim's focus, `more(parent_id)` a
    folded branch drilled into (the parent's own map). With `htmx`, each link also loads
    its page into the current one (the container says where)."""

    claim: Callable[[int], str]
    more: Callable[[int], str]
    htmx: bool = True
    target: str = ""  # "_self" inside an embed, whose links otherwise open a new tab


def _kind(node: MapNode) -> str:
    kind = node.stance or "thesis"
    if node.is_link:
        kind += " link"
    if node.status != "published":
        kind += f" {node.status}"
    return kind


# What the map calls a claim's stance and a claim not published, in the reader's language.
STANCE_NAMES = {"pro": gettext_lazy("Pro"), "con": gettext_lazy("Con")}
THESIS_NAME = gettext_lazy("Thesis")
STATUS_NAMES = {
    "pending": gettext_lazy("pending"),
    "hidden": gettext_lazy("hidden"),
    "deleted": gettext_lazy("deleted"),
}


def _stance_name(node: MapNode) -> str:
    return str(STANCE_NAMES.get(node.stance or "", THESIS_NAME))


def _status_name(node: MapNode) -> str:
    return str(STATUS_NAMES.get(node.status, node.status))


def _label(node: MapNode) -> str:
    head = _stance_name(node)
    if node.is_link:
        head = _("%(stance)s (linked)") % {"stance": head}
    if node.status != "published":
        head = f"{head} ({_status_name(node)})"
    if node.strength is not None:
        if node.rated:
            head = _("%(stance)s, strength %(percent)s%%") % {
                "stance": head,
                "percent": round(node.strength * 100),
            }
        else:
            head = _("%(stance)s, not yet rated") % {"stance": head}
    return _("%(stance)s: %(claim)s") % {"stance": head, "claim": node.text}


def label_of(segment: Segment) -> str:
    """What a segment says to a reader: the claim's label, or how many claims it folds."""
    if segment.node is not None:
        return _label(segment.node)
    return ngettext("%(count)s more claim here", "%(count)s more claims here", segment.folded) % {
        "count": segment.folded
    }


def _opacity(node: MapNode) -> str:
    # Strength as opacity: .35 for a claim with none left, 1 at full strength.
    if node.strength is None:
        return ".6"
    return f"{0.35 + 0.65 * node.strength:.2f}"


def _facts(node: MapNode | None) -> dict[str, str]:
    """What the map's side panel shows of a claim (static/js/map.js reads these)."""
    if node is None:
        return {}
    stance = _stance_name(node)
    if node.is_link:
        stance = _("%(stance)s (linked here)") % {"stance": stance}
    if node.status != "published":
        stance = f"{stance} ({_status_name(node)})"
    if node.strength is None:
        strength = _("Strength hidden")
    elif not node.rated:
        strength = _("Not yet rated")
    else:
        strength = _("Strength %(percent)s%%") % {"percent": round(node.strength * 100)}
    return {"stance": stance, "strength": strength, "text": node.text}


def _anchor(
    url: str, links: Links, css: str, label: str, body: str, node: MapNode | None = None
) -> str:
    url = escape(url)
    hx = f' hx-get="{url}"' if links.htmx else ""
    if links.target:
        hx += f' target="{links.target}"'
    data = "".join(f' data-{key}="{escape(value)}"' for key, value in _facts(node).items())
    return (
        f'<a href="{url}"{hx} class="{css}" aria-label="{escape(label)}"{data}>'
        f"{body}<title>{escape(label)}</title></a>"
    )


def _point(radius: float, turn: float) -> tuple[float, float]:
    angle = 2 * math.pi * turn
    return radius * math.sin(angle), -radius * math.cos(angle)


def _sector(inner: float, outer: float, start: float, end: float) -> str:
    """The path of a ring's segment from `start` to `end` (turns, clockwise from the top)."""
    if end - start >= 0.9999:  # a whole ring (or disc): two half circles each way
        return _circle(outer, 1) + (_circle(inner, 0) if inner else "") + "Z"
    large = 1 if end - start > 0.5 else 0
    x0, y0 = _point(outer, start)
    x1, y1 = _point(outer, end)
    path = f"M{x0:.1f} {y0:.1f}A{outer} {outer} 0 {large} 1 {x1:.1f} {y1:.1f}"
    if inner:
        x2, y2 = _point(inner, end)
        x3, y3 = _point(inner, start)
        path += f"L{x2:.1f} {y2:.1f}A{inner} {inner} 0 {large} 0 {x3:.1f} {y3:.1f}"
    else:
        path += "L0 0"
    return path + "Z"


def _circle(radius: float, sweep: int) -> str:
    """A whole circle as two half arcs (one arc cannot close on itself)."""
    r = f"{radius:g}"
    return f"M0 -{r}A{r} {r} 0 1 {sweep} 0 {r}A{r} {r} 0 1 {sweep} 0 -{r}"


def _radii(depth: int) -> tuple[float, float]:
    if depth == 0:
        return 0, CENTRE
    return CENTRE + (depth - 1) * RING, CENTRE + depth * RING


def _mirrored(mirror: bool | None) -> bool:
    """Whether to draw right to left: as asked, or as the active language reads."""
    return get_language_bidi() if mirror is None else mirror


def _svg(
    size: tuple[float, float],
    view_box: str,
    title: str,
    body: str,
    *,
    standalone: bool,
    defs: bool,
    mirror: bool = False,
) -> str:
    """The outer element. The patterns and markers (`defs`) are needed once per page: ids
    are the document's, so a second copy would repeat them."""
    width, height = size
    head = '<svg xmlns="http://www.w3.org/2000/svg"' if standalone else "<svg"
    style = f"<style>{_style()}</style>" if standalone else ""
    shared = DEFS if defs or standalone else ""
    direction = ' direction="rtl"' if mirror else ""
    return (
        f'{head} class="argmap" viewBox="{view_box}" width="{width:.0f}" height="{height:.0f}"'
        f' role="group" aria-label="{escape(title)}"{direction}>'
        f"<title>{escape(title)}</title>{style}{shared}{body}</svg>"
    )


def sunburst_svg(
    segments: Sequence[Segment],
    links: Links,
    *,
    title: str,
    standalone: bool = False,
    mirror: bool | None = None,
) -> str:
    """The sunburst: theses in the middle, one ring per level. `mirror` (by default, when
    the active language reads right to left): the turns run anticlockwise from the top."""
    mirror = _mirrored(mirror)
    if mirror:
        segments = [replace(s, start=1 - s.end, end=1 - s.start) for s in segments]
    depth = max((s.depth for s in segments), default=0)
    radius = _radii(depth)[1] + 4
    parts: list[str] = []
    words: list[str] = []
    for segment in segments:
        inner, outer = _radii(segment.depth)
        path = _sector(inner, outer, segment.start, segment.end)
        node = segment.node
        if node is None:
            label = label_of(segment)
            body = f'<path d="{path}"/>'
            url = links.more(segment.parent) if segment.parent is not None else ""
            parts.append(_anchor(url, links, "seg more", label, body) if url else body)
            continue
        body = f'<path d="{path}" fill-opacity="{_opacity(node)}"/>'
        label = _segment_label(segment, inner, outer, whole=_alone(segment))
        middle = (inner + outer) / 2
        if not label and node.stance and segment.span * 2 * math.pi * middle > 22:
            # Too small for words, wide enough for the stance's sign (readable without colour).
            x, y = _point(middle, (segment.start + segment.end) / 2)
            sign = "+" if node.stance == "pro" else "\u2212"
            label = (
                f'<text class="mark" x="{x:.1f}" y="{y + 5:.1f}" text-anchor="middle">{sign}</text>'
            )
        if label.startswith('<text class="mark"'):
            body += label
        elif label:
            # The words go beside the link, not in it: a link's name is the claim's whole
            # label, and truncated words inside it would not match that name (WCAG 2.5.3).
            words.append(f'<g class="{_kind(node)}">{label}</g>')
        parts.append(
            _anchor(links.claim(node.id), links, f"seg {_kind(node)}", _label(node), body, node)
        )
    if words:
        parts.append(f'<g class="labels" aria-hidden="true">{"".join(words)}</g>')
    size = 2 * radius
    view_box = f"{-radius:.0f} {-radius:.0f} {size:.0f} {size:.0f}"
    return _svg(
        (size, size),
        view_box,
        title,
        "".join(parts),
        standalone=standalone,
        defs=True,
        mirror=mirror,
    )


def _alone(segment: Segment) -> bool:
    return segment.depth == 0 and segment.end - segment.start >= 0.9999


def _sign(node: MapNode) -> str:
    # The stance in the words too, readable without colour.
    return {"pro": "+ ", "con": "\u2212 "}.get(node.stance or "", "")


def _says_something(line: str) -> bool:
    """Whether a truncated line holds a word, not only a sign and an ellipsis."""
    return len(line.rstrip("\u2026").lstrip("+\u2212 ")) >= 3


def _text_lines(lines: Sequence[tuple[float, float, str]], rotate: float, anchor: str) -> str:
    """`lines` as (x, y, words) in the segment's own frame, turned by `rotate` degrees."""
    spans = "".join(
        f'<tspan x="{x:.1f}" y="{y:.1f}">{escape(words)}</tspan>' for x, y, words in lines
    )
    return (
        f'<text class="label" text-anchor="{anchor}" transform="rotate({rotate:.1f})">'
        f"{spans}</text>"
    )


def _segment_label(segment: Segment, inner: float, outer: float, *, whole: bool) -> str:
    """The claim's words on its segment, as many as fit (truncated with an ellipsis): across
    the ring when the segment is wide, along the radius when it is narrow, in the middle
    for a lone thesis. Nothing on a segment too small for a word or two."""
    node = segment.node
    assert node is not None
    if whole:  # the thesis alone in the centre: up to four lines across the disc
        chars = int(outer * 1.45 / CHAR_W)
        centre = textwrap.wrap(node.text, chars, max_lines=4, placeholder="\u2026")
        top = -(len(centre) - 1) * LINE_H / 2 + LABEL_PX / 3
        return _text_lines([(0, top + i * LINE_H, w) for i, w in enumerate(centre)], 0, "middle")
    middle_turn = (segment.start + segment.end) / 2
    half_angle = math.pi * (segment.end - segment.start)
    middle = (inner + outer) / 2
    degrees = middle_turn * 360
    if half_angle * 2 * middle >= RING:
        # Across the ring (tangential), upright: the lower half turned over.
        lower = 0.25 < middle_turn < 0.75
        rotate = degrees + 180 if lower else degrees
        # The line read first is the higher one on the screen: outer in the upper half,
        # inner in the lower (turned over). Each line is centred on its radius.
        radii = [middle + LINE_H / 2, middle - LINE_H / 2]
        if lower:
            radii.reverse()
        lines: list[tuple[float, float, str]] = []
        words = f"{_sign(node)}{node.text}"
        for index, radius in enumerate(radii):
            reach = math.tan(min(half_angle, 1.2)) * (radius - LABEL_PX) - 4
            reach = min(reach, math.sqrt(max((outer - 2) ** 2 - (radius + LABEL_PX / 2) ** 2, 0)))
            chars = int(2 * reach / CHAR_W)
            if chars < MIN_CHARS or not words:
                break
            if index == len(radii) - 1:  # the last line ends with an ellipsis if words remain
                line = textwrap.wrap(words, chars, max_lines=1, placeholder="\u2026")
            else:
                line = textwrap.wrap(words, chars)
            if not line or not _says_something(line[0]):
                break
            y = (radius if lower else -radius) + LABEL_PX / 3
            lines.append((0, y, line[0]))
            words = " ".join(line[1:])
        if not lines:
            return ""
        return _text_lines(lines, rotate, "middle")
    if half_angle * 2 * middle < LINE_H:
        return ""
    # Along the radius, reading outwards on the right and inwards on the left.
    chars = int((outer - inner - 8) / CHAR_W)
    if chars < MIN_CHARS:
        return ""
    line = textwrap.wrap(f"{_sign(node)}{node.text}", chars, max_lines=1, placeholder="\u2026")
    if not line or not _says_something(line[0]):
        return ""
    right = middle_turn < 0.5
    rotate = degrees - 90 if right else degrees + 90
    x = middle if right else -middle
    return _text_lines([(x, LABEL_PX / 3, line[0])], rotate, "middle")


def _lines(text: str, count: int = 3) -> list[str]:
    lines = textwrap.wrap(text, LINE_CHARS, max_lines=count, placeholder="\u2026")
    return lines or [""]


def tree_svg(
    boxes: Sequence[Box],
    links: Links,
    *,
    title: str,
    focused: int | None = None,
    standalone: bool = False,
    compact: bool = False,
    defs: bool = False,
    mirror: bool | None = None,
) -> str:
    """The tree drawing: a box per claim, an edge to each pro (arrow) and con (bar), links
    dashed, the focused claim outlined. `compact`: one line per box (the path minimap).
    `defs`: when no sunburst on the page brings the patterns and markers. `mirror` (by
    default, when the active language reads right to left): columns and boxes right to left."""
    mirror = _mirrored(mirror)
    last = max((b.x for b in boxes), default=0)
    lines_per_box = 1 if compact else 3
    box_h = 30 if compact else BOX_H
    level_h = 52 if compact else LEVEL
    where = {box.node.id: box for box in boxes}
    edges: list[str] = []
    nodes: list[str] = []
    for box in boxes:
        x = (last - box.x if mirror else box.x) * SLOT
        y = box.level * level_h
        parent = where.get(box.parent) if box.parent is not None else None
        if parent is not None:
            column = last - parent.x if mirror else parent.x
            px, py = column * SLOT + BOX_W / 2, parent.level * level_h + box_h
            marker = "map-arrow" if box.node.stance == "pro" else "map-bar"
            css = f"edge {box.node.stance}{' link' if box.node.is_link else ''}"
            edges.append(
                f'<path class="{css}" d="M{x + BOX_W / 2:.0f} {y:.0f}L{px:.0f} {py:.0f}"'
                f' marker-end="url(#{marker})"/>'
            )
        css = f"box {_kind(box.node)}{' focused' if box.node.id == focused else ''}"
        # The stance bar at the box's start, the words from its start (right to left:
        # the right end, and `direction="rtl"` on the drawing makes "start" the right).
        bar, face, words = (x + BOX_W - 6, x, x + BOX_W - 8) if mirror else (x, x + 6, x + 8)
        text = "".join(
            f'<tspan x="{words:.0f}" dy="{16 if i == 0 else 15}">{escape(line)}</tspan>'
            for i, line in enumerate(_lines(box.node.text, lines_per_box))
        )
        body = (
            f'<rect x="{bar:.0f}" y="{y:.0f}" width="6" height="{box_h}"'
            f' fill-opacity="{_opacity(box.node)}"/>'
            f'<rect class="face" x="{face:.0f}" y="{y:.0f}" width="{BOX_W - 6}" height="{box_h}"'
            ' rx="4"/>'
            f'<text x="{words:.0f}" y="{y + 2:.0f}">{text}</text>'
        )
        nodes.append(_anchor(links.claim(box.node.id), links, css, _label(box.node), body))
    width = (last + 1) * SLOT
    height = (max((b.level for b in boxes), default=0)) * level_h + box_h + 4
    view_box = f"-4 -4 {width + 8:.0f} {height + 8:.0f}"
    body = "".join(edges) + "".join(nodes)
    return _svg(
        (width, height), view_box, title, body, standalone=standalone, defs=defs, mirror=mirror
    )
