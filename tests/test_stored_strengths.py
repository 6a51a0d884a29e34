"""Strengths stored in the database (arguments/structure/stored_strengths.py): after a load, a vote
or a write caught up by any process, the stored values are exactly the strengths a whole
load computes, stamped with the versions they are current at; a store computed from an older
or a gapped copy is refused, and the stamp never moves back."""

from __future__ import annotations

import pytest

from arguments import services
from arguments.models import Claim, Debate, Stance
from arguments.structure import stored_strengths
from arguments.structure.loader import _load_structure, claim_strengths, debate_structure
from tests.conftest import build_debate

pytestmark = pytest.mark.django_db


def _fresh(debate: Debate) -> Debate:
    return Debate.objects.get(pk=debate.pk)


def _stored(debate: Debate) -> dict[int, float | None]:
    return dict(Claim.objects.filter(debate=debate).values_list("id", "stored_strength__strength"))


def _computed(debate: Debate) -> dict[int, float | None]:
    """Every claim's strength as a whole load computes it now (nothing stored by it)."""
    structure = _load_structure(_fresh(debate))
    _base, strength = claim_strengths(structure)
    return {claim_id: strength.get(claim_id) for claim_id in structure.nodes}


def _assert_current(debate: Debate) -> None:
    debate = _fresh(debate)
    assert stored_strengths.current(debate)
    assert _stored(debate) == _computed(debate)


def test_the_first_load_stores_every_strength(cast, debate, thesis, pro, con):
    services.vote_cast(user=cast.writer, point=pro.parent_relations.get(), value=4)
    assert stored_strengths.stamp_of(_fresh(debate)) is None
    debate_structure(_fresh(debate))
    _assert_current(debate)
    assert _stored(debate)[pro.pk] not in (None, 0.5)


def test_votes_caught_up_by_a_reader_store_the_rescored_claims(cast, debate, thesis, pro, con):
    deep = services.claim_add(actor=cast.writer, parent=pro, stance=Stance.CON, text="Deep.")
    debate_structure(_fresh(debate))
    for value, user in enumerate([cast.writer, cast.editor, cast.viewer]):
        services.vote_cast(user=user, point=deep.parent_relations.get(), value=value + 2)
        services.vote_cast(user=user, point=thesis, value=4 - value)
    assert not stored_strengths.current(_fresh(debate))
    debate_structure(_fresh(debate))  # caught up, not reloaded
    _assert_current(debate)


def test_writes_caught_up_store_what_they_changed(cast, debate, thesis, pro, con):
    debate_structure(_fresh(debate))
    services.vote_cast(user=cast.writer, point=pro.parent_relations.get(), value=4)
    debate_structure(_fresh(debate))
    new = services.claim_add(actor=cast.writer, parent=pro, stance=Stance.CON, text="New con.")
    services.vote_cast(user=cast.editor, point=new.parent_relations.get(), value=4)
    debate_structure(_fresh(debate))
    _assert_current(debate)
    services.claim_link(actor=cast.writer, claim=new, parent=con, stance=Stance.PRO)
    debate_structure(_fresh(debate))
    _assert_current(debate)
    services.claim_hide(actor=cast.moderator, claim=pro)  # its strength goes: None
    debate_structure(_fresh(debate))
    _assert_current(debate)
    assert _stored(debate)[pro.pk] is None
    services.claim_restore(actor=cast.moderator, claim=Claim.objects.get(pk=pro.pk))
    debate_structure(_fresh(debate))
    _assert_current(debate)
    assert _stored(debate)[pro.pk] is not None


def test_a_big_debate_stays_exact_through_many_catch_ups(cast):
    debate = build_debate(300, owner=cast.owner, slug="many")
    debate_structure(_fresh(debate))
    claims = list(Claim.objects.filter(debate=debate, is_thesis=False).order_by("id"))
    for i, claim in enumerate(claims[::17]):
        point = claim.parent_relations.filter(is_link=False).get()
        services.vote_cast(user=cast.writer, point=point, value=i % 5)
        if i % 3 == 0:
            debate_structure(_fresh(debate))
        if i % 4 == 0:
            services.claim_add(actor=cast.owner, parent=claim, stance=Stance.CON, text=f"No {i}.")
    debate_structure(_fresh(debate))
    _assert_current(debate)


def test_a_store_from_an_older_or_gapped_copy_is_refused(
    cast, debate, thesis, pro, con, monkeypatch
):
    old = debate_structure(_fresh(debate))
    old_versions = (old.version[0], old.tally_version)
    services.vote_cast(user=cast.writer, point=pro.parent_relations.get(), value=4)
    services.vote_cast(user=cast.editor, point=con.parent_relations.get(), value=0)
    debate_structure(_fresh(debate))
    stamp = stored_strengths.stamp_of(_fresh(debate))
    assert stamp is not None and stamp != old_versions
    claims = list(old.nodes)
    # A copy computed at the older versions: behind the stamp, never stored over it.
    assert not stored_strengths.store_caught_up(old, since=old_versions, claims=claims)
    assert not stored_strengths.store_loaded(old, seen=old_versions, stored=_stored(debate))
    assert stored_strengths.stamp_of(_fresh(debate)) == stamp
    _assert_current(debate)
    # A copy caught up from versions after the stamp: the changes in between are in no one's
    # store, so it would leave them behind.
    services.vote_cast(user=cast.viewer, point=pro.parent_relations.get(), value=0)
    monkeypatch.setattr(stored_strengths, "store_loaded", lambda *args, **kwargs: False)
    newer = _load_structure(_fresh(debate))
    gapped = (stamp[0], stamp[1] + 1)
    assert not stored_strengths.store_caught_up(newer, since=gapped, claims=claims)
    assert stored_strengths.stamp_of(_fresh(debate)) == stamp
    assert stored_strengths.store_caught_up(newer, since=stamp, claims=claims)
    _assert_current(debate)


def test_a_whole_load_never_stores_over_a_store_made_after_it_read(cast, debate, pro, monkeypatch):
    debate_structure(_fresh(debate))
    services.vote_cast(user=cast.writer, point=pro.parent_relations.get(), value=4)
    seen = stored_strengths.stamp_of(_fresh(debate))  # read before its rows
    with monkeypatch.context() as patched:
        patched.setattr(stored_strengths, "store_loaded", lambda *args, **kwargs: False)
        loaded = _load_structure(_fresh(debate))
    debate_structure(_fresh(debate))  # meanwhile, the process holding it catches up: stores
    stamp = stored_strengths.stamp_of(_fresh(debate))
    assert stamp != seen
    wrong = dict.fromkeys(loaded.nodes, 0.123)  # had it read these, it would write them all
    assert not stored_strengths.store_loaded(loaded, seen=seen, stored=wrong)
    assert stored_strengths.stamp_of(_fresh(debate)) == stamp
    _assert_current(debate)
