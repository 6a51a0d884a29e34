"""A worker holding nothing of a debate draws its maps from the claims they draw, sized by the
branch sizes stored (arguments/structure/map_slice.py, stored_sizes.py): the same page and
SVG, for every persona, as the whole structure gives, in a few queries whatever the debate's
size; and the stored sizes stay those a fresh load computes through writes of every kind."""

from __future__ import annotations

import random

import pytest
from django.urls import reverse

from arguments import services
from arguments.models import Claim, Debate, Relation, Stance, StoredBranchSize
from arguments.reading.lens import Lens
from arguments.structure import loader, stored_sizes
from arguments.structure.loader import debate_structure, holds
from arguments.views import maps as maps_views
from arguments.views.maps import DEBATE_REACH
from tests import test_first_screen
from tests.conftest import build_debate
from tests.test_first_screen import NONCE, TICKET, TOKEN, _cold
from tests.test_focus_slice import PERSONAS, _random_write

argued = test_first_screen.argued  # pending and hidden claims, links, votes, notes


def _get(client, user, url: str) -> tuple[int, str]:
    client.logout()
    if user.is_authenticated:
        client.force_login(user)
    response = client.get(url)
    body = TOKEN.sub("csrf", response.content.decode())
    return response.status_code, TICKET.sub("ticket", NONCE.sub("nonce", body))


def _sees_as_visitor(user, debate: Debate) -> bool:
    """Whether the reader sees what a visitor sees: the map is then read from its slice."""
    if not user.is_authenticated:
        return True
    if Lens.of(debate, user).moderates:
        return False
    return not Claim.objects.filter(
        debate=debate, author=user, status=Claim.Status.PENDING
    ).exists()


def _urls(debate: Debate, claim_ids: list[int]) -> list[str]:
    urls = [
        reverse("arguments:debate_map", args=[debate.slug]),
        reverse("arguments:debate_map_svg", args=[debate.slug]),
    ]
    for claim_id in claim_ids:
        urls.append(reverse("arguments:claim_map", args=[debate.slug, claim_id]))
        urls.append(reverse("arguments:claim_map_svg", args=[debate.slug, claim_id]))
    return urls


def _same_cold_as_whole(client, user, debate: Debate, url: str, monkeypatch) -> tuple[int, str]:
    _cold()
    debate_structure(debate)  # a worker holding the debate (its strengths and sizes stored)
    whole = _get(client, user, url)
    _cold()
    with monkeypatch.context() as patched:
        if _sees_as_visitor(user, debate):
            # The slice or nothing: a whole load cannot hide behind an equal answer.
            patched.setattr(loader, "_load_structure", lambda d: pytest.fail("loaded whole"))
        sliced = _get(client, user, url)
    assert not holds(debate) or not _sees_as_visitor(user, debate), "the slice is never kept"
    assert sliced == whole, url
    return whole


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_cold_map_is_the_map_the_whole_structure_gives(
    client, cast, argued, persona, monkeypatch
):
    user = cast[persona]
    claims = list(Claim.objects.filter(debate=argued).order_by("id").values_list("pk", flat=True))
    statuses: dict[int, int] = {}
    for url in _urls(argued, [*claims, max(claims) + 1000]):  # every claim, and one that is none
        status, _body = _same_cold_as_whole(client, user, argued, url, monkeypatch)
        statuses[status] = statuses.get(status, 0) + 1
    assert statuses[200] >= 10 and statuses[404] >= 2


def test_a_visitor_never_sees_on_the_map_what_a_moderator_sees(client, cast, argued):
    hidden = Claim.objects.filter(debate=argued).exclude(status=Claim.Status.PUBLISHED)
    assert hidden.exists()
    url = reverse("arguments:debate_map", args=[argued.slug])
    debate_structure(argued)
    _cold()
    _status, visitors = _get(client, cast.anonymous, url)
    assert not holds(argued)  # read from the slice
    _cold()
    _status, moderators = _get(client, cast.moderator, url)
    for claim in hidden:
        assert f'data-text="{claim.text}"' not in visitors
    assert any(f'data-text="{claim.text}"' in moderators for claim in hidden)


def _stored(debate: Debate) -> dict[int, int]:
    rows = StoredBranchSize.objects.filter(claim__debate=debate)
    return dict(rows.values_list("claim_id", "size"))


def _fresh(debate: Debate) -> dict[int, int]:
    _cold()
    debate.refresh_from_db()
    structure, _now, _stored_strengths = loader._read_whole(debate)
    return stored_sizes.stored_sizes(structure)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_sizes_a_catch_up_stores_are_those_of_a_fresh_load(client, cast, argued, seed):
    """Seeded writes of every kind (adds, pending claims, links, hides, votes); after each,
    this process catches up as the writer's own request does, and the stored sizes equal
    those computed from a fresh load: current, never left behind by a write it caught up."""
    rng = random.Random(seed)
    debate_structure(argued)
    argued.refresh_from_db()
    assert stored_sizes.current(argued) and _stored(argued) == _fresh(argued)
    debate_structure(argued)
    for _step in range(30):
        _random_write(rng, cast, argued)
        argued.refresh_from_db()
        debate_structure(argued)  # caught up, not reloaded
        argued.refresh_from_db()
        assert stored_sizes.current(argued)
        held = loader._STRUCTURES.get(argued.pk)
        assert _stored(argued) == _fresh(argued)
        loader._STRUCTURES.keep(argued.pk, held)  # _fresh forgot it: hold it again


def test_restores_and_moves_keep_the_sizes(cast, argued, pro, con, thesis):
    """The writes the random walk does not make: a restore (a branch comes back whole, with
    the links into it) and a move (two ancestries change)."""
    debate_structure(argued)
    for write in (
        lambda: services.claim_restore(
            actor=cast.moderator, claim=Claim.objects.get(text="Hidden later.")
        ),  # the link from the pro to the claim under it is seen again
        lambda: services.claim_hide(actor=cast.moderator, claim=pro),
        lambda: services.claim_restore(actor=cast.moderator, claim=pro),
        lambda: services.claim_move(
            actor=cast.owner, claim=Claim.objects.get(text="Beneath the pro."), parent=con,
            stance=Stance.PRO,
        ),
    ):  # fmt: skip
        write()
        argued.refresh_from_db()
        debate_structure(argued)
        argued.refresh_from_db()
        held = loader._STRUCTURES.get(argued.pk)
        assert stored_sizes.current(argued)
        assert _stored(argued) == _fresh(argued)
        loader._STRUCTURES.keep(argued.pk, held)


def test_a_stamp_behind_loads_the_whole_debate(cast, argued):
    debate_structure(argued)
    argued.refresh_from_db()
    type(argued).objects.filter(pk=argued.pk).update(sizes_structure_version=None)
    argued.refresh_from_db()
    _cold()
    structure = Lens.visitor(argued, map_reach=DEBATE_REACH).structure
    assert structure.whole and holds(argued)
    argued.refresh_from_db()
    assert stored_sizes.current(argued)  # the load stored them


def test_a_reader_with_a_pending_claim_is_drawn_from_the_whole(cast, argued):
    debate_structure(argued)
    argued.refresh_from_db()
    _cold()
    assert Claim.objects.filter(debate=argued, author=cast.suggester, status="pending").exists()
    assert Lens.of(argued, cast.suggester, map_reach=DEBATE_REACH).structure.whole
    _cold()
    assert not Lens.of(argued, cast.viewer, map_reach=DEBATE_REACH).structure.whole
    _cold()
    assert Lens.of(argued, cast.moderator, map_reach=DEBATE_REACH).structure.whole


def test_a_kept_drawing_is_shared_only_by_readers_who_see_the_same(client, cast, argued):
    """A visitor's drawing, kept, is never what a moderator, a reader with a pending claim
    or (under guided voting) a reader who voted is shown."""
    Debate.objects.filter(pk=argued.pk).update(hide_votes_until_voted=True)
    argued.refresh_from_db()
    url = reverse("arguments:debate_map", args=[argued.slug])
    debate_structure(argued)
    answers = {}
    for persona in ("anonymous", "moderator", "suggester", "viewer", "stranger"):
        user = cast[persona]
        maps_views.forget_drawings()
        alone = _get(client, user, url)
        _get(client, cast.anonymous, url)  # a visitor's drawing, kept
        assert _get(client, user, url) == alone, persona
        answers[persona] = alone
    assert answers["moderator"] != answers["anonymous"]  # hidden claims
    assert answers["suggester"] != answers["anonymous"]  # their pending claim
    assert answers["viewer"] != answers["anonymous"]  # the strengths they voted for


@pytest.mark.parametrize("size", [10, 2000])
def test_a_cold_map_reads_a_few_rows_at_any_size(
    client, cast, size, monkeypatch, django_assert_max_num_queries
):
    debate = build_debate(size, slug=f"map-{size}")
    debate_structure(debate)  # someone read it once: its strengths and sizes are stored
    monkeypatch.setattr(loader, "_load_structure", lambda d: pytest.fail("loaded whole"))
    deep = Relation.objects.filter(debate=debate, is_link=False).order_by("id").first().child_id
    whole_map = reverse("arguments:debate_map", args=[debate.slug])
    claim_map = reverse("arguments:claim_map", args=[debate.slug, deep])
    _cold()
    # The debate, then the slice in one snapshot: the versions, the theses, the relations
    # beneath each ring opened (five at most), the ways up of the links. If this grows, say
    # why.
    with django_assert_max_num_queries(10):
        assert client.get(whole_map).status_code == 200
    _cold()
    # The claim with its row, one query per level opened (six), the ways up, their claims.
    with django_assert_max_num_queries(12):
        assert client.get(claim_map).status_code == 200
    assert not holds(debate)
    client.force_login(cast.viewer)
    _cold()
    # Session, user, debate with my role, whether I wrote a pending claim, the slice, the
    # picker's perspectives.
    with django_assert_max_num_queries(16):
        assert client.get(claim_map).status_code == 200
    assert not holds(debate)


def test_an_embedded_map_is_read_from_its_slice(client, cast, argued, monkeypatch):
    """The embed's map view (a visitor in another site's frame): the same frame from the
    slice as from the whole structure, for the debate and for each claim."""
    claims = list(Claim.objects.filter(debate=argued).order_by("id").values_list("pk", flat=True))
    urls = [reverse("arguments:embed_debate", args=[argued.slug]) + "?view=map"]
    urls += [
        reverse("arguments:embed_claim", args=[argued.slug, claim_id]) + "?view=map"
        for claim_id in claims
    ]
    shown = 0
    for url in urls:
        status, body = _same_cold_as_whole(client, cast.anonymous, argued, url, monkeypatch)
        shown += status == 200 and "<svg" in body
    assert shown >= 6


def test_the_import_task_stores_the_sizes_with_the_strengths(cast):
    """An import (rows written in bulk, no process holding them) queues the task that stores
    the strengths; it stores the sizes too, so the first map read after it is a slice."""
    debate = build_debate(40, slug="imported")
    assert debate.sizes_structure_version is None
    assert loader.store_strengths(debate)
    debate.refresh_from_db()
    assert stored_sizes.current(debate) and _stored(debate) == _fresh(debate)
    assert not loader.store_strengths(debate)  # current: nothing to do
