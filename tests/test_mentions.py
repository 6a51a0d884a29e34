"""Mentions (issue 37, part 4): "@name" by pseudonym in a pseudonymous debate (never by
username there), any case elsewhere, at most ten people a text; and the autocomplete, which
lists only names the reader already sees."""

from __future__ import annotations

import pytest
from django.urls import reverse

from arguments import services
from arguments.live.notifications import MENTIONS_PER_TEXT
from arguments.models import Notification, Stance
from arguments.reading.pseudonyms import pseudonyms_of
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def mentions_of(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind=Notification.Kind.MENTION))


def test_a_pseudonymous_debate_mentions_by_pseudonym_only(now, cast, debate, thesis, pro):
    services.debate_make_pseudonymous(actor=cast.owner, debate=debate)
    debate.refresh_from_db()
    otter = pseudonyms_of(debate, [cast.writer.pk])[cast.writer.pk].replace(" ", "")
    with now():
        services.claim_add(actor=cast.editor, parent=thesis, stance=Stance.CON, text="Hi @wren.")
    assert mentions_of(cast.writer) == []  # a username would name the person behind a pseudonym
    with now():
        services.annotation_add(actor=cast.editor, claim=pro, body=f"@{otter.lower()} why?")
    [notice] = mentions_of(cast.writer)
    assert "eddie" not in notice.text  # the writer of the note is named by pseudonym too


def test_names_match_in_any_case_and_a_text_mentions_ten_at_most(now, cast, debate, thesis):
    people = [UserFactory(username=f"pupil{i}") for i in range(MENTIONS_PER_TEXT + 2)]
    for person in people:
        MembershipFactory(debate=debate, user=person, role="viewer")
    text = " ".join(f"@Pupil{i}" for i in range(len(people)))[:480]
    with now():
        services.claim_add(actor=cast.writer, parent=thesis, stance=Stance.PRO, text=text)
    told = Notification.objects.filter(kind=Notification.Kind.MENTION).count()
    assert told == MENTIONS_PER_TEXT


def test_the_autocomplete_lists_names_already_seen_as_the_debate_names_them(
    client, cast, debate, pro
):
    url = reverse("arguments:mention_names", args=[debate.slug])
    client.force_login(cast.viewer)
    names = client.get(url, {"q": "wr"}).json()["names"]
    assert names == [{"name": "wren", "insert": "wren"}]
    assert client.get(url, {"q": "mo"}).json()["names"] == []  # wrote nothing: not listed
    services.debate_make_pseudonymous(actor=cast.owner, debate=debate)
    pseudonym = pseudonyms_of(debate, [cast.writer.pk])[cast.writer.pk]
    names = client.get(url, {"q": pseudonym[:3]}).json()["names"]
    assert {"name": pseudonym, "insert": pseudonym.replace(" ", "")} in names
    assert "wren" not in str(client.get(url, {"q": ""}).json())
    client.logout()
    assert client.get(url, {"q": "w"}).status_code == 403


def test_the_autocomplete_of_a_private_debate_is_a_404_to_outsiders(client, cast):
    debate = services.debate_create(
        owner=cast.owner, title="Private?", thesis="A thesis.", visibility="private"
    )
    client.force_login(cast.stranger)
    url = reverse("arguments:mention_names", args=[debate.slug])
    assert client.get(url, {"q": "o"}).status_code == 404


def test_the_claim_form_asks_for_suggestions(client, cast, debate, thesis):
    client.force_login(cast.writer)
    page = client.get(reverse("arguments:claim_add", args=[debate.slug, thesis.pk]))
    assert "data-mentions" in page.content.decode()
