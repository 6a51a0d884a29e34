"""Memberships: roles in a debate. Who may give which role is `permissions.grantable_roles`
and `permissions.manages`; the settings page offers exactly what these services accept."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from arguments.models import Debate, Membership, Role
from arguments.rules.permissions import (
    Action,
    at_least,
    forget_roles,
    grantable_roles,
    manages,
    require,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    AnyUser = User | AnonymousUser


@transaction.atomic
def membership_grant(*, actor: AnyUser, debate: Debate, user: User, role: str) -> Membership:
    """Give `user` a role in the debate (invite, or change their role)."""
    actor_role = require(actor, Action.MANAGE_MEMBERS, debate)
    if role not in Role.values:
        raise ValidationError({"role": _("Choose a role.")})
    if role == Role.OWNER or user.pk == debate.owner_id:
        raise ValidationError({"role": _("A debate has one owner; their role cannot change.")})
    current = Membership.objects.filter(debate=debate, user=user).first()
    if current is not None and not manages(actor_role, current.role):
        raise PermissionDenied(_("Only the owner can change a moderator's role."))
    if Role(role) not in grantable_roles(actor_role):
        raise PermissionDenied(_("Only the owner can appoint moderators."))
    membership, _created = Membership.objects.update_or_create(
        debate=debate, user=user, defaults={"role": role}
    )
    forget_roles(debate)
    return membership


@transaction.atomic
def membership_revoke(*, actor: AnyUser, membership: Membership) -> None:
    """Remove a member from the debate (they fall back to the debate's default role)."""
    actor_role = require(actor, Action.MANAGE_MEMBERS, membership.debate)
    if membership.role == Role.OWNER:
        raise ValidationError(_("The owner cannot be removed."))
    if not manages(actor_role, membership.role):
        raise PermissionDenied(_("Only the owner can remove a moderator."))
    membership.delete()
    forget_roles(membership.debate)


def membership_raise(*, debate: Debate, user: User, role: Role) -> Role:
    """Give `user` at least `role` in the debate, never less than they have; return the role
    they now have (the owner stays the owner). For grants whose authority is not an actor of
    ours but what the user holds: a share link, an LMS launch. Inside the caller's
    transaction (the membership row is locked)."""
    if debate.owner_id == user.pk:
        return Role.OWNER
    membership = Membership.objects.select_for_update().filter(debate=debate, user=user).first()
    if membership is None:
        Membership.objects.create(debate=debate, user=user, role=role)
    elif at_least(membership.role, role):
        return Role(membership.role)
    else:
        membership.role = role
        membership.save(update_fields=["role"])
    forget_roles(debate)
    return role
