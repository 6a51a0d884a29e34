"""Flags resolved on the site (issue 28, item 3): from the claim's ⋯ menu (its flags page)
and from the settings page's Flags list, through `flag_resolve`, the admin's own service.
Who may is in the permission matrix; here what each decision does and says."""

from __future__ import annotations

import pytest
from django.urls import reverse

from arguments import services
from arguments.models import Claim, Debate, Flag, Notification
from arguments.tasks.worker import run_all

pytestmark = pytest.mark.django_db


def url(name: str, debate: Debate, *args: object) -> str:
    return reverse(f"arguments:{name}", args=[debate.slug, *args])


@pytest.fixture
def flag(cast, debate, pro) -> Flag:
    return services.flag_raise(
        actor=cast.viewer, claim=pro, reason=Flag.Reason.FALLACY, fallacy=Flag.Fallacy.STRAW_MAN
    )


def test_the_menu_offers_a_moderator_to_resolve(client, cast, debate, pro, flag):
    client.force_login(cast.moderator)

    page = client.get(url("claim", debate, pro.pk)).content.decode()

    assert url("claim_flags", debate, pro.pk) in page
    client.force_login(cast.writer)
    assert (
        url("claim_flags", debate, pro.pk)
        not in client.get(url("claim", debate, pro.pk)).content.decode()
    )


def test_the_claims_flags_page_lists_its_open_flags_with_their_forms(
    client, cast, debate, pro, flag
):
    client.force_login(cast.moderator)

    page = client.get(url("claim_flags", debate, pro.pk)).content.decode()

    assert "Straw man" in page and url("flag_resolve", debate, flag.pk) in page
    assert 'value="uphold_hide"' in page


def test_upholding_needs_a_reason(client, cast, debate, pro, flag):
    client.force_login(cast.moderator)

    response = client.post(
        url("flag_resolve", debate, flag.pk), {"decision": "uphold"}, follow=True
    )

    assert "Say why you uphold it" in response.content.decode()
    assert Flag.objects.get(pk=flag.pk).status == Flag.Status.OPEN


def test_uphold_and_hide_from_the_settings_page(client, cast, debate, pro, flag):
    client.force_login(cast.moderator)
    settings = url("debate_settings", debate)
    assert url("flag_resolve", debate, flag.pk) in client.get(settings).content.decode()

    response = client.post(
        url("flag_resolve", debate, flag.pk),
        {"decision": "uphold_hide", "note": "Restate their view.", "next": settings + "#flags"},
    )

    assert response.status_code == 302 and response["Location"] == settings + "#flags"
    flag.refresh_from_db()
    assert (flag.status, flag.resolution_note, flag.handled_by) == (
        Flag.Status.UPHELD,
        "Restate their view.",
        cast.moderator,
    )
    assert Claim.objects.get(pk=pro.pk).status == Claim.Status.HIDDEN


def test_dismissing_tells_the_reporter(client, cast, debate, pro, flag):
    client.force_login(cast.owner)
    run_all()  # the fixtures' writes' notices

    client.post(url("flag_resolve", debate, flag.pk), {"decision": "dismiss", "note": "Fair."})

    assert Flag.objects.get(pk=flag.pk).status == Flag.Status.DISMISSED
    assert not Notification.objects.filter(recipient=cast.viewer).exists()  # not in the request
    assert run_all() == 1  # the task worker's fan-out
    assert Notification.objects.filter(recipient=cast.viewer).exists()


def test_a_flag_twice_resolved_says_so(client, cast, debate, pro, flag):
    client.force_login(cast.moderator)
    client.post(url("flag_resolve", debate, flag.pk), {"decision": "dismiss"})

    response = client.post(
        url("flag_resolve", debate, flag.pk), {"decision": "dismiss"}, follow=True
    )

    assert "already been handled" in response.content.decode()


def test_another_debates_flag_is_not_found(client, cast, debate, pro, flag):
    other = services.debate_create(owner=cast.moderator, title="Another?", thesis="Another one.")
    client.force_login(cast.moderator)  # owns the other debate, moderates this one

    response = client.post(url("flag_resolve", other, flag.pk), {"decision": "dismiss"})

    assert response.status_code == 404
    assert Flag.objects.get(pk=flag.pk).status == Flag.Status.OPEN
