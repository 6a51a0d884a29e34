"""Read-your-writes with read replicas (arguments/replicas.py, views/replicas.py): where a
request reads, and the position a reader carries to the next request. A real replica serves
the cluster test (tests/test_cluster.py); here the replicas' positions are given."""

from __future__ import annotations

import pytest
from django.db import DEFAULT_DB_ALIAS, transaction
from django.urls import reverse

from arguments import replicas
from arguments.models import Claim, Debate
from arguments.views import replicas as middleware

ONE = ["replica1"]
TWO = ["replica1", "replica2"]


def first(pool):
    return pool[0]


def choose(seen, *, safe=True, pool=ONE, replayed=None):
    return replicas.choose(
        seen, safe=safe, pool=pool, replayed=replayed or (lambda alias: 100), pick=first
    )


def test_a_reader_who_carries_no_position_reads_a_replica():
    assert choose(None) == "replica1"


def test_a_write_reads_and_writes_the_primary():
    assert choose(None, safe=False) == DEFAULT_DB_ALIAS


def test_a_reader_reads_a_replica_that_has_replayed_their_position():
    assert choose(100) == "replica1"
    assert choose(99) == "replica1"


def test_a_reader_reads_the_primary_while_the_replica_is_behind_their_write():
    assert choose(101) == DEFAULT_DB_ALIAS


def test_a_replica_that_cannot_tell_its_position_sends_the_reader_to_the_primary():
    assert choose(1, replayed=lambda alias: None) == DEFAULT_DB_ALIAS


def test_with_no_replica_everything_reads_the_primary():
    assert choose(None, pool=[]) == DEFAULT_DB_ALIAS


def after(alias, seen=None, *, pool=ONE, newer=False, replayed=lambda alias: 150):
    reads = replicas.Reads(alias, newer=newer)
    return replicas.position_after(reads, seen, pool=pool, current=lambda: 200, replayed=replayed)


def test_after_reading_the_primary_a_reader_carries_its_position_then():
    assert after(DEFAULT_DB_ALIAS, 120) == 200


def test_served_a_structure_newer_than_the_replica_a_reader_carries_the_primarys_position():
    assert after("replica1", newer=True) == 200


def test_with_one_replica_a_reader_read_there_carries_nothing():
    # Its replay position only moves forward: their next page there is no older.
    assert after("replica1", 120) is None


def test_with_several_replicas_a_reader_carries_the_position_of_the_one_they_read():
    assert after("replica2", 120, pool=TWO) == 150
    assert after("replica2", 170, pool=TWO) == 170  # never backwards
    assert after("replica2", 170, pool=TWO, replayed=lambda alias: None) == 170


def test_the_router_sends_reads_to_the_requests_database_and_writes_to_the_primary():
    router = replicas.Router()
    assert router.db_for_read(Claim) == DEFAULT_DB_ALIAS  # outside a request
    with replicas.reading("replica1") as reads:
        assert router.db_for_read(Claim) == "replica1"
        assert router.db_for_write(Debate) == DEFAULT_DB_ALIAS
        # The request wrote: what it reads next is what it wrote.
        assert reads.wrote and router.db_for_read(Claim) == DEFAULT_DB_ALIAS


@pytest.mark.django_db(transaction=True)
def test_reads_inside_a_transaction_and_of_the_rate_limits_go_to_the_primary():
    router = replicas.Router()
    with replicas.reading("replica1"):
        with transaction.atomic():
            assert router.db_for_read(Claim) == DEFAULT_DB_ALIAS
        assert router.db_for_read(Claim) == "replica1"
        cache_entry = type(
            "CacheEntry", (), {"_meta": type("Meta", (), {"app_label": "django_cache"})}
        )
        assert router.db_for_read(cache_entry) == DEFAULT_DB_ALIAS


@pytest.fixture
def replica_positions(settings, monkeypatch):
    """The middleware installed with one replica whose replay position the test sets; reads
    stay on the test's database (the replica is a name only)."""
    settings.DATABASE_REPLICAS = ONE
    settings.MIDDLEWARE = ["arguments.views.replicas.ReadReplicasMiddleware", *settings.MIDDLEWARE]
    positions = {"replica1": 1000, "primary": 1000}
    chosen: list[str] = []
    monkeypatch.setattr(middleware, "_replayed", lambda alias: positions[alias])
    monkeypatch.setattr(replicas, "primary_position", lambda: positions["primary"])
    real_reading = replicas.reading

    def reading(alias):
        chosen.append(alias)
        return real_reading(alias)

    monkeypatch.setattr(replicas, "reading", reading)
    monkeypatch.setattr(replicas, "reads_from", lambda: DEFAULT_DB_ALIAS)
    positions["chosen"] = chosen  # type: ignore[assignment]
    return positions


def seen_cookie(response):
    morsel = response.cookies.get(middleware.COOKIE)
    if morsel is None:
        return None
    return "deleted" if morsel["max-age"] == 0 else morsel.value


def test_a_voter_reads_the_primary_until_the_replica_has_replayed_their_vote(
    client, cast, debate, pro, replica_positions
):
    client.force_login(cast.viewer)
    page = debate.get_absolute_url()
    assert client.get(page).status_code == 200
    assert replica_positions["chosen"][-1] == "replica1"

    replica_positions["primary"] = 2000
    vote = reverse("arguments:claim_vote", kwargs={"slug": debate.slug, "pk": pro.pk})
    response = client.post(vote, {"value": "3"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert replica_positions["chosen"][-1] == DEFAULT_DB_ALIAS
    assert seen_cookie(response) is not None and seen_cookie(response) != "deleted"

    # The replica has not replayed the vote: the voter's next page comes from the primary,
    # and they carry the primary's position after it.
    replica_positions["primary"] = 2100
    response = client.get(page)
    assert response.status_code == 200 and "mine: 3" in response.content.decode()
    assert replica_positions["chosen"][-1] == DEFAULT_DB_ALIAS
    assert seen_cookie(response) not in (None, "deleted")

    # Once it has, they read the replica again and carry nothing.
    replica_positions["replica1"] = 2100
    response = client.get(page)
    assert replica_positions["chosen"][-1] == "replica1"
    assert seen_cookie(response) == "deleted"
    assert client.get(page).status_code == 200
    assert replica_positions["chosen"][-1] == "replica1"


def test_a_forged_position_is_ignored(client, debate, replica_positions):
    client.cookies[middleware.COOKIE] = "999999999"  # unsigned
    assert client.get(debate.get_absolute_url()).status_code == 200
    assert replica_positions["chosen"][-1] == "replica1"


def test_without_replicas_nothing_is_routed(settings):
    assert settings.DATABASE_REPLICAS == []
    assert "arguments.replicas.Router" not in settings.DATABASE_ROUTERS
    assert "arguments.views.replicas.ReadReplicasMiddleware" not in settings.MIDDLEWARE
    assert replicas.reads_from() == DEFAULT_DB_ALIAS
