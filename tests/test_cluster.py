"""The app as deployed past one machine (issue 36): a primary PostgreSQL and a streaming
replica, two gunicorn servers as separate processes, the task worker and haproxy in front
(arguments/bench/cluster.py), with a scripted class at work on both servers at once:

- every acknowledged vote and claim is in the primary;
- a voter who votes on one server and reads on the other sees their vote, a writer their claim;
- every reader sees another's claim on either server within the live interval;
- no server serves a reader a page older than one they were served before.

Runs in CI's PostgreSQL pass (about 40 s); 10 runs in a row are reported in the issue's note.
"""

from __future__ import annotations

import html
import json
import random
import re
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

import psycopg
import pytest
from django.db import connection

from arguments.bench import cluster as clusters
from arguments.bench.worker_probe import database_url
from arguments.live.polls import POLL_SECONDS

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres, pytest.mark.cluster]

LOAD_SECONDS = 14
ETAG = re.compile(r'data-live-etag="([^"]+)"')
WRITTEN = re.compile(r"Cluster claim w\d+-\d+\.")


@pytest.fixture
def cluster(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the cluster is PostgreSQL's (a primary and a streaming replica)")
    reason = clusters.available()
    if reason:
        pytest.skip(reason)
    running = clusters.Cluster(
        workers=1, schema_from=database_url(connection.settings_dict), logs=tmp_path
    )
    started = time.monotonic()
    running.start()
    print(f"cluster started in {time.monotonic() - started:.1f} s: {running.timings}")
    print(f"servers {running.server_urls}, balancer {running.url}, logs in {tmp_path}")
    yield running
    running.stop()


@dataclass
class Reader:
    """One browser: its cookies (a session made in the store, or none: a visitor), what it
    was served, and what went wrong."""

    name: str
    cookies: dict[str, str] = field(default_factory=dict)
    csrf: str = ""
    newest: tuple[int, int] = (0, 0)
    pages: list[tuple[float, set[str]]] = field(default_factory=list)  # start, claims seen
    problems: list[str] = field(default_factory=list)

    def call(self, url: str, data: dict[str, str] | None = None) -> str:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if data is not None:
            headers |= {"X-CSRFToken": self.csrf, "HX-Request": "true"}
        body = None if data is None else urlencode(data).encode()
        try:
            with urlopen(Request(url, data=body, headers=headers), timeout=30) as response:
                text = response.read().decode()
                status = response.status
                set_cookies = response.headers.get_all("Set-Cookie") or []
        except HTTPError as error:
            text, status, set_cookies = error.read().decode(errors="replace"), error.code, []
        for line in set_cookies:
            for name, morsel in SimpleCookie(line).items():
                if morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        if status != 200:
            self.problems.append(f"{url}: {status} {' '.join(text.split())[:300]}")
        return text

    def read(self, url: str, *, debate_page: bool = True) -> str:
        """A page, checked to be no older than any this reader was served before; a debate
        page's new claims (the thesis's pros) recorded."""
        started = time.monotonic()
        page = self.call(url)
        found = ETAG.search(page)
        if found is None:
            self.problems.append(f"{url}: no versions on the page")
            return page
        structure, tally = (int(n) for n in html.unescape(found.group(1)).strip('"').split("."))
        if structure < self.newest[0] or tally < self.newest[1]:
            self.problems.append(f"{url}: {structure}.{tally} after {self.newest}")
        self.newest = (max(structure, self.newest[0]), max(tally, self.newest[1]))
        if debate_page:
            self.pages.append((started, set(WRITTEN.findall(page))))
        return page


def signed_in(name: str, session: dict) -> Reader:
    return Reader(
        name, {"sessionid": session["key"], "csrftoken": session["csrf"]}, session["csrf"]
    )


def test_a_class_on_two_servers_and_a_replica_reads_its_writes_and_never_goes_back(cluster):
    made = cluster.manage(
        "shell",
        "-c",
        "import json; from arguments.bench.cluster import make_class; "
        "print(json.dumps(make_class(slug='cluster-class', size=40, voters=4, writers=2)))",
    )
    klass = json.loads(made.strip().splitlines()[-1])
    slug, thesis, points = klass["slug"], klass["thesis"], klass["points"]
    a, b = cluster.server_urls
    servers = [a, b, cluster.url]
    voters = [signed_in(f"voter{n}", s) for n, s in enumerate(klass["voters"])]
    writers = [signed_in(f"writer{n}", s) for n, s in enumerate(klass["writers"])]
    visitors = [Reader(f"visitor{n}") for n in range(2)]
    votes: dict[tuple[int, int], int] = {}  # (user, relation) -> the last acknowledged value
    claims: dict[str, tuple[float, str]] = {}  # text -> when acknowledged, by whom
    acknowledged: list[int] = []
    lag: list[tuple[int, float]] = []
    stop = threading.Event()

    def vote(reader: Reader, user: int, seed: int) -> None:
        rng = random.Random(seed)
        while not stop.is_set():
            point, value = rng.choice(points), rng.randint(0, 4)
            here, there = rng.sample([a, b], 2)
            reader.call(f"{here}/d/{slug}/claims/{point['claim']}/vote/", {"value": str(value)})
            if reader.problems:
                return
            votes[user, point["relation"]] = value
            acknowledged.append(value)
            page = reader.read(f"{there}/d/{slug}/claims/{point['claim']}/", debate_page=False)
            block = page.split(f'id="votes-r{point["relation"]}"', 1)[-1].split("</form>", 1)[0]
            if f"mine: {value}<" not in block:
                reader.problems.append(f"vote {value} on {point} made on {here} not on {there}")
            stop.wait(0.3)

    def write(reader: Reader, n: int) -> None:
        for count in range(1, 100):
            if stop.wait(1.5):
                return
            here, there = random.Random(n * 100 + count).sample([a, b], 2)
            text = f"Cluster claim w{n}-{count}."
            reader.call(f"{here}/d/{slug}/claims/{thesis}/add/", {"text": text, "stance": "pro"})
            if reader.problems:
                return
            claims[text] = (time.monotonic(), reader.name)
            if text not in reader.read(f"{there}/d/{slug}/"):
                reader.problems.append(f"{text} written on {here} not on {there}")

    def read(reader: Reader, n: int) -> None:
        while not stop.is_set():
            for server in servers:
                reader.read(f"{server}/d/{slug}/")
                stop.wait(0.2 + n / 10)

    def watch_lag() -> None:
        while not stop.wait(0.5):
            lag.append(cluster.replica_lag())

    threads = [
        *(
            threading.Thread(target=vote, args=(r, s["user_id"], n))
            for n, (r, s) in enumerate(zip(voters, klass["voters"], strict=True))
        ),
        *(threading.Thread(target=write, args=(r, n)) for n, r in enumerate(writers)),
        *(threading.Thread(target=read, args=(r, n)) for n, r in enumerate(visitors)),
        threading.Thread(target=watch_lag),
    ]
    for thread in threads:
        thread.start()
    time.sleep(LOAD_SECONDS)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)

    everyone = [*voters, *writers, *visitors]
    assert [p for r in everyone for p in r.problems] == []
    # Enough happened to prove something, even on a busy machine.
    assert len(acknowledged) >= 5 and len(claims) >= 3, (len(acknowledged), len(claims))

    # Every acknowledged vote and claim is in the primary.
    with psycopg.connect(cluster.primary_url.replace("postgres://", "postgresql://")) as db:
        stored = {
            (user, relation): value
            for user, relation, value in db.execute(
                "SELECT user_id, relation_id, value FROM arguments_vote WHERE relation_id > 0"
            )
        }
        texts = {text for (text,) in db.execute("SELECT text FROM arguments_claim")}
    assert {key: stored.get(key) for key in votes} == votes
    assert set(claims) <= texts

    # Both servers read the replica (their connections persist: CONN_MAX_AGE).
    replica = cluster.replica_url.replace("postgres://", "postgresql://")
    with psycopg.connect(replica) as db:
        (readers,) = db.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
        ).fetchone() or (0,)
    assert readers >= 2

    # Every reader, on any server, sees another's claim once the live interval has passed.
    late = [
        (reader.name, text)
        for text, (acknowledged, author) in claims.items()
        for reader in everyone
        if reader.name != author
        for started, seen in reader.pages
        if started > acknowledged + POLL_SECONDS and text not in seen
    ]
    assert late == []
    print(f"{len(acknowledged)} votes, {len(claims)} claims acknowledged")
    print(f"replica lag during the load (bytes, seconds), max: {max(lag, default=(0, 0.0))}")
