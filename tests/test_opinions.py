"""The opinion map (issue 33): groups of voters found from their votes, computed on the task
queue, shown without names, through the reader's lens and guided voting."""

from __future__ import annotations

import random
import re

import pytest
from django.urls import reverse
from sklearn.metrics import adjusted_rand_score

from arguments import services
from arguments.explore.opinions import Dot, Group, LabelPlace, _place_mine_label
from arguments.models import Claim, Debate, OpinionMap, Relation, Stance, Vote
from arguments.structure import opinion_groups
from arguments.tasks import opinions as opinion_tasks
from arguments.tasks.worker import run_all
from tests.factories import UserFactory

CONSENSUS = (0, 1)  # planted: every group rates these 4
DIVISIVE = (2, 3)  # planted: groups alternate 0 and 4


def planted(groups: int, *, per: int = 15, points: int = 24, noise: float = 0.15, seed: int = 7):
    """Votes of `groups` planted groups of `per` voters on `points` points: each group has a
    profile (random middling values), each voter follows it but skips 20% of the points and
    votes at random on `noise` of them. (votes, the true group of each voter)."""
    rnd = random.Random(seed)
    profiles = [[rnd.choice((0, 1, 3, 4)) for _ in range(points)] for _ in range(groups)]
    for profile_index, profile in enumerate(profiles):
        for j in CONSENSUS:
            profile[j] = 4
        for j in DIVISIVE:
            profile[j] = 4 if profile_index % 2 == 0 else 0
    votes, truth = [], {}
    for group, profile in enumerate(profiles):
        for n in range(per):
            user = 1000 * (group + 1) + n
            truth[user] = group
            for j, value in enumerate(profile):
                if rnd.random() < 0.2:
                    continue
                votes.append(
                    (user, f"r{j}", 100 + j, rnd.randint(0, 4) if rnd.random() < noise else value)
                )
    return votes, truth


@pytest.mark.parametrize("groups", [2, 3])
def test_planted_groups_are_recovered_with_their_consensus_and_divisive_points(groups):
    votes, truth = planted(groups)
    result = opinion_groups.compute(votes)
    assert result["k"] == groups
    found = {user: group for user, _x, _y, group in result["dots"]}
    users = sorted(found)
    assert adjusted_rand_score([truth[u] for u in users], [found[u] for u in users]) >= 0.9
    consensus = [row[0] for row in result["consensus"]]
    assert {"r0", "r1"} <= set(consensus[:4])
    divisive = [row[0] for row in result["divisive"]]
    assert {"r2", "r3"} <= set(divisive)
    # Each group is defined by points where it stands apart, not by the consensus.
    for group in result["groups"]:
        assert group["defining"]
        assert not {"r0", "r1"} & {row[0] for row in group["defining"]}


def test_the_same_votes_make_the_same_groups():
    votes, _truth = planted(3, seed=11)
    first = opinion_groups.compute(votes)
    again = opinion_groups.compute(list(reversed(votes)))
    for result in (first, again):
        result.pop("seconds")
    assert first == again


def test_participants_with_too_few_votes_are_left_out_and_counted():
    votes, _truth = planted(2)
    votes += [(1, "r0", 100, 4), (1, "r1", 101, 0), (2, "r5", 105, 2)]  # two and one votes
    result = opinion_groups.compute(votes)
    assert result["left_out"] == 2
    assert {1, 2}.isdisjoint(user for user, *_rest in result["dots"])


def test_too_few_voters_make_no_groups():
    result = opinion_groups.compute([(u, "r1", 1, u % 5) for u in range(4)] * 3)
    assert result["groups"] == [] and result["k"] == 0


# -- in the database -----------------------------------------------------------------------


@pytest.fixture
def room(db, debate, thesis, cast):
    """The debate with eight pros and three planted groups of five voters (their votes
    written as rows: what is tested here is the map, not the vote service)."""
    pros = [
        services.claim_add(actor=cast.writer, parent=thesis, stance=Stance.PRO, text=f"Point {i}.")
        for i in range(8)
    ]
    relations = [Relation.objects.get(child=pro, is_link=False) for pro in pros]
    profiles = [
        [4, 4, 4, 0, 4, 0, 1, 3],
        [4, 4, 0, 4, 0, 4, 3, 1],
        [4, 3, 0, 0, 2, 2, 4, 4],
    ]
    groups: list[list] = []
    votes = []
    for g, profile in enumerate(profiles):
        members = [UserFactory(username=f"voter-{g}-{n}") for n in range(5)]
        groups.append(members)
        for n, user in enumerate(members):
            for j, (relation, value) in enumerate(zip(relations, profile, strict=True)):
                noisy = value if (n + j) % 7 else min(4, value + 1)
                votes.append(Vote(user=user, relation=relation, value=noisy))
    Vote.objects.bulk_create(votes)
    opinion_tasks.opinions_compute(debate.pk)
    return {"debate": debate, "pros": pros, "relations": relations, "groups": groups}


def _page(client, debate: Debate):
    return client.get(reverse("arguments:debate_opinions", args=[debate.slug]))


def test_the_page_shows_groups_points_and_the_readers_own_dot_without_names(client, room):
    debate, voter = room["debate"], room["groups"][0][0]
    client.force_login(voter)
    response = _page(client, debate)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('class="mine-ring"') == 1
    for label in ("Group A", "Group B", "Group C"):
        assert label in body
    assert "Point 0." in body  # the consensus point, linked to its place in the tree
    assert reverse("arguments:claim", args=[debate.slug, room["pros"][0].pk]) in body
    assert "(yours)" in body
    for members in room["groups"]:
        for user in members:
            if user != voter:  # the header names the reader to themselves
                assert user.username not in body
    # A dot is its group and position, nothing else (no id, no title, no link).
    dots = re.findall(r"<circle class=\"dot [^>]*>", body)
    assert len(dots) == 15
    assert all(
        re.fullmatch(r'<circle class="dot og-\d" cx="[\d.]+" cy="[\d.]+" r="5"/>', d) for d in dots
    )
    stored = OpinionMap.objects.get(debate=debate)
    groups = stored.result["groups"]
    assert sorted(g["size"] for g in groups) == [5, 5, 5]


def test_a_visitor_sees_the_map_without_a_dot_of_their_own(client, room):
    response = _page(client, room["debate"])
    assert response.status_code == 200
    assert b"mine-ring" not in response.content


def test_the_debate_page_links_to_the_opinion_map(client, room):
    response = client.get(reverse("arguments:debate", args=[room["debate"].slug]))
    assert reverse("arguments:debate_opinions", args=[room["debate"].slug]).encode() in (
        response.content
    )


def test_a_private_debate_s_map_is_a_404_to_outsiders(client, room, cast):
    Debate.objects.filter(pk=room["debate"].pk).update(visibility=Debate.Visibility.PRIVATE)
    client.force_login(cast.stranger)
    assert _page(client, room["debate"]).status_code == 404
    client.force_login(cast.viewer)  # a member
    assert _page(client, room["debate"]).status_code == 200


def test_guided_voting_hides_the_map_until_the_reader_votes(client, room, cast, thesis):
    debate = room["debate"]
    Debate.objects.filter(pk=debate.pk).update(hide_votes_until_voted=True)
    assert _page(client, debate).status_code == 403  # a visitor cannot vote
    client.force_login(cast.viewer)
    refused = _page(client, debate)
    assert refused.status_code == 403
    assert b"Point 0." not in refused.content
    services.vote_cast(user=cast.viewer, point=room["relations"][0], value=3)
    shown = _page(client, debate)
    assert shown.status_code == 200
    # Only the point the reader voted on is named; the others' votes stay hidden.
    body = shown.content.decode()
    assert "Point 0." in body and "Point 2." not in body
    assert "left out here" in body


def test_groups_smaller_than_three_are_not_shown_nor_seen_through(client, room):
    debate = room["debate"]
    stored = OpinionMap.objects.get(debate=debate)
    result = stored.result
    result["groups"][2]["size"] = 2  # as if the third group had two people
    result["dots"] = [d for d in result["dots"] if d[3] != 2] + [
        [d[0], d[1], d[2], 2] for d in result["dots"] if d[3] == 2
    ][:2]
    OpinionMap.objects.filter(pk=stored.pk).update(result=result)
    body = _page(client, debate).content.decode()
    assert "Group C" not in body and "in groups of fewer than 3" in body
    page = reverse("arguments:debate", args=[debate.slug])
    assert client.get(page, {"perspective": "opinion:2"}).status_code == 404
    assert client.get(page, {"perspective": "opinion:0"}).status_code == 200


def test_see_as_a_group_recolours_the_tree_with_that_groups_votes(client, room):
    debate = room["debate"]
    page = reverse("arguments:debate", args=[debate.slug])
    response = client.get(page, {"perspective": "opinion:0"})
    assert response.status_code == 200
    assert b"as opinion group A voted" in response.content
    map_page = reverse("arguments:debate_map", args=[debate.slug])
    assert client.get(map_page, {"perspective": "opinion:1"}).status_code == 200
    assert client.get(page, {"perspective": "opinion:9"}).status_code == 404


def test_cruxes_can_rank_by_the_split_between_groups(client, room):
    url = reverse("arguments:debate_cruxes", args=[room["debate"].slug])
    body = client.get(url, {"by": "groups"}).content.decode()
    assert "steps apart" in body
    # Points 2-5 split the groups 0 against 4; point 0 (everyone's 4) is no crux between them.
    assert "Point 2." in body and "Point 0." not in body


def test_the_page_costs_the_same_few_queries_however_many_voters(
    client, room, django_assert_max_num_queries, cast
):
    client.force_login(room["groups"][0][0])
    _page(client, room["debate"])  # the structure, loaded once per process
    with django_assert_max_num_queries(8):
        assert _page(client, room["debate"]).status_code == 200


def test_exports_carry_tallies_never_voters(client, room):
    url = reverse("arguments:export", args=[room["debate"].slug, "json"])
    body = client.get(url).content.decode()
    for members in room["groups"]:
        assert members[0].username not in body


@pytest.mark.django_db(transaction=True)
def test_sixty_votes_make_one_job_on_the_database_task_queue(debate, thesis, cast):
    pros = [
        services.claim_add(actor=cast.writer, parent=thesis, stance=Stance.PRO, text=f"P{i}.")
        for i in range(3)
    ]
    points: list[Relation | Claim] = [Relation.objects.get(child=p, is_link=False) for p in pros]
    run_all()  # the three claims' notices (issue 31's fan-out), so only the map's job is left
    voters = [UserFactory() for _ in range(20)]
    for n, user in enumerate(voters):
        for j, point in enumerate(points):
            services.vote_cast(user=user, point=point, value=(n + j) % 5)
    wanted = OpinionMap.objects.get(debate=debate)
    assert wanted.wanted_at is not None and wanted.computed_at is None
    assert opinion_tasks.enqueue_wanted() == [debate.pk]
    assert opinion_tasks.enqueue_wanted() == []  # enqueued once, however many workers ask
    assert run_all() == 1  # the worker's own code, through django-tasks-db
    done = OpinionMap.objects.get(debate=debate)
    assert done.wanted_at is None and done.enqueued_at is None
    assert done.computed_from == Debate.objects.get(pk=debate.pk).tally_version
    assert done.result["voters"] == 20
    # A later vote wants the map again.
    services.vote_cast(user=voters[0], point=points[0], value=4)
    assert OpinionMap.objects.get(debate=debate).wanted_at is not None


def _group(label: str, x: float, y: float):
    return Group(0, label, 10, 50, x, y, "upper left", [], "", "")


def test_the_word_you_keeps_clear_of_the_group_letters_and_the_edges():
    mine = Dot(375.0, 350.0, 1, mine=True)
    assert _place_mine_label(mine, []) == LabelPlace(375.0, 337.0)  # above, when clear
    # Group B's letter just above and to the left of the reader's dot (as seen on a seeded
    # page): the word goes below.
    assert _place_mine_label(mine, [_group("B", 362.0, 339.0)]) == LabelPlace(375.0, 374.0)
    # Letters above and below: to the side.
    crowded = [_group("B", 362.0, 339.0), _group("C", 375.0, 378.0)]
    assert _place_mine_label(mine, crowded) == LabelPlace(402.0, 355.0)
    # At the top edge, above would leave the drawing.
    assert _place_mine_label(Dot(100.0, 10.0, 1, mine=True), []) == LabelPlace(100.0, 34.0)
