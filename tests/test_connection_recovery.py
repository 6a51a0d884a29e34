"""A database connection closed under a request (issue 31, item 2): the server terminates
the app's connection in the middle of a request; a read is served again once on a fresh
connection, a write gets a clean 503 with `Retry-After`, never a 500 or "the connection is
closed". PostgreSQL only: a SQLite connection is a file, nobody closes it from outside."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

from arguments.models import Vote
from arguments.rules.faults import connection_lost
from arguments.views import visitor_pages

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL terminates"),
]


def _terminate(pid: int) -> None:
    """What an administrator, a restart or a failover does to the app's connection."""
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        dbname=settings["NAME"],
        autocommit=True,
    ) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])


@contextmanager
def dropped_at(query_number: int, *, times: int = 1) -> Iterator[list[str]]:
    """Terminate this thread's connection just before its `query_number`th query (counted
    from the block's start), `times` times; yields the queries seen."""
    seen: list[str] = []
    dropped = [0]

    def wrapper(execute: Callable[..., Any], sql: str, *args: Any) -> Any:
        seen.append(sql)
        if len(seen) >= query_number and dropped[0] < times:
            dropped[0] += 1
            _terminate(connection.connection.info.backend_pid)
        return execute(sql, *args)

    connection.ensure_connection()
    with connection.execute_wrapper(wrapper):
        yield seen


@pytest.fixture
def client() -> Client:
    # Answers as a browser gets them, not the test client's re-raised exception.
    return Client(raise_request_exception=False)


def test_a_visitors_page_is_served_when_the_first_query_meets_a_closed_connection(
    client, pro, caplog
):
    """The bug of visitor_pages.py: it fell through to the view on the dead connection. Now
    it closes it, and the view answers at the first attempt, on a fresh connection."""
    visitor_pages.forget_pages()
    with caplog.at_level(logging.WARNING, logger="arguments.recovery"), dropped_at(1):
        page = client.get(pro.debate.get_absolute_url())
    assert page.status_code == 200 and "Open weights spread access." in page.content.decode()
    assert not caplog.records  # not served again: the first attempt answered


def test_a_signed_in_page_dropped_mid_request_is_served_again_once(client, cast, pro):
    client.force_login(cast.viewer)
    with dropped_at(4) as seen:
        page = client.get(pro.debate.get_absolute_url())
    assert page.status_code == 200 and "Open weights spread access." in page.content.decode()
    assert len(seen) > 4  # the page was read again after the drop


def test_a_read_that_fails_twice_is_a_503_with_retry_after(client, cast, pro):
    client.force_login(cast.viewer)
    with dropped_at(3, times=2):
        page = client.get(pro.debate.get_absolute_url())
    assert page.status_code == 503 and page["Retry-After"] == "5"
    assert "connection to the database was lost" in page.content.decode()
    assert "Traceback" not in page.content.decode()
    # And the next request is served on a fresh connection.
    assert client.get(pro.debate.get_absolute_url()).status_code == 200


def test_a_write_dropped_mid_request_is_a_503_not_repeated(client, cast, pro):
    client.force_login(cast.viewer)
    url = reverse("arguments:claim_vote", kwargs={"slug": pro.debate.slug, "pk": pro.pk})
    with dropped_at(4):
        answer = client.post(url, {"value": "3"})
    assert answer.status_code == 503 and answer["Retry-After"] == "5"
    assert Vote.objects.filter(user=cast.viewer).count() <= 1
    assert client.post(url, {"value": "3"}).status_code == 302
    assert Vote.objects.filter(user=cast.viewer).count() == 1


@pytest.mark.parametrize("query", range(1, 13))
def test_a_vote_dropped_at_any_of_its_queries_is_a_503_or_counted_never_a_500(
    client, cast, pro, query
):
    """Seen from outside under load: a vote whose row lock met the dropped connection was
    a 500 (Django had opened a fresh connection since, so the connections looked fine);
    the error itself says the connection was lost."""
    client.force_login(cast.viewer)
    url = reverse("arguments:claim_vote", kwargs={"slug": pro.debate.slug, "pk": pro.pk})
    with dropped_at(query):
        answer = client.post(url, {"value": "3"}, headers={"HX-Request": "true"})
    assert answer.status_code in (200, 503)
    counted = Vote.objects.filter(user=cast.viewer).count()
    assert counted == (1 if answer.status_code == 200 else counted)
    assert counted <= 1


def test_the_driver_and_the_server_saying_the_connection_is_gone_are_recognised():
    terminated = OperationalError("terminating connection due to administrator command")
    assert connection_lost(terminated)
    assert connection_lost(
        OperationalError("consuming input failed: server closed the connection unexpectedly")
    )
    assert not connection_lost(OperationalError("deadlock detected"))
