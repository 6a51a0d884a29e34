"""Share links (issue 20): a class joins by one link, with its role, signed in or by picking a
name; links switch off, expire and are revoked; a misused link's claims hide in one act."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from arguments import services
from arguments.models import Claim, Debate, InstantAccount, Membership, Role, ShareLink
from arguments.services import sharing

pytestmark = pytest.mark.django_db

User = get_user_model()


def share_page(debate: Debate) -> str:
    return reverse("arguments:share_links", args=[debate.slug])


def make_link(client, debate: Debate, **data: str) -> ShareLink:
    response = client.post(share_page(debate), {"role": "writer", **data})
    assert response.status_code == 302, response.content
    return debate.share_links.first()


def test_a_moderator_makes_a_link_with_a_qr_code_and_a_student_joins_with_it(
    client, cast, debate, thesis
):
    client.force_login(cast.moderator)
    link = make_link(client, debate, role="writer")
    page = client.get(share_page(debate)).content.decode()
    assert f"http://testserver/join/{link.token}/" in page
    assert "<svg" in page  # the QR code
    client.force_login(cast.stranger)
    assert client.get(link.get_absolute_url()).status_code == 200
    assert client.post(link.get_absolute_url()).status_code == 302
    assert Membership.objects.get(debate=debate, user=cast.stranger).role == Role.WRITER
    link.refresh_from_db()
    assert link.uses == 1


def test_joining_never_lowers_a_role_nor_touches_the_owner(client, cast, debate):
    link = services.share_link_create(actor=cast.owner, debate=debate, role="viewer")
    for persona, role in (("editor", Role.EDITOR), ("owner", Role.OWNER)):
        assert services.share_link_join(user=cast[persona], link=link) == role
    assert Membership.objects.get(debate=debate, user=cast.editor).role == Role.EDITOR
    assert Membership.objects.get(debate=debate, user=cast.owner).role == Role.OWNER


@pytest.mark.parametrize("persona", ["editor", "writer", "suggester", "viewer", "stranger"])
def test_only_managers_make_or_manage_links(client, cast, debate, persona):
    link = services.share_link_create(actor=cast.owner, debate=debate, role="writer")
    client.force_login(cast[persona])
    assert client.get(share_page(debate)).status_code == 403
    assert client.post(share_page(debate), {"role": "writer"}).status_code == 403
    switch = reverse("arguments:share_link_switch", args=[debate.slug, link.pk])
    assert client.post(switch, {"on": "0"}).status_code == 403
    link.refresh_from_db()
    assert link.is_active and debate.share_links.count() == 1


def test_a_link_gives_no_more_than_its_maker_may(cast, debate):
    with pytest.raises(Exception, match="editor, writer, suggester or viewer"):
        services.share_link_create(actor=cast.owner, debate=debate, role="moderator")
    assert not ShareLink.objects.exists()


def test_a_switched_off_expired_or_revoked_link_says_so_and_grants_nothing(client, cast, debate):
    client.force_login(cast.moderator)
    link = make_link(client, debate)
    switch = reverse("arguments:share_link_switch", args=[debate.slug, link.pk])
    client.post(switch, {"on": "0"})
    client.force_login(cast.stranger)
    off = client.post(link.get_absolute_url())
    assert off.status_code == 410 and "switched off" in off.content.decode()
    client.force_login(cast.moderator)
    client.post(switch, {"on": "1"})
    ShareLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    client.force_login(cast.stranger)
    assert "expired" in client.post(link.get_absolute_url()).content.decode()
    ShareLink.objects.filter(pk=link.pk).update(expires_at=None)
    client.force_login(cast.moderator)
    client.post(reverse("arguments:share_link_revoke", args=[debate.slug, link.pk]))
    client.force_login(cast.stranger)
    revoked = client.post(link.get_absolute_url())
    assert revoked.status_code == 410 and "no longer works" in revoked.content.decode()
    assert not Membership.objects.filter(debate=debate, user=cast.stranger).exists()
    assert client.get("/join/not-a-token/").status_code == 404


def test_a_student_joins_without_an_account_and_writes_a_con(client, cast, debate, thesis):
    link = services.share_link_create(
        actor=cast.owner, debate=debate, role="writer", instant_access=True
    )
    page = client.get(link.get_absolute_url()).content.decode()
    assert 'name="display_name"' in page
    response = client.post(link.get_absolute_url(), {"display_name": "Ada L."})
    assert response.status_code == 302
    account = InstantAccount.objects.get(link=link)
    assert account.user.first_name == "Ada L." and not account.user.has_usable_password()
    assert Membership.objects.get(debate=debate, user=account.user).role == Role.WRITER
    added = client.post(
        reverse("arguments:claim_add", args=[debate.slug, thesis.pk]),
        {"stance": "con", "text": "Weights leak anyway."},
    )
    assert added.status_code == 302
    assert Claim.objects.get(text="Weights leak anyway.").author == account.user
    profile = client.get(reverse("arguments:profile")).content.decode()
    assert reverse("account_set_password") in profile  # how to keep the account
    assert client.get(reverse("account_set_password")).status_code == 200


@pytest.mark.parametrize("name", ["", "x", "<script>", "a" * 31])
def test_a_bad_display_name_is_a_422_and_makes_no_account(client, cast, debate, name):
    link = services.share_link_create(
        actor=cast.owner, debate=debate, role="writer", instant_access=True
    )
    users = User.objects.count()
    response = client.post(link.get_absolute_url(), {"display_name": name})
    assert response.status_code == 422
    assert (
        User.objects.count() == users
        and not Membership.objects.filter(debate=debate, role=Role.WRITER)
        .exclude(user=cast.writer)
        .exists()
    )


def test_a_link_without_instant_access_sends_visitors_to_log_in(client, cast, debate):
    link = services.share_link_create(actor=cast.owner, debate=debate, role="writer")
    response = client.post(link.get_absolute_url(), {"display_name": "Ada"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    with pytest.raises(PermissionDenied):
        services.instant_account_create(link=link, display_name="Ada")


def test_instant_accounts_are_rate_limited_per_link(client, cast, debate, monkeypatch):
    monkeypatch.setattr(sharing, "INSTANT_ACCOUNTS_PER_HOUR", 2)
    link = services.share_link_create(
        actor=cast.owner, debate=debate, role="writer", instant_access=True
    )
    for name in ("One", "Two"):
        client.post(link.get_absolute_url(), {"display_name": name})
        client.logout()
    third = client.post(link.get_absolute_url(), {"display_name": "Three"})
    assert third.status_code == 429 and third["Retry-After"]
    assert InstantAccount.objects.filter(link=link).count() == 2


def test_a_moderator_hides_every_claim_of_a_misused_links_accounts(client, cast, debate, thesis):
    link = services.share_link_create(
        actor=cast.owner, debate=debate, role="writer", instant_access=True
    )
    client.post(link.get_absolute_url(), {"display_name": "Troll"})
    troll = InstantAccount.objects.get(link=link).user
    spam = [
        services.claim_add(actor=troll, parent=thesis, stance="con", text=f"Spam {i}")
        for i in range(3)
    ]
    kept = services.claim_add(actor=cast.writer, parent=thesis, stance="pro", text="Real.")
    client.force_login(cast.moderator)
    hide = reverse("arguments:share_link_hide_contributions", args=[debate.slug, link.pk])
    assert client.post(hide).status_code == 302
    assert all(Claim.objects.get(pk=c.pk).status == Claim.Status.HIDDEN for c in spam)
    assert Claim.objects.get(pk=kept.pk).status == Claim.Status.PUBLISHED


def test_a_private_debates_link_lets_a_class_in(client, cast, debate, thesis):
    Debate.objects.filter(pk=debate.pk).update(visibility=Debate.Visibility.PRIVATE)
    link = services.share_link_create(actor=cast.owner, debate=debate, role="viewer")
    client.force_login(cast.stranger)
    assert client.get(debate.get_absolute_url()).status_code == 404
    client.post(link.get_absolute_url())
    assert thesis.text in client.get(debate.get_absolute_url()).content.decode()


@pytest.mark.parametrize("links, accounts", [(1, 1), (10, 3)])
def test_the_share_page_costs_the_same_queries_however_many_links_and_accounts(
    client, cast, debate, django_assert_num_queries, links, accounts
):
    for i in range(links):
        link = services.share_link_create(
            actor=cast.moderator, debate=debate, role="writer", instant_access=True
        )
        for j in range(accounts):
            services.instant_account_create(link=link, display_name=f"Student {i} {j}")
    client.force_login(cast.owner)
    # The session, the user, the debate with the reader's role, and the links with their
    # makers and their accounts counted (selectors.share_links_of): one query for all the
    # links, never one per link or per account. If this grows, say why here.
    with django_assert_num_queries(4):
        page = client.get(share_page(debate)).content.decode()
    assert page.count('class="share-link ') == links
    assert f"{accounts} account" in page and f"by {cast.moderator.username}" in page
