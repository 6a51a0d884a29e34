"""Memberships: roles in a debate."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from arguments.models import (
    Debate,
    Membership,
    Role,
)
from arguments.permissions import Action, forget_roles
from arguments.services.guards import require_role

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    AnyUser = AbstractBaseUser | AnonymousUser


@transaction.atomic
def membership_grant(*, actor: AnyUser, debate: Debate, user: AnyUser, role: str) -> Membership:
    """Give `user` a role in the debate (invite, or change their role)."""
    actor_role = require_role(actor, Action.MANAGE_MEMBERS, debate)
    if role not in Role.values:
        raise ValidationError({"role": "Choose a role."})
    if role == Role.OWNER or user.pk == debate.owner_id:
        raise ValidationError({"role": "A debate has one owner; their role cannot change."})
    if role == Role.MODERATOR and actor_role != Role.OWNER:
        raise PermissionDenied("Only the owner can appoint moderators.")
    membership, _ = Membership.objects.update_or_create(
        debate=debate, user=user, defaults={"role": role}
    )
    forget_roles(debate)
    return membership


@transaction.atomic
def membership_revoke(*, actor: AnyUser, membership: Membership) -> None:
    """Remove a member from the debate (they fall back to the debate's default role)."""
    actor_role = require_role(actor, Action.MANAGE_MEMBERS, membership.debate)
    if membership.role == Role.OWNER:
        raise ValidationError("The owner cannot be removed.")
    if membership.role == Role.MODERATOR and actor_role != Role.OWNER:
        raise PermissionDenied("Only the owner can remove a moderator.")
    membership.delete()
    forget_roles(membership.debate)
