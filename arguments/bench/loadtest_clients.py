"""Signed-in clients for `loadtest`: sessions made directly in the session store (no login
form to drive), and a class at work (voters and a writer) posting through the real endpoints
while wrk reads.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import threading
import time
from dataclasses import dataclass, field
from importlib import import_module
from string import ascii_lowercase
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.utils.crypto import get_random_string

from arguments.models import Claim, Debate, Relation, Stance


@dataclass(frozen=True)
class Session:
    """A signed-in user as a client sends them: cookies and the CSRF token for a POST."""

    user_id: int
    key: str
    csrf: str

    @property
    def cookie(self) -> str:
        return f"{settings.SESSION_COOKIE_NAME}={self.key}; {settings.CSRF_COOKIE_NAME}={self.csrf}"


def sessions_for(debate: Debate, count: int, prefix: str) -> list[Session]:
    """`count` signed-in users (made when missing), each with a fresh session. The debate's
    newcomers' role lets them read, vote and (a public debate's default) write."""
    User = get_user_model()
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    sessions = []
    for n in range(count):
        user, _ = User.objects.get_or_create(username=f"{prefix}-{n}")
        store = store_class()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        # The CSRF cookie holds a secret the form may send back as it is (unmasked).
        csrf = get_random_string(32)
        sessions.append(Session(user.pk, store.session_key or "", csrf))
    return sessions


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0

    def summary(self) -> dict[str, Any]:
        ordered = sorted(self.latencies)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else 0.0
        return {
            "done": len(ordered),
            "errors": self.errors,
            "p50_ms": round(statistics.median(ordered) * 1000, 1) if ordered else 0.0,
            "p99_ms": round(p99 * 1000, 1),
        }


class ClassAtWork:
    """Voters casting votes at a steady rate and one writer adding claims, in threads, for as
    long as the `with` block runs."""

    def __init__(
        self,
        base: str,
        debate: Debate,
        voters: list[Session],
        writer: Session,
        *,
        votes_per_second: float,
        write_every: float,
    ) -> None:
        self.base = base
        self.slug = debate.slug
        self.voters = voters
        self.writer = writer
        self.votes_per_second = votes_per_second
        self.write_every = write_every
        # Points readers see: the theses' first two levels, where a class votes most.
        thesis_ids = list(Claim.objects.filter(debate=debate, is_thesis=True).values_list("id"))
        first = list(
            Relation.objects.filter(
                parent_id__in=[t for (t,) in thesis_ids], is_link=False
            ).values_list("child_id", flat=True)
        )
        second = list(
            Relation.objects.filter(parent_id__in=first, is_link=False).values_list(
                "child_id", flat=True
            )
        )
        self.points = first + second
        self.parents = first or [t for (t,) in thesis_ids]
        self.votes, self.writes = Tally(), Tally()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def __enter__(self) -> ClassAtWork:
        self._threads = [
            threading.Thread(target=self._vote_loop, daemon=True),
            threading.Thread(target=self._write_loop, daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)

    def summary(self) -> dict[str, Any]:
        return {"votes": self.votes.summary(), "writes": self.writes.summary()}

    def _post(self, session: Session, path: str, data: dict[str, str], tally: Tally) -> None:
        request = Request(
            self.base + path,
            data=urlencode(data).encode(),
            headers={
                "Cookie": session.cookie,
                "X-CSRFToken": session.csrf,
                "HX-Request": "true",
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        start = time.perf_counter()
        try:
            with urlopen(request, timeout=10) as response:
                response.read()
                ok = response.status == 200
        except (HTTPError, URLError, TimeoutError):
            ok = False
        if ok:
            tally.latencies.append(time.perf_counter() - start)
        else:
            tally.errors += 1

    def _vote_loop(self) -> None:
        rng = random.Random(1)
        interval = 1 / self.votes_per_second
        next_at = time.perf_counter()
        while not self._stop.is_set():
            point = rng.choice(self.points)
            path = f"/d/{self.slug}/claims/{point}/vote/"
            self._post(rng.choice(self.voters), path, {"value": str(rng.randint(0, 4))}, self.votes)
            next_at += interval
            self._stop.wait(max(0.0, next_at - time.perf_counter()))

    def _write_loop(self) -> None:
        rng, fresh = random.Random(2), random.Random()
        n = 0
        while not self._stop.wait(self.write_every):
            n += 1
            parent = rng.choice(self.parents)
            # Words of their own: texts alike ("… number 2 …") read as the same claim on
            # PostgreSQL (trigram similarity) and are answered 422 "post it anyway", as a
            # student's copy of a sibling would be.
            # Not seeded: a run after another on the same database must not write its twins.
            words = (
                "".join(fresh.choice(ascii_lowercase) for _ in range(fresh.randint(3, 9)))
                for _ in range(10)
            )
            text = f"Load test claim {n}: {' '.join(words)}."
            path = f"/d/{self.slug}/claims/{parent}/add/"
            self._post(self.writer, path, {"text": text, "stance": Stance.PRO}, self.writes)


class IdleReaders:
    """`count` readers with the debate open in a tab, each polling it every `every` seconds
    (as static/js/live.js does) with the page's ETag, evenly spread, for as long as the
    `with` block runs.

    Each poll opens a connection only when it has a request to send, as a browser behind a
    proxy would (a client that connects and then waits would hold a sync worker: gunicorn's
    sync workers need a buffering proxy in front, docs/PERFORMANCE.md). One asyncio loop in
    a thread, raw sockets: the load generator takes little of the machine it measures."""

    def __init__(self, host: str, port: int, path: str, etag: str, *, count: int, every: float):
        self.host, self.port, self.count, self.every = host, port, count, every
        self.request = (
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nIf-None-Match: {etag}\r\n"
            "Connection: close\r\n\r\n"
        ).encode()
        self.tally = Tally()
        self.unchanged = 0
        self.late = 0  # polls sent more than a second after they fell due
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> IdleReaders:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def summary(self) -> dict[str, Any]:
        done = self.tally.summary()
        return done | {"readers": self.count, "unchanged_304": self.unchanged, "late": self.late}

    def _run(self) -> None:
        asyncio.run(self._all())

    async def _all(self) -> None:
        await asyncio.gather(*(self._reader(n) for n in range(self.count)))

    async def _reader(self, n: int) -> None:
        loop = asyncio.get_running_loop()
        due = loop.time() + self.every * n / self.count
        while not self._stop.is_set():
            await asyncio.sleep(max(0.0, due - loop.time()))
            if self._stop.is_set():
                return
            if loop.time() - due > 1:
                self.late += 1
            began = loop.time()
            try:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection(self.host, self.port), timeout=10
                )
                writer.write(self.request)
                answer = await asyncio.wait_for(reader.read(), timeout=10)
                writer.close()
            except (OSError, TimeoutError):
                self.tally.errors += 1
            else:
                if answer.startswith(b"HTTP/1.1 304") or answer.startswith(b"HTTP/1.0 304"):
                    self.unchanged += 1
                    self.tally.latencies.append(loop.time() - began)
                else:
                    self.tally.errors += 1
            due += self.every
