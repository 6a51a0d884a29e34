"""Every cache and stored copy of the app, in one registry: what each keeps, what its key is
made of, what makes an entry stale, and how to forget it. The documentation is the registry:
each store registers itself where it is defined, once, as its module is imported.

Four kinds of store:
- *process*: this worker's memory (an `OrderedDict` or an `lru_cache`), fast and private;
  keyed by the versions it was built from, so a write never has to reach another worker.
- *shared*: Django's cache (Redis when REDIS_URL is set, else this process's memory), for
  what several workers should agree on or what outlives a request briefly.
- *database*: copies and logs kept in rows and columns, kept right by the writes themselves
  (a test's transaction rolls them back).
- *browser*: what a reader's browser keeps (its page, polled with an ETag).

`forget_all()` forgets every process store and clears the shared cache: tests start each
case from the database through it. A live site never needs it: every key holds what makes it
stale.

This module imports nothing from the app, so every part may register with it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from django.core.cache import cache


class Kept(StrEnum):
    PROCESS = "process"
    SHARED = "shared"
    DATABASE = "database"
    BROWSER = "browser"  # a reader's browser keeps it; we only say whether it still holds


@dataclass(frozen=True, slots=True)
class Store:
    """One registered store: where it keeps, its key, what makes an entry stale."""

    name: str
    kept: Kept
    key: str
    stale: str
    # How to forget a process store's entries; None for the others (the shared cache is
    # cleared whole, the writes keep the database's copies right).
    forget: Callable[[], None] | None
    # What holds a process store's entries (its OrderedDict, its lru_cache function), so a
    # test can tell that every such object in the app is registered.
    holds: object = None


_STORES: dict[str, Store] = {}


def register(
    name: str,
    *,
    kept: Kept,
    key: str,
    stale: str,
    forget: Callable[[], None] | None = None,
    holds: object = None,
) -> Store:
    """Register a store once, as its module is imported (a second store of one name is a
    mistake). A process store, and only one, says how to forget it and what holds it."""
    if (kept is Kept.PROCESS) != (forget is not None and holds is not None):
        raise ValueError(f"{name!r}: a process store, and only one, names `forget` and `holds`.")
    if name in _STORES:
        raise ValueError(f"A store named {name!r} is registered already.")
    store = Store(name, kept, key, stale, forget, holds)
    _STORES[name] = store
    return store


def stores() -> list[Store]:
    """Every registered store, in the order registered."""
    return list(_STORES.values())


def forget_all() -> None:
    """Forget every process store and clear the shared cache (tests)."""
    for store in _STORES.values():
        if store.forget is not None:
            store.forget()
    cache.clear()
