"""`?perspective=` in the API (issue 32): strengths and vote distributions as a perspective
saw them, exactly as the site's pages show them through the same perspective; refused as
the site refuses it (garbled 400, unknown 404, people's votes to non-managers 403)."""

from __future__ import annotations

import pytest

from arguments import services
from tests.test_perspectives import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(cast, debate) -> World:
    return World(cast, debate)


def api_strengths(client, world: World, perspective: str, token: str | None = None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    query = {"levels": 2, **({"perspective": perspective} if perspective else {})}
    answer = client.get(f"/api/v1/debates/{world.debate.slug}/tree", query, headers=headers)
    assert answer.status_code == 200, answer.content
    (thesis,) = answer.json()
    found = {thesis["id"]: thesis}
    stack = [thesis]
    while stack:
        item = stack.pop()
        for child in (*item["pros"], *item["cons"]):
            found[child["id"]] = child
            stack.append(child)
    by_name = {name: found[getattr(world, name).pk] for name in ("t", "p", "c", "q")}
    return by_name


def test_the_api_shows_a_perspectives_strengths_and_votes_as_the_site_does(client, cast, world):
    owner = services.token_create(actor=cast.owner, name="t", scope="read")[1]
    cases = [
        ("", None, None),
        (f"named:{world.economist.pk}", None, None),  # public: a visitor may
        (f"group:{world.group.pk}", owner, cast.owner),
        (f"user:{world.voter_c.pk}", owner, cast.owner),
    ]
    seen = {}
    for key, token, person in cases:
        client.logout()
        if person is not None:
            client.force_login(person)
        site = world.strengths(client, key)
        client.logout()
        through = api_strengths(client, world, key, token)
        assert {name: item["strength"] for name, item in through.items()} == pytest.approx(site)
        seen[key] = through
    economist = seen[f"named:{world.economist.pk}"]
    assert economist["t"]["strength"] == pytest.approx(0.8125)
    assert economist["t"]["votes"]["counts"] == [0, 1, 0, 0, 0]  # the economist's vote alone
    assert seen[""]["t"]["votes"]["counts"] == [1, 0, 1, 0, 1]  # everyone's own votes


def test_one_claim_and_the_debate_read_through_a_perspective(client, world):
    key = f"named:{world.economist.pk}"
    slug = world.debate.slug
    one = client.get(f"/api/v1/debates/{slug}/claims/{world.t.pk}", {"perspective": key}).json()
    assert one["strength"] == pytest.approx(0.8125) and one["why"]["strength"] == pytest.approx(
        0.8125
    )
    flat = client.get(f"/api/v1/debates/{slug}/claims", {"perspective": key}).json()
    assert {c["id"]: c["strength"] for c in flat["items"]}[world.t.pk] == pytest.approx(0.8125)
    detail = client.get(f"/api/v1/debates/{slug}", {"perspective": key}).json()
    assert detail["theses"][0]["strength"] == pytest.approx(0.8125)


@pytest.mark.parametrize(
    ("raw", "status"),
    [("user:abc", 400), ("nobody:1", 400), ("group", 400), ("named:999999", 404),
     ("opinion:3", 404)],
)  # fmt: skip
def test_a_bad_perspective_is_a_problem(client, world, raw, status):
    for path in ("tree", "claims", f"claims/{world.t.pk}", "cruxes", "gaps", ""):
        url = f"/api/v1/debates/{world.debate.slug}/{path}".rstrip("/")
        answer = client.get(url, {"perspective": raw})
        assert answer.status_code == status, (path, answer.content)
        assert answer["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("persona", ["visitor", "writer", "viewer"])
def test_only_managers_see_how_people_voted_through_the_api(client, cast, world, persona):
    token = (
        None
        if persona == "visitor"
        else services.token_create(actor=cast[persona], name="t", scope="read")[1]
    )
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    for key in (f"user:{world.voter_c.pk}", f"group:{world.group.pk}"):
        answer = client.get(
            f"/api/v1/debates/{world.debate.slug}/tree", {"perspective": key}, headers=headers
        )
        assert answer.status_code == 403, (persona, key)
        assert "ann" not in answer.content.decode()


def test_the_schema_documents_the_perspective(client):
    schema = client.get("/api/v1/openapi.json").json()
    tree = schema["paths"]["/api/v1/debates/{slug}/tree"]["get"]
    assert "perspective" in {p["name"] for p in tree["parameters"]}
    assert "403" in tree["responses"]
