"""Pseudonymous debates (issue 20): no real name anywhere a participant, visitor, export or
embed reads; stable names within a debate, different across debates; on for good."""

from __future__ import annotations

import pytest
from django.urls import reverse

from arguments import services
from arguments.models import Debate, Membership, Pseudonym, Role, Stance
from arguments.reading.pseudonyms import pseudonyms_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REAL = ["zq-owner-real", "zq-writer-real", "zq-noter-real"]


@pytest.fixture
def world():
    owner, writer, noter = (UserFactory(username=name) for name in REAL)
    debate = services.debate_create(
        owner=owner, title="Open weights in class?", thesis="Release them.", default_role="writer"
    )
    thesis = debate.claims.get()
    Membership.objects.create(debate=debate, user=writer, role=Role.WRITER)
    pro = services.claim_add(actor=writer, parent=thesis, stance=Stance.PRO, text="Audits.")
    note = services.annotation_add(actor=noter, claim=pro, body="Which audits?")
    services.annotation_add(actor=writer, claim=pro, body="Several.", parent=note)
    services.source_cite(actor=writer, claim=pro, url="https://example.org/a", title="A")
    services.debate_make_pseudonymous(actor=owner, debate=debate)
    debate.refresh_from_db()
    return debate, thesis, pro, owner, writer, noter


def addresses(debate: Debate, thesis, pro) -> list[tuple[str, dict]]:
    slug = debate.slug
    claim = reverse("arguments:claim", args=[slug, pro.pk])
    return [
        (debate.get_absolute_url(), {}),
        (claim, {}),
        (
            reverse("arguments:claim", args=[slug, thesis.pk]) + "?part=branch",
            {"HTTP_HX_REQUEST": "true"},
        ),
        (reverse("arguments:debate_annotations", args=[slug]), {}),
        *[
            (reverse("arguments:export", args=[slug, name]), {})
            for name in ("kialo", "argdown", "aif", "json")
        ],
        (f"/embed/d/{slug}/", {}),
        (f"/embed/d/{slug}/claims/{pro.pk}/", {}),
        (f"/embed/d/{slug}/?view=map", {}),
        (reverse("arguments:debate_map", args=[slug]), {}),
        (reverse("arguments:claim_map", args=[slug, pro.pk]), {}),
    ]


@pytest.mark.parametrize("reader", ["visitor", "writer", "owner"])
def test_no_real_name_shows_anywhere_but_pseudonyms_do(client, world, reader):
    debate, thesis, pro, owner, writer, noter = world
    me = {"visitor": None, "writer": writer, "owner": owner}[reader]
    if me is not None:
        client.force_login(me)
    names = pseudonyms_of(debate, [owner.pk, writer.pk, noter.pk])
    for address, headers in addresses(debate, thesis, pro):
        response = client.get(address, **headers)
        assert response.status_code == 200, address
        body = response.content.decode()
        others = [n for n in REAL if me is None or n != me.username]  # my name: the header
        leaked = [n for n in others if n in body]
        assert not leaked, f"{address} shows {leaked} to {reader}"
    page = client.get(reverse("arguments:claim", args=[debate.slug, pro.pk])).content.decode()
    assert f"by {names[writer.pk]}" in page and names[noter.pk] in page
    backup = client.get(reverse("arguments:export", args=[debate.slug, "json"])).content.decode()
    assert names[writer.pk] in backup


def test_pseudonyms_are_stable_unique_and_differ_across_debates(world):
    debate, _thesis, _pro, owner, writer, _noter = world
    first = pseudonyms_of(debate, [writer.pk])[writer.pk]
    assert pseudonyms_of(debate, [writer.pk])[writer.pk] == first  # stable
    crowd = [UserFactory().pk for _ in range(150)]
    names = pseudonyms_of(debate, crowd)
    assert len(set(names.values())) == 150  # unique within the debate
    others = []
    for i in range(5):
        other = services.debate_create(owner=owner, title=f"Another {i}", thesis="T.")
        others.append(pseudonyms_of(other, [writer.pk])[writer.pk])
    assert any(name != first for name in others)  # not one name everywhere


def test_only_the_owner_turns_it_on_and_only_after_confirming(client, cast, debate):
    page = reverse("arguments:debate_pseudonyms", args=[debate.slug])
    client.force_login(cast.moderator)
    assert client.get(page).status_code == 200
    assert client.post(page, {"confirm": "yes"}).status_code == 403
    client.force_login(cast.writer)
    assert client.get(page).status_code == 403
    client.force_login(cast.owner)
    assert "cannot be undone" in client.get(page).content.decode()
    client.post(page, {})  # not confirmed
    debate.refresh_from_db()
    assert not debate.pseudonymous
    client.post(page, {"confirm": "yes"})
    debate.refresh_from_db()
    assert debate.pseudonymous


def test_moderators_see_who_is_who_and_the_activity_names_both(client, world):
    debate, _thesis, _pro, owner, writer, _noter = world
    client.force_login(owner)
    names = pseudonyms_of(debate, [writer.pk])
    mapping = client.get(reverse("arguments:debate_pseudonyms", args=[debate.slug]))
    assert (
        names[writer.pk] in mapping.content.decode() and writer.username in mapping.content.decode()
    )
    csv = client.get(reverse("arguments:debate_activity_csv", args=[debate.slug])).content.decode()
    assert f"{writer.username},{names[writer.pk]}," in csv
    assert Pseudonym.objects.filter(debate=debate).count() >= 3
