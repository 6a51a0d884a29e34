"""Reads kept rendered for their reader (issue 35, 35p: arguments/views/kept_reads.py): the
activity table and a debate's pages through a perspective are answered from the response
rendered for the same reader at the same versions and write counts. A kept answer equals a
fresh rendering but for the CSRF token and nonce it is given; every change a page shows
(a vote, a claim, a setting, a role, the language) is a new key; a refused reader stays
refused."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from arguments import languages, services
from arguments.models import Debate, Membership, Role, Stance
from arguments.services.debates import debate_configure
from arguments.views import kept_reads, member_pages
from tests.factories import MembershipFactory
from tests.test_perspectives import World

pytestmark = pytest.mark.django_db
NONCE = re.compile(r'nonce="[^"]+"')


def same_text(body: bytes) -> str:
    """The page as any rendering of it for this reader reads: its tokens, nonce and live
    ticket (signed with the second it was made) blanked."""
    body = member_pages.TICKET_IN_URL.sub(lambda found: found.group(1) + b"TICKET", body)
    text = member_pages.MASKED_TOKEN.sub("TOKEN", body.decode())
    return NONCE.sub('nonce=""', text)


def fresh(client: Client, url: str) -> bytes:
    """The view's own rendering now, nothing kept."""
    kept_reads.forget_reads()
    response = client.get(url)
    assert response.status_code == 200
    return response.content


@pytest.fixture
def world(cast, debate) -> World:
    return World(cast, debate)


def activity_url(debate: Debate) -> str:
    return reverse("arguments:debate_activity", args=[debate.slug])


def seen_as_url(world: World) -> str:
    return f"{world.debate.get_absolute_url()}?perspective=named:{world.economist.pk}"


def focus_seen_as_url(world: World) -> str:
    focus = reverse("arguments:claim", args=[world.debate.slug, world.p.pk])
    return f"{focus}?perspective=named:{world.economist.pk}"


# -- kept: the same page, for little -------------------------------------------------------


@pytest.mark.parametrize("page", ["activity", "perspective", "perspective_focus"])
def test_a_kept_read_is_the_fresh_rendering_for_three_queries(
    client, cast, world, page, django_assert_max_num_queries
):
    url = {
        "activity": activity_url(world.debate),
        "perspective": seen_as_url(world),
        "perspective_focus": focus_seen_as_url(world),
    }[page]
    client.force_login(cast.owner)
    first = client.get(url)
    assert first.status_code == 200 and first.context is not None  # rendered
    # The session, the user, and the debate's versions with the site's write counts.
    with django_assert_max_num_queries(3):
        again = client.get(url)
    assert again.status_code == 200 and again.context is None  # kept, not rendered
    assert same_text(again.content) == same_text(first.content) == same_text(fresh(client, url))


def test_a_kept_page_carries_this_requests_token_and_nonce(cast, world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.owner)
    url = activity_url(world.debate)
    rendered = client.get(url)
    kept = client.get(url)
    assert kept.context is None
    secret = client.cookies["csrftoken"].value
    tokens = set(member_pages.MASKED_TOKEN.findall(kept.content.decode()))
    assert tokens and {member_pages.unmasked(token) for token in tokens} == {secret}
    # Masked afresh for this answer, not the rendering's token kept.
    assert not tokens & set(member_pages.MASKED_TOKEN.findall(rendered.content.decode()))
    nonce = NONCE.search(kept.content.decode())
    assert nonce is not None
    assert f"'nonce-{nonce.group(0)[7:-1]}'" in kept["Content-Security-Policy"]
    # Its forms post: the token is good for this reader's session.
    scale = reverse("arguments:grade_scale", args=[world.debate.slug])
    posted = client.post(scale, {"grade_scale": "20", "csrfmiddlewaretoken": tokens.pop()})
    assert posted.status_code == 302


def test_the_csv_is_kept_as_an_attachment(client, cast, world):
    client.force_login(cast.owner)
    url = reverse("arguments:debate_activity_csv", args=[world.debate.slug])
    first = client.get(url)
    again = client.get(url)
    assert again.context is None and again.content == first.content
    assert again["Content-Disposition"] == first["Content-Disposition"]
    assert again["Content-Type"].startswith("text/csv")


# -- stale never: each change shows on the next read ----------------------------------------


def _vote(world: World) -> None:
    services.vote_cast(user=world.voter_c, point=world.point("c"), value=0)
    services.vote_cast(
        user=world.voter_c, point=world.point("q"), value=0, perspective=world.economist
    )


def _claim(world: World) -> None:
    services.claim_add(
        actor=world.cast.editor, parent=world.p, stance=Stance.CON, text="A con of P, new."
    )


def _setting(world: World) -> None:
    debate_configure(actor=world.cast.owner, debate=world.debate, title="A renamed debate")


def _role(world: World) -> None:
    services.membership_grant(
        actor=world.cast.owner, debate=world.debate, user=world.cast.viewer, role=Role.EDITOR
    )


CHANGES: dict[str, Callable[[World], None]] = {
    "vote": _vote,
    "claim": _claim,
    "setting": _setting,
    "role": _role,
}


@pytest.mark.parametrize("change", sorted(CHANGES))
@pytest.mark.parametrize("page", ["activity", "perspective", "perspective_focus"])
def test_each_change_shows_on_the_next_read(client, cast, world, page, change):
    url = {
        "activity": activity_url(world.debate),
        "perspective": seen_as_url(world),
        "perspective_focus": focus_seen_as_url(world),
    }[page]
    # The viewer reads the perspective's pages (their role shows in their controls); the
    # owner the table (the viewer's role and counts are among its rows).
    client.force_login(cast.owner if page == "activity" else cast.viewer)
    client.get(url)
    before = client.get(url)
    assert before.context is None  # kept
    CHANGES[change](world)
    after = client.get(url)
    assert after.status_code == 200
    assert same_text(after.content) != same_text(before.content), "the kept page was served"
    assert same_text(after.content) == same_text(fresh(client, url))


@pytest.mark.parametrize("page", ["activity", "perspective"])
def test_a_language_chosen_shows_on_the_next_read(client, cast, world, page):
    url = activity_url(world.debate) if page == "activity" else seen_as_url(world)
    client.force_login(cast.owner)
    client.get(url)
    assert client.get(url).context is None
    session = client.session
    session[languages.SESSION_KEY] = "fr"  # the session alone: no row of the site written
    session.save()
    after = client.get(url)
    assert after.context is not None and after["Content-Language"] == "fr"
    assert same_text(after.content) == same_text(fresh(client, url))


def test_another_readers_page_is_never_theirs(client, cast, world):
    """Kept per reader: the owner's and a moderator's tables are the same rows, but each
    page names its reader in the header."""
    url = activity_url(world.debate)
    client.force_login(cast.owner)
    client.get(url)
    client.force_login(cast.moderator)
    page = client.get(url)
    assert page.context is not None
    profile = reverse("arguments:profile")
    assert f'<a href="{profile}">mo</a>' in page.content.decode()
    assert f'<a href="{profile}">olivia</a>' not in page.content.decode()


def test_voting_as_a_perspective_is_part_of_the_key_and_its_message_shows_once(client, world):
    client.force_login(world.voter_c)
    url = seen_as_url(world)
    client.get(url)
    assert client.get(url).context is None
    choose = reverse("arguments:perspective_voting_as", args=[world.debate.slug])
    client.post(choose, {"perspective": str(world.economist.pk)})
    told = client.get(url)
    assert told.context is not None and "You now vote as an economist." in told.content.decode()
    after = client.get(url)
    assert "You now vote as an economist." not in after.content.decode()
    assert "Your votes now count for <strong>an economist</strong>" in after.content.decode()
    kept = client.get(url)
    assert kept.context is None and same_text(kept.content) == same_text(after.content)


# -- refused stays refused -----------------------------------------------------------------


@pytest.mark.parametrize("persona", ["editor", "writer", "suggester", "viewer", "stranger"])
def test_a_reader_who_may_not_see_the_table_is_refused_after_it_is_kept(
    client, cast, world, persona
):
    url = activity_url(world.debate)
    client.force_login(cast.owner)
    client.get(url)
    assert client.get(url).context is None
    client.force_login(cast[persona])
    assert client.get(url).status_code == 403


def test_a_visitor_is_sent_to_sign_in_after_the_table_is_kept(client, cast, world):
    url = activity_url(world.debate)
    client.force_login(cast.owner)
    client.get(url)
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_moderator_demoted_is_refused_on_the_next_read(client, cast, world):
    url = activity_url(world.debate)
    client.force_login(cast.moderator)
    client.get(url)
    assert client.get(url).context is None
    services.membership_grant(
        actor=cast.owner, debate=world.debate, user=cast.moderator, role=Role.WRITER
    )
    assert client.get(url).status_code == 403


def test_a_member_removed_from_a_private_debate_no_longer_reads_it(client, cast, world):
    debate_configure(actor=cast.owner, debate=world.debate, visibility=Debate.Visibility.PRIVATE)
    url = seen_as_url(world)
    client.force_login(cast.viewer)
    assert client.get(url).status_code == 200
    assert client.get(url).context is None
    membership = Membership.objects.get(debate=world.debate, user=cast.viewer)
    services.membership_revoke(actor=cast.owner, membership=membership)
    assert client.get(url).status_code == 404


def test_one_participants_votes_stay_the_managers_after_they_are_kept(client, cast, world):
    url = f"{world.debate.get_absolute_url()}?perspective=user:{world.a.pk}"
    client.force_login(cast.owner)
    client.get(url)
    assert client.get(url).context is None
    MembershipFactory(debate=world.debate, user=cast.stranger, role=Role.WRITER)
    client.force_login(cast.stranger)
    assert client.get(url).status_code == 403
