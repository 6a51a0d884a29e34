"""Who may do what in a debate: one decision, used by views and services alike.

A user's role in a debate comes from (in order) site staff, ownership, a membership, or the
debate's default role for signed-in users of a public or unlisted debate. Anonymous visitors
may read public and unlisted debates and do nothing else. Locked and closed debates are
read-only for everyone but moderators, who may still keep order.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from arguments.models import Claim, Debate, Membership, Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    AnyUser = AbstractBaseUser | AnonymousUser

# Highest first; a lower index is more powerful.
ROLE_ORDER: tuple[Role, ...] = (
    Role.OWNER,
    Role.MODERATOR,
    Role.EDITOR,
    Role.WRITER,
    Role.SUGGESTER,
    Role.VIEWER,
)


class Action(StrEnum):
    VIEW = "view"
    ADD_CLAIM = "add_claim"  # suggesters may too; their claims wait for approval
    EDIT_CLAIM = "edit_claim"
    LINK_CLAIM = "link_claim"
    MOVE_CLAIM = "move_claim"
    CITE_SOURCE = "cite_source"
    VOTE = "vote"
    ANNOTATE = "annotate"
    FLAG = "flag"
    MODERATE = "moderate"  # hide, restore, approve, merge, handle flags
    MANAGE_MEMBERS = "manage_members"
    EDIT_DEBATE = "edit_debate"


def at_least(role: Role | str | None, minimum: Role) -> bool:
    if role is None:
        return False
    return ROLE_ORDER.index(Role(role)) <= ROLE_ORDER.index(minimum)


# The least role each action needs.
MINIMUM_ROLE: dict[Action, Role] = {
    Action.VIEW: Role.VIEWER,
    Action.ADD_CLAIM: Role.SUGGESTER,
    Action.EDIT_CLAIM: Role.WRITER,  # own claims; editors and above: any claim
    Action.LINK_CLAIM: Role.WRITER,
    Action.MOVE_CLAIM: Role.EDITOR,
    Action.CITE_SOURCE: Role.WRITER,
    Action.VOTE: Role.VIEWER,
    Action.ANNOTATE: Role.VIEWER,
    Action.FLAG: Role.VIEWER,
    Action.MODERATE: Role.MODERATOR,
    Action.MANAGE_MEMBERS: Role.MODERATOR,
    Action.EDIT_DEBATE: Role.OWNER,
}

# Actions still allowed in a locked or closed debate (to those whose role allows them).
ALLOWED_WHEN_NOT_OPEN = {Action.VIEW, Action.FLAG, Action.MODERATE, Action.MANAGE_MEMBERS}


def role_in(user: AnyUser, debate: Debate, *, membership_role: str | None = None) -> Role | None:
    """The user's role in the debate, or None when they may not even read it.

    Pass `membership_role` when it is already loaded, to save the query.
    """
    if user.is_authenticated:
        if user.is_staff:
            return Role.OWNER if debate.owner_id == user.pk else Role.MODERATOR
        if debate.owner_id == user.pk:
            return Role.OWNER
        if membership_role is None:
            # Remembered on the debate object for this request: a view and the service it
            # calls ask the same question, and should not both pay a query for it.
            memo: dict[int, str | None] = debate.__dict__.setdefault("_membership_roles", {})
            if user.pk not in memo:
                memo[user.pk] = (
                    Membership.objects.filter(debate=debate, user=user)
                    .values_list("role", flat=True)
                    .first()
                )
            membership_role = memo[user.pk]
        if membership_role is not None:
            return Role(membership_role)
        if debate.visibility != Debate.Visibility.PRIVATE:
            return Role(debate.default_role)
        return None
    if debate.visibility != Debate.Visibility.PRIVATE:
        return Role.VIEWER
    return None


def forget_roles(debate: Debate) -> None:
    """Drop the roles remembered on this debate object (after a membership changes)."""
    debate.__dict__.pop("_membership_roles", None)


def permits(
    user: AnyUser,
    action: Action,
    debate: Debate,
    *,
    claim: Claim | None = None,
    role: Role | None = None,
) -> bool:
    """Whether `user` may do `action` in `debate` (on `claim`, for claim-specific actions).

    `role` may be passed when already known (from `role_in`) to save a query.
    """
    if role is None:
        role = role_in(user, debate)
    if role is None:
        return False
    if action is not Action.VIEW and not user.is_authenticated:
        return False
    if not at_least(role, MINIMUM_ROLE[action]):
        return False
    if not debate.is_writable and action not in ALLOWED_WHEN_NOT_OPEN:
        return False
    if action is Action.VOTE and not debate.voting_enabled:
        return False
    if action is Action.ANNOTATE and not debate.annotations_enabled:
        return False
    if action is Action.EDIT_CLAIM and claim is not None:
        own = claim.author_id is not None and claim.author_id == user.pk
        return own or at_least(role, Role.EDITOR)
    return True


def claims_need_approval(role: Role, debate: Debate) -> bool:
    """A suggester's claims wait for approval; so do writers' where the debate says so."""
    if role == Role.SUGGESTER:
        return True
    return debate.requires_approval and not at_least(role, Role.EDITOR)
