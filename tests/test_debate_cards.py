"""Debate cards kept per worker (arguments/views/debate_cards.py): a listing served from kept
cards is the listing rendered afresh, for a visitor and a member, in each language, and
after anything a card shows changes; the time since the last activity moves with the clock."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from arguments import caches, services
from arguments.models import Claim, Debate, Stance
from arguments.views import debate_cards
from arguments.views.cards import CSRF_STAND_IN

pytestmark = pytest.mark.django_db

LISTINGS = ("/", "/explore/", "/explore/tag/ai-policy/")
# What differs between two responses of one page: the CSP nonce and a member's CSRF token.
PER_RESPONSE = re.compile(r'nonce="[^"]*"|nonce-[^\']*|[A-Za-z0-9]{64}')


@pytest.fixture
def listed(cast):
    """Three public debates, tagged, last active two days ago (a time since that stays put
    while the test runs)."""
    debates = []
    for title in ("Tax carbon?", "Ban cars downtown?", "Open the weights?"):
        debate = services.debate_create(
            owner=cast.owner, title=title, thesis=f"{title} Yes.",
            visibility=Debate.Visibility.PUBLIC, description=f"About *{title}*",
        )  # fmt: skip
        services.debate_tags_set(actor=cast.owner, debate=debate, names=["AI policy"])
        debates.append(debate)
    _age(*debates)
    return debates


def _age(*debates: Debate) -> None:
    two_days_ago = timezone.now() - datetime.timedelta(days=2, minutes=5)
    Debate.objects.filter(pk__in=[d.pk for d in debates]).update(updated_at=two_days_ago)


def _pages(client) -> dict[str, str]:
    pages = {}
    for path in LISTINGS:
        response = client.get(path)
        assert response.status_code == 200, path
        pages[path] = PER_RESPONSE.sub("", response.content.decode())
    return pages


def _page(client, path: str, **options) -> str:
    return PER_RESPONSE.sub("", client.get(path, **options).content.decode())


def _fresh(client) -> dict[str, str]:
    debate_cards.forget_debate_cards()
    return _pages(client)


def _counting_keeps(monkeypatch) -> list[object]:
    kept: list[object] = []
    keep = debate_cards._cards.keep

    def counted(key, value):
        kept.append(key)
        keep(key, value)

    monkeypatch.setattr(debate_cards._cards, "keep", counted)
    return kept


def test_a_listing_from_kept_cards_is_the_listing_rendered_afresh(client, listed, monkeypatch):
    first = _pages(client)
    assert len(debate_cards._cards) == 6  # three home cards, three Explore cards
    kept = _counting_keeps(monkeypatch)
    again = _pages(client)
    assert kept == []  # every card of every listing came from the store
    assert again == first == _fresh(client)
    assert "2\xa0days ago</time>" in first["/"]
    assert "Tax carbon?" in first["/explore/tag/ai-policy/"]


def test_a_members_listing_from_kept_cards_is_the_listing_rendered_afresh(
    client, listed, cast, monkeypatch
):
    client.force_login(cast.writer)
    first = _pages(client)
    kept = _counting_keeps(monkeypatch)
    again = _pages(client)
    assert kept == []
    # The page around the cards is the member's (their new-debate form and its token).
    assert 'name="csrfmiddlewaretoken"' in again["/"]
    assert again == first == _fresh(client)


def test_a_card_changes_with_anything_it_shows(client, listed, cast):
    _pages(client)
    debate = listed[0]
    # Each change is written around the services, so the debate's last activity stays put
    # and only what the card shows says it changed.
    changes = {
        "title": "Tax carbon at the border?",
        "description": "Now *at the border*",
        "featured": True,
        "participant_count": 41,
        "vote_count": 73,
        "counted_structure_version": None,  # stale counts are counted again when listed
    }
    for field, value in changes.items():
        Debate.objects.filter(pk=debate.pk).update(**{field: value})
        assert _pages(client) == _fresh(client), field
    page = _pages(client)
    assert "Tax carbon at the border?" in page["/explore/"]
    assert "at the border" in page["/explore/"]
    assert "Featured" in page["/"]
    services.debate_tags_set(actor=cast.owner, debate=listed[1], names=["AI policy", "Cities"])
    thesis = listed[2].claims.get(is_thesis=True)
    services.claim_add(actor=cast.owner, parent=thesis, stance=Stance.PRO, text="Audits work.")
    services.vote_cast(user=cast.writer, point=thesis, value=3)
    Debate.objects.filter(pk=listed[2].pk).update(title="Open the weights now?")
    page = _pages(client)
    assert page == _fresh(client)
    assert ">Cities</a>" in page["/"]
    assert "Open the weights now?" in page["/"]
    assert "2 claims" in page["/"]  # the thesis and its new pro
    assert "1 vote" in page["/explore/"]


def test_cards_are_kept_per_language(client, listed):
    english = _pages(client)
    french = _page(client, "/", headers={"accept-language": "fr"})
    assert french != english["/"]
    assert "2\xa0jours" in french  # the time since, in French
    debate_cards.forget_debate_cards()
    assert _page(client, "/", headers={"accept-language": "fr"}) == french
    assert _page(client, "/") == english["/"]


def test_the_time_since_the_last_activity_is_put_in_on_each_request(client, listed, monkeypatch):
    _pages(client)
    kept = _counting_keeps(monkeypatch)
    monkeypatch.setattr(debate_cards, "timesince", lambda when: "7\xa0minutes")
    page = client.get("/").content.decode()
    assert kept == []
    assert page.count("7\xa0minutes ago</time>") == 3


def test_a_title_holding_the_stand_in_is_shown_as_written(client, listed):
    title = f"Is {debate_cards.SINCE_STAND_IN} a word?"
    Debate.objects.filter(pk=listed[0].pk).update(title=title)
    for _ in range(2):  # rendered, then kept
        page = client.get(reverse("arguments:explore")).content.decode()
        assert title in page
        assert "2\xa0days ago</time>" in page


def test_a_listing_from_kept_cards_costs_the_same_queries(
    client, listed, django_assert_max_num_queries
):
    _pages(client)
    # The home page: a page of ids, stale counts, rows with claim counts, theses and tags.
    with django_assert_max_num_queries(5):
        client.get("/")
    caches.forget_all()
    with django_assert_max_num_queries(7):
        client.get("/")


def test_the_kept_new_debate_form_carries_each_requests_own_token(listed, cast, monkeypatch):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.writer)
    client.get("/")
    kept = _counting_keeps(monkeypatch)
    page = client.get("/").content.decode()
    assert kept == []  # the form and the cards from the store
    assert CSRF_STAND_IN not in page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    response = client.post(
        reverse("arguments:debate_new"),
        {"title": "Kept forms?", "thesis": "Yes.", "visibility": "public",
         "default_role": "writer", "csrfmiddlewaretoken": token[1]},
    )  # fmt: skip
    assert response.status_code == 302
    assert Debate.objects.filter(title="Kept forms?").exists()


def test_search_results_from_kept_hits_are_the_results_rendered_afresh(
    client, listed, cast, monkeypatch
):
    thesis = listed[2].claims.get(is_thesis=True)
    pro = services.claim_add(
        actor=cast.owner, parent=thesis, stance=Stance.PRO, text="Audits of thresholds work."
    )
    for page in ("/?q=audits+thresholds", f"/d/{listed[2].slug}/search/?q=audits"):
        first = _page(client, page)
        assert "Audits</mark>" in first or "<mark>Audits" in first
        kept = _counting_keeps(monkeypatch)
        assert _page(client, page) == first
        assert kept == []  # every hit (and card) from the store
        monkeypatch.undo()
        debate_cards.forget_debate_cards()
        assert _page(client, page) == first
    Claim.objects.filter(pk=pro.pk).update(text="Audits of thresholds fail.")
    page = _page(client, "/?q=audits+thresholds")
    assert "fail." in page
    debate_cards.forget_debate_cards()
    assert _page(client, "/?q=audits+thresholds") == page
