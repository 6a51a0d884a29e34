"""The role rules: every persona against every action, positively and negatively."""

from __future__ import annotations

import pytest

from arguments.models import Debate, Role
from arguments.rules.permissions import Action, claims_need_approval, permits, role_in

pytestmark = pytest.mark.django_db

# persona -> the actions they may take in an open public debate (newcomers are suggesters).
# Every signed-in participant may annotate, vote, flag, change their own notes and ask for a
# review of a flag on their own claim (the item-level rules are tested below).
TAKING_PART = {
    Action.VIEW,
    Action.VOTE,
    Action.ANNOTATE,
    Action.EDIT_NOTE,
    Action.FLAG,
    Action.REQUEST_REVIEW,
}
# Asking to write is for those who cannot (and this debate takes no requests: a test of
# its own, tests/test_write_requests.py, turns them on).
MAY_WRITE_ALREADY = set(Action) - {Action.REQUEST_WRITE}
EXPECTED = {
    "owner": MAY_WRITE_ALREADY,
    # The debate's own settings are its owner's (staff have the admin).
    "staff": MAY_WRITE_ALREADY - {Action.EDIT_DEBATE, Action.CONFIGURE_DEBATE},
    "moderator": MAY_WRITE_ALREADY - {Action.EDIT_DEBATE, Action.CONFIGURE_DEBATE},
    "editor": TAKING_PART | {
        Action.ADD_CLAIM, Action.EDIT_CLAIM, Action.LINK_CLAIM, Action.MOVE_CLAIM,
        Action.CITE_SOURCE,
    },
    "writer": TAKING_PART | {
        Action.ADD_CLAIM, Action.EDIT_CLAIM, Action.LINK_CLAIM, Action.CITE_SOURCE,
    },
    "suggester": TAKING_PART | {Action.ADD_CLAIM},
    "viewer": TAKING_PART,
    "stranger": TAKING_PART | {Action.ADD_CLAIM},
    "anonymous": {Action.VIEW},
}  # fmt: skip


@pytest.mark.parametrize("persona", list(EXPECTED))
def test_each_role_may_do_exactly_its_actions(cast, debate, persona):
    user = cast[persona]
    allowed = {action for action in Action if permits(user, action, debate)}
    assert allowed == EXPECTED[persona]


def test_a_private_debate_is_closed_to_strangers_and_visitors(cast, debate):
    debate.visibility = Debate.Visibility.PRIVATE
    debate.save()
    assert role_in(cast.stranger, debate) is None
    assert role_in(cast.anonymous, debate) is None
    assert not permits(cast.stranger, Action.VIEW, debate)
    assert not permits(cast.anonymous, Action.VIEW, debate)
    assert permits(cast.viewer, Action.VIEW, debate)


@pytest.mark.parametrize("status", [Debate.Status.LOCKED, Debate.Status.CLOSED])
def test_a_locked_or_closed_debate_is_read_only_but_still_moderated(cast, debate, status):
    debate.status = status
    debate.save()
    for persona in ["owner", "moderator", "writer", "viewer"]:
        user = cast[persona]
        assert permits(user, Action.VIEW, debate)
        assert not permits(user, Action.ADD_CLAIM, debate)
        assert not permits(user, Action.VOTE, debate)
        assert not permits(user, Action.ANNOTATE, debate)
    assert permits(cast.moderator, Action.MODERATE, debate)
    assert not permits(cast.writer, Action.MODERATE, debate)


def test_voting_and_annotating_can_be_switched_off(cast, debate):
    debate.voting_enabled = False
    debate.annotations_enabled = False
    debate.save()
    assert not permits(cast.writer, Action.VOTE, debate)
    assert not permits(cast.writer, Action.ANNOTATE, debate)
    assert permits(cast.writer, Action.ADD_CLAIM, debate)


def test_a_writer_edits_only_own_claims_and_an_editor_any(cast, debate, pro):
    assert permits(cast.writer, Action.EDIT_CLAIM, debate, claim=pro)
    assert permits(cast.editor, Action.EDIT_CLAIM, debate, claim=pro)
    other = type(pro).objects.create(debate=debate, text="Someone else's", author=cast.editor)
    assert not permits(cast.writer, Action.EDIT_CLAIM, debate, claim=other)


def test_suggestions_wait_for_approval_and_so_do_writers_where_the_debate_says(debate):
    assert claims_need_approval(Role.SUGGESTER, debate)
    assert not claims_need_approval(Role.WRITER, debate)
    debate.requires_approval = True
    assert claims_need_approval(Role.WRITER, debate)
    assert not claims_need_approval(Role.EDITOR, debate)
