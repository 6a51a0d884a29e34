"""One registry of caches (arguments/caches.py): every store of the app registers itself with
its key and what makes it stale, and `forget_all()` forgets every one a worker holds, so a
store added without registering turns the suite red."""

from __future__ import annotations

import importlib
import pkgutil
import sys
import weakref
from collections import deque
from collections.abc import Iterator
from types import ModuleType

import pytest
from django.core.cache import cache
from django.urls import reverse

import arguments
from arguments import caches, services
from arguments.services.snapshots import debate_freeze

# The forms a store of this process takes: a container made empty at import and filled
# later, or a function whose answers functools keeps (lru_cache, cache).
CONTAINERS = (dict, set, list, deque, weakref.WeakKeyDictionary, weakref.WeakValueDictionary)


def _app_modules() -> Iterator[ModuleType]:
    for info in pkgutil.walk_packages(arguments.__path__, "arguments."):
        if ".migrations" not in info.name:
            yield importlib.import_module(info.name)


def _keeps_answers(value: object, module: ModuleType) -> bool:
    function = getattr(value, "__func__", value)  # a static or class method's function
    return hasattr(function, "cache_clear") and function.__module__ == module.__name__


def _process_stores() -> dict[str, object]:
    """Every object in the app's modules that holds a store of this process, by its name."""
    found: dict[str, object] = {}
    for module in _app_modules():
        for name, value in vars(module).items():
            where = f"{module.__name__}.{name}"
            if name.startswith("__"):
                continue
            if (isinstance(value, CONTAINERS) and not value) or _keeps_answers(value, module):
                found[where] = value
            elif isinstance(value, type) and value.__module__ == module.__name__:
                for attribute, member in vars(value).items():
                    if _keeps_answers(member, module):
                        found[f"{where}.{attribute}"] = getattr(member, "__func__", member)
    return found


def test_every_store_of_this_process_in_the_app_is_registered() -> None:
    found = _process_stores()
    registered = {id(store.holds) for store in caches.stores() if store.kept is caches.Kept.PROCESS}
    unregistered = sorted(name for name, value in found.items() if id(value) not in registered)
    assert not unregistered, f"register these with arguments.caches: {unregistered}"
    # The walk sees every registered one: it knows every form they take.
    assert registered == {id(value) for value in found.values()}
    assert len(registered) >= 6  # structures, perspectives, routes, map style, cards, pages


def test_each_store_says_what_its_key_is_and_what_makes_it_stale() -> None:
    stores = caches.stores()
    assert {store.kept for store in stores} == set(caches.Kept)
    for store in stores:
        assert store.key.strip() and store.stale.strip(), store.name
        assert (store.forget is not None) == (store.kept is caches.Kept.PROCESS), store.name


def test_a_store_is_registered_once() -> None:
    with pytest.raises(ValueError, match="registered already"):
        caches.register("structures", kept=caches.Kept.DATABASE, key="k", stale="s")
    with pytest.raises(ValueError, match="a process store"):
        caches.register("new", kept=caches.Kept.PROCESS, key="k", stale="s")
    assert "new" not in {store.name for store in caches.stores()}


def _size(holds: object) -> int:
    info = getattr(holds, "cache_info", None)
    return info().currsize if info is not None else len(holds)  # type: ignore[arg-type]


@pytest.mark.django_db
def test_forget_all_leaves_every_store_of_this_process_empty(client, cast, debate, pro, con):
    perspective = services.perspective_create(actor=cast.writer, debate=debate, name="An economist")
    services.vote_cast(user=cast.writer, point=pro.parent_relations.get(), value=3)
    client.get(debate.get_absolute_url())  # a visitor's page, its tree in the shared cache
    caches.forget_all()  # a worker holding nothing finds cruxes from places (places.py)
    client.get(reverse("arguments:debate_cruxes", args=[debate.slug]))
    client.get(reverse("arguments:debate_gaps", args=[debate.slug]))  # and gaps (gaps.py)
    client.get(debate.get_absolute_url())  # and the visitor's page kept again
    client.get(f"/d/{debate.slug}/map.svg")
    client.force_login(cast.moderator)  # the cards, the participants through the cache
    client.get(debate.get_absolute_url(), {"perspective": f"named:{perspective.pk}"})
    client.get(debate.get_absolute_url())
    version = debate_freeze(actor=cast.owner, debate=debate).number
    client.get(f"/d/{debate.slug}/v/{version}/diff/")  # the debate's outline now, kept
    client.get(f"/api/v1/debates/{debate.slug}")  # what a reader sees, kept for the API
    client.get(reverse("arguments:debate_list"))  # the debates' cards on the home page
    process = [store for store in caches.stores() if store.kept is caches.Kept.PROCESS]
    assert [store.name for store in process if not _size(store.holds)] == []  # all filled
    debate.refresh_from_db()
    participants = f"participants:{debate.pk}:{debate.created_at.timestamp()}:1"
    assert cache.get(participants)
    caches.forget_all()
    assert {store.name: _size(store.holds) for store in process} == {
        store.name: 0 for store in process
    }
    assert cache.get(participants) is None


def test_measured_size_counts_each_object_once_and_what_it_refers_to() -> None:
    text = "x" * 1000
    alone = caches.measured_size(text)
    assert alone == sys.getsizeof(text)
    assert caches.measured_size([text, text]) == sys.getsizeof([text, text]) + alone
    assert caches.measured_size({"k": [text]}) > 2 * alone - alone  # the list and the text


def test_text_size_is_what_the_string_takes_past_latin_1_too() -> None:
    assert caches.text_size("a" * 1000) == sys.getsizeof("a" * 1000)
    # One character past Latin-1 makes every character two bytes: counted, not guessed.
    assert caches.text_size("…" + "a" * 999) > 2000


@pytest.mark.django_db
def test_no_store_counts_less_than_half_of_what_its_entries_take(client, cast, debate, pro, con):
    """Each bounded store's sizer against the bytes its entries really take (issue 35: the
    budgets add up to a worker's memory only if the sizers do not undercount)."""
    services.vote_cast(user=cast.writer, point=pro.parent_relations.get(), value=3)
    caches.forget_all()
    client.get(reverse("arguments:debate_cruxes", args=[debate.slug]))
    client.get(reverse("arguments:debate_gaps", args=[debate.slug]))
    client.get(debate.get_absolute_url())
    client.get(f"/d/{debate.slug}/map.svg")
    client.get(f"/api/v1/debates/{debate.slug}")
    client.get(reverse("arguments:explore"))  # the debates' cards
    client.force_login(cast.moderator)
    client.get(debate.get_absolute_url())
    client.get(reverse("arguments:claim", kwargs={"slug": debate.slug, "pk": pro.pk}))
    client.get(reverse("arguments:debate_activity", args=[debate.slug]))  # a kept read
    figures = {
        store.name: (store.nbytes, sum(caches.measured_size(v) for v in store.values()))
        for store in caches.bounded_stores()
        if len(store)
    }
    assert {
        "structures", "visitor pages", "map drawings", "cards", "debate cards", "kept reads",
    } <= set(figures)  # fmt: skip
    undercounted = {name: f for name, f in figures.items() if f[0] < f[1] / 2}
    assert not undercounted, f"(counted, measured) bytes: {undercounted}"
