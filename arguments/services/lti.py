"""Accounts and roles from LTI 1.3 launches: the platform vouches for who is launching.

A launch names a user by the platform's issuer and the user's subject (`sub`), stable for
that person on that platform. We keep one local account per (issuer, subject), found again
through django-lti's `LtiUser` rows (one per registration of the issuer), and give it a
role in the launched debate from the launch's LTI roles: instructors moderate, learners
write. A role is only ever raised by a launch, never lowered (a learner who was made an
editor stays one), and the owner's role never changes.
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from lti_tool.models import Key, LtiUser

from arguments.models import Debate, Membership, Role
from arguments.permissions import at_least

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

# LTI role URIs (core and institution vocabularies, and the short forms some platforms send).
INSTRUCTOR_ROLES = ("Instructor", "Administrator", "ContentDeveloper", "TeachingAssistant")
LEARNER_ROLES = ("Learner", "Student")


def lti_role_for(lti_roles: list[str] | None) -> Role:
    """The debate role a launch's LTI roles give: moderator, writer, or viewer (others)."""
    names = {str(uri).rsplit("#", 1)[-1].rsplit("/", 1)[-1] for uri in lti_roles or []}
    if names & set(INSTRUCTOR_ROLES):
        return Role.MODERATOR
    if names & set(LEARNER_ROLES):
        return Role.WRITER
    return Role.VIEWER


def _username(issuer: str, subject: str, given_name: str) -> str:
    """A readable, stable username: the given name (shown as the author of claims, so no
    family name) and a digest of the platform identity that keeps it unique."""
    digest = hashlib.sha256(f"{issuer}\n{subject}".encode()).hexdigest()
    base = re.sub(r"[^a-z0-9]+", "-", given_name.lower()).strip("-")[:20] or "learner"
    return f"{base}-{digest[:8]}"


@transaction.atomic
def lti_account_provision(*, lti_user: LtiUser) -> AbstractBaseUser:
    """The local account of a launching platform user, created on first launch.

    `lti_user` is django-lti's record of the launch's (registration, subject). Stable per
    issuer and subject: another registration of the same issuer finds the same account.
    """
    if lti_user.auth_user_id:
        return lti_user.auth_user
    known = (
        LtiUser.objects.filter(
            registration__issuer=lti_user.registration.issuer,
            sub=lti_user.sub,
            auth_user__isnull=False,
        )
        .select_related("auth_user")
        .first()
    )
    if known is not None:
        user = known.auth_user
    else:
        user_model = get_user_model()
        username = _username(lti_user.registration.issuer, lti_user.sub, lti_user.given_name)
        user = user_model.objects.filter(username=username).first()
        if user is None:
            try:
                with transaction.atomic():
                    user = user_model(
                        username=username,
                        first_name=lti_user.given_name[:150],
                        last_name=lti_user.family_name[:150],
                    )
                    # Signs in only through the platform; an e-mail from a launch is not
                    # verified by us, so it is not stored where password resets look.
                    user.set_unusable_password()
                    user.save()
            except IntegrityError:  # a concurrent first launch created it
                user = user_model.objects.get(username=username)
    lti_user.auth_user = user
    lti_user.save(update_fields=["auth_user", "datetime_modified"])
    return user


@transaction.atomic
def lti_membership_grant(*, debate: Debate, user: AbstractBaseUser, role: Role) -> Role:
    """Give a launching user at least `role` in the debate; return the role they now have.

    The platform is the authority here (no actor of ours grants it), hence not
    `membership_grant`, which needs a moderator or the owner as actor.
    """
    if debate.owner_id == user.pk:
        return Role.OWNER
    membership = Membership.objects.select_for_update().filter(debate=debate, user=user).first()
    if membership is None:
        Membership.objects.create(debate=debate, user=user, role=role)
        return role
    if at_least(membership.role, role):
        return Role(membership.role)
    membership.role = role
    membership.save(update_fields=["role"])
    return role


def lti_tool_key_ensure() -> None:
    """Our signing key pair (django-lti's `Key`): made on first need; rotated by command."""
    if not Key.objects.active().exists():
        Key.objects.generate()
