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

A process store is bounded by bytes, not by entries (`Bounded`): an LRU whose budget is set
per store in settings (`PROCESS_CACHE_BUDGETS`, megabytes by store name), so a worker that
reads a thousand debates holds no more than the sum of the budgets (issue 35).

This module imports nothing from the app, so every part may register with it.
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.conf import settings
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


MEGABYTE = 1024 * 1024


class Bounded(OrderedDict[Hashable, Any]):
    """A process store bounded by bytes: the entries used last, evicted oldest first once
    their sizes add up past the budget. `sizer` tells an entry's size in bytes (an estimate:
    measuring a structure of 200,000 claims object by object would cost more than loading
    it). The newest entry is always kept, even alone past the budget (a debate bigger than
    the whole budget is still served from memory while it is the one being read); so the
    store holds at most its budget, or one entry.

    Only `fetch`, `keep` and `clear` change it (a dict's own methods would not count the
    bytes); it is a dict so that tests and the registry see what it holds. Thread-safe."""

    def __init__(self, name: str, *, sizer: Callable[[Any], int], default_mb: float) -> None:
        super().__init__()
        self.name = name
        self.sizer = sizer
        self.default_mb = default_mb
        self.nbytes = 0
        self._sizes: dict[Hashable, int] = {}
        self._lock = threading.RLock()

    @property
    def budget(self) -> int:
        """Bytes this store may hold: settings.PROCESS_CACHE_BUDGETS[name] megabytes, read
        on each use so a test or a deployment may change it."""
        budgets = getattr(settings, "PROCESS_CACHE_BUDGETS", {})
        return int(float(budgets.get(self.name, self.default_mb)) * MEGABYTE)

    def fetch(self, key: Hashable) -> Any:
        """The entry under `key` (now the newest), or None."""
        with self._lock:
            value = self.get(key)
            if value is not None:
                self.move_to_end(key)
            return value

    def keep(self, key: Hashable, value: Any) -> None:
        """Keep `value` under `key` as the newest entry, then evict the oldest until the
        store is within its budget (or holds this entry alone)."""
        size = max(1, int(self.sizer(value)))
        with self._lock:
            if key in self:
                self.nbytes -= self._sizes.pop(key)
                super().__delitem__(key)
            self[key] = value
            self._sizes[key] = size
            self.nbytes += size
            budget = self.budget
            while self.nbytes > budget and len(self) > 1:
                oldest, _ = self.popitem(last=False)
                self.nbytes -= self._sizes.pop(oldest)

    def clear(self) -> None:
        with self._lock:
            super().clear()
            self._sizes.clear()
            self.nbytes = 0


def text_size(text: str | bytes) -> int:
    """Bytes a kept string (or its encoding) costs: exact, and as cheap as `len` (a string
    of one character past Latin-1, a "…" or an Arabic word, takes 2 or 4 bytes for every
    character)."""
    return sys.getsizeof(text)


_ATOMS = (type, type(sys), type(text_size), type(len))  # classes, modules, functions


def measured_size(value: Any) -> int:
    """The bytes `value` and everything it refers to take, each object once (a walk of
    `sys.getsizeof`: for a test or `bench` to check a store's sizer, never on a request).
    Classes, modules and functions are shared by the whole process and not counted."""
    seen: set[int] = set()
    total = 0
    stack = [value]
    while stack:
        item = stack.pop()
        if id(item) in seen or isinstance(item, _ATOMS):
            continue
        seen.add(id(item))
        total += sys.getsizeof(item)
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            stack.extend(item)
        if hasattr(item, "__dict__") and not isinstance(item, dict):
            stack.append(vars(item))
        for klass in type(item).__mro__:
            for slot in getattr(klass, "__slots__", ()):
                if slot not in ("__dict__", "__weakref__") and hasattr(item, slot):
                    stack.append(getattr(item, slot))
    return total


def bounded_stores() -> list[Bounded]:
    """Every registered process store bounded by bytes."""
    return [store.holds for store in _STORES.values() if isinstance(store.holds, Bounded)]
