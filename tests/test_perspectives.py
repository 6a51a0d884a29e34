"""Perspectives (issue 20, item 4): a debate's strengths and vote distributions as one
participant voted, as a group voted, or as a named perspective that its creator votes as.

The debate of every test: thesis T, its pro P and con C, and Q a pro of P. The expected
strengths are worked out by hand with DF-QuAD (docs in arguments/structure/scoring.py):
strength = base + (1 - base)(support - attack) when support wins, base - base(attack -
support) otherwise; base = mean vote / 4, or 0.5 without votes.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from arguments import services
from arguments.models import Claim, Debate, Perspective, Relation, Stance, Vote
from arguments.reading.pseudonyms import pseudonyms_of
from arguments.structure.loader import debate_structure
from arguments.views import kept_reads
from tests.conftest import build_debate
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def shown_text(response) -> str:
    """The page's text without its tags, as a reader (or a screen reader) gets it."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", response.content.decode()))


class World:
    """The small debate, three voters (a and b in the group "Section A", c outside it), and
    c's named perspective "an economist"."""

    def __init__(self, cast, debate: Debate) -> None:
        self.cast, self.debate = cast, debate
        self.t = debate.claims.get(is_thesis=True)
        add = services.claim_add
        self.p = add(actor=cast.writer, parent=self.t, stance=Stance.PRO, text="Pro P.")
        self.c = add(actor=cast.writer, parent=self.t, stance=Stance.CON, text="Con C.")
        self.q = add(actor=cast.writer, parent=self.p, stance=Stance.PRO, text="Pro Q of P.")
        self.a, self.b, self.voter_c = (UserFactory(username=n) for n in ("ann", "ben", "cai"))
        for user in (self.a, self.b, self.voter_c):
            MembershipFactory(debate=debate, user=user, role="viewer")
        for user, votes in (
            (self.a, {"t": 4, "p": 4, "c": 0, "q": 2}),
            (self.b, {"t": 2, "p": 2, "c": 4}),
            (self.voter_c, {"t": 0, "p": 0, "c": 4, "q": 4}),
        ):
            for name, value in votes.items():
                services.vote_cast(user=user, point=self.point(name), value=value)
        self.group = services.group_create(actor=cast.owner, debate=debate, name="Section A")
        services.group_members_set(
            actor=cast.owner,
            group=self.group,
            user_ids=[self.a.pk, self.b.pk],
        )
        self.economist = services.perspective_create(
            actor=self.voter_c, debate=debate, name="an economist"
        )
        for name, value in {"t": 1, "p": 4, "c": 1}.items():
            services.vote_cast(
                user=self.voter_c, point=self.point(name), value=value, perspective=self.economist
            )

    def point(self, name: str) -> Relation | Claim:
        claim = getattr(self, name)
        if claim.is_thesis:
            return Claim.objects.get(pk=claim.pk)
        return Relation.objects.select_related("child__debate").get(child=claim, is_link=False)

    def page(self, client, perspective: str = "", **extra):
        query = {"perspective": perspective} if perspective else {}
        return client.get(self.debate.get_absolute_url(), query, **extra)

    def strengths(self, client, perspective: str = "") -> dict[str, float]:
        kept_reads.forget_reads()  # the view's own lens, which a kept answer does not carry
        response = self.page(client, perspective)
        assert response.status_code == 200, response.content[:300]
        strength = response.context["lens"].structure.strength
        return {name: strength[getattr(self, name).pk] for name in ("t", "p", "c", "q")}


@pytest.fixture
def world(cast, debate) -> World:
    return World(cast, debate)


def test_everyones_strengths_count_only_own_votes(client, world):
    got = world.strengths(client)
    # T: 4,2,0 -> .5; P: 4,2,0 -> .5; C: 0,4,4 -> 2/3; Q: 2,4 -> .75.
    # Q = .75; P = .5 + .5 * .75 = .875; C = 2/3; T = .5 + .5 * (.875 - 2/3).
    assert got == pytest.approx(
        {"t": 0.5 + 0.5 * (0.875 - 2 / 3), "p": 0.875, "c": 2 / 3, "q": 0.75}
    )
    # The economist's votes are in no tally: the thesis has three votes, 0, 2 and 4.
    assert world.point("t").histogram == [1, 0, 1, 0, 1]


def test_a_group_sees_its_members_votes(client, cast, world):
    client.force_login(cast.owner)
    got = world.strengths(client, f"group:{world.group.pk}")
    # T: 4,2 -> .75; P: 4,2 -> .75; C: 0,4 -> .5; Q: 2 -> .5.
    # Q = .5; P = .75 + .25 * .5 = .875; C = .5; T = .75 + .25 * (.875 - .5) = .84375.
    assert got == pytest.approx({"t": 0.84375, "p": 0.875, "c": 0.5, "q": 0.5})


def test_one_participant_seen_alone(client, cast, world):
    client.force_login(cast.moderator)
    got = world.strengths(client, f"user:{world.voter_c.pk}")
    # T 0, P 0, C 1, Q 1: Q = 1; P = 0 + 1 * 1 = 1; C = 1; T = 0 - 0 * (1 - 1) = 0.
    assert got == pytest.approx({"t": 0.0, "p": 1.0, "c": 1.0, "q": 1.0})


def test_a_named_perspective_is_its_votes_alone_and_public(client, world):
    got = world.strengths(client, f"named:{world.economist.pk}")  # a visitor
    # T 1 -> .25; P 4 -> 1; C 1 -> .25; Q no vote -> .5.
    # Q = .5; P = 1 + 0 * .5 = 1; C = .25; T = .25 + .75 * (1 - .25) = .8125.
    assert got == pytest.approx({"t": 0.8125, "p": 1.0, "c": 0.25, "q": 0.5})


def test_the_tree_shows_the_perspectives_distribution_and_strength(client, world):
    page = shown_text(world.page(client, f"named:{world.economist.pk}"))
    assert "Strengths and votes as an economist" in page
    assert "Strength 81%" in page  # the thesis, .8125
    everyone = shown_text(world.page(client))
    assert "Strength 60%" in everyone and "Strength 81%" not in everyone


def test_links_keep_the_perspective(client, world):
    key = f"named:{world.economist.pk}"
    page = world.page(client, key).content.decode()
    focus = reverse("arguments:claim", args=[world.debate.slug, world.p.pk])
    assert f"{focus}?perspective={key}" in page
    assert f"{reverse('arguments:debate_map', args=[world.debate.slug])}?perspective={key}" in page
    branch = client.get(focus, {"part": "branch", "perspective": key}, **HTMX)
    assert branch.status_code == 200
    assert branch.context["lens"].structure.strength[world.q.pk] == pytest.approx(0.5)


def test_the_map_recolours(client, world):
    url = reverse("arguments:debate_map", args=[world.debate.slug])
    everyone = client.get(url).content.decode()
    seen = client.get(url, {"perspective": f"named:{world.economist.pk}"}).content.decode()
    assert "81%" in seen and "81%" not in everyone


def test_why_explains_the_perspectives_strength(client, world):
    url = reverse("arguments:claim_why", args=[world.debate.slug, world.t.pk])
    page = client.get(url, {"perspective": f"named:{world.economist.pk}"}).content.decode()
    assert "81%" in page


# -- voting as ---------------------------------------------------------------------------


def _vote(client, world, claim, value):
    url = reverse("arguments:claim_vote", args=[world.debate.slug, claim.pk])
    return client.post(url, {"value": str(value)})


def test_voting_as_a_perspective_leaves_everyones_tally_alone(client, world):
    client.force_login(world.voter_c)
    tally_version = Debate.objects.get(pk=world.debate.pk).tally_version
    before = world.strengths(client)
    held = debate_structure(Debate.objects.get(pk=world.debate.pk))
    url = reverse("arguments:perspective_voting_as", args=[world.debate.slug])
    assert client.post(url, {"perspective": world.economist.pk}).status_code == 302
    assert _vote(client, world, world.q, 0).status_code == 302
    vote = Vote.objects.get(relation__child=world.q, perspective=world.economist)
    assert vote.value == 0 and vote.user == world.voter_c
    # Cai's own vote on Q is still 4, everyone's tally and version did not move.
    assert (
        Vote.objects.get(relation__child=world.q, perspective=None, user=world.voter_c).value == 4
    )
    assert Debate.objects.get(pk=world.debate.pk).tally_version == tally_version
    assert world.point("q").histogram == [0, 0, 1, 0, 1]
    assert world.strengths(client) == before
    assert debate_structure(Debate.objects.get(pk=world.debate.pk)) is held
    # The economist now has Q at 0: P = 1 + 0 * 0 = 1, unchanged; Q = 0.
    seen = world.strengths(client, f"named:{world.economist.pk}")
    assert seen["q"] == 0.0
    # The picker says so, and the card shows the economist's vote as mine.
    page = world.page(client).content.decode()
    assert "Your votes now count for <strong>an economist</strong>" in page
    # Back to voting as oneself.
    assert client.post(url, {"perspective": ""}).status_code == 302
    assert _vote(client, world, world.q, 1).status_code == 302
    assert (
        Vote.objects.get(relation__child=world.q, perspective=None, user=world.voter_c).value == 1
    )
    assert world.point("q").histogram == [0, 1, 1, 0, 0]


def test_withdrawing_as_a_perspective_removes_only_that_vote(client, world):
    client.force_login(world.voter_c)
    client.post(
        reverse("arguments:perspective_voting_as", args=[world.debate.slug]),
        {"perspective": world.economist.pk},
    )
    url = reverse("arguments:claim_vote", args=[world.debate.slug, world.p.pk])
    assert client.post(url, {"withdraw": "1"}).status_code == 302
    assert not Vote.objects.filter(relation__child=world.p, perspective=world.economist).exists()
    assert Vote.objects.filter(
        relation__child=world.p, perspective=None, user=world.voter_c
    ).exists()
    # P has no economist's vote left: base .5, Q .5 -> .5 + .5 * .5.
    assert world.strengths(client, f"named:{world.economist.pk}")["p"] == pytest.approx(0.75)


def test_starting_a_perspective_makes_me_vote_as_it(client, cast, world):
    client.force_login(cast.viewer)
    url = reverse("arguments:perspective_create", args=[world.debate.slug])
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "  a privacy   advocate "})
    assert response.status_code == 302
    made = Perspective.objects.get(name="a privacy advocate")
    assert made.kind == Perspective.Kind.NAMED and made.created_by == cast.viewer
    assert _vote(client, world, world.t, 3).status_code == 302
    assert Vote.objects.get(thesis=world.t, perspective=made).value == 3


@pytest.mark.parametrize("name", ["", "   ", "x" * 81, "An Economist"])
def test_a_bad_perspective_name_is_refused_with_the_form(client, cast, world, name):
    client.force_login(cast.viewer)
    url = reverse("arguments:perspective_create", args=[world.debate.slug])
    response = client.post(url, {"name": name})
    assert response.status_code == 422
    assert 'role="alert"' in response.content.decode()
    assert Perspective.objects.filter(kind=Perspective.Kind.NAMED).count() == 1


# -- permissions -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["editor", "writer", "suggester", "viewer", "stranger", "anonymous"]
)
@pytest.mark.parametrize("kind", ["user", "group"])
def test_only_managers_see_how_people_voted(client, cast, world, persona, kind):
    if persona != "anonymous":
        client.force_login(cast[persona])
    target = world.a.pk if kind == "user" else world.group.pk
    assert world.page(client, f"{kind}:{target}").status_code == 403
    map_url = reverse("arguments:debate_map", args=[world.debate.slug])
    assert client.get(map_url, {"perspective": f"{kind}:{target}"}).status_code == 403


@pytest.mark.parametrize("persona", ["owner", "moderator", "staff"])
def test_managers_see_participants_and_groups_in_the_picker(client, cast, world, persona):
    client.force_login(cast[persona])
    page = world.page(client).content.decode()
    assert "Section A" in page and ">ann<" in page and "an economist" in page


def test_a_participant_sees_named_perspectives_only(client, cast, world):
    client.force_login(cast.writer)
    page = world.page(client).content.decode()
    assert "an economist" in page
    assert "Section A" not in page and ">ann<" not in page


def test_a_pseudonymous_debate_names_participants_by_pseudonym(client, cast, world):
    services.debate_make_pseudonymous(actor=cast.owner, debate=world.debate)
    client.force_login(cast.owner)
    page = world.page(client).content.decode()
    assert ">ann<" not in page and ">ben<" not in page
    seen = world.page(client, f"user:{world.a.pk}").content.decode()
    assert "ann" not in seen.split("Strengths and votes", 1)[1].split("</p>", 1)[0]
    # Naming ann by pseudonym loads the structure first: the page is still ann's votes.
    assert world.strengths(client, f"user:{world.a.pk}")["c"] == pytest.approx(0.0)
    groups = client.get(reverse("arguments:perspective_groups", args=[world.debate.slug]))
    assert groups.status_code == 200
    labels = re.findall(r"> ([^<]+)</label>", groups.content.decode())
    names = pseudonyms_of(world.debate, [world.a.pk, world.b.pk, world.voter_c.pk])
    assert set(names.values()) <= set(labels)
    assert not {"ann", "ben", "cai"} & set(labels)


@pytest.mark.parametrize(
    ("raw", "status"),
    [("user:abc", 400), ("nobody:1", 400), ("group", 400), ("user:999999", 404),
     ("group:999999", 404), ("named:999999", 404)],
)  # fmt: skip
def test_a_bad_perspective_parameter_is_a_clear_error(client, cast, world, raw, status):
    client.force_login(cast.owner)
    assert world.page(client, raw).status_code == status


def test_a_group_is_not_a_named_perspective_and_another_debates_is_unknown(client, cast, world):
    assert world.page(client, f"named:{world.group.pk}").status_code == 404
    other = services.debate_create(owner=cast.owner, title="Another?", thesis="Another thesis.")
    theirs = services.perspective_create(actor=cast.owner, debate=other, name="a lawyer")
    assert world.page(client, f"named:{theirs.pk}").status_code == 404
    client.force_login(cast.owner)
    url = reverse("arguments:perspective_voting_as", args=[world.debate.slug])
    assert client.post(url, {"perspective": theirs.pk}).status_code == 404


def test_nobody_votes_as_someone_elses_perspective(client, cast, world):
    client.force_login(world.a)
    url = reverse("arguments:perspective_voting_as", args=[world.debate.slug])
    assert client.post(url, {"perspective": world.economist.pk}).status_code == 403
    with pytest.raises(Exception, match="only vote as a perspective you started"):
        services.vote_cast(
            user=world.a, point=world.point("t"), value=4, perspective=world.economist
        )
    assert Vote.objects.filter(perspective=world.economist, user=world.a).count() == 0


def test_a_visitor_cannot_start_or_choose_a_perspective(client, world):
    create = reverse("arguments:perspective_create", args=[world.debate.slug])
    assert client.get(create).status_code == 302  # to the login page
    assert client.post(create, {"name": "a farmer"}).status_code == 403
    choose = reverse("arguments:perspective_voting_as", args=[world.debate.slug])
    assert client.post(choose, {"perspective": world.economist.pk}).status_code == 403
    assert not Perspective.objects.filter(name="a farmer").exists()


def test_starting_a_perspective_needs_the_vote(client, cast, world):
    Debate.objects.filter(pk=world.debate.pk).update(voting_enabled=False)
    client.force_login(cast.viewer)
    url = reverse("arguments:perspective_create", args=[world.debate.slug])
    assert client.post(url, {"name": "a farmer"}).status_code == 403


@pytest.mark.parametrize("persona", ["editor", "writer", "viewer", "stranger"])
def test_only_managers_manage_groups(client, cast, world, persona):
    client.force_login(cast[persona])
    slug = world.debate.slug
    assert client.get(reverse("arguments:perspective_groups", args=[slug])).status_code == 403
    assert (
        client.post(reverse("arguments:perspective_groups", args=[slug]), {"name": "B"}).status_code
        == 403
    )
    members = reverse("arguments:group_members", args=[slug, world.group.pk])
    assert client.post(members, {"member": [world.voter_c.pk]}).status_code == 403
    delete = reverse("arguments:group_delete", args=[slug, world.group.pk])
    assert client.post(delete).status_code == 403
    assert set(world.group.members.values_list("pk", flat=True)) == {world.a.pk, world.b.pk}
    assert not Perspective.objects.filter(name="B").exists()


def test_the_owner_manages_groups(client, cast, world):
    client.force_login(cast.owner)
    slug = world.debate.slug
    page = client.get(reverse("arguments:perspective_groups", args=[slug]))
    assert page.status_code == 200 and "Section A" in page.content.decode()
    response = client.post(reverse("arguments:perspective_groups", args=[slug]), {"name": "B"})
    assert response.status_code == 302
    section_b = Perspective.objects.get(name="B")
    members = reverse("arguments:group_members", args=[slug, section_b.pk])
    assert client.post(members, {"member": [world.voter_c.pk]}).status_code == 302
    assert list(section_b.members.all()) == [world.voter_c]
    assert world.strengths(client, f"group:{section_b.pk}") == world.strengths(
        client, f"user:{world.voter_c.pk}"
    )
    # Someone who never took part cannot be put in a group; a duplicate name is refused.
    outsider = UserFactory()
    assert client.post(members, {"member": [outsider.pk]}).status_code == 422
    assert client.post(members, {"member": ["x"]}).status_code == 422
    dup = client.post(reverse("arguments:perspective_groups", args=[slug]), {"name": "section a"})
    assert dup.status_code == 422
    delete = reverse("arguments:group_delete", args=[slug, section_b.pk])
    assert client.post(delete).status_code == 302
    assert not Perspective.objects.filter(name="B").exists()


def test_a_group_change_recolours_at_once(client, cast, world):
    client.force_login(cast.owner)
    key = f"group:{world.group.pk}"
    assert world.strengths(client, key)["t"] == pytest.approx(0.84375)
    services.group_members_set(actor=cast.owner, group=world.group, user_ids=[world.voter_c.pk])
    assert world.strengths(client, key)["t"] == pytest.approx(0.0)


def test_a_merge_keeps_own_and_perspective_votes_apart(cast, world):
    """A voter's own vote and their vote as a perspective on the same point are two rows;
    a merge moving votes keys them apart (it used to key by voter alone)."""
    duplicate = services.claim_add(
        actor=cast.writer, parent=world.t, stance=Stance.PRO, text="Pro P, said again."
    )
    dup_point = Relation.objects.select_related("child__debate").get(child=duplicate)
    services.vote_cast(user=world.voter_c, point=dup_point, value=3)
    services.vote_cast(user=world.voter_c, point=dup_point, value=2, perspective=world.economist)
    services.claim_merge(actor=cast.moderator, duplicate=duplicate, into=world.p)
    p_votes = Vote.objects.filter(relation__child=world.p, user=world.voter_c)
    assert sorted(p_votes.values_list("perspective_id", flat=True), key=str) == sorted(
        [None, world.economist.pk], key=str
    )
    # Everyone's tally counts own votes only: ann 4, ben 2, cai's later own vote 3.
    assert world.point("p").histogram == [0, 0, 1, 1, 1]


# -- cost --------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [10, 2000])
def test_a_perspective_page_costs_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, size
):
    debate = build_debate(size, slug=f"seen-as-{size}")
    claims = list(debate.claims.order_by("id")[:40])
    voters = [UserFactory() for _ in range(3)]
    group = Perspective.objects.create(debate=debate, kind="group", name="Section A")
    group.members.set(voters[:2])
    relations = {r.child_id: r for r in Relation.objects.filter(debate=debate, is_link=False)}
    Vote.objects.bulk_create(
        Vote(user=user, relation=relations[claim.pk], value=(i + j) % 5)
        for i, user in enumerate(voters)
        for j, claim in enumerate(claims[1:])
    )
    client.force_login(debate.owner)
    url = debate.get_absolute_url()
    seen_as = {"perspective": f"group:{group.pk}"}
    # Debate, session, user, the group's row (the parameter), notices, my votes, the picker's
    # perspectives and participants, whether I follow the debate; cold, also the structure (4,
    # and the versions read in its snapshot: issue 38) and the group's tallies (one grouped
    # query), and on this first read of the debate its strengths stored (2,
    # structure/stored_strengths.py) and a visitor's branch sizes (2, structure/stored_sizes.py);
    # the group's stored strengths' stamp (read by the slice
    # and by the scorer) and, as nobody stored them yet, their store (a savepoint, the stamp
    # created and locked, the strengths, the stamp moved: reading/perspectives.py). The
    # picker's participants come from the stored activity counts (issue 35, 35o), which the
    # bulk-written votes left uncounted: this first read counts and stores them (15: the
    # versions, four grouped counts, the store under the stamp's lock, the list's two). And 2
    # to keep the page: the debate's versions with the site's write counts before it renders
    # and the counts after (views/kept_reads.py). If this grows, say why here.
    with django_assert_max_num_queries(44):
        response = client.get(url, seen_as)
    assert response.status_code == 200
    # Warm: the structure and the group's strengths are held in memory (9 queries and the 2
    # to keep it), the page rendered once more (another order: not the page kept).
    with django_assert_max_num_queries(11):
        assert client.get(url, {**seen_as, "order": "new"}).status_code == 200
    # Kept: the session, the user, the debate's versions with the site's write counts.
    with django_assert_max_num_queries(3):
        assert client.get(url, seen_as).status_code == 200
    focus = reverse("arguments:claim", args=[debate.slug, claims[5].pk])
    with django_assert_max_num_queries(6):
        branch = client.get(focus, {"part": "branch", **seen_as}, **HTMX)
    assert branch.status_code == 200


def test_an_in_place_vote_on_a_perspective_page_answers_as_the_perspective(client, world):
    """The vote form of a page seen through a perspective posts with it, so the swapped
    summary shows the perspective's tally and strength after the vote."""
    client.force_login(world.voter_c)
    key = f"named:{world.economist.pk}"
    # Q stands two levels down: its vote form is on its parent's focus page.
    focus = reverse("arguments:claim", args=[world.debate.slug, world.p.pk])
    page = client.get(focus, {"perspective": key}).content.decode()
    vote_url = reverse("arguments:claim_vote", args=[world.debate.slug, world.q.pk])
    assert f'hx-post="{vote_url}?perspective={key}"' in page
    client.post(
        reverse("arguments:perspective_voting_as", args=[world.debate.slug]),
        {"perspective": world.economist.pk},
    )
    response = client.post(f"{vote_url}?perspective={key}", {"value": "0"}, **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    # The economist's one vote on Q (0): strength 0%; everyone's Q has two votes (2, 4).
    assert "1 vote" in body and "Strength 0%" in shown_text(response)
    assert world.point("q").histogram == [0, 0, 1, 0, 1]
    # Seen as everyone, the same vote answers with everyone's tally.
    response = client.post(vote_url, {"value": "1"}, **HTMX)
    assert "2 votes" in response.content.decode()
