"""The read-only pages: the debate list, a debate, one claim in focus."""

from __future__ import annotations

import pytest
from django.urls import reverse

from arguments import services
from arguments.models import Debate
from tests.conftest import build_debate

pytestmark = pytest.mark.django_db


def test_the_front_page_lists_public_debates_with_their_thesis(client, debate, thesis, pro):
    hidden = Debate.objects.create(slug="secret", title="A private matter", owner=debate.owner,
                                   visibility=Debate.Visibility.PRIVATE)  # fmt: skip
    page = client.get("/").content.decode()
    assert debate.title in page
    assert thesis.text in page
    assert "2 claims" in page
    assert hidden.title not in page


def test_the_front_page_searches_by_title(client, debate):
    assert debate.title in client.get("/", {"q": "weights"}).content.decode()
    assert debate.title not in client.get("/", {"q": "bananas"}).content.decode()


def test_a_debate_page_shows_theses_pros_cons_and_sources(client, cast, debate, pro, con):
    services.source_cite(
        actor=cast.writer, claim=pro, url="https://example.org/r", title="A report", quote="So."
    )
    response = client.get(debate.get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 200
    assert 'role="tree"' in page
    assert pro.text in page and con.text in page
    assert "A report" in page
    assert "1 pro, 1 con" in page


def test_pending_claims_show_to_their_author_only(client, cast, debate, thesis):
    pending = services.claim_add(actor=cast.suggester, parent=thesis, stance="pro", text="Wait.")
    assert pending.text not in client.get(debate.get_absolute_url()).content.decode()
    client.force_login(cast.suggester)
    page = client.get(debate.get_absolute_url()).content.decode()
    assert pending.text in page and "Awaiting approval" in page


def test_hidden_claims_are_gone_for_readers(client, cast, debate, pro):
    services.claim_hide(actor=cast.moderator, claim=pro)
    assert pro.text not in client.get(debate.get_absolute_url()).content.decode()
    assert client.get(pro.get_absolute_url()).status_code == 404


def test_a_private_debate_is_a_404_to_strangers(client, cast, debate):
    debate.visibility = Debate.Visibility.PRIVATE
    debate.save()
    assert client.get(debate.get_absolute_url()).status_code == 404
    client.force_login(cast.stranger)
    assert client.get(debate.get_absolute_url()).status_code == 404
    client.force_login(cast.viewer)
    assert client.get(debate.get_absolute_url()).status_code == 200


def test_an_unknown_debate_or_claim_is_a_404(client, debate, pro):
    assert client.get("/d/no-such-debate/").status_code == 404
    assert client.get(f"/d/{debate.slug}/claims/999999/").status_code == 404
    other = build_debate(3, slug="other")
    assert client.get(f"/d/{other.slug}/claims/{pro.pk}/").status_code == 404


def test_the_focus_page_shows_the_path_to_the_thesis(client, cast, debate, thesis, pro):
    child = services.claim_add(actor=cast.writer, parent=pro, stance="con", text="Not always.")
    page = client.get(child.get_absolute_url()).content.decode()
    assert 'aria-label="Path to the thesis"' in page
    assert thesis.text[:40] in page and pro.text in page and child.text in page


def test_user_text_is_escaped_and_markdown_sanitized(client, cast, debate, thesis):
    services.claim_add(
        actor=cast.writer, parent=thesis, stance="pro", text="<script>alert(1)</script>",
        elaboration="**bold** <img src=x onerror=alert(1)> [x](javascript:alert(1))",
    )  # fmt: skip
    page = client.get(debate.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page
    assert "<strong>bold</strong>" in page
    assert "<img" not in page  # raw HTML in Markdown stays text
    assert 'href="javascript:' not in page


@pytest.mark.parametrize("size", [10, 2000])
def test_the_debate_page_costs_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, size
):
    debate = build_debate(size, slug=f"sized-{size}")
    # Never read before, so the whole debate is loaded (with the versions read in its
    # snapshot: issue 38) and its strengths stored (+2: the stamp, then the strengths in one
    # executemany). The page of a debate whose strengths are stored reads only its first
    # screen: tests/test_first_screen.py. +2: its branch sizes stored (the stamp, the rows:
    # structure/stored_sizes.py).
    with django_assert_max_num_queries(11):
        assert client.get(debate.get_absolute_url()).status_code == 200


def test_the_profile_lists_my_debates_and_claims(client, cast, debate, pro):
    client.force_login(cast.writer)
    page = client.get(reverse("arguments:profile")).content.decode()
    assert debate.title in page and pro.text in page
    assert client.logout() is None
    assert client.get(reverse("arguments:profile")).status_code == 302


def test_visitors_get_a_cached_tree_that_a_write_renews(client, cast, debate, thesis, pro):
    assert pro.text in client.get(debate.get_absolute_url()).content.decode()
    new = services.claim_add(actor=cast.writer, parent=thesis, stance="con", text="Fresh rebuttal.")
    page = client.get(debate.get_absolute_url()).content.decode()
    assert new.text in page
    services.claim_hide(actor=cast.moderator, claim=new)
    assert new.text not in client.get(debate.get_absolute_url()).content.decode()


def test_the_focus_page_names_a_pro_as_a_pro(client, pro):
    page = client.get(pro.get_absolute_url()).content.decode()
    assert 'class="stance stance-pro">Pro<' in page
    assert "stance-thesis" not in page
