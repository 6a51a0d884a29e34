"""The shared cache, with Redis optional at run time.

Redis is a speed-up, never a reason to refuse a reader. `FallbackRedisCache` is Django's
Redis cache with short timeouts; when Redis does not answer, the process logs it once and,
for a few seconds at a time, stops asking it and degrades instead:

- to no cache for what the database already holds or can rebuild: template fragments
  (`{% cache %}`) and cached sessions (`cached_db`: the session table is the truth);
- to the database (`DatabaseCache`, the `fallback` cache alias, its table made by a
  migration) for what must stay shared between workers: rate limits (ours and allauth's
  sign-in limit, which takes a lock with `cache.add`), the bell's unread counts, LTI nonces.

Every key written or deleted while Redis was away is remembered and deleted from Redis (and
from the fallback) when it answers again, so a session ended or a count moved during the
outage is not contradicted by Redis's older copy. Entries written to the fallback live at
most `FALLBACK_MAX_SECONDS`, so a later outage cannot read an old one.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache import BaseCache, caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("debate.cache")

# What a dead, unreachable or hung Redis raises (BusyLoadingError is a ConnectionError).
REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, OSError)
# Keys that degrade to no cache at all: the database holds or rebuilds what they keep, and a
# fragment of a large debate is too big to write to a table on every miss.
UNCACHED_WHILE_DOWN = ("template.cache.", "django.contrib.sessions.cache")
RETRY_SECONDS = 1.0  # how long the process stops asking Redis after it failed to answer
FALLBACK_MAX_SECONDS = 600
MISSED_KEPT = 10_000  # keys remembered while Redis is away; past this, Redis is cleared


class FallbackRedisCache(RedisCache):
    """Django's RedisCache that degrades to the `fallback` cache alias (or to nothing) while
    Redis does not answer, and comes back by itself when it does."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        params = dict(params)
        options = dict(params.get("OPTIONS", {}))
        self._fallback_alias: str = options.pop("FALLBACK_ALIAS", "fallback")
        params["OPTIONS"] = options
        super().__init__(server, params)
        self._state = threading.Lock()
        self._down_until = 0.0  # monotonic time before which Redis is not asked
        self._down = False
        self._missed: set[tuple[str, int | None]] = set()
        self._missed_overflow = False

    @property
    def fallback(self) -> BaseCache:
        return caches[self._fallback_alias]

    @property
    def is_down(self) -> bool:
        """Whether this process currently treats Redis as away."""
        return self._down

    # One path for every operation ------------------------------------------------------

    def _through(
        self,
        redis_op: Callable[[], Any],
        degraded_op: Callable[[BaseCache], Any],
        *,
        keys: Iterable[str],
        version: int | None,
        writes: bool,
        default: Any = None,
    ) -> Any:
        keys = list(keys)
        if time.monotonic() >= self._down_until:
            try:
                if self._down:
                    self._forget_missed()
                answer = redis_op()
            except REDIS_DOWN as error:
                self._go_down(error)
            else:
                if self._down:
                    self._come_back()
                return answer
        if writes:
            self._remember(keys, version)
        if all(key.startswith(UNCACHED_WHILE_DOWN) for key in keys):
            return default
        return degraded_op(self.fallback)

    def _go_down(self, error: BaseException) -> None:
        with self._state:
            self._down_until = time.monotonic() + RETRY_SECONDS
            if not self._down:
                self._down = True
                logger.warning(
                    "Redis does not answer (%s); caching in the database and serving "
                    "without fragments until it does.",
                    error,
                )

    def _come_back(self) -> None:
        with self._state:
            was_down, self._down = self._down, False
        if was_down:
            logger.warning("Redis answers again; the cache is shared through it again.")

    def _forget_missed(self) -> None:
        """Before Redis is used again: delete what it missed (the caller catches a failure)."""
        with self._state:
            missed, overflow = self._missed, self._missed_overflow
            self._missed, self._missed_overflow = set(), False
        try:
            if overflow:
                super().clear()
            by_version: dict[int | None, list[str]] = {}
            for key, version in missed:
                by_version.setdefault(version, []).append(key)
            for version, keys in by_version.items():
                super().delete_many(keys, version=version)
        except REDIS_DOWN:
            with self._state:
                self._missed |= missed
                self._missed_overflow |= overflow
            raise
        for version, keys in by_version.items():
            self.fallback.delete_many(keys, version=version)

    def _remember(self, keys: list[str], version: int | None) -> None:
        with self._state:
            if len(self._missed) + len(keys) > MISSED_KEPT:
                self._missed_overflow = True
                self._missed.clear()
            elif not self._missed_overflow:
                self._missed.update((key, version) for key in keys)

    @staticmethod
    def _capped(timeout: Any) -> float:
        if timeout is DEFAULT_TIMEOUT or timeout is None:
            return FALLBACK_MAX_SECONDS
        return min(float(timeout), FALLBACK_MAX_SECONDS)

    # The cache API ----------------------------------------------------------------------

    def add(
        self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        return bool(
            self._through(
                lambda: super(FallbackRedisCache, self).add(key, value, timeout, version),
                lambda c: c.add(key, value, self._capped(timeout), version),
                keys=[key],
                version=version,
                writes=True,
                default=True,
            )
        )

    def get(self, key: str, default: Any = None, version: int | None = None) -> Any:
        return self._through(
            lambda: super(FallbackRedisCache, self).get(key, default, version),
            lambda c: c.get(key, default, version),
            keys=[key],
            version=version,
            writes=False,
            default=default,
        )

    def set(
        self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        self._through(
            lambda: super(FallbackRedisCache, self).set(key, value, timeout, version),
            lambda c: c.set(key, value, self._capped(timeout), version),
            keys=[key],
            version=version,
            writes=True,
        )

    def touch(self, key: str, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return bool(
            self._through(
                lambda: super(FallbackRedisCache, self).touch(key, timeout, version),
                lambda c: c.touch(key, self._capped(timeout), version),
                keys=[key],
                version=version,
                writes=False,
                default=False,
            )
        )

    def delete(self, key: str, version: int | None = None) -> bool:
        return bool(
            self._through(
                lambda: super(FallbackRedisCache, self).delete(key, version),
                lambda c: c.delete(key, version),
                keys=[key],
                version=version,
                writes=True,
                default=False,
            )
        )

    def get_many(self, keys: Iterable[str], version: int | None = None) -> dict[str, Any]:
        keys = list(keys)
        return dict(
            self._through(
                lambda: super(FallbackRedisCache, self).get_many(keys, version),
                lambda c: c.get_many(keys, version),
                keys=keys,
                version=version,
                writes=False,
                default={},
            )
        )

    def has_key(self, key: str, version: int | None = None) -> bool:
        return bool(
            self._through(
                lambda: super(FallbackRedisCache, self).has_key(key, version),
                lambda c: c.has_key(key, version),
                keys=[key],
                version=version,
                writes=False,
                default=False,
            )
        )

    def incr(self, key: str, delta: int = 1, version: int | None = None) -> int:
        def degraded(c: BaseCache) -> int:
            return c.incr(key, delta, version)

        return int(
            self._through(
                lambda: super(FallbackRedisCache, self).incr(key, delta, version),
                degraded,
                keys=[key],
                version=version,
                writes=True,
                default=delta,
            )
        )

    def set_many(
        self, data: dict[str, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list[str]:
        return list(
            self._through(
                lambda: super(FallbackRedisCache, self).set_many(data, timeout, version),
                lambda c: c.set_many(data, self._capped(timeout), version),
                keys=list(data),
                version=version,
                writes=True,
                default=[],
            )
        )

    def delete_many(self, keys: Iterable[str], version: int | None = None) -> None:
        keys = list(keys)
        self._through(
            lambda: super(FallbackRedisCache, self).delete_many(keys, version),
            lambda c: c.delete_many(keys, version),
            keys=keys,
            version=version,
            writes=True,
        )

    def clear(self) -> None:
        if time.monotonic() >= self._down_until:
            try:
                if self._down:
                    self._forget_missed()
                super().clear()
                self._come_back()
                return
            except REDIS_DOWN as error:
                self._go_down(error)
        self.fallback.clear()
        with self._state:  # Redis is cleared as it comes back
            self._missed_overflow = True
            self._missed.clear()
