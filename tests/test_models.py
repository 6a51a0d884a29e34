"""What the database itself refuses, whatever code writes to it."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, transaction

from arguments.models import Claim, Flag, Relation, Stance, Vote
from tests.factories import (
    ClaimFactory,
    DebateFactory,
    RelationFactory,
    ThesisFactory,
    UserFactory,
    VoteFactory,
)

pytestmark = pytest.mark.django_db


def refused(make) -> bool:
    try:
        with transaction.atomic():
            make()
    except DatabaseError:  # IntegrityError, or DataError for a too-long varchar on PostgreSQL
        return True
    return False


def test_a_claim_needs_text_that_is_not_blank():
    debate = DebateFactory()
    assert refused(lambda: Claim.objects.create(debate=debate, text=""))
    assert refused(lambda: Claim.objects.create(debate=debate, text="   "))


def test_a_claim_longer_than_the_import_cap_is_refused_by_the_database():
    # 500 is the limit for writing on the site (the services); imports keep up to 5,000.
    debate = DebateFactory()
    assert refused(lambda: Claim.objects.create(debate=debate, text="x" * 5001))
    assert not refused(lambda: Claim.objects.create(debate=debate, text="x" * 5000))


def test_a_claim_cannot_relate_to_itself():
    claim = ClaimFactory()
    assert refused(
        lambda: Relation.objects.create(
            debate=claim.debate, parent=claim, child=claim, stance=Stance.PRO
        )
    )


def test_a_pair_of_claims_relates_once():
    relation = RelationFactory()
    assert refused(
        lambda: Relation.objects.create(
            debate=relation.debate,
            parent=relation.parent,
            child=relation.child,
            stance=Stance.CON,
            is_link=True,
        )
    )


def test_a_claim_has_at_most_one_original_relation():
    relation = RelationFactory()
    other = ClaimFactory(debate=relation.debate)
    assert refused(
        lambda: Relation.objects.create(
            debate=relation.debate, parent=other, child=relation.child, stance=Stance.PRO
        )
    )
    # ...but it may be linked elsewhere any number of times.
    assert not refused(
        lambda: Relation.objects.create(
            debate=relation.debate,
            parent=other,
            child=relation.child,
            stance=Stance.PRO,
            is_link=True,
        )
    )


def test_a_user_votes_once_per_point():
    vote = VoteFactory()
    assert refused(lambda: Vote.objects.create(user=vote.user, relation=vote.relation, value=3))
    thesis = ThesisFactory()
    Vote.objects.create(user=vote.user, thesis=thesis, value=1)
    assert refused(lambda: Vote.objects.create(user=vote.user, thesis=thesis, value=2))


@pytest.mark.parametrize("value", [5, 9])
def test_a_vote_value_lies_between_0_and_4(value):
    relation = RelationFactory()
    assert refused(lambda: Vote.objects.create(user=UserFactory(), relation=relation, value=value))


def test_a_vote_is_on_exactly_one_point():
    relation = RelationFactory()
    user = UserFactory()
    assert refused(lambda: Vote.objects.create(user=user, value=1))
    assert refused(
        lambda: Vote.objects.create(user=user, relation=relation, thesis=relation.parent, value=1)
    )


def test_a_flag_for_a_fallacy_names_the_fallacy():
    claim = ClaimFactory()
    user = UserFactory()
    assert refused(lambda: Flag.objects.create(reporter=user, claim=claim, reason="fallacy"))


def test_one_open_flag_per_user_per_claim():
    claim = ClaimFactory()
    user = UserFactory()
    Flag.objects.create(reporter=user, claim=claim, reason="unclear")
    assert refused(lambda: Flag.objects.create(reporter=user, claim=claim, reason="spam"))
    Flag.objects.filter(claim=claim).update(status=Flag.Status.DISMISSED)
    assert not refused(lambda: Flag.objects.create(reporter=user, claim=claim, reason="spam"))


def test_edits_are_kept_in_history():
    claim = ClaimFactory(text="First wording.")
    claim.text = "Second wording."
    claim.save()
    assert [h.text for h in claim.history.order_by("history_date")] == [
        "First wording.",
        "Second wording.",
    ]
