"""Every store of a worker's own memory is bounded by bytes (issue 35, arguments/caches.py):
an LRU with a budget set per store in settings, so a worker that reads many debates holds no
more than its budgets, whatever it has read."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from arguments import caches
from arguments.models import Claim
from arguments.structure import loader
from tests.conftest import build_debate
from tests.factories import UserFactory


def _store(megabytes: float) -> caches.Bounded:
    return caches.Bounded("a test store", sizer=len, default_mb=megabytes)


def test_the_oldest_entries_go_once_the_bytes_pass_the_budget() -> None:
    store = _store(100 / caches.MEGABYTE)  # 100 bytes
    for name in "abcd":
        store.keep(name, name * 30)
    assert list(store) == ["b", "c", "d"]
    assert store.nbytes == 90
    assert store.fetch("b") == "b" * 30  # now the newest
    store.keep("e", "e" * 30)
    assert list(store) == ["d", "b", "e"]
    store.keep("d", "d" * 50)  # kept anew: counted once, at its new size
    assert list(store) == ["e", "d"] and store.nbytes == 80
    assert store.fetch("gone") is None


def test_an_entry_bigger_than_the_budget_is_kept_alone() -> None:
    store = _store(100 / caches.MEGABYTE)
    store.keep("small", "s" * 10)
    store.keep("big", "b" * 500)
    assert list(store) == ["big"] and store.nbytes == 500
    store.keep("small", "s" * 10)
    assert list(store) == ["small"] and store.nbytes == 10


def test_clear_forgets_the_bytes_too() -> None:
    store = _store(1)
    store.keep("a", "x" * 10)
    store.clear()
    assert not store and store.nbytes == 0


def test_the_budget_comes_from_settings(settings) -> None:
    store = _store(1)
    assert store.budget == caches.MEGABYTE
    settings.PROCESS_CACHE_BUDGETS = {"a test store": 0.5}
    assert store.budget == caches.MEGABYTE // 2


def test_every_budgeted_store_is_registered_and_has_a_budget_in_settings() -> None:
    bounded = caches.bounded_stores()
    names = {store.name for store in bounded}
    assert {"structures", "cards", "visitor pages", "perspectives"} <= names
    assert names == set(settings.PROCESS_CACHE_BUDGETS)
    # Every store of a process is bounded by bytes, except the URL patterns (a fixed,
    # small set: one per route of the app) and the map's style (one entry).
    registered = [s for s in caches.stores() if s.kept is caches.Kept.PROCESS]
    unbounded = sorted(s.name for s in registered if not isinstance(s.holds, caches.Bounded))
    assert all(getattr(s.holds, "cache_info", None) for s in registered if s.name in unbounded)


@pytest.mark.django_db
def test_reading_many_debates_keeps_every_store_within_its_budget(settings) -> None:
    # Budgets small enough that a few debates of 40 claims fill them.
    settings.PROCESS_CACHE_BUDGETS = {
        "structures": 4 * 40 * loader.BYTES_PER_CLAIM / caches.MEGABYTE,
        "cards": 20_000 / caches.MEGABYTE,
        "visitor pages": 3 * 30_000 / caches.MEGABYTE,
        "perspectives": 0.01,
        "outlines now": 0.01,
        "API: what a reader sees": 0.01,
    }
    reader = UserFactory()
    member, visitor = Client(), Client()
    member.force_login(reader)
    debates = [build_debate(40, slug=f"many-{n}") for n in range(12)]
    for debate in debates:
        deep = Claim.objects.filter(debate=debate).order_by("-id").first()
        assert deep is not None
        for client in (member, visitor):
            assert client.get(debate.get_absolute_url()).status_code == 200
            assert client.get(f"/d/{debate.slug}/claims/{deep.pk}/").status_code == 200
            assert client.get(f"/api/v1/debates/{debate.slug}").status_code == 200
        for store in caches.bounded_stores():
            assert store.nbytes <= store.budget or len(store) == 1, store.name
            assert store.nbytes == sum(store._sizes.values())
    structures = loader._STRUCTURES
    assert 1 < len(structures) <= 4  # the debates read last, not all twelve
    assert list(structures)[-1] == debates[-1].pk
