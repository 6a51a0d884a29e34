"""A worker holding nothing of a debate reads its gaps from the stored gap places (brought up
to date from what changed: structure/stored_gaps.py), or else in one walk in SQL, and reads
only the cards it shows (arguments/explore/gaps.py, structure/places.py): the same page and
panel, for every persona, as the whole structure gives, in a few queries whatever the
debate's size."""

from __future__ import annotations

import contextlib
import random

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse

from arguments import caches, services
from arguments.explore import gaps
from arguments.models import Citation, Claim, Debate, Relation, Stance, StoredGapPlace
from arguments.structure import loader, places, stored_gaps
from arguments.structure.loader import debate_structure, holds
from tests import test_cruxes_slice as cruxes_slice
from tests import test_first_screen
from tests.conftest import build_debate
from tests.factories import UserFactory
from tests.test_first_screen import NONCE, TICKET, TOKEN, _cold
from tests.test_focus_slice import _random_write

argued = test_first_screen.argued  # pending and hidden claims, links, notes, sources

PERSONAS = ["anonymous", "viewer", "suggester", "writer", "moderator", "owner"]


def _point(claim: Claim) -> Relation | Claim:
    return claim if claim.is_thesis else Relation.objects.get(child=claim, is_link=False)


@pytest.fixture
def voted(argued, cast) -> Debate:
    """`argued` with enough votes on some points that they are no gap, the writer's own
    vote on a point with few (a gap for others, not for them), and a claim whose only
    source was hidden (unsourced again)."""
    cited = Citation.objects.filter(claim__debate=argued).order_by("id").first()
    assert cited is not None
    Citation.objects.filter(claim=cited.claim).update(is_hidden=True)
    voters = [UserFactory() for _ in range(3)]
    claims = {c.text: c for c in Claim.objects.filter(debate=argued)}
    for text in ("Beneath the pro.", "Under it."):
        for voter in voters:
            with contextlib.suppress(ValidationError):
                services.vote_cast(user=voter, point=_point(claims[text]), value=3)
    services.vote_cast(user=cast.writer, point=_point(claims["Two levels down."]), value=1)
    return argued


def _get(client, user, debate: Debate, *, panel: bool) -> tuple[int, str]:
    client.logout()
    if user.is_authenticated:
        client.force_login(user)
    url = reverse("arguments:debate_gaps", args=[debate.slug])
    if panel:
        response = client.get(url, {"part": "panel"}, HTTP_HX_REQUEST="true")
    else:
        response = client.get(url)
    return _same(response)


def _same(response) -> tuple[int, str]:
    """A response without what differs on every request (tokens, nonces)."""
    html = TOKEN.sub("csrf", response.content.decode())
    return response.status_code, TICKET.sub("ticket", NONCE.sub("nonce", html))


def _no_walk(*args: str) -> str:
    pytest.fail("walked the debate: the stored gap places were not current")


def _same_cold_as_whole(
    client, user, debate: Debate, monkeypatch, *, panel: bool, walk: bool = False
) -> str:
    """The cold page equals the whole structure's; read from the stored gap places (the
    walk forbidden) unless `walk`."""

    def get(client, user, debate: Debate, *, panel: bool) -> tuple[int, str]:
        if walk or holds(debate):
            return _get(client, user, debate, panel=panel)
        with monkeypatch.context() as patched:
            patched.setattr(gaps, "_gaps_sql", _no_walk)
            return _get(client, user, debate, panel=panel)

    return cruxes_slice._same_cold_as_whole(client, user, debate, monkeypatch, panel=panel, get=get)


def _stored_rows(debate: Debate) -> list[tuple[object, ...]]:
    fields = ["claim_id", "depth", "path", "relation", "parent", "position"]
    fields += ["unsourced", "unanswered", "few_votes"]
    rows = StoredGapPlace.objects.filter(debate=debate).order_by("claim_id")
    return list(rows.values_list(*fields))


def _totals(debate: Debate) -> tuple[int, int, int]:
    totals = Debate.objects.filter(pk=debate.pk).values_list(
        "gaps_unsourced", "gaps_unanswered", "gaps_few_votes"
    )
    return totals.get()


def _assert_stored_as_written_whole(debate: Debate) -> None:
    """The rows brought up to date after writes equal the rows one walk writes afresh, and
    so do the totals the catch-ups moved by what they changed (counted after a walk)."""
    debate.refresh_from_db()
    assert stored_gaps.bring_up_to_date(debate)
    caught_up, moved = _stored_rows(debate), _totals(debate)
    Debate.objects.filter(pk=debate.pk).update(gaps_structure_version=None)
    debate.refresh_from_db()
    assert stored_gaps.bring_up_to_date(debate)
    assert caught_up == _stored_rows(debate)
    assert caught_up, "the test can fail: rows are stored"
    assert moved == _totals(debate)
    assert moved == tuple(sum(1 for row in caught_up if row[6 + kind]) for kind in range(3)), (
        "the totals are the rows'"
    )


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("panel", [False, True])
def test_cold_gaps_are_the_gaps_the_whole_structure_gives(
    client, cast, voted, persona, panel, monkeypatch
):
    html = _same_cold_as_whole(client, cast[persona], voted, monkeypatch, panel=panel)
    assert "Beneath the pro." in html or panel  # the test can fail: gaps are shown
    if not panel:
        seen_by_moderators = "Under it." in html
        assert seen_by_moderators == (persona in {"moderator", "owner"}), "under a hidden claim"
        waiting = "Waiting beneath the pro." in html
        assert waiting == (persona in {"moderator", "owner"}), "pending: for who reviews"


@pytest.mark.parametrize("seed", [1, 2])
def test_cold_gaps_agree_with_the_whole_after_random_writes(
    client, cast, debate, seed, monkeypatch
):
    """Seeded writes (adds, suggestions, links, hides) and votes; after every few, the cold
    page and panel equal the whole structure's for a visitor, a suggester (their own
    pending claims), a writer (their own votes) and a moderator."""
    rng = random.Random(seed)
    crowd = [UserFactory() for _ in range(4)]
    for step in range(30):
        _random_write(rng, cast, debate)
        claims = list(Claim.objects.filter(debate=debate, status=Claim.Status.PUBLISHED))
        point = _point(rng.choice(claims))
        for voter in [*rng.sample(crowd, rng.choice([1, 3])), cast.writer]:
            with contextlib.suppress(ValidationError):
                services.vote_cast(user=voter, point=point, value=rng.choice([0, 2, 4]))
        if step % 6 != 5:
            continue
        debate.refresh_from_db()
        for user in (cast.anonymous, cast.suggester, cast.writer, cast.moderator):
            for panel in (False, True):
                _same_cold_as_whole(client, user, debate, monkeypatch, panel=panel)


def _random_move(rng: random.Random, cast, debate: Debate) -> None:
    """A write the shared random writes do not make: a move (a branch's paths change), a
    restore, an approval, an unlinked link or a citation."""
    claims = list(Claim.objects.filter(debate=debate).exclude(is_thesis=True))
    if not claims:
        return
    claim = rng.choice(claims)
    act = rng.random()
    with contextlib.suppress(ValidationError):
        if act < 0.35:
            parent = rng.choice(list(Claim.objects.filter(debate=debate)))
            services.claim_move(actor=cast.moderator, claim=claim, parent=parent)
        elif act < 0.5 and claim.status == Claim.Status.HIDDEN:
            services.claim_restore(actor=cast.moderator, claim=claim)
        elif act < 0.65 and claim.status == Claim.Status.PENDING:
            services.claim_approve(actor=cast.moderator, claim=claim)
        elif act < 0.8:
            link = Relation.objects.filter(debate=debate, is_link=True, is_hidden=False).first()
            if link is not None:
                services.claim_unlink(actor=cast.moderator, relation=link)
        elif claim.status == Claim.Status.PUBLISHED:
            services.source_cite(
                actor=cast.writer, claim=claim, url=f"https://example.org/{rng.random():.6f}"
            )


@pytest.mark.parametrize("seed", [3, 4])
def test_stored_gap_places_brought_up_to_date_equal_those_written_whole(
    client, cast, debate, seed, monkeypatch
):
    """Seeded writes with moves, restores, approvals, unlinks and citations, and votes: the
    rows caught up after every few equal the rows one walk writes afresh, and the cold pages
    read from them equal the whole structure's."""
    rng = random.Random(seed)
    debate.refresh_from_db()
    assert stored_gaps.bring_up_to_date(debate)
    for step in range(24):
        _random_write(rng, cast, debate)
        _random_move(rng, cast, debate)
        claims = list(Claim.objects.filter(debate=debate, status=Claim.Status.PUBLISHED))
        point = _point(rng.choice(claims))
        for voter in (cast.viewer, cast.writer):
            with contextlib.suppress(ValidationError):
                services.vote_cast(user=voter, point=point, value=rng.choice([0, 4]))
        if step % 4 != 3:
            continue
        for user in (cast.anonymous, cast.writer, cast.moderator):
            debate.refresh_from_db()
            _same_cold_as_whole(client, user, debate, monkeypatch, panel=False)
        _assert_stored_as_written_whole(debate)


def test_a_moved_branch_takes_its_places_along(client, cast, debate, monkeypatch):
    """A claim moved under another thesis's pro: it and every claim beneath it stand at
    their new depth and path, and nothing is left at the old ones."""
    thesis = Claim.objects.get(debate=debate, is_thesis=True)
    top = services.claim_add(actor=cast.writer, parent=thesis, stance=Stance.PRO, text="Top.")
    below = services.claim_add(actor=cast.writer, parent=top, stance=Stance.CON, text="Below.")
    deeper = services.claim_add(actor=cast.writer, parent=below, stance=Stance.PRO, text="Deep.")
    other = services.claim_add(actor=cast.writer, parent=thesis, stance=Stance.CON, text="Other.")
    debate.refresh_from_db()
    assert stored_gaps.bring_up_to_date(debate)
    before = {row[0]: row[1] for row in _stored_rows(debate)}
    services.claim_move(actor=cast.moderator, claim=below, parent=other)
    debate.refresh_from_db()
    _same_cold_as_whole(client, cast.anonymous, debate, monkeypatch, panel=False)
    after = {row[0]: row[1] for row in _stored_rows(debate)}
    assert (before[below.pk], before[deeper.pk]) == (after[below.pk], after[deeper.pk])
    paths = {row[0]: row[2] for row in _stored_rows(debate)}
    assert paths[deeper.pk].startswith(paths[below.pk]) and paths[below.pk].startswith(
        paths[other.pk]
    )
    _assert_stored_as_written_whole(debate)


def test_stored_places_behind_and_not_brought_up_are_walked(client, cast, voted, monkeypatch):
    """A stamp left behind (another process's store failed, a replica behind): the reader
    walks the debate, and the page is still the whole structure's."""
    voted.refresh_from_db()
    assert stored_gaps.bring_up_to_date(voted)
    claim = Claim.objects.get(debate=voted, text="Beneath the pro.")
    services.claim_add(actor=cast.writer, parent=claim, stance=Stance.CON, text="An answer.")
    voted.refresh_from_db()
    assert not stored_gaps.current(voted)
    monkeypatch.setattr(stored_gaps, "bring_up_to_date", lambda debate: False)
    for persona in ("anonymous", "moderator"):
        _same_cold_as_whole(client, cast[persona], voted, monkeypatch, panel=False, walk=True)
    assert not stored_gaps.current(Debate.objects.get(pk=voted.pk))


def test_too_many_unpublished_claims_load_the_debate_whole(client, cast, voted, monkeypatch):
    _cold()
    debate_structure(voted)
    whole = _get(client, cast.moderator, voted, panel=False)
    _cold()
    monkeypatch.setattr(places, "PLACES_MAX", 2)
    assert _get(client, cast.moderator, voted, panel=False) == whole
    assert holds(voted)


@pytest.mark.parametrize("size", [10, 2000])
def test_cold_gaps_read_a_few_rows_at_any_size(
    client, cast, size, monkeypatch, django_assert_max_num_queries
):
    debate = build_debate(size, slug=f"gaps-{size}")
    debate_structure(debate)  # someone read it once: its strengths are stored
    debate.refresh_from_db()
    assert stored_gaps.bring_up_to_date(debate)  # and its gaps (a reader, or the import's task)
    debate.refresh_from_db()
    assert places.store_unplaced(debate)  # and its claims with no place, as the task does
    monkeypatch.setattr(loader, "_load_structure", cruxes_slice._no_whole_load)
    url = reverse("arguments:debate_gaps", args=[debate.slug])
    _cold()
    # The debate, then in one snapshot: the claims under unpublished ones, the walk, the
    # cards' slice (the versions, the theses, the relations beneath, the ways up, the
    # claims, their citations and notes). If this grows, say why.
    with django_assert_max_num_queries(10):
        sliced = client.get(url)
    _cold()
    with django_assert_max_num_queries(10):
        response = client.get(url, {"part": "panel"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    with monkeypatch.context() as patched:  # the whole structure's page, to compare
        patched.undo()
        monkeypatch.undo()
        _cold()
        debate_structure(debate)
        whole = client.get(url)
    assert _same(sliced) == _same(whole), "the same page, ordered over 2,000 claims"
    monkeypatch.setattr(loader, "_load_structure", cruxes_slice._no_whole_load)
    client.force_login(cast.writer)
    _cold()
    # Session, user, the debate with my role, the walk and the slice, my votes, the
    # perspective I vote as.
    with django_assert_max_num_queries(16):
        assert client.get(url).status_code == 200
    assert not holds(debate)


def _cold_but_kept() -> None:
    """A worker that holds nothing but the places and walks it read before."""
    for store in caches.stores():
        if store.forget is not None and store.name not in {"places", "gaps"}:
            store.forget()
    cache.clear()


def test_a_kept_walk_serves_readers_who_see_the_same_until_a_vote(client, cast, voted, monkeypatch):
    """Visitors share a read of the stored gap places kept in the process, the panel's and
    the page's one read; a vote moves the tally version and the next reader reads again;
    every page equals the whole structure's, and nobody walks the debate."""
    walks = []
    real_read = stored_gaps.read

    def spied(*args, **kwargs):
        walks.append(args)  # the panel and the page share one read
        return real_read(*args, **kwargs)

    monkeypatch.setattr(stored_gaps, "read", spied)
    monkeypatch.setattr(gaps, "_gaps_sql", _no_walk)
    crowd = [UserFactory() for _ in range(3)]
    point = _point(Claim.objects.get(debate=voted, text="Two levels down."))
    _cold()
    for step in range(3):
        voted.refresh_from_db()
        debate_structure(voted)
        whole = _get(client, cast.anonymous, voted, panel=False)
        for _reader in range(2):
            _cold_but_kept()
            with monkeypatch.context() as patched:
                patched.setattr(loader, "_load_structure", cruxes_slice._no_whole_load)
                _get(client, cast.anonymous, voted, panel=True)  # the debate page's panel
                assert _get(client, cast.anonymous, voted, panel=False) == whole
        services.vote_cast(user=crowd[step], point=point, value=2)
    assert len(walks) == 3, "one read per tally version"


def test_the_import_task_stores_the_gap_places_with_the_strengths(db, client, monkeypatch):
    """An import's task stores the gap places too: its first gaps reader reads them, with
    no walk and no store of its own."""
    debate = build_debate(40, slug="imported-gaps")
    assert not stored_gaps.current(debate)
    assert loader.store_strengths(debate)
    debate.refresh_from_db()
    assert stored_gaps.current(debate)
    assert len(_stored_rows(debate)) == Claim.objects.filter(debate=debate).count()
    monkeypatch.setattr(gaps, "_gaps_sql", _no_walk)
    monkeypatch.setattr(stored_gaps, "bring_up_to_date", _no_walk)
    monkeypatch.setattr(loader, "_load_structure", cruxes_slice._no_whole_load)
    _cold()
    url = reverse("arguments:debate_gaps", args=[debate.slug])
    assert client.get(url).status_code == 200
