"""Names a teacher recognises (issue 28, item 6): the name a student typed when joining
through an instant-access link is kept (the account's first name; the username stays as it
is) and shown to the debate's owner and moderators: the activity table (sorted by name), its
CSV, the pseudonyms' mapping and the member list. A revoked link offers nothing to copy."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from arguments import services
from arguments.models import Membership, Role, ShareLink

pytestmark = pytest.mark.django_db


@pytest.fixture
def rosa(cast, debate, thesis):
    link = services.share_link_create(
        actor=cast.owner, debate=debate, role=Role.WRITER, instant_access=True
    )
    student = services.instant_account_create(link=link, display_name="Rosa Parksdale")
    services.share_link_join(user=student, link=link)
    services.vote_cast(user=student, point=thesis, value=3)
    return student


def url(name: str, debate, *args) -> str:
    return reverse(f"arguments:{name}", args=[debate.slug, *args])


def test_the_name_typed_is_kept_and_the_username_stays(rosa):
    assert rosa.first_name == "Rosa Parksdale"
    assert rosa.username.startswith("rosa-parksdale-")


def test_the_activity_table_shows_names_sorted(client, cast, debate, rosa):
    client.force_login(cast.owner)

    page = client.get(url("debate_activity", debate)).content.decode()

    assert "Rosa Parksdale" in page and rosa.username in page
    table = page[page.index("<tbody>") :]
    names = ["eddie", "mo", "olivia", "Rosa Parksdale", "sue", "vic", "wren"]
    positions = [table.index(f">{name}<") for name in names]
    assert positions == sorted(positions)


def test_the_csv_has_the_name_beside_the_username(client, cast, debate, rosa):
    client.force_login(cast.moderator)

    body = client.get(url("debate_activity_csv", debate)).content.decode()

    row = next(r for r in csv.DictReader(io.StringIO(body)) if r["username"] == rosa.username)
    assert row["name"] == "Rosa Parksdale" and row["votes"] == "1"


def test_the_pseudonyms_mapping_and_the_members_name_her(client, cast, debate, rosa):
    services.debate_make_pseudonymous(actor=cast.owner, debate=debate)
    client.force_login(cast.owner)

    mapping = client.get(url("debate_pseudonyms", debate)).content.decode()
    members = client.get(url("debate_settings", debate)).content.decode()

    assert f"Rosa Parksdale ({rosa.username})" in mapping
    assert Membership.objects.filter(debate=debate, user=rosa).exists()
    assert "Rosa Parksdale" in members


def test_a_revoked_link_offers_no_copy(client, cast, debate):
    kept = services.share_link_create(actor=cast.owner, debate=debate, role=Role.WRITER)
    gone = services.share_link_create(actor=cast.owner, debate=debate, role=Role.VIEWER)
    services.share_link_revoke(actor=cast.owner, link=gone)
    client.force_login(cast.owner)

    page = client.get(reverse("arguments:share_links", args=[debate.slug])).content.decode()

    assert f'data-copy="link-url-{kept.pk}"' in page
    assert f'data-copy="link-url-{gone.pk}"' not in page
    assert ShareLink.objects.get(pk=gone.pk).token not in page
    assert "it is not offered to copy" in page
