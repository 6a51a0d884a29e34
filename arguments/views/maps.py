"""The argument map pages: the whole debate as a sunburst, one claim's branch as a sunburst and
a tree drawing with the path above it, and each map as an SVG file to download. What a map
shows is what the reader's lens sees."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from arguments import caches, maps
from arguments.maps.layout import MapNode, Segment, sunburst, tree_boxes
from arguments.maps.svg import Links, label_of, sunburst_svg, tree_svg
from arguments.reading.lens import Lens
from arguments.structure.map_slice import MapReach
from arguments.views.access import lens_for, require_seen
from arguments.views.fragments import page_context

if TYPE_CHECKING:
    from collections.abc import Callable, Hashable

MAP_DEPTH = 5  # rings around the centre
MIN_SPAN = 1 / 90  # 4 degrees: a thinner branch folds into its parent's "n more"
BRANCH_DEPTH = 6  # a claim's own map has room for more rings
TREE_DEPTH = 3  # levels of the tree drawing under the claim
TREE_BOXES = 40  # ...and at most this many boxes (whole levels drop until it fits)
MAX_PATH = 1000  # a path is as deep as the debate: every claim on it is drawn
# What each map opens, so a worker holding nothing reads only that (structure/map_slice.py).
DEBATE_REACH = MapReach(None, MAP_DEPTH, MIN_SPAN)


def branch_reach(claim_id: int, *, tree: bool = True) -> MapReach:
    """A claim's map opens its sunburst's rings and, on its page, the tree's levels whole."""
    return MapReach(claim_id, BRANCH_DEPTH, MIN_SPAN, TREE_DEPTH if tree else 0)


# A visitor's drawings of a map, kept per state of the debate: every visitor gets the same
# one, and a worker that serves maps from their slice (structure/map_slice.py) holds no
# structure to draw them from again. Bounded by bytes, as the cards are.
_drawings = caches.Bounded(
    "map drawings",
    sizer=lambda parts: sum(caches.text_size(part) for part in parts if isinstance(part, str)),
    default_mb=4,
)


def forget_drawings() -> None:
    _drawings.clear()


caches.register(
    "map drawings",
    kept=caches.Kept.PROCESS,
    key="the debate (id, creation time), its structure and tally versions and last save, the "
    "interface's language, which map (the whole debate's or a claim's, a page or a file with "
    "its origin); visitors only (a signed-in reader's strengths may hide under guided voting)",
    stale="never: a write, a vote or a settings change makes a new key; only drawings made "
    "from the versions the request read are kept",
    forget=forget_drawings,
    holds=_drawings,
)


def _kept[T: tuple[object, ...]](lens: Lens, which: Hashable, draw: Callable[[], T]) -> T:
    """A visitor's drawing `which` of the debate's state the request read: kept, or drawn
    (by `draw`) and kept when it was drawn from that very state. A signed-in reader who sees
    what a visitor sees shares it, unless guided voting hides strengths from them until
    they vote (their drawing is then their own)."""
    debate = lens.debate
    if lens.viewpoint is not None or (
        lens.user_id is not None and (debate.hide_votes_until_voted or not lens.sees_as_visitor)
    ):
        return draw()
    state = (debate.pk, debate.created_at, debate.structure_version, debate.tally_version)
    key = (*state, debate.updated_at, get_language(), which)
    found: T | None = _drawings.fetch(key)
    if found is not None:
        return found
    drawn = draw()
    structure = lens.structure
    if (structure.version[0], structure.tally_version) == (state[2], state[3]):
        _drawings.keep(key, drawn)
    return drawn


def outline(segments: list[Segment], links: Links) -> SafeString:
    """The map's text alternative: the same segments as nested lists, in the map's order
    (parents come before their children). Built here rather than by a recursive template
    include, which cost more than drawing the map; every text is escaped."""
    under: dict[int | None, list[Segment]] = {}
    for segment in segments:
        under.setdefault(segment.parent, []).append(segment)
    drawn = {s.node.id for s in segments if s.node is not None}
    parts: list[str] = []

    def items(parent: int | None) -> None:
        parts.append("<ul>")
        for segment in under.get(parent, ()):
            node = segment.node
            url = links.claim(node.id) if node else links.more(segment.parent or 0)
            parts.append(f'<li><a href="{escape(url)}">{escape(label_of(segment))}</a>')
            # A linked claim is a leaf here as on the map (its branch is listed where it
            # was written), though it shares the claim's id with that place.
            if node is not None and not node.is_link and node.id in under:
                items(node.id)
            parts.append("</li>")
        parts.append("</ul>")

    # Depth is bounded by the map's rings, so this recursion is too.
    roots = [s for s in segments if s.parent is None or s.parent not in drawn]
    under[None] = roots
    items(None)
    return _safe("".join(parts))


def _links(lens: Lens, *, origin: str = "") -> Links:
    """Claims lead to their focus, folds to the parent's map; a downloaded file's links
    carry the site's `origin`, so they work from wherever the file is opened."""
    return Links(
        claim=lambda claim_id: origin + lens.claim_urls(claim_id).focus,
        more=lambda claim_id: origin + lens.claim_urls(claim_id).map,
        htmx=not origin,
    )


def debate_sunburst(lens: Lens, *, origin: str = "") -> tuple[str, list[Segment]]:
    """The whole debate's sunburst (also what an embed's map view shows); with `origin`, a
    standalone file."""
    roots = maps.theses_of(lens, depth=MAP_DEPTH, min_share=MIN_SPAN)
    segments = sunburst(roots, max_depth=MAP_DEPTH, min_span=MIN_SPAN)
    title = _("Map of the debate: %(title)s") % {"title": lens.debate.title}
    links = _links(lens, origin=origin)
    return sunburst_svg(segments, links, title=title, standalone=bool(origin)), segments


def branch_sunburst(lens: Lens, root: MapNode, *, origin: str = "") -> tuple[str, list[Segment]]:
    segments = sunburst([root], max_depth=BRANCH_DEPTH, min_span=MIN_SPAN)
    title = _("Map of the branch under: %(claim)s") % {"claim": root.text}
    links = _links(lens, origin=origin)
    return sunburst_svg(segments, links, title=title, standalone=bool(origin)), segments


def _safe(svg: str) -> SafeString:
    # Built by arguments.maps.svg, which escapes every text it puts in.
    return mark_safe(svg)


def debate_map(request: HttpRequest, slug: str) -> HttpResponse:
    lens = lens_for(request, slug, map_reach=DEBATE_REACH)

    def draw() -> tuple[SafeString, SafeString]:
        svg, segments = debate_sunburst(lens)
        return _safe(svg), outline(segments, _links(lens))

    svg, listed = _kept(lens, "page", draw)
    context = page_context(lens, sunburst=svg, outline=listed, focus=None)
    return render(request, "arguments/map.html", context)


def claim_map(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    lens = lens_for(request, slug, map_reach=branch_reach(pk))

    def draw() -> tuple[SafeString, SafeString, SafeString, SafeString, str]:
        require_seen(lens, pk)  # a 404 is never kept
        root = maps.branch_of(lens, pk, depth=BRANCH_DEPTH, min_share=MIN_SPAN)
        svg, segments = branch_sunburst(lens, root)
        links = _links(lens)
        tree = tree_svg(
            tree_boxes(
                maps.branch_of(lens, pk, depth=TREE_DEPTH),
                max_depth=TREE_DEPTH,
                max_boxes=TREE_BOXES,
            ),
            links,
            title=_("The branch as a tree: %(claim)s") % {"claim": root.text},
            focused=pk,
        )
        path = path_minimap(lens, pk, defs=False)
        return _safe(svg), _safe(tree), path, outline(segments, links), root.text

    svg, tree, path, listed, text = _kept(lens, ("claim", pk), draw)
    context = page_context(
        lens,
        sunburst=svg,
        tree=tree,
        path=path,
        outline=listed,
        focus={"text": text},
        focus_urls=lens.claim_urls(pk),
    )
    return render(request, "arguments/map.html", context)


def _origin(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def path_minimap(lens: Lens, claim_id: int, *, defs: bool = True) -> SafeString:
    """The path from the thesis down to the claim, one short box each ("" for a thesis)."""
    chain = maps.path_of(lens, claim_id)
    if not chain.children:
        return _safe("")
    boxes = tree_boxes(chain, max_depth=MAX_PATH, max_boxes=MAX_PATH + 1)
    title = _("Where this claim stands: the path from the thesis")
    return _safe(
        tree_svg(boxes, _links(lens), title=title, focused=claim_id, compact=True, defs=defs)
    )


def _download(svg: str, name: str) -> HttpResponse:
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.svg"'
    return response


def debate_map_svg(request: HttpRequest, slug: str) -> HttpResponse:
    lens = lens_for(request, slug, map_reach=DEBATE_REACH)
    origin = _origin(request)
    (svg,) = _kept(lens, ("file", origin), lambda: (debate_sunburst(lens, origin=origin)[0],))
    return _download(svg, f"{slug}-map")


def claim_map_svg(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    lens = lens_for(request, slug, map_reach=branch_reach(pk, tree=False))
    origin = _origin(request)

    def draw() -> tuple[str]:
        require_seen(lens, pk)  # a 404 is never kept
        root = maps.branch_of(lens, pk, depth=BRANCH_DEPTH, min_share=MIN_SPAN)
        return (branch_sunburst(lens, root, origin=origin)[0],)

    (svg,) = _kept(lens, ("claim file", pk, origin), draw)
    return _download(svg, f"{slug}-{pk}-map")


def embedded_map(lens: Lens, claim_id: int | None) -> SafeString:
    """The map an embed shows (`view=map`): links stay in the frame, without htmx."""
    links = Links(
        claim=lambda i: lens.claim_urls(i).focus,
        more=lambda i: lens.claim_urls(i).focus,
        htmx=False,
        target="_self",
    )
    if claim_id is None:
        depth, title = MAP_DEPTH, _("Map of: %(title)s") % {"title": lens.debate.title}
        roots = maps.theses_of(lens, depth=depth, min_share=MIN_SPAN)
    else:
        depth = BRANCH_DEPTH
        roots = [maps.branch_of(lens, claim_id, depth=depth, min_share=MIN_SPAN)]
        title = _("Map of the branch under: %(claim)s") % {"claim": roots[0].text}
    segments = sunburst(roots, max_depth=depth, min_span=MIN_SPAN)
    return _safe(sunburst_svg(segments, links, title=title))
