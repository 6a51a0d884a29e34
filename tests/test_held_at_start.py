"""A worker holds its site's most recently active debates before its first request
(arguments/structure/held_at_start.py, called after the fork by gunicorn.conf.py): those that
fit the structures' budget, most active first and last to be evicted, current with their
versions; a debate too big for the budget is never loaded; a fault is logged and leaves the
worker serving."""

from __future__ import annotations

import datetime
import logging
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.request import urlopen

import pytest
from django.db import DatabaseError, OperationalError, connection
from django.utils import timezone

from arguments import caches, services
from arguments.bench.worker_probe import database_url
from arguments.models import Claim, Debate
from arguments.structure import held_at_start, loader
from arguments.structure.loader import debate_structure, holds
from arguments.views import warm_up
from tests.conftest import build_debate

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[1]


def _site(cast, sizes: list[int]) -> list[Debate]:
    """Debates of `sizes` claims, the first the most recently active, each older than the
    one before it by an hour (the order a vote or a write would leave them in)."""
    now = timezone.now()
    debates = []
    for rank, size in enumerate(sizes):
        debate = build_debate(size, owner=cast.owner, slug=f"site-{rank}")
        Debate.objects.filter(pk=debate.pk).update(updated_at=now - datetime.timedelta(hours=rank))
        debates.append(debate)
    return debates


def _budget(settings, claims: int) -> None:
    """The structures' budget set to hold `claims` claims (and a few bytes more)."""
    settings.PROCESS_CACHE_BUDGETS = settings.PROCESS_CACHE_BUDGETS | {
        "structures": (claims * loader.BYTES_PER_CLAIM + 100) / caches.MEGABYTE
    }
    assert loader.claims_held_at_most() == claims


def _held() -> list[int]:
    """The debates this process holds, the one to be evicted first first."""
    return list(loader._STRUCTURES)


def test_a_starting_worker_holds_the_most_active_debates_last_to_go(cast, settings):
    _budget(settings, 100)
    busiest, second, third = _site(cast, [30, 20, 10])
    held = held_at_start.hold_busiest(seconds=60)
    assert held == [busiest.pk, second.pk, third.pk]
    assert _held() == [third.pk, second.pk, busiest.pk], "the most active must be kept longest"
    for debate in (busiest, second, third):
        fresh = Debate.objects.get(pk=debate.pk)
        structure = loader._STRUCTURES[debate.pk]
        assert structure.version == (fresh.structure_version, fresh.created_at)
        assert structure.tally_version == fresh.tally_version
        assert len(structure.nodes) == debate.claims.count()


def test_the_first_vote_after_the_start_is_caught_up_not_loaded(cast, settings, monkeypatch):
    _budget(settings, 100)
    (debate,) = _site(cast, [40])
    assert held_at_start.hold_busiest(seconds=60) == [debate.pk]
    claim = Claim.objects.filter(debate=debate, is_thesis=False).order_by("id")[0]
    services.vote_cast(user=cast.viewer, point=claim.parent_relations.get(), value=4)
    monkeypatch.setattr(loader, "_load_structure", lambda d: pytest.fail("loaded whole"))
    structure = debate_structure(Debate.objects.get(pk=debate.pk))
    assert structure.tally_version == Debate.objects.get(pk=debate.pk).tally_version


def test_it_stops_at_the_budget_and_never_loads_a_debate_too_big(cast, settings):
    _budget(settings, 45)
    too_big, busy, no_room, small, empty = _site(cast, [46, 30, 20, 10, 1])
    Claim.objects.filter(debate=empty).delete()
    assert held_at_start.hold_busiest(seconds=60) == [busy.pk, small.pk]
    assert not holds(too_big) and not holds(no_room) and not holds(empty)
    assert loader._STRUCTURES.nbytes <= loader._STRUCTURES.budget


def test_a_full_budget_ends_the_look(cast, settings, django_assert_num_queries):
    _budget(settings, 30)
    busy, _later = _site(cast, [30, 10])
    # The candidates (no field read later: each a row of versions), then the busy debate:
    # its count and its whole load (its versions, relations, claims, citations and notes;
    # its strengths and sizes stored, a stamp and a batch each). The later one is not even
    # counted: the budget is full.
    with django_assert_num_queries(1 + 1 + 9) as queries:
        assert held_at_start.hold_busiest(seconds=60) == [busy.pk]
    assert sum("LIMIT" in q["sql"] and "COUNT" in q["sql"] for q in queries.captured_queries) == 1


def test_no_time_left_holds_nothing(cast, settings):
    _budget(settings, 100)
    _site(cast, [10])
    assert held_at_start.hold_busiest(seconds=-1) == []
    assert _held() == []


def test_a_debate_that_fails_to_load_is_logged_and_the_next_one_held(cast, settings, caplog):
    _budget(settings, 100)
    broken, fine = _site(cast, [20, 10])

    def fail_on_the_broken_ones_relations(execute, sql, params, many, context):
        if "arguments_relation" in sql and params and broken.pk in params:
            raise DatabaseError("a malformed page")
        return execute(sql, params, many, context)

    with (
        caplog.at_level(logging.ERROR, logger=held_at_start.__name__),
        connection.execute_wrapper(fail_on_the_broken_ones_relations),
    ):
        assert warm_up.hold_busiest_debates() == [fine.pk]
    assert f"debate {broken.pk} not held" in caplog.text
    assert not holds(broken) and holds(fine)


def test_a_database_that_stops_answering_ends_it_with_what_it_held(cast, settings, caplog):
    _budget(settings, 100)
    first, second = _site(cast, [20, 10])

    def down_after_the_first(execute, sql, params, many, context):
        if params and second.pk in params:
            raise OperationalError("unable to open database file")
        return execute(sql, params, many, context)

    with (
        caplog.at_level(logging.WARNING, logger=held_at_start.__name__),
        connection.execute_wrapper(down_after_the_first),
    ):
        assert warm_up.hold_busiest_debates() == [first.pk]
    assert "the database did not answer; 1 debates held" in caplog.text


def test_a_database_down_at_start_leaves_the_worker_serving(cast, settings, caplog, client):
    _budget(settings, 100)
    (debate,) = _site(cast, [10])

    def down(execute, sql, params, many, context):
        raise OperationalError("connection refused")

    with (
        caplog.at_level(logging.WARNING, logger=warm_up.__name__),
        connection.execute_wrapper(down),
    ):
        assert warm_up.hold_busiest_debates() == []
    assert "holding at start: no debate held" in caplog.text
    assert client.get(debate.get_absolute_url()).status_code == 200


def test_turned_off_it_holds_nothing(cast, settings, django_assert_num_queries):
    settings.HOLD_AT_START = False
    _site(cast, [10])
    with django_assert_num_queries(0):
        assert warm_up.hold_busiest_debates(worker_timeout=30) == []
    assert _held() == []


def test_it_takes_at_most_a_third_of_the_workers_timeout(cast, settings, monkeypatch):
    settings.HOLD_AT_START_SECONDS = 10
    given: list[float] = []
    monkeypatch.setattr(held_at_start, "hold_busiest", lambda seconds: given.append(seconds) or [])
    warm_up.hold_busiest_debates(worker_timeout=30)
    warm_up.hold_busiest_debates(worker_timeout=9)
    warm_up.hold_busiest_debates(worker_timeout=0)  # gunicorn's timeout turned off
    assert given == [10, 3, 10]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
def test_gunicorn_started_as_the_load_test_starts_it_holds_before_serving(cast):
    """gunicorn started in the project's root (as `make loadtest`, `cluster`, `faultcheck`
    and the Procfile start it) reads gunicorn.conf.py: its worker holds the debate before
    it answers."""
    if connection.vendor != "postgresql":
        pytest.skip("a server in another process shares the database on PostgreSQL only")
    (debate,) = _site(cast, [50])
    port = _free_port()
    with tempfile.TemporaryDirectory() as static_root, tempfile.TemporaryFile() as log:
        env = os.environ | {
            "DATABASE_URL": database_url(connection.settings_dict),
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_STATIC_ROOT": static_root,
            "DJANGO_LOG_LEVEL": "INFO",
        }
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        server = subprocess.Popen(
            [gunicorn, "debate.wsgi", "--workers", "1", "--bind", f"127.0.0.1:{port}",
             "--log-level", "warning"],
            env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            for _ in range(300):
                try:
                    answer = urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
                    break
                except OSError:
                    time.sleep(0.2)
            else:
                pytest.fail("gunicorn did not start")
            assert answer.status == 200
        finally:
            server.terminate()
            server.wait(timeout=60)
        log.seek(0)
        output = log.read().decode()
    found = re.search(r"holding at start: debates \[([\d, ]*)\]", output)
    assert found, output
    assert [int(pk) for pk in found[1].split(",")] == [debate.pk]
