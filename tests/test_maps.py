"""The argument map: its layouts as properties over random trees, and its pages as a reader
sees them (visibility, links, escaping, downloads, embeds, oEmbed, query budgets)."""

from __future__ import annotations

import html
import re
from itertools import pairwise
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from arguments import maps, services
from arguments.maps.layout import MapNode, measure, sunburst, tree_boxes, walk
from arguments.models import Debate, Stance
from arguments.reading.lens import Lens
from tests.conftest import build_debate

EPS = 1e-9


def tree_from(parents: list[int], stances: list[bool]) -> list[MapNode]:
    """Node i's parent is `parents[i] % i` (node 0 and every multiple of 7 start a thesis)."""
    nodes: list[MapNode] = []
    roots: list[MapNode] = []
    for i, parent in enumerate(parents):
        stance = None if i == 0 or i % 7 == 0 else ("pro" if stances[i] else "con")
        node = MapNode(id=i, text=f"claim {i}", stance=stance, strength=(i % 10) / 10)
        nodes.append(node)
        if stance is None:
            roots.append(node)
        else:
            nodes[parent % i].children.append(node)
    for root in roots:
        measure(root)
    return roots


trees = st.integers(min_value=1, max_value=120).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(min_value=0, max_value=10_000), min_size=n, max_size=n),
        st.lists(st.booleans(), min_size=n, max_size=n),
    )
)


@settings(max_examples=80, deadline=None)
@given(trees, st.integers(min_value=1, max_value=8), st.sampled_from([0.0, 0.002, 0.02, 0.1]))
def test_sunburst_spans_add_up_and_rings_never_overlap(tree, max_depth, min_span):
    roots = tree_from(*tree)
    segments = sunburst(roots, max_depth=max_depth, min_span=min_span)
    # The theses share the whole turn.
    assert abs(sum(s.span for s in segments if s.depth == 0) - 1) < EPS
    under: dict[int, list] = {}
    for segment in segments:
        if segment.parent is not None:
            under.setdefault(segment.parent, []).append(segment)
    for parent in (s for s in segments if s.node is not None):
        children = under.get(parent.node.id, [])
        if parent.depth < max_depth and parent.node.children:
            # Its pros and cons (and its "n more") fill exactly its span...
            assert abs(sum(c.span for c in children) - parent.span) < EPS
            assert all(
                parent.start - EPS <= c.start and c.end <= parent.end + EPS for c in children
            )
            assert all(c.depth == parent.depth + 1 for c in children)
            # ...and account for every claim beneath: drawn, or counted in the fold.
            drawn = sum(c.node.size for c in children if c.node is not None)
            folded = sum(c.folded for c in children)
            assert drawn + folded == parent.node.size - 1
        else:
            assert not children  # nothing beyond the last ring
    for depth in {s.depth for s in segments}:
        ring = sorted((s for s in segments if s.depth == depth), key=lambda s: s.start)
        for before, after in pairwise(ring):
            assert after.start >= before.end - EPS
    assert max(s.depth for s in segments) <= max_depth
    assert sunburst(roots, max_depth=max_depth, min_span=min_span) == segments  # deterministic


@settings(max_examples=100, deadline=None)
@given(trees, st.integers(min_value=0, max_value=6))
def test_tree_boxes_never_overlap_and_parents_stand_over_their_children(tree, max_depth):
    root = tree_from(*tree)[0]
    boxes = tree_boxes(root, max_depth=max_depth, max_boxes=10_000)
    by_level: dict[int, list[float]] = {}
    for box in boxes:
        by_level.setdefault(box.level, []).append(box.x)
    for xs in by_level.values():
        xs.sort()
        assert all(b - a >= 1 - EPS for a, b in pairwise(xs))
    where = {box.node.id: box for box in boxes}
    for box in boxes:
        kids = [where[c.id] for c in box.node.children if c.id in where]
        if kids:
            assert min(k.x for k in kids) - EPS <= box.x <= max(k.x for k in kids) + EPS
    assert tree_boxes(root, max_depth=max_depth, max_boxes=10_000) == boxes


def test_tree_boxes_drop_whole_levels_to_fit():
    root = tree_from(list(range(60)), [True] * 60)[0]
    boxes = tree_boxes(root, max_depth=10, max_boxes=12)
    assert len(boxes) <= 12
    deepest = max(box.level for box in boxes)
    assert {box.level for box in boxes} == set(range(deepest + 1))
    assert len(tree_boxes(root, max_depth=deepest + 1, max_boxes=10_000)) > 12  # one more won't fit


# -- the map of a real debate ---------------------------------------------------------------

pytestmark = pytest.mark.django_db


def anchors(html: str) -> list[tuple[str, str]]:
    """(href, aria-label) of every link drawn in the page's SVGs."""
    return re.findall(r'<a href="([^"]+)"[^>]*aria-label="([^"]*)"', html)


def test_linked_claims_in_a_cycle_are_leaves_and_the_map_terminates(cast, debate, thesis, pro, con):
    services.claim_link(actor=cast.editor, claim=con, parent=pro, stance=Stance.CON)
    services.claim_link(actor=cast.editor, claim=pro, parent=con, stance=Stance.CON)
    debate.refresh_from_db()
    root = maps.branch_of(Lens.visitor(debate), thesis.pk)
    assert root.size == 5  # thesis, pro, con, and each linked back under the other
    links = [n for n, _ in walk([root]) if n.is_link]
    assert {n.id for n in links} == {pro.pk, con.pk} and all(not n.children for n in links)


def test_the_debate_map_draws_what_the_reader_sees_with_a_text_alternative(
    client, cast, debate, thesis, pro, con
):
    hidden = services.claim_add(
        actor=cast.writer, parent=pro, stance=Stance.CON, text="A claim the moderators hid."
    )
    services.claim_hide(actor=cast.moderator, claim=hidden)
    response = client.get(reverse("arguments:debate_map", args=[debate.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    drawn = anchors(html)
    labels = " ".join(label for _, label in drawn)
    assert pro.text in labels and con.text in labels and hidden.text not in html
    assert any(label.startswith("Con") and con.text in label for _, label in drawn)
    assert dict(drawn)[reverse("arguments:claim", args=[debate.slug, con.pk])]
    outline = html[html.index('<details class="map-outline">') :]
    listed = set(re.findall(r'<a href="([^"]+)">', outline[: outline.index("</details>")]))
    assert listed == {href for href, _ in drawn}  # the same claims, as a list
    client.force_login(cast.moderator)
    assert (
        hidden.text
        in client.get(reverse("arguments:debate_map", args=[debate.slug])).content.decode()
    )


def test_the_list_names_a_linked_claim_once_where_linked_without_its_branch(
    client, cast, debate, thesis, pro, con
):
    under_pro = services.claim_add(
        actor=cast.writer, parent=pro, stance=Stance.CON, text="Only under the pro."
    )
    services.claim_link(actor=cast.editor, claim=pro, parent=con, stance=Stance.CON)
    html = client.get(reverse("arguments:debate_map", args=[debate.slug])).content.decode()
    outline = html[html.index('<details class="map-outline">') :]
    outline = outline[: outline.index("</details>")]
    assert outline.count(under_pro.text) == 1  # under the pro, not again under the link
    svg = html[html.index('<figure class="map-sunburst">') : html.index("</figure>")]
    assert sorted(re.findall(r'<a href="([^"]+)"', svg)) == sorted(
        re.findall(r'<a href="([^"]+)"', outline)
    )


def test_claim_text_is_escaped_in_the_svg(client, cast, debate, thesis):
    claim = services.claim_add(
        actor=cast.writer,
        parent=thesis,
        stance=Stance.PRO,
        text='"><script>alert(1)</script><a href="javascript:x">',
    )
    for name in ("debate_map", "debate_map_svg"):
        body = client.get(reverse(f"arguments:{name}", args=[debate.slug])).content.decode()
        assert "<script>alert(1)" not in body and "&lt;script&gt;" in body
    page = client.get(reverse("arguments:claim_map", args=[debate.slug, claim.pk]))
    assert "<script>alert(1)" not in page.content.decode()


def test_a_private_debates_map_is_a_404_to_outsiders(client, cast, debate, thesis, pro):
    Debate.objects.filter(pk=debate.pk).update(visibility=Debate.Visibility.PRIVATE)
    for name, args in (
        ("debate_map", []),
        ("debate_map_svg", []),
        ("claim_map", [pro.pk]),
        ("claim_map_svg", [pro.pk]),
    ):
        url = reverse(f"arguments:{name}", args=[debate.slug, *args])
        assert client.get(url).status_code == 404
        client.force_login(cast.stranger)
        assert client.get(url).status_code == 404
        client.force_login(cast.viewer)
        assert client.get(url).status_code == 200
        client.logout()


def test_a_claims_map_shows_its_branch_its_tree_and_its_path(client, cast, debate, thesis, pro):
    under = services.claim_add(
        actor=cast.writer, parent=pro, stance=Stance.CON, text="Access is not use."
    )
    html = client.get(reverse("arguments:claim_map", args=[debate.slug, pro.pk])).content.decode()
    assert html.count("<svg") == 3  # path, sunburst, tree
    assert 'class="box pro focused"' in html
    assert under.text in html and thesis.text in html  # below it, and on its path
    hidden = services.claim_add(
        actor=cast.writer, parent=pro, stance=Stance.PRO, text="Hidden branch"
    )
    services.claim_hide(actor=cast.moderator, claim=hidden)
    missing = client.get(reverse("arguments:claim_map", args=[debate.slug, hidden.pk]))
    assert missing.status_code == 404


def test_the_svg_download_is_a_standalone_file_with_absolute_links(client, debate, thesis, pro):
    response = client.get(reverse("arguments:debate_map_svg", args=[debate.slug]))
    assert response["Content-Type"].startswith("image/svg+xml")
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode()
    assert body.startswith('<svg xmlns="http://www.w3.org/2000/svg"') and "<style>" in body
    assert f'href="http://testserver/d/{debate.slug}/claims/{pro.pk}/"' in body
    assert "hx-get" not in body


def test_the_focus_page_has_the_path_minimap(client, cast, debate, thesis, pro):
    html = client.get(pro.get_absolute_url()).content.decode()
    minimap = html[html.index('<aside class="minimap') :]
    assert thesis.text in minimap[: minimap.index("</aside>")]
    assert "minimap" not in client.get(thesis.get_absolute_url()).content.decode()


def test_an_embed_shows_the_map_with_links_that_stay_in_the_frame(client, debate, thesis, pro):
    response = client.get(f"/embed/d/{debate.slug}/?view=map")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="argmap"' in html and 'target="_self"' in html and "hx-get" not in html
    assert f'href="/embed/d/{debate.slug}/claims/{pro.pk}/?view=map"' in html
    assert client.get(f"/embed/d/{debate.slug}/?view=pie").status_code == 400


def test_oembed_of_a_map_page_embeds_the_map(client, debate, thesis):
    page = f"http://testserver{reverse('arguments:debate_map', args=[debate.slug])}"
    body = client.get(reverse("arguments:oembed"), {"url": page}).json()
    src = re.search(r'src="([^"]+)"', body["html"]).group(1)
    assert parse_qs(urlsplit(src.replace("&amp;", "&")).query)["view"] == ["map"]


def test_the_embed_dialog_offers_the_map(client, cast, debate, thesis):
    client.force_login(cast.writer)
    html = client.get(
        reverse("arguments:embed_dialog", args=[debate.slug]), {"view": "map"}
    ).content.decode()
    assert '<option value="map" selected>' in html and "view=map" in html


@pytest.mark.parametrize("size", [10, 2000])
def test_the_map_page_costs_the_same_queries_at_any_size(
    client, django_assert_max_num_queries, size
):
    debate = build_debate(size)
    url = reverse("arguments:debate_map", args=[debate.slug])
    # +2 on this first read of the debate: its strengths stored (structure/stored_strengths.py);
    # +2: its branch sizes stored (the stamp, the rows: structure/stored_sizes.py). A cold
    # worker's read once they are stored: tests/test_map_slice.py.
    with django_assert_max_num_queries(10):
        response = client.get(url)
    assert response.status_code == 200
    # Thin branches fold: the page stays small however big the debate.
    assert len(response.content) < 300_000


def _labels(svg: str) -> list[str]:
    """The words drawn on the map (each label's lines joined), unescaped."""
    found = re.findall(r'<text class="label"[^>]*>(.*?)</text>', svg)
    return [html.unescape(" ".join(re.findall(r"<tspan[^>]*>(.*?)</tspan>", t))) for t in found]


def test_the_sunburst_labels_its_segments_and_puts_the_thesis_in_the_centre(
    client, debate, thesis, pro, con
):
    svg = client.get(reverse("arguments:debate_map", args=[debate.slug])).content.decode()
    labels = _labels(svg)
    assert any(label.startswith(thesis.text[:20]) for label in labels), labels
    assert any(label.startswith("+ Open weights") for label in labels), labels  # the pro, signed
    assert any(label.startswith("\u2212 Released") for label in labels), labels  # the con
    # The side panel's facts travel with each segment.
    assert f'data-text="{con.text}"' in svg and 'data-stance="Con"' in svg
    # The standalone file keeps the same words.
    download = client.get(reverse("arguments:debate_map_svg", args=[debate.slug])).content.decode()
    assert _labels(download) == labels


def test_a_long_claim_is_truncated_on_its_segment_and_whole_in_its_title(
    client, cast, debate, thesis
):
    long = "Word " * 80
    services.claim_add(actor=cast.writer, parent=thesis, stance=Stance.PRO, text=long.strip())
    svg = client.get(reverse("arguments:debate_map", args=[debate.slug])).content.decode()
    label = next(label for label in _labels(svg) if label.startswith("+ Word"))
    assert label.endswith("\u2026") and len(label) < 80
    assert f"Pro, not yet rated: {long.strip()}" in html.unescape(svg)  # no vote: no default 50 %
