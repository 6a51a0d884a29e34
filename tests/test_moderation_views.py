"""Moderation on the site: the notices in the tree, flagging, review requests, approve and
restore in place, and the debate's settings page."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from arguments import services
from arguments.models import Claim, Debate, Flag, Membership, Role, Stance
from arguments.reading.notices import claim_notices
from arguments.rules.permissions import role_in
from tests.factories import FlagFactory, UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(name: str, debate: Debate, *args: object) -> str:
    return reverse(f"arguments:{name}", args=[debate.slug, *args])


def straw_man(cast, claim: Claim, *, uphold: bool = True, hide: bool = False) -> Flag:
    flag = services.flag_raise(
        actor=cast.viewer, claim=claim, reason=Flag.Reason.FALLACY, fallacy=Flag.Fallacy.STRAW_MAN
    )
    if uphold:
        services.flag_resolve(
            actor=cast.moderator, flag=flag, uphold=True, note="Restate their view.", hide=hide
        )
    return flag


# -- notices ---------------------------------------------------------------------------------


def notices_for(user, debate):
    """What the reader is told about the debate's claims, as the lens asks (with their role)."""
    return claim_notices(user=user, debate=debate, role=role_in(user, debate))


def test_notices_tell_the_author_the_outcome(cast, debate, pro):
    flag = straw_man(cast, pro)

    notice = notices_for(cast.writer, debate)[pro.pk]

    assert notice.to_author.id == flag.id
    assert notice.to_author.fallacy_label == "Straw man"
    assert notice.to_author.resolution_note == "Restate their view."
    assert notice.to_author.can_request_review
    assert notice.open_count == 0


def test_notices_show_moderators_the_open_flags_and_reporters_their_own(cast, debate, pro, con):
    services.flag_raise(actor=cast.viewer, claim=con, reason=Flag.Reason.SPAM)
    services.flag_raise(actor=cast.editor, claim=con, reason=Flag.Reason.UNCLEAR)

    for moderator in (cast.moderator, cast.owner, cast.staff):
        notice = notices_for(moderator, debate)[con.pk]
        assert notice.open_count == 2
        assert sorted(notice.open_reasons) == ["Spam", "Unclear"]
    assert notices_for(cast.viewer, debate)[con.pk].own_flag.reason == "spam"
    assert notices_for(cast.writer, debate) == {}, "open flags: not yet the author's"
    assert notices_for(cast.anonymous, debate) == {}


def test_notices_cost_one_query_and_none_for_visitors(cast, debate, pro, django_assert_num_queries):
    straw_man(cast, pro)
    for user in (cast.writer, cast.moderator, cast.viewer):
        role = role_in(user, debate)  # the lens knows it before it asks
        with django_assert_num_queries(1):
            claim_notices(user=user, debate=debate, role=role)
    with django_assert_num_queries(0):
        claim_notices(user=cast.anonymous, debate=debate, role=role_in(cast.anonymous, debate))


def test_the_author_sees_the_note_and_asks_for_review_in_the_tree(client, cast, debate, pro):
    straw_man(cast, pro)
    client.force_login(cast.writer)

    page = client.get(debate.get_absolute_url()).content.decode()

    assert "A moderator upheld a flag on your claim" in page
    assert "Restate their view." in page
    assert "Straw man" in page
    assert url("flag_review", debate, Flag.objects.get().pk) in page
    assert "Ask for review" in page


def test_moderators_see_approve_and_restore_in_place(client, cast, debate, thesis, pro):
    pending = services.claim_add(
        actor=cast.suggester, parent=thesis, stance=Stance.CON, text="A suggestion waits."
    )
    services.claim_hide(actor=cast.moderator, claim=pro)
    client.force_login(cast.moderator)

    page = client.get(debate.get_absolute_url()).content.decode()

    assert url("claim_approve", debate, pending.pk) in page
    assert url("claim_restore", debate, pro.pk) in page


def test_participants_get_the_flag_control_and_visitors_do_not(client, cast, debate, pro):
    flag_link = url("claim_flag", debate, pro.pk)
    assert flag_link not in client.get(debate.get_absolute_url()).content.decode()
    client.force_login(cast.viewer)
    assert flag_link in client.get(debate.get_absolute_url()).content.decode()
    client.force_login(cast.writer)  # its author
    assert flag_link not in client.get(debate.get_absolute_url()).content.decode()


def test_many_flags_do_not_add_queries_to_the_debate_page(client, cast, debate, thesis):
    claims = [
        services.claim_add(actor=cast.writer, parent=thesis, stance=Stance.PRO, text=f"Claim {i}")
        for i in range(12)
    ]
    client.force_login(cast.moderator)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(debate.get_absolute_url())  # warm the structure cache and the session's read
    client.get(debate.get_absolute_url())
    # A write after them: the page is rendered afresh, not answered from the member's kept
    # page (views/member_pages.py), so both pages below are renders to compare.
    FlagFactory(claim=claims[0], reporter=cast.viewer)
    with CaptureQueriesContext(connection) as few:
        client.get(debate.get_absolute_url())
    for claim in claims[1:]:
        FlagFactory(claim=claim, reporter=cast.viewer)
        FlagFactory(claim=claim, reporter=cast.editor)
    with CaptureQueriesContext(connection) as many:
        client.get(debate.get_absolute_url())
    assert len(many) == len(few), "the moderation fragment must not query per claim"


# -- flagging --------------------------------------------------------------------------------


def test_flag_form_page_lists_fallacies_with_their_explanations(client, cast, debate, pro):
    client.force_login(cast.viewer)
    page = client.get(url("claim_flag", debate, pro.pk))
    body = page.content.decode()
    assert page.status_code == 200
    assert "<html" in body
    for explanation in Flag.FALLACY_EXPLANATIONS.values():
        assert escape(str(explanation)) in body
    assert "Duplicate of" in body


def test_flag_form_fragment_for_htmx(client, cast, debate, pro):
    client.force_login(cast.viewer)
    response = client.get(url("claim_flag", debate, pro.pk), **HTMX)
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert "hx-post" in response.content.decode()


def test_flagging_as_a_straw_man_redirects_back(client, cast, debate, pro):
    client.force_login(cast.viewer)
    response = client.post(
        url("claim_flag", debate, pro.pk),
        {"reason": "fallacy", "fallacy": "straw_man", "note": "Not what they said."},
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#claim-{pro.pk}")
    flag = Flag.objects.get()
    assert (flag.reporter, flag.claim, flag.fallacy) == (cast.viewer, pro, "straw_man")


def test_flagging_with_htmx_returns_the_updated_fragment(client, cast, debate, pro):
    client.force_login(cast.viewer)
    response = client.post(url("claim_flag", debate, pro.pk), {"reason": "unclear"}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert "You flagged this" in body
    assert response["HX-Retarget"] == f"#moderation-{pro.pk}"


def test_a_duplicate_flag_names_the_other_claim(client, cast, debate, pro, con):
    client.force_login(cast.viewer)
    missing = client.post(url("claim_flag", debate, pro.pk), {"reason": "duplicate"})
    assert missing.status_code == 422
    assert "Choose the claim this one duplicates" in missing.content.decode()
    done = client.post(
        url("claim_flag", debate, pro.pk), {"reason": "duplicate", "duplicate_of": con.pk}
    )
    assert done.status_code == 302
    assert Flag.objects.get().duplicate_of == con


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reason": "fallacy"}, "Choose which fallacy."),
        ({"reason": "nonsense"}, "Select a valid choice"),
        ({}, "This field is required"),
        ({"reason": "fallacy", "fallacy": "made_up"}, "Select a valid choice"),
    ],
)
def test_invalid_flags_show_the_form_again(client, cast, debate, pro, data, message):
    client.force_login(cast.viewer)
    response = client.post(url("claim_flag", debate, pro.pk), data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Flag.objects.exists()


def test_flagging_twice_is_refused_with_a_message(client, cast, debate, pro):
    client.force_login(cast.viewer)
    client.post(url("claim_flag", debate, pro.pk), {"reason": "unclear"})
    again = client.post(url("claim_flag", debate, pro.pk), {"reason": "spam"})
    assert again.status_code == 422
    assert "already flagged" in again.content.decode()


def test_flagging_too_much_is_rate_limited(client, cast, debate, thesis, pro):
    for i in range(services.FLAGS_PER_HOUR):
        claim = Claim.objects.create(debate=debate, text=f"Filler {i}", author=cast.writer)
        FlagFactory(reporter=cast.viewer, claim=claim)
    client.force_login(cast.viewer)
    response = client.post(url("claim_flag", debate, pro.pk), {"reason": "unclear"})
    assert response.status_code == 429
    assert "please wait" in response.content.decode()
    assert response["Retry-After"] == "3600"


def test_flag_form_access(client, cast, debate, pro):
    assert client.get(url("claim_flag", debate, pro.pk)).status_code == 302, "log in first"
    assert client.post(url("claim_flag", debate, pro.pk), {"reason": "spam"}).status_code == 403
    hidden = services.claim_hide(actor=cast.moderator, claim=pro)
    client.force_login(cast.viewer)
    assert client.get(url("claim_flag", debate, hidden.pk)).status_code == 404
    assert client.get(url("claim_flag", debate, 999999)).status_code == 404


def test_flagging_in_a_private_debate_is_a_404_to_strangers(client, cast):
    private = services.debate_create(
        owner=cast.owner, title="Private?", thesis="A members-only thesis.", visibility="private"
    )
    thesis = private.claims.get()
    client.force_login(cast.stranger)
    assert client.get(url("claim_flag", private, thesis.pk)).status_code == 404
    assert client.post(url("claim_flag", private, thesis.pk), {"reason": "spam"}).status_code == 404


# -- asking for a review ---------------------------------------------------------------------


def test_the_author_asks_once_for_a_review(client, cast, debate, pro):
    flag = straw_man(cast, pro)
    client.force_login(cast.writer)

    response = client.post(url("flag_review", debate, flag.pk))

    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.status == Flag.Status.OPEN and flag.review_requested_at is not None
    page = client.get(debate.get_absolute_url()).content.decode()
    assert "You asked for a review" in page
    assert "Ask for review" not in page
    services.flag_resolve(actor=cast.moderator, flag=flag, uphold=True, note="Still a straw man.")
    again = client.post(url("flag_review", debate, flag.pk), follow=True)
    assert "already asked for a review" in again.content.decode()


def test_asking_for_review_with_htmx_returns_the_fragment(client, cast, debate, pro):
    flag = straw_man(cast, pro)
    client.force_login(cast.writer)
    response = client.post(url("flag_review", debate, flag.pk), **HTMX)
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert "You asked for a review" in response.content.decode()


def test_the_author_of_a_hidden_claim_sees_why_on_its_moderation_page(client, cast, debate, pro):
    flag = straw_man(cast, pro, hide=True)
    client.force_login(cast.writer)

    page = client.get(url("claim_moderation", debate, pro.pk))
    body = page.content.decode()
    assert page.status_code == 200
    assert "and hid it" in body and "Restate their view." in body

    response = client.post(url("flag_review", debate, flag.pk))
    assert response["Location"] == url("claim_moderation", debate, pro.pk)
    client.force_login(cast.viewer)
    assert client.get(url("claim_moderation", debate, pro.pk)).status_code == 404


def test_only_the_author_may_ask_for_review(client, cast, debate, pro):
    flag = straw_man(cast, pro)
    client.force_login(cast.editor)
    assert client.post(url("flag_review", debate, flag.pk)).status_code == 403
    client.logout()
    assert client.post(url("flag_review", debate, flag.pk)).status_code == 403
    assert client.get(url("flag_review", debate, flag.pk)).status_code == 405


# -- approve and restore ---------------------------------------------------------------------


def test_moderator_approves_a_suggestion(client, cast, debate, thesis):
    pending = services.claim_add(
        actor=cast.suggester, parent=thesis, stance=Stance.CON, text="A suggestion waits."
    )
    client.force_login(cast.moderator)
    response = client.post(url("claim_approve", debate, pending.pk))
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == Claim.Status.PUBLISHED


def test_moderator_restores_with_htmx(client, cast, debate, pro):
    services.claim_hide(actor=cast.moderator, claim=pro)
    client.force_login(cast.moderator)
    response = client.post(url("claim_restore", debate, pro.pk), **HTMX)
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert "Restore" not in response.content.decode()
    pro.refresh_from_db()
    assert pro.status == Claim.Status.PUBLISHED


def test_approving_a_published_claim_says_why_not(client, cast, debate, pro):
    client.force_login(cast.moderator)
    response = client.post(url("claim_approve", debate, pro.pk), follow=True)
    assert "This claim is published" in response.content.decode()
    htmx = client.post(url("claim_approve", debate, pro.pk), **HTMX)
    assert htmx.status_code == 422


def test_writers_cannot_approve_their_own_suggestions(client, cast, debate, thesis):
    pending = services.claim_add(
        actor=cast.suggester, parent=thesis, stance=Stance.CON, text="A suggestion waits."
    )
    client.force_login(cast.suggester)
    assert client.post(url("claim_approve", debate, pending.pk)).status_code == 403
    client.force_login(cast.writer)
    assert client.post(url("claim_approve", debate, pending.pk)).status_code == 404


# -- settings --------------------------------------------------------------------------------


def test_settings_page_shows_members_queue_and_status(client, cast, debate, thesis):
    pending = services.claim_add(
        actor=cast.suggester, parent=thesis, stance=Stance.CON, text="A suggestion waits."
    )
    client.force_login(cast.owner)
    page = client.get(url("debate_settings", debate))
    body = page.content.decode()
    assert page.status_code == 200
    for name in ("mo", "eddie", "wren", "sue", "vic"):
        assert name in body
    assert pending.text in body
    assert url("claim_approve", debate, pending.pk) in body
    assert 'name="conclusion"' in body


def test_settings_fragment_for_htmx(client, cast, debate):
    client.force_login(cast.moderator)
    response = client.post(
        url("member_grant", debate), {"username": "stan", "role": "writer"}, **HTMX
    )
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert "stan" in response.content.decode()


def test_approving_from_the_queue_with_htmx_confirms_in_the_row(client, cast, debate, thesis):
    pending = services.claim_add(
        actor=cast.suggester, parent=thesis, stance=Stance.CON, text="A suggestion waits."
    )
    client.force_login(cast.moderator)
    response = client.post(url("claim_approve", debate, pending.pk), {"from": "queue"}, **HTMX)
    assert f'id="pending-{pending.pk}"' in response.content.decode()
    assert "published" in response.content.decode()


def test_invite_change_role_and_remove(client, cast, debate):
    client.force_login(cast.owner)
    invited = client.post(url("member_grant", debate), {"username": "STAN", "role": "editor"})
    assert invited.status_code == 302
    assert Membership.objects.get(debate=debate, user=cast.stranger).role == Role.EDITOR
    client.post(url("member_grant", debate), {"username": "stan", "role": "moderator"})
    assert Membership.objects.get(debate=debate, user=cast.stranger).role == Role.MODERATOR
    removed = client.post(url("member_revoke", debate, cast.stranger.pk))
    assert removed.status_code == 302
    assert not Membership.objects.filter(debate=debate, user=cast.stranger).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"username": "nobody-here", "role": "writer"}, "No one has that username."),
        ({"username": "stan", "role": "owner"}, "Select a valid choice"),
        ({"username": "olivia", "role": "writer"}, "one owner"),
        ({"username": "", "role": "writer"}, "This field is required"),
    ],
)
def test_invalid_invitations_show_the_form_again(client, cast, debate, data, message):
    client.force_login(cast.owner)
    response = client.post(url("member_grant", debate), data)
    assert response.status_code == 422
    assert message in response.content.decode()


def test_moderators_cannot_appoint_or_remove_moderators(client, cast, debate):
    client.force_login(cast.moderator)
    appoint = client.post(url("member_grant", debate), {"username": "stan", "role": "moderator"})
    assert appoint.status_code == 422
    other = UserFactory(username="other-mod")
    Membership.objects.create(debate=debate, user=other, role=Role.MODERATOR)
    assert client.post(url("member_revoke", debate, other.pk)).status_code == 403
    assert client.post(url("member_revoke", debate, 999999)).status_code == 404


def test_removing_the_owner_is_refused_with_a_message(client, cast, debate):
    client.force_login(cast.owner)
    response = client.post(url("member_revoke", debate, cast.owner.pk), follow=True)
    assert "The owner cannot be removed." in response.content.decode()


def test_closing_from_settings_needs_a_conclusion(client, cast, debate):
    client.force_login(cast.moderator)
    missing = client.post(url("debate_status", debate), {"status": "closed", "conclusion": ""})
    assert missing.status_code == 422
    assert "Write the conclusion" in missing.content.decode()
    bad = client.post(url("debate_status", debate), {"status": "frozen"})
    assert bad.status_code == 422
    done = client.post(
        url("debate_status", debate), {"status": "closed", "conclusion": "Staged release."}
    )
    assert done.status_code == 302
    debate.refresh_from_db()
    assert debate.status == Debate.Status.CLOSED and debate.conclusion == "Staged release."
    htmx = client.post(url("debate_status", debate), {"status": "open"}, **HTMX)
    assert htmx.status_code == 200 and "<html" not in htmx.content.decode()


def test_settings_access(client, cast, debate):
    assert client.get(url("debate_settings", debate)).status_code == 302
    for persona, status in [
        ("owner", 200),
        ("moderator", 200),
        ("staff", 200),
        ("editor", 403),
        ("writer", 403),
        ("viewer", 403),
        ("stranger", 403),
    ]:
        client.force_login(cast[persona])
        assert client.get(url("debate_settings", debate)).status_code == status, persona
