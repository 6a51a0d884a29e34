"""The embed's claim page and its debate page, `depth` levels open, from a worker that holds
nothing: read from a slice that deep (arguments/structure/first_screen.py, `levels`), the
same page as the whole structure gives, in a few queries whatever the debate's size."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from arguments.models import Claim, Debate, Relation
from arguments.structure import loader
from arguments.structure.loader import debate_structure, holds
from arguments.views import embed
from tests import test_first_screen
from tests.conftest import build_debate
from tests.test_first_screen import NONCE, _cold

argued = test_first_screen.argued  # every kind of row the first screen decides by
pytestmark = pytest.mark.django_db


def _page(client, url: str, depth: int) -> tuple[int, str]:
    response = client.get(url, {"depth": str(depth)})
    return response.status_code, NONCE.sub("nonce", response.content.decode())


def _same_cold_as_whole(client, debate: Debate, url: str, depth: int, monkeypatch) -> int:
    _cold()
    debate_structure(debate)  # a worker holding the debate (and the strengths stored)
    whole = _page(client, url, depth)
    _cold()
    with monkeypatch.context() as patched:
        patched.setattr(loader, "_load_structure", lambda d: pytest.fail("loaded whole"))
        sliced = _page(client, url, depth)
    assert not holds(debate), "the slice is never kept"
    assert sliced == whole, f"{url} depth {depth}"
    return whole[0]


@pytest.mark.parametrize("depth", [1, 2, 3, 6])
def test_a_cold_embed_is_the_page_the_whole_structure_gives(client, argued, depth, monkeypatch):
    claims = list(Claim.objects.filter(debate=argued).order_by("id").values_list("pk", flat=True))
    statuses = [
        _same_cold_as_whole(
            client,
            argued,
            reverse("arguments:embed_debate", args=[argued.slug]),
            depth,
            monkeypatch,
        )
    ]
    for claim_id in [*claims, max(claims) + 1000]:  # every claim, and one that is none
        url = reverse("arguments:embed_claim", args=[argued.slug, claim_id])
        statuses.append(_same_cold_as_whole(client, argued, url, depth, monkeypatch))
    assert statuses.count(200) >= 5 and 404 in statuses


@pytest.mark.parametrize("size", [10, 2000])
def test_a_cold_embedded_claim_reads_a_few_rows_at_any_size(
    client, size, monkeypatch, django_assert_max_num_queries
):
    debate = build_debate(size, slug=f"embedded-{size}")
    debate_structure(debate)  # someone read it once: its strengths are stored
    monkeypatch.setattr(loader, "_load_structure", lambda d: pytest.fail("loaded whole"))
    top = Relation.objects.filter(debate=debate, is_link=False).order_by("id").first().child_id
    for url in (
        reverse("arguments:embed_claim", args=[debate.slug, top]),
        reverse("arguments:embed_debate", args=[debate.slug]),
    ):
        _cold()
        # The debate, then the slice in one snapshot (the versions, the theses, the
        # relations a query a level: the levels the frame opens and the one beneath, at most
        # `depth` + 1; the ways up, the claims, their citations and notes). If this grows,
        # say why.
        with django_assert_max_num_queries(13):
            assert client.get(url, {"depth": "4"}).status_code == 200
    assert not holds(debate)


@pytest.mark.parametrize("depth", [2, 6])
def test_a_deep_embed_shows_what_its_frame_holds_and_folds_the_rest(
    client, depth, monkeypatch, django_assert_max_num_queries
):
    debate = build_debate(2000, slug=f"folded-{depth}")
    top = Relation.objects.filter(debate=debate, is_link=False).order_by("id").first().child_id
    for url in (
        reverse("arguments:embed_debate", args=[debate.slug]),
        reverse("arguments:embed_claim", args=[debate.slug, top]),
    ):
        # The same page from the whole structure and from a slice (a worker holding nothing).
        assert _same_cold_as_whole(client, debate, url, depth, monkeypatch) == 200
        _cold()
        with django_assert_max_num_queries(8 + depth + 1):
            body = client.get(url, {"depth": str(depth)}).content.decode()
        items = body.count('role="treeitem"')
        opened = body.count('aria-expanded="true"')
        # At most what the frame holds (the roots' own pros and cons always show), and
        # breadth-first: something open beneath the roots when the budget allows.
        assert 1 < items <= embed.SHOWN_AT_MOST + 1, items
        folded = re.findall(r'<a class="toggle" href="([^"]+)"[^>]*aria-expanded="false"', body)
        assert folded and opened >= 1
        # A folded claim opens without JavaScript: its counts link to its own embed page,
        # which shows its pros and cons.
        page = client.get(folded[0].replace("&amp;", "&"))
        assert page.status_code == 200 and 'aria-expanded="true"' in page.content.decode()
        assert "/embed/" in folded[0]
