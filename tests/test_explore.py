"""Tags and Explore (issue 19): featured, active, new and popular debates and debates by tag,
only those the reader may find; tags set by owners and moderators; the home page's order."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from arguments import services
from arguments.explore import cruxes, listings
from arguments.models import Claim, Debate, Relation, Role, Stance, Tag
from arguments.reading.lens import Lens
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _debate(owner, title: str, **fields) -> Debate:
    debate = services.debate_create(
        owner=owner, title=title, thesis=f"{title} Yes.", visibility=Debate.Visibility.PUBLIC
    )
    if fields:
        Debate.objects.filter(pk=debate.pk).update(**fields)
        debate.refresh_from_db()
    return debate


def _titles(debates: list[Debate]) -> list[str]:
    return [d.title for d in debates]


@pytest.fixture
def site(cast):
    """Four public debates started in order (so the last is the newest), one of them
    featured, one busy (two writers, votes), and a private and an unlisted one."""
    quiet = _debate(cast.owner, "Quiet?")
    featured = _debate(cast.owner, "Featured?", featured=True)
    busy = _debate(cast.owner, "Busy?")
    thesis = busy.claims.get(is_thesis=True)
    for author in (cast.writer, cast.editor):
        services.claim_add(actor=author, parent=thesis, stance=Stance.PRO, text=f"By {author}.")
    for voter in (cast.writer, cast.editor, cast.viewer):
        services.vote_cast(user=voter, point=thesis, value=3)
    newest = _debate(cast.owner, "Newest?")
    private = _debate(cast.owner, "Private?", visibility=Debate.Visibility.PRIVATE)
    MembershipFactory(debate=private, user=cast.viewer, role=Role.VIEWER)
    unlisted = _debate(cast.owner, "Unlisted?", visibility=Debate.Visibility.UNLISTED)
    # The busy debate had the last activity, after every other was started.
    services.vote_cast(user=cast.moderator, point=thesis, value=1)
    return {"quiet": quiet, "featured": featured, "busy": busy, "newest": newest,
            "private": private, "unlisted": unlisted}  # fmt: skip


def test_explore_lists_featured_active_new_and_popular_debates(site, cast):
    found = listings.explore(cast.stranger)
    assert _titles(found.featured) == ["Featured?"]
    assert _titles(found.active)[0] == "Busy?"
    assert _titles(found.new) == ["Newest?", "Busy?", "Featured?", "Quiet?"]
    assert _titles(found.popular)[0] == "Busy?"
    busy = found.popular[0]
    assert (busy.claim_count, busy.participant_count, busy.vote_count) == (3, 3, 4)


def test_private_and_unlisted_debates_are_listed_only_to_their_members(site, cast):
    for user in (cast.stranger, cast.anonymous):
        assert not {"Private?", "Unlisted?"} & set(_titles(listings.explore(user).new))
    assert "Private?" in _titles(listings.explore(cast.viewer).new)
    assert {"Private?", "Unlisted?"} <= set(_titles(listings.explore(cast.owner).new))


def test_the_explore_page_shows_each_list_and_the_tags(client, site, cast):
    services.debate_tags_set(actor=cast.owner, debate=site["busy"], names=["AI policy"])
    response = client.get(reverse("arguments:explore"))
    body = response.content.decode()
    assert response.status_code == 200
    for heading in ("Featured", "Active", "New", "Popular"):
        assert f">{heading}</h2>" in body
    assert 'href="/explore/tag/ai-policy/"' in body
    assert "Private?" not in body and "Unlisted?" not in body


def test_a_tag_lists_the_debates_carrying_it_that_the_reader_may_find(client, site, cast):
    for name in ("busy", "private"):
        services.debate_tags_set(actor=cast.owner, debate=site[name], names=["Regulation"])
    url = reverse("arguments:explore_tag", args=["regulation"])
    body = client.get(url).content.decode()
    assert "Busy?" in body and "Quiet?" not in body and "Private?" not in body
    client.force_login(cast.viewer)
    assert "Private?" in client.get(url).content.decode()
    # ?tag= leads to the same page; an unknown tag is a 404.
    response = client.get(reverse("arguments:explore"), {"tag": "regulation"})
    assert response.status_code == 302 and response["Location"] == url
    # An unknown tag leads to the same 404 (a redirect only for known tags was an oracle).
    unknown = client.get(reverse("arguments:explore"), {"tag": "nope"}, follow=True)
    assert unknown.status_code == 404
    assert client.get(reverse("arguments:explore_tag", args=["nope"])).status_code == 404


def test_the_home_page_puts_featured_then_active_debates_first(client, site):
    body = client.get(reverse("arguments:debate_list")).content.decode()
    assert body.index("Featured?") < body.index("Busy?") < body.index("Newest?")
    assert body.index("Newest?") < body.index("Quiet?")
    assert "Private?" not in body
    assert f'href="{reverse("arguments:explore")}"' in body


# -- tags are set by owners and moderators ----------------------------------------------------


def _tags_url(debate: Debate) -> str:
    return reverse("arguments:debate_tags", args=[debate.slug])


def test_an_owner_sets_tags_from_the_settings_page(client, debate, cast):
    client.force_login(cast.owner)
    settings = reverse("arguments:debate_settings", args=[debate.slug])
    assert f'action="{_tags_url(debate)}"' in client.get(settings).content.decode()
    response = client.post(_tags_url(debate), {"tags": "AI policy, open source,  AI Policy ,"})
    assert response.status_code == 302 and response["Location"] == settings
    assert sorted(t.name for t in debate.tags.all()) == ["AI policy", "open source"]
    assert "Tags saved." in client.get(settings).content.decode()


def test_a_moderator_sets_tags_in_place_with_htmx(client, debate, cast):
    Tag.objects.create(slug="open-source", name="Open source")
    client.force_login(cast.moderator)
    response = client.post(_tags_url(debate), {"tags": "OPEN SOURCE"}, **HTMX)
    assert response.status_code == 200 and b"<html" not in response.content
    assert [t.name for t in debate.tags.all()] == ["Open source"]  # the known tag, its name
    assert b"Saved." in response.content and b'value="Open source"' in response.content
    client.post(_tags_url(debate), {"tags": ""}, **HTMX)
    assert not debate.tags.exists()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (",".join(f"tag {n}" for n in range(9)), "At most 8 tags."),
        ("!!!", "needs a letter or a digit"),
        ("x" * 41, "longer than 40 characters"),
    ],
)
def test_bad_tags_are_refused_with_a_reason_and_nothing_changes(
    client, debate, cast, typed, message
):
    services.debate_tags_set(actor=cast.owner, debate=debate, names=["Kept"])
    client.force_login(cast.owner)
    for headers in ({}, HTMX):
        response = client.post(_tags_url(debate), {"tags": typed}, **headers)
        assert response.status_code == 422
        assert message in response.content.decode()
    assert [t.name for t in debate.tags.all()] == ["Kept"]


@pytest.mark.parametrize("persona", ["writer", "editor", "viewer"])
def test_only_owners_and_moderators_set_tags(client, debate, cast, persona):
    client.force_login(cast[persona])
    assert client.post(_tags_url(debate), {"tags": "Mine"}).status_code == 403
    assert not debate.tags.exists() and not Tag.objects.exists()


def test_a_visitor_is_refused_and_a_get_is_not_allowed(client, debate, cast):
    assert client.post(_tags_url(debate), {"tags": "Mine"}).status_code == 403
    client.force_login(cast.owner)
    assert client.get(_tags_url(debate)).status_code == 405
    assert not debate.tags.exists()


# -- cost and the demo -------------------------------------------------------------------------


def _bulk_site(count: int, tag: Tag) -> list[Debate]:
    """`count` public debates, every other one featured, each with a thesis and a pro by
    another author and the tag: in a few bulk inserts."""
    owner, writer = UserFactory(), UserFactory()
    debates = Debate.objects.bulk_create(
        Debate(slug=f"site-{n}", title=f"Debate {n}?", owner=owner, featured=n % 2 == 0)
        for n in range(count)
    )
    theses = Claim.objects.bulk_create(
        Claim(debate=d, text=f"Thesis {d.pk}.", author=owner, is_thesis=True) for d in debates
    )
    pros = Claim.objects.bulk_create(
        Claim(debate=d, text=f"A pro {d.pk}.", author=writer) for d in debates
    )
    Relation.objects.bulk_create(
        Relation(debate=t.debate, parent=t, child=p, stance=Stance.PRO, votes_3=n % 5)
        for n, (t, p) in enumerate(zip(theses, pros, strict=True))
    )
    Debate.tags.through.objects.bulk_create(
        Debate.tags.through(debate_id=d.pk, tag_id=tag.pk) for d in debates
    )
    return debates


@pytest.mark.parametrize("count", [10, 300])
def test_home_explore_and_a_tag_cost_the_same_queries_for_few_and_many_debates(
    client, cast, django_assert_max_num_queries, count
):
    tag = Tag.objects.create(slug="t", name="T")
    _bulk_site(count, tag)
    client.force_login(cast.viewer)
    # Session and user (2); the counts of the debates whose counts are stale (1) and, the
    # first time, their store (1, and a savepoint's 2); each list's ids (4); their rows with
    # claim counts (1), their tags (1); the tag cloud (1). If this grows, say why.
    with django_assert_max_num_queries(13):
        response = client.get(reverse("arguments:explore"))
    assert response.status_code == 200
    assert len(response.context["explore"].popular) == min(count, listings.ROWS)
    with django_assert_max_num_queries(10):  # the counts current: none stored
        assert client.get(reverse("arguments:explore")).status_code == 200
    with django_assert_max_num_queries(7):
        response = client.get(reverse("arguments:explore_tag", args=["t"]))
    assert response.status_code == 200
    # The home page: a page of ids (1), stale counts (1), rows with claim counts, theses and
    # tags (3).
    with django_assert_max_num_queries(7):
        response = client.get(reverse("arguments:debate_list"))
    assert len(response.context["debates"].debates) == min(count, listings.HOME_ROWS)
    assert response.context["debates"].more == (count > listings.HOME_ROWS)


def test_popular_follows_the_counts_as_writes_and_votes_move_them(site, cast):
    assert listings.count_stale(Debate.objects.all()) == 6  # never counted
    assert listings.count_stale(Debate.objects.all()) == 0  # all current
    quiet = site["quiet"]
    thesis = quiet.claims.get(is_thesis=True)
    written = [
        services.claim_add(actor=author, parent=thesis, stance=Stance.CON, text=f"No, {author}.")
        for author in (cast.writer, cast.editor, cast.moderator, cast.owner)
    ]
    # Four participants (the owner wrote the thesis too), one more than the busy debate.
    assert _titles(listings.explore(cast.stranger).popular)[0] == "Quiet?"
    quiet.refresh_from_db()
    assert (quiet.participant_count, quiet.vote_count) == (4, 0)
    for voter in (cast.writer, cast.editor, cast.viewer, cast.moderator):
        services.vote_cast(user=voter, point=thesis, value=2)
    assert listings.count_stale(Debate.objects.all()) == 1
    quiet.refresh_from_db()
    assert quiet.vote_count == 4
    # A hidden claim is no participation: its author no longer counts.
    services.claim_hide(actor=cast.owner, claim=written[2])
    assert listings.count_stale(Debate.objects.all()) == 1
    quiet.refresh_from_db()
    assert quiet.participant_count == 3


def test_the_home_page_pages_through_the_debates(client, cast):
    _bulk_site(listings.HOME_ROWS + 5, Tag.objects.create(slug="t", name="T"))
    first = client.get(reverse("arguments:debate_list"))
    second = client.get(reverse("arguments:debate_list"), {"page": "2"})
    ids = [d.pk for d in first.context["debates"].debates]
    more = [d.pk for d in second.context["debates"].debates]
    assert len(ids) == listings.HOME_ROWS and len(more) == 5 and not set(ids) & set(more)
    assert 'rel="next" href="?page=2"' in first.content.decode()
    assert 'rel="prev" href="?page=1"' in second.content.decode()
    assert client.get(reverse("arguments:debate_list"), {"page": "x"}).status_code == 400


def test_the_demo_features_the_main_debate_and_tags_every_debate(cast):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    main = Debate.objects.get(slug="open-weight-ai")
    assert main.featured and main.tags.filter(slug="ai-policy").exists()
    assert all(d.tags.exists() for d in Debate.objects.all())
    assert _titles(listings.explore(cast.anonymous).featured) == [main.title]
    # Its crowd splits the room on a few points: the demo shows cruxes.
    assert len(cruxes.cruxes_of(Lens.visitor(main), limit=10).shown) >= 2


def test_staff_feature_a_debate_and_tag_it_in_the_admin(client, debate, cast):
    tag = Tag.objects.create(slug="ai-policy", name="AI policy")
    client.force_login(cast.staff)
    change = reverse("admin:arguments_debate_change", args=[debate.pk])
    form = client.get(change).content.decode()
    assert 'name="featured"' in form and 'name="tags"' in form
    changelist = client.get(reverse("admin:arguments_debate_changelist")).content.decode()
    assert 'name="form-0-featured"' in changelist  # featured is edited in the list
    assert client.get(reverse("admin:arguments_tag_change", args=[tag.pk])).status_code == 200


@pytest.mark.parametrize("count", [10, 300])
def test_a_search_across_debates_costs_the_same_queries_for_few_and_many_debates(
    client, cast, django_assert_max_num_queries, count
):
    _bulk_site(count, Tag.objects.create(slug="t", name="T"))
    client.get(reverse("arguments:debate_list"))  # the listed debates counted once
    # A pro in every debate matches: candidates from up to 60 debates. The debates listed (a
    # page of ids, stale counts, rows, theses, tags: 5), candidates (2, and SQLite's texts to
    # rank them), the hits' debates (1), their ways up (2), headlines (1); none per debate.
    with django_assert_max_num_queries(12):
        response = client.get(reverse("arguments:debate_list"), {"q": "pro"})
    hits = response.context["hits"]
    assert len(hits) == len({hit.debate.pk for hit in hits}) == min(count, 20)


def test_the_home_pages_search_finds_debates_by_their_title_description_or_words(cast):
    """`search.debate_matches`: a substring of the title or the description, any case, short
    or long, and on PostgreSQL the words too."""
    _debate(cast.owner, "Carbon taxes at the border?", description="Tariffs on *imports*.")
    _debate(cast.owner, "Open weights?", description="Releasing model weights to everyone.")
    _debate(cast.owner, "Quiet?")

    def found(query: str) -> set[str]:
        return set(_titles(listings.debates_for_listing(search=query).debates))

    assert found("carbon TAX") == {"Carbon taxes at the border?"}
    assert found("IMPORTS") == {"Carbon taxes at the border?"}  # the description
    assert found("ei") == {"Open weights?"}  # shorter than a trigram
    assert found("X") == {"Carbon taxes at the border?"}
    assert found("?") == {"Carbon taxes at the border?", "Open weights?", "Quiet?"}
    assert found("zzqxv") == set()
    assert found("100%") == set()  # LIKE's wildcards are text here
    words = found("release weights")  # not a substring: found by its words, on PostgreSQL
    assert words == ({"Open weights?"} if connection.vendor == "postgresql" else set())
