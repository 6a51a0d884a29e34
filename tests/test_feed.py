"""A debate's public activity feed: what the reader may see, named as the debate names people."""

from __future__ import annotations

from django.urls import reverse

from arguments import services
from arguments.models import Annotation


def feed(client, debate, **query) -> str:
    answer = client.get(reverse("arguments:debate_feed", args=[debate.slug]), query)
    assert answer.status_code == 200
    return answer.content.decode()


def test_the_feed_lists_claims_sources_and_notes_newest_first(client, cast, debate, pro) -> None:
    services.annotation_add(actor=cast.viewer, claim=pro, body="Which study?")
    page = feed(client, debate)
    assert '<strong dir="auto">vic</strong> annotated' in page
    assert '<strong dir="auto">wren</strong> wrote' in page and pro.text in page
    assert page.index("vic</strong> annotated") < page.index("wren</strong> wrote")
    assert "Recent activity" in client.get(debate.get_absolute_url()).content.decode()


def test_the_feed_filters_by_person_and_kind(client, cast, debate, pro) -> None:
    services.annotation_add(actor=cast.viewer, claim=pro, body="Which study?")
    only_vic = feed(client, debate, person="vic")
    assert "vic</strong>" in only_vic and "wren</strong>" not in only_vic
    only_claims = feed(client, debate, kind="claim")
    assert "annotated" not in only_claims and "wrote" in only_claims
    assert "annotated" in feed(client, debate, kind="bogus")  # an unknown kind: everything


def test_the_feed_shows_only_what_the_reader_may_see(client, cast, debate, thesis) -> None:
    debate.requires_approval = True
    debate.save()
    pending = services.claim_add(actor=cast.suggester, parent=thesis, stance="pro", text="Wait.")
    services.annotation_add(
        actor=cast.moderator,
        claim=thesis,
        body="Private thoughts",
        visibility=Annotation.Visibility.PRIVATE,
    )
    assert pending.text not in feed(client, debate)
    assert "mo</strong>" not in feed(client, debate)
    client.force_login(cast.suggester)
    assert pending.text in feed(client, debate)  # its author sees it
    client.force_login(cast.moderator)
    assert "mo</strong> annotated" in feed(client, debate)


def test_a_pseudonymous_debates_feed_names_no_one(client, cast, debate, pro) -> None:
    debate.pseudonymous = True
    debate.save()
    page = feed(client, debate)
    assert "wren" not in page and "olivia" not in page
    assert "Nothing here yet." in feed(client, debate, person="wren")  # no probing by username


def test_the_feed_speaks_the_reader_s_language_in_whole_sentences(client, cast, debate, pro):
    services.annotation_add(actor=cast.viewer, claim=pro, body="Quelle étude ?")
    services.debate_configure(actor=cast.owner, debate=debate, voting_enabled=False)
    client.cookies["django_language"] = "fr"
    page = feed(client, debate)
    assert '<strong dir="auto">vic</strong> a annoté « <a href="' in page
    assert '<strong dir="auto">olivia</strong> a désactivé les votes.' in page
    assert "annotated" not in page and "switched" not in page
