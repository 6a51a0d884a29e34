"""Merging duplicates, reverting history and locking debates (arguments.services.moderation)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from arguments import services
from arguments.models import Annotation, Citation, Claim, Debate, Merge, Relation, Stance, Vote
from tests.factories import SourceFactory, UserFactory
from tests.test_invariants import assert_forest

pytestmark = pytest.mark.django_db


def vote(user, point, value: int, *, minutes_ago: int = 0) -> Vote:
    """Cast a vote through the service, then date it (to decide which of two votes is later)."""
    cast_vote = services.vote_cast(user=user, point=point, value=value)
    when = timezone.now() - timedelta(minutes=minutes_ago)
    Vote.objects.filter(pk=cast_vote.pk).update(updated_at=when, created_at=when)
    return cast_vote


def place(claim: Claim) -> Relation:
    return Relation.objects.get(child=claim, is_link=False)


def assert_tallies_match_recount() -> None:
    checked, fixed = services.votes_recount()
    assert checked > 0
    assert fixed == 0, "a tally disagreed with its vote rows"


def add(actor, parent: Claim, text: str, stance: str = Stance.PRO) -> Claim:
    return services.claim_add(actor=actor, parent=parent, stance=stance, text=text)


@pytest.fixture
def twins(cast, debate, thesis, pro):
    """`pro` and a later duplicate of it under the same thesis, each with votes, children,
    a citation and an annotation."""
    duplicate = add(cast.editor, thesis, "Open weights spread access widely.")
    voters = [UserFactory(username=f"voter{i}") for i in range(3)]
    # voter0 voted on both: earlier on the survivor (1), later on the duplicate (4).
    vote(voters[0], place(pro), 1, minutes_ago=30)
    vote(voters[0], place(duplicate), 4, minutes_ago=5)
    # voter1 voted on both too, but later on the survivor: that vote stays.
    vote(voters[1], place(pro), 3, minutes_ago=1)
    vote(voters[1], place(duplicate), 0, minutes_ago=20)
    # voter2 only on the duplicate: the vote moves.
    vote(voters[2], place(duplicate), 2)
    child_pro = add(cast.writer, duplicate, "Researchers outside big labs can study them.")
    child_con = add(cast.writer, duplicate, "Access is not the bottleneck.", Stance.CON)
    source = SourceFactory()
    services.source_cite(actor=cast.writer, claim=duplicate, url=source.url, quote="Q")
    Annotation.objects.create(
        claim=duplicate, author=cast.viewer, body="Which access?", exact="access", start=20, end=26
    )
    Annotation.objects.create(claim=pro, author=cast.viewer, body="On the survivor.")
    return {
        "into": pro,
        "duplicate": duplicate,
        "voters": voters,
        "children": [child_pro, child_con],
    }


def test_merge_moves_children_citations_annotations_and_hides_the_duplicate(cast, twins):
    into, duplicate = twins["into"], twins["duplicate"]

    services.claim_merge(actor=cast.moderator, duplicate=duplicate, into=into, reason="same")

    duplicate.refresh_from_db()
    assert duplicate.status == Claim.Status.HIDDEN
    assert duplicate.merged_into == into
    for child in twins["children"]:
        assert place(child).parent_id == into.pk
    assert Citation.objects.filter(claim=into).count() == 1
    assert not Citation.objects.filter(claim=duplicate).exists()
    assert Annotation.objects.filter(claim=into).count() == 2
    moved = Annotation.objects.get(body="Which access?")
    assert moved.claim == into and not moved.is_orphaned
    assert into.text[moved.start : moved.end] == "access"
    assert place(duplicate).is_hidden, "the duplicate's own place leaves the tree"
    merge = Merge.objects.get()
    assert (merge.duplicate, merge.into, merge.merged_by) == (duplicate, into, cast.moderator)
    assert merge.reason == "same"
    assert_forest(duplicate.debate)


def test_nothing_is_moved_under_a_merged_claim(cast, twins):
    """A merged claim is gone for every reader: a branch moved under it vanished with it (the
    cache property test found it: a focus page answered 404)."""
    into, duplicate, children = twins["into"], twins["duplicate"], twins["children"]
    services.claim_merge(actor=cast.moderator, duplicate=duplicate, into=into)
    duplicate.refresh_from_db()
    with pytest.raises(ValidationError, match="merged into another"):
        services.claim_move(actor=cast.moderator, claim=children[0], parent=duplicate)
    assert place(children[0]).parent_id == into.pk


def test_merge_keeps_one_vote_per_user_the_later(cast, twins):
    into, duplicate, voters = twins["into"], twins["duplicate"], twins["voters"]

    services.claim_merge(actor=cast.moderator, duplicate=duplicate, into=into)

    on_survivor = dict(Vote.objects.filter(relation=place(into)).values_list("user", "value"))
    assert on_survivor == {voters[0].pk: 4, voters[1].pk: 3, voters[2].pk: 2}
    relation = place(into)
    assert relation.vote_count == 3
    assert relation.histogram == [0, 0, 1, 1, 1]
    # Nothing is deleted: the earlier votes wait on the duplicate's hidden place.
    assert Vote.objects.filter(relation=place(duplicate)).count() == 2
    assert_tallies_match_recount()


def test_merge_revert_puts_everything_back(cast, twins, debate):
    into, duplicate, voters = twins["into"], twins["duplicate"], twins["voters"]
    before_votes = sorted(Vote.objects.values_list("id", "user", "relation", "thesis", "value"))
    services.claim_merge(actor=cast.moderator, duplicate=duplicate, into=into)
    merge = Merge.objects.get()

    services.merge_revert(actor=cast.moderator, merge=merge, reason="not a duplicate")

    duplicate.refresh_from_db()
    assert duplicate.status == Claim.Status.PUBLISHED
    assert duplicate.merged_into is None
    assert not place(duplicate).is_hidden
    for child in twins["children"]:
        assert place(child).parent_id == duplicate.pk
    assert Citation.objects.filter(claim=duplicate).count() == 1
    assert Annotation.objects.filter(claim=duplicate).count() == 1
    assert sorted(Vote.objects.values_list("id", "user", "relation", "thesis", "value")) == (
        before_votes
    )
    assert place(duplicate).histogram == [1, 0, 1, 0, 1]
    assert place(into).histogram == [0, 1, 0, 1, 0]
    merge.refresh_from_db()
    assert merge.reverted_by == cast.moderator and merge.reverted_at is not None
    assert_tallies_match_recount()
    assert_forest(debate)
    assert voters  # the voters' rows were compared above


def test_merge_cannot_be_reverted_twice(cast, twins):
    services.claim_merge(actor=cast.moderator, duplicate=twins["duplicate"], into=twins["into"])
    merge = Merge.objects.get()
    services.merge_revert(actor=cast.moderator, merge=merge)
    with pytest.raises(ValidationError, match="already been reverted"):
        services.merge_revert(actor=cast.moderator, merge=merge)


def test_history_revert_of_the_merged_claim_undoes_the_whole_merge(cast, twins):
    into, duplicate = twins["into"], twins["duplicate"]
    last_before_merge = duplicate.history.latest().history_id
    services.claim_merge(actor=cast.moderator, duplicate=duplicate, into=into)
    stamped = duplicate.history.latest()
    assert stamped.history_change_reason == Merge.objects.get().history_tag
    assert stamped.history_user == cast.moderator

    services.history_revert(actor=cast.moderator, obj=duplicate, history_id=last_before_merge)

    duplicate.refresh_from_db()
    assert duplicate.merged_into is None and duplicate.status == Claim.Status.PUBLISHED
    assert place(twins["children"][0]).parent_id == duplicate.pk
    assert Merge.objects.get().reverted_at is not None
    assert_tallies_match_recount()


def test_revert_is_refused_when_the_debate_changed_what_the_merge_wrote(cast, twins, con):
    services.claim_merge(actor=cast.moderator, duplicate=twins["duplicate"], into=twins["into"])
    services.claim_move(actor=cast.moderator, claim=twins["children"][0], parent=con)

    with pytest.raises(ValidationError, match="changed since"):
        services.merge_revert(actor=cast.moderator, merge=Merge.objects.get())
    assert place(twins["children"][0]).parent_id == con.pk, "nothing was half-reverted"


def test_merge_of_claims_under_different_parents_links_the_survivor_in_the_old_place(
    cast, debate, thesis, pro, con
):
    duplicate = add(cast.writer, con, "Open weights spread access.", Stance.CON)
    voter = UserFactory()
    vote(voter, place(duplicate), 3)

    services.claim_merge(actor=cast.moderator, duplicate=duplicate, into=pro)

    link = Relation.objects.get(parent=con, child=pro)
    assert link.is_link and not link.is_hidden and link.stance == Stance.CON
    assert list(Vote.objects.filter(relation=link).values_list("user", "value")) == [(voter.pk, 3)]
    assert_forest(debate)
    assert_tallies_match_recount()

    services.merge_revert(actor=cast.moderator, merge=Merge.objects.get())
    link.refresh_from_db()
    assert link.is_hidden, "the link the merge made is hidden again, not deleted"
    assert Vote.objects.get(user=voter).relation == place(duplicate)
    assert_tallies_match_recount()


def test_merge_repoints_links_and_folds_shared_children(cast, debate, thesis, pro, con):
    duplicate = add(cast.writer, thesis, "Weights released are out for good.", Stance.CON)
    shared = add(cast.writer, con, "Anyone can fine-tune them.")
    # `shared` stands under the survivor `con`, and is linked under the duplicate too.
    services.claim_link(actor=cast.writer, claim=shared, parent=duplicate, stance=Stance.PRO)
    # The duplicate is linked elsewhere.
    elsewhere = add(cast.writer, con, "Recall is impossible in practice.")
    services.claim_link(actor=cast.writer, claim=duplicate, parent=elsewhere, stance=Stance.PRO)

    services.claim_merge(actor=cast.owner, duplicate=duplicate, into=con)

    assert Relation.objects.get(parent=duplicate, child=shared).is_hidden
    assert Relation.objects.get(parent=elsewhere, child=con).is_link
    assert not Relation.objects.filter(parent=elsewhere, child=duplicate).exists()
    assert_forest(debate)

    services.merge_revert(actor=cast.owner, merge=Merge.objects.get())
    assert Relation.objects.get(parent=elsewhere, child=duplicate).is_link
    assert not Relation.objects.get(parent=duplicate, child=shared).is_hidden
    assert_forest(debate)


def test_merge_swaps_original_place_when_the_survivor_only_linked_the_child(
    cast, debate, thesis, pro
):
    duplicate = add(cast.writer, thesis, "Open weights help access.")
    child = add(cast.writer, duplicate, "Universities can run them.")
    services.claim_link(actor=cast.writer, claim=child, parent=pro, stance=Stance.PRO)

    services.claim_merge(actor=cast.moderator, duplicate=duplicate, into=pro)

    assert place(child).parent_id == pro.pk and not place(child).is_hidden
    assert Relation.objects.get(parent=duplicate, child=child).is_link
    assert_forest(debate)

    services.merge_revert(actor=cast.moderator, merge=Merge.objects.get())
    assert place(child).parent_id == duplicate.pk
    assert Relation.objects.get(parent=pro, child=child).is_link
    assert_forest(debate)


def test_theses_merge_with_their_truth_votes(cast, debate, thesis):
    second = services.thesis_add(actor=cast.owner, debate=debate, text="Weights should be open.")
    both, only = UserFactory(), UserFactory()
    vote(both, thesis, 1, minutes_ago=10)
    vote(both, second, 4, minutes_ago=1)
    vote(only, second, 2)

    services.claim_merge(actor=cast.moderator, duplicate=second, into=thesis)

    thesis.refresh_from_db()
    assert dict(Vote.objects.filter(thesis=thesis).values_list("user", "value")) == {
        both.pk: 4,
        only.pk: 2,
    }
    assert thesis.histogram == [0, 0, 1, 0, 1]
    assert_tallies_match_recount()
    services.merge_revert(actor=cast.moderator, merge=Merge.objects.get())
    thesis.refresh_from_db()
    assert thesis.histogram == [0, 1, 0, 0, 0]
    assert_tallies_match_recount()


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("itself", "into itself"),
        ("descendant", "its own pros and cons"),
        ("ancestor", "above it on its own branch"),
        ("thesis_into_claim", "only be merged into another thesis"),
        ("other_debate", "different debates"),
        ("hidden_target", "published claim"),
    ],
)
def test_merge_refuses_what_would_break_the_debate(cast, debate, thesis, pro, case, message):
    child = add(cast.writer, pro, "Access lets small labs compete.")
    pairs = {
        "itself": lambda: (pro, pro),
        "descendant": lambda: (pro, child),
        "ancestor": lambda: (child, pro),
        "thesis_into_claim": lambda: (thesis, pro),
        "other_debate": lambda: (
            pro,
            services.debate_create(
                owner=cast.owner, title="Other?", thesis="Other thesis."
            ).claims.get(),
        ),
        "hidden_target": lambda: (child, services.claim_hide(actor=cast.moderator, claim=pro)),
    }
    duplicate, into = pairs[case]()
    with pytest.raises(ValidationError, match=message):
        services.claim_merge(actor=cast.moderator, duplicate=duplicate, into=into)
    assert not Merge.objects.exists()


@pytest.mark.parametrize("persona", ["editor", "writer", "suggester", "viewer", "stranger"])
def test_only_moderators_merge_revert_and_lock(cast, debate, pro, con, persona):
    actor = cast[persona]
    with pytest.raises(PermissionDenied):
        services.claim_merge(actor=actor, duplicate=con, into=pro)
    with pytest.raises(PermissionDenied):
        services.debate_lock(actor=actor, debate=debate, status=Debate.Status.LOCKED)
    with pytest.raises(PermissionDenied):
        services.history_revert(actor=actor, obj=pro, history_id=pro.history.earliest().history_id)


def test_staff_moderate_every_debate(cast, debate, pro, con):
    services.claim_merge(actor=cast.staff, duplicate=con, into=pro)
    assert Merge.objects.get().merged_by == cast.staff


def test_closing_needs_a_conclusion_and_stops_writing(cast, debate, thesis):
    with pytest.raises(ValidationError) as error:
        services.debate_lock(actor=cast.moderator, debate=debate, status=Debate.Status.CLOSED)
    assert "conclusion" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.debate_lock(actor=cast.moderator, debate=debate, status="frozen")

    closed = services.debate_lock(
        actor=cast.owner,
        debate=debate,
        status=Debate.Status.CLOSED,
        conclusion="Release with staged access.",
    )
    assert closed.status == Debate.Status.CLOSED
    assert closed.conclusion == "Release with staged access."
    assert closed.history.latest().history_user == cast.owner
    with pytest.raises(PermissionDenied):
        add(cast.writer, Claim.objects.get(pk=thesis.pk), "Too late to add.")

    reopened = services.debate_lock(actor=cast.moderator, debate=closed, status="open")
    assert reopened.status == Debate.Status.OPEN
    assert reopened.conclusion == "Release with staged access.", "the conclusion is kept"


def test_history_revert_restores_an_edited_claim(cast, pro):
    original = pro.history.latest().history_id
    services.claim_edit(actor=cast.writer, claim=pro, text="Open weights spread power.")

    services.history_revert(actor=cast.moderator, obj=pro, history_id=original, reason="vandal")

    pro.refresh_from_db()
    assert pro.text == "Open weights spread access."
    latest = pro.history.latest()
    assert latest.history_user == cast.moderator
    assert latest.history_change_reason.startswith(f"revert to version {original}")


def test_history_revert_keeps_vote_tallies(cast, pro):
    voter = UserFactory()
    vote(voter, place(pro), 4)
    relation = place(pro)
    first = relation.history.earliest().history_id
    services.claim_move(
        actor=cast.moderator, claim=pro, parent=pro.debate.claims.get(is_thesis=True), stance="con"
    )

    services.history_revert(actor=cast.moderator, obj=relation, history_id=first)

    relation.refresh_from_db()
    assert relation.stance == Stance.PRO
    assert relation.histogram == [0, 0, 0, 0, 1]
    assert_tallies_match_recount()


def test_history_revert_refuses_a_version_that_would_make_a_cycle(cast, thesis, pro):
    child = add(cast.writer, pro, "Small labs benefit.")
    grandchild = add(cast.writer, child, "They can fine-tune cheaply.")
    relation = place(pro)
    services.claim_move(actor=cast.moderator, claim=grandchild, parent=thesis)
    services.claim_move(actor=cast.moderator, claim=pro, parent=grandchild)
    first = relation.history.earliest().history_id
    # Back under the thesis is fine; but put `child` back under `pro`... while pro sits under
    # grandchild whose old place was under child: a cycle.
    child_relation = place(child)
    services.claim_move(actor=cast.moderator, claim=child, parent=thesis)
    services.claim_move(actor=cast.moderator, claim=grandchild, parent=child)
    with pytest.raises(ValidationError, match="under itself"):
        services.history_revert(
            actor=cast.moderator,
            obj=child_relation,
            history_id=child_relation.history.earliest().history_id,
        )
    services.history_revert(actor=cast.moderator, obj=relation, history_id=first)
    assert place(pro).parent_id == thesis.pk


def test_history_revert_of_an_unknown_version_is_a_validation_error(cast, pro, con):
    with pytest.raises(ValidationError):
        services.history_revert(
            actor=cast.moderator, obj=pro, history_id=con.history.earliest().history_id
        )
