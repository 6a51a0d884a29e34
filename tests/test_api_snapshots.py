"""Snapshots through the API (issue 32): a version's answers equal what its pages show, for
each persona; its claims page with a cursor; its exports are the site's files; refusals are
problems; a private debate's versions are a 404 to strangers; the cost does not grow with
the version's size."""

from __future__ import annotations

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from arguments import services
from arguments.models import Stance
from arguments.services.snapshots import debate_freeze

pytestmark = pytest.mark.django_db

PERSONAS = ["visitor", "viewer", "writer", "moderator", "owner"]
CLAIM_TEXT = re.compile(r'<p class="claim-text">(.*?)</p>', re.S)
VOTES = re.compile(r'<span class="votes">(\d+) votes?</span>')


def api(client, url: str, token: str | None = None, **query):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(f"/api/v1{url}", query, headers=headers)


def tokens(cast) -> dict[str, str | None]:
    found: dict[str, str | None] = {"visitor": None}
    for name in PERSONAS[1:]:
        found[name] = services.token_create(actor=cast[name], name="t", scope="read")[1]
    return found


def site_shows(client, cast, persona: str, url: str) -> dict[str, object]:
    client.logout()
    if persona != "visitor":
        client.force_login(cast[persona])
    page = client.get(url).content.decode()
    main = re.search(r"<main.*</main>", page, re.S).group(0)
    return {
        "texts": [html.unescape(text) for text in CLAIM_TEXT.findall(main)],
        "strengths": main.count('class="strength"'),
        "votes": [int(n) for n in VOTES.findall(main)],
    }


def api_shows(claims: list[dict]) -> dict[str, object]:
    return {
        "texts": [claim["text"] for claim in claims],
        "strengths": sum(claim["strength"] is not None for claim in claims),
        "votes": [sum(claim["votes"]) for claim in claims if claim["votes"] is not None],
    }


@pytest.fixture
def frozen(cast, debate, thesis, pro, con):
    """A version of a debate with guided voting: a pending and a hidden claim, votes."""
    deep = services.claim_add(actor=cast.writer, parent=pro, stance=Stance.CON, text="Not all.")
    services.claim_add(actor=cast.suggester, parent=thesis, stance=Stance.PRO, text="Pending.")
    hidden = services.claim_add(actor=cast.writer, parent=con, stance=Stance.PRO, text="Hide me.")
    services.claim_hide(actor=cast.moderator, claim=hidden)
    services.vote_cast(user=cast.viewer, point=pro.parent_relations.get(), value=3)
    services.vote_cast(user=cast.writer, point=thesis, value=4)
    debate.hide_votes_until_voted = True
    debate.save(update_fields=["hide_votes_until_voted"])
    debate_freeze(actor=cast.owner, debate=debate, note="graded")
    return {"thesis": thesis, "pro": pro, "con": con, "deep": deep, "hidden": hidden}


def test_each_persona_reads_through_the_api_what_the_versions_pages_show(
    client, cast, debate, frozen
):
    secrets = tokens(cast)
    page = reverse("arguments:snapshot", args=[debate.slug, 1])
    focus = reverse("arguments:snapshot_claim", args=[debate.slug, 1, frozen["pro"].pk])
    seen = {}
    for persona in PERSONAS:
        detail = api(client, f"/debates/{debate.slug}/snapshots/1", secrets[persona]).json()
        claims = [c for thesis in detail["theses"] for c in (thesis, *thesis["children"])]
        assert api_shows(claims) == site_shows(client, cast, persona, page), persona
        one = api(
            client,
            f"/debates/{debate.slug}/snapshots/1/claims/{frozen['pro'].pk}",
            secrets[persona],
        ).json()
        # The claim's page shows the claim and its pros and cons (its path as links).
        assert api_shows([one, *one["children"]]) == site_shows(client, cast, persona, focus)
        assert [row["id"] for row in one["ancestors"]] == [frozen["thesis"].pk]
        seen[persona] = api_shows(claims)
    # What a visitor saw then, whoever reads it: no pending or hidden claim for anyone.
    assert all(view["texts"] == seen["visitor"]["texts"] for view in seen.values())
    assert "Pending." not in seen["owner"]["texts"] and "Hide me." not in seen["owner"]["texts"]
    # Guided voting: tallies and strengths for the moderators only.
    assert seen["visitor"]["strengths"] == seen["writer"]["strengths"] == 0
    assert seen["moderator"]["strengths"] == seen["owner"]["strengths"] == 3
    assert seen["owner"]["votes"] == [1, 1, 0]


def test_the_list_names_who_froze_as_the_site_does(client, cast, debate, frozen):
    (version,) = api(client, f"/debates/{debate.slug}/snapshots").json()
    assert version["number"] == 1 and version["note"] == "graded"
    assert version["taken_by"] == cast.owner.username and version["claim_count"] == 4
    assert version["url"].endswith(reverse("arguments:snapshot", args=[debate.slug, 1]))
    services.debate_make_pseudonymous(actor=cast.owner, debate=debate)
    (version,) = api(client, f"/debates/{debate.slug}/snapshots").json()
    assert version["taken_by"] is None


def test_a_versions_claims_come_a_page_at_a_time(client, cast, debate, frozen):
    url = f"/debates/{debate.slug}/snapshots/1/claims"
    ids, cursor = [], None
    while True:
        answer = api(client, url, limit=3, **({"cursor": cursor} if cursor else {})).json()
        assert answer["total"] == 4
        ids += [claim["id"] for claim in answer["items"]]
        cursor = answer["next_cursor"]
        if cursor is None:
            break
    expected = sorted(frozen[name].pk for name in ("thesis", "pro", "con", "deep"))
    assert ids == expected
    assert api(client, url, cursor="x").status_code == 400
    # Refusals are problems, with words.
    for wrong, status in (
        ("/snapshots/2", 404),
        ("/snapshots/0", 422),
        ("/snapshots/99999999999", 422),
        (f"/snapshots/1/claims/{frozen['hidden'].pk}", 404),
        ("/snapshots/1/export/pdf", 422),
        ("/snapshots/1/diff?to=7", 404),
        ("/snapshots/1/diff?to=soon", 404),
    ):
        response = api(client, f"/debates/{debate.slug}{wrong}")
        assert response.status_code == status, wrong
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["detail"]


@pytest.mark.parametrize("persona", ["visitor", "viewer", "owner"])
def test_a_versions_exports_are_the_sites_files(client, cast, debate, frozen, persona):
    secret = tokens(cast)[persona]
    if persona != "visitor":
        client.force_login(cast[persona])
    for name in ("kialo", "argdown", "aif", "json"):
        site = client.get(reverse("arguments:snapshot_export", args=[debate.slug, 1, name]))
        through = api(client, f"/debates/{debate.slug}/snapshots/1/export/{name}", secret)
        assert through.status_code == 200
        assert through.content == site.content, (persona, name)
        assert through["Content-Type"] == site["Content-Type"]
        assert f"{debate.slug}-v1" in through["Content-Disposition"]


def test_a_private_debates_versions_are_not_for_strangers(client, cast, debate, frozen):
    services.debate_configure(actor=cast.owner, debate=debate, visibility="private")
    secrets = tokens(cast)
    stranger = services.token_create(actor=cast.stranger, name="t", scope="read")[1]
    base = f"/debates/{debate.slug}/snapshots"
    urls = [
        base,
        f"{base}/1",
        f"{base}/1/claims",
        f"{base}/1/claims/{frozen['pro'].pk}",
        f"{base}/1/export/json",
        f"{base}/1/diff",
    ]
    for url in urls:
        for secret in (None, stranger):
            response = api(client, url, secret)
            assert response.status_code == 404, url
            assert frozen["pro"].text.encode() not in response.content
        assert api(client, url, secrets["viewer"]).status_code == 200, url


def test_a_version_costs_the_same_queries_at_any_size(client, cast, debate, frozen):
    base = f"/debates/{debate.slug}/snapshots/1"
    urls = [base, f"{base}/claims", f"{base}/claims/{frozen['pro'].pk}"]
    api(client, base)  # warm: the debate's structure is not read for a version
    counts = {}
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            assert api(client, url).status_code == 200
        counts[url] = len(queries)
    pro = frozen["pro"]
    for n in range(30):
        services.claim_add(actor=cast.writer, parent=pro, stance=Stance.PRO, text=f"More {n}.")
    debate_freeze(actor=cast.owner, debate=debate)
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            assert api(client, url.replace("/snapshots/1", "/snapshots/2")).status_code == 200
        assert len(queries) == counts[url], url
        assert len(queries) <= 8, (url, [q["sql"] for q in queries.captured_queries])


def test_an_answer_is_the_same_and_conditional_after_the_debate_moves(client, cast, debate, frozen):
    url = f"/debates/{debate.slug}/snapshots/1"
    first = api(client, url)
    services.claim_add(actor=cast.writer, parent=frozen["thesis"], stance=Stance.CON, text="New.")
    again = client.get(f"/api/v1{url}", headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    assert api(client, url).content == first.content
    changes = api(client, f"{url}/diff").json()
    assert [row["text"] for row in changes["added"]] == ["New."]
    assert changes["added"][0]["url"].endswith(
        reverse("arguments:claim", args=[debate.slug, changes["added"][0]["id"]])
    )
