"""The API answers what the site shows (issue 32): for five personas (a visitor, a viewer, a
writer, a moderator, the owner) on a pseudonymous debate with guided voting, a pending and a
hidden claim, the claims an answer lists, their status, authors, vote counts, distributions
(hidden until voted), the reader's own votes and strengths equal those of the claim's page."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from arguments import services
from arguments.models import Debate, Role, Stance
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

PERSONAS = ["visitor", "viewer", "writer", "moderator", "owner"]
VOTES_DIV = re.compile(r'<div class="votes" id="votes-(\w+)">(.*?)<div class="why"', re.S)
CARD = re.compile(r'class="claim [^"]*status-(\w+)"\s+data-claim="(\d+)"')


def scene() -> tuple[Debate, dict[str, object], int]:
    people = {name: UserFactory(username=f"real-{name}") for name in PERSONAS[1:]}
    suggester = UserFactory(username="real-suggester")
    debate = services.debate_create(
        owner=people["owner"],
        title="Should cities ban cars from their centres?",
        thesis="Cities should ban cars from their centres.",
        default_role=Role.SUGGESTER,
        visibility=Debate.Visibility.PUBLIC,
    )
    for name in ("viewer", "writer", "moderator"):
        MembershipFactory(debate=debate, user=people[name], role=Role(name))
    MembershipFactory(debate=debate, user=suggester, role=Role.SUGGESTER)
    thesis = debate.claims.get()

    def add(actor, text: str, stance: str = Stance.PRO, parent=thesis):
        return services.claim_add(actor=actor, parent=parent, stance=stance, text=text)

    pro = add(people["writer"], "Streets without cars are safer for children.")
    con = add(people["writer"], "Deliveries need to reach shops.", Stance.CON)
    add(people["writer"], "Fewer crashes follow.", parent=pro)  # folded at one level
    add(suggester, "Noise falls too.")  # pending: its author and the moderators see it
    hidden = add(people["writer"], "Cars are evil.", Stance.CON)
    services.claim_hide(actor=people["moderator"], claim=hidden)
    services.vote_cast(user=people["viewer"], point=pro.parent_relations.get(), value=4)
    services.vote_cast(user=people["moderator"], point=con.parent_relations.get(), value=1)
    services.vote_cast(user=people["writer"], point=thesis, value=3)
    services.annotation_add(actor=people["viewer"], claim=pro, body="Which cities?")
    services.debate_make_pseudonymous(actor=people["owner"], debate=debate)
    debate.refresh_from_db()
    debate.hide_votes_until_voted = True
    debate.save(update_fields=["hide_votes_until_voted"])
    return debate, people, thesis.pk


def site_view(client: Client, debate: Debate, thesis: int) -> dict[str, object]:
    html = client.get(reverse("arguments:claim", args=[debate.slug, thesis])).content.decode()
    votes = {}
    for point, div in VOTES_DIV.findall(html):
        total = re.search(r'class="vote-count">(\d+) votes?', div)
        mine = re.search(r"mine: (\d)", div)
        votes[point] = {
            "total": int(total.group(1)) if total else None,
            "distribution": bool(re.search(r"How people voted:|, \d+ votes?</span>", div)),
            "mine": int(mine.group(1)) if mine else None,
            "strength": 'class="strength"' in div,
        }
    return {
        "claims": {int(claim): status for status, claim in CARD.findall(html)},
        "authors": set(re.findall(r'<span class="author">by ([^<]+)</span>', html)),
        "votes": votes,
    }


def api_view(client: Client, debate: Debate, thesis: int, token: str | None) -> dict[str, object]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    answer = client.get(
        f"/api/v1/debates/{debate.slug}/tree", {"root": thesis, "levels": 1}, headers=headers
    )
    assert answer.status_code == 200, answer.content
    (root,) = answer.json()
    items = [root, *root["pros"], *root["cons"]]
    return {
        "claims": {item["id"]: item["status"] for item in items},
        "authors": {item["author"] for item in items},
        "votes": {
            (f"r{item['relation_id']}" if item["relation_id"] else f"c{item['id']}"): {
                "total": item["votes"]["total"],
                "distribution": item["votes"]["counts"] is not None,
                "mine": item["votes"]["mine"],
                "strength": item["strength"] is not None,
            }
            for item in items
        },
    }


def test_the_api_shows_each_persona_what_the_site_shows() -> None:
    debate, people, thesis = scene()
    seen: dict[str, dict[str, object]] = {}
    for persona in PERSONAS:
        site, api = Client(), Client()
        token = None
        if persona != "visitor":
            site.force_login(people[persona])
            token = services.token_create(actor=people[persona], name="t", scope="read")[1]
        on_site = site_view(site, debate, thesis)
        through_api = api_view(api, debate, thesis, token)
        assert through_api == on_site, persona
        seen[persona] = through_api
    # The scene tells the personas apart (else the equality above proves little).
    assert len(seen["visitor"]["claims"]) == 3  # the thesis, the pro, the con
    assert len(seen["moderator"]["claims"]) == 5  # and the pending and the hidden claims
    assert "pending" in seen["owner"]["claims"].values()
    assert not any(name.startswith("real-") for view in seen.values() for name in view["authors"])
    voted = {p: sum(v["distribution"] for v in seen[p]["votes"].values()) for p in PERSONAS}
    assert voted["visitor"] == 0 and voted["writer"] >= 1  # guided voting: once voted
