"""LTI Names and Role Provisioning: a course's roster made participants of its debate.

On demand (the settings page's button, `manage.py lti_fetch_roster`), never in a launch: a
manager of the debate asks the platform for the members of a course that links it, and each
active member gets the same account a launch would give them (one per issuer and subject)
and the role their *course* roles give (services.lti.lti_role_for). The roster is fetched
first and written in one transaction, so a failed fetch writes nothing. Roles are only
raised, as by launches.

A member the platform marks `Inactive` or `Deleted` (they left the course) loses the role a
course gives (viewer, writer, moderator) in the debate: their membership goes, so a private
debate no longer admits them. A role someone of the debate gave them that no course gives
(editor, suggester) stays. What they wrote stays too, under their name: claims, sources,
votes and notes belong to the debate's record (an owner or moderator hides what must go).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import requests
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from lti_tool.models import LtiUser
from pylti1p3.exception import LtiException, LtiServiceException
from pylti1p3.names_roles import NamesRolesProvisioningService
from pylti1p3.service_connector import ServiceConnector

from arguments.models import CourseActivity, Membership, ScoreReport, Team
from arguments.rules.permissions import Action, refusal, require
from arguments.services.lti import (
    RANK,
    PlatformSession,
    is_course_learner,
    lti_account_provision,
    lti_membership_grant,
    lti_role_for,
)
from arguments.services.teams import MAX_TEAMS

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    from arguments.models import Debate

    AnyUser = User | AnonymousUser

GROUP_ID_LENGTH = 40
MAX_GROUPS_PER_MEMBER = 10
MAX_PAGES = 100  # a platform's `next` links must end; 100 pages is a very large course
NAME_LENGTH = 500  # django-lti's name fields


@dataclass
class RosterSummary:
    """What one roster fetch did."""

    members: int = 0  # active members with a usable id and roles
    added: int = 0  # new to the debate
    skipped: int = 0  # inactive, or malformed entries
    removed: int = 0  # inactive members whose course role in the debate was taken away
    teams: int = 0  # teams made from the course's groups


def _members(activity: CourseActivity) -> list[Mapping[str, object]]:
    context = activity.resource_link.context
    if not context.memberships_url:
        raise ValidationError(
            _(
                "This course's platform offers no roster (Names and Role Provisioning) to this "
                "tool: an administrator enables it in the tool's settings in the LMS, then a "
                "teacher opens the activity once."
            )
        )
    registration = context.deployment.registration
    connector = ServiceConnector(
        registration.to_registration(), requests_session=PlatformSession(registration)
    )
    service = NamesRolesProvisioningService(
        connector,
        {"context_memberships_url": context.memberships_url},
    )
    members: list[Mapping[str, object]] = []
    url: str | None = context.memberships_url
    try:
        for _page in range(MAX_PAGES):
            page, url = service.get_members_page(url)
            if not isinstance(page, list):
                raise ValueError("the members are not a list")
            members.extend(page)
            if not url:
                break
    except LtiServiceException as error:
        raise ValidationError(
            _("The platform refused the roster (%(status)s).")
            % {"status": error.response.status_code}
        ) from error
    except (LtiException, requests.RequestException, ValueError, KeyError) as error:
        raise ValidationError(
            _("The roster could not be fetched: %(error)s") % {"error": error}
        ) from error
    return members


def _usable(member: object, status: str = "Active") -> tuple[str, list[str]] | None:
    """The member's (subject, roles) if the entry is well formed and has this status."""
    if not isinstance(member, dict) or member.get("status", "Active") != status:
        return None
    sub, roles = member.get("user_id"), member.get("roles", [])
    if not isinstance(sub, str) or not sub or len(sub) > 255:
        return None
    if not isinstance(roles, list) or not all(isinstance(role, str) for role in roles):
        return None
    return sub, roles


def _name(member: Mapping[str, object], key: str) -> str:
    value = member.get(key)
    return value[:NAME_LENGTH] if isinstance(value, str) else ""


def course_roster_fetch(*, actor: AnyUser, activity: CourseActivity) -> RosterSummary:
    """Make the course's active members participants of the linked debate, with roles from
    their course roles; learners of a graded activity are scored too."""
    debate = activity.debate
    require(actor, Action.MANAGE_MEMBERS, debate)
    members = _members(activity)  # the network first: a failure writes nothing
    registration = activity.resource_link.context.deployment.registration
    summary = RosterSummary()
    with transaction.atomic():
        known = set(debate.memberships.values_list("user_id", flat=True))
        grouped: dict[str, list[User]] = {}
        for member in members:
            usable = _usable(member)
            if usable is None:
                summary.skipped += 1
                summary.removed += _left_the_course(member, activity)
                continue
            sub, roles = usable
            summary.members += 1
            lti_user, _created = LtiUser.objects.get_or_create(
                registration=registration,
                sub=sub,
                defaults={
                    "given_name": _name(member, "given_name"),
                    "family_name": _name(member, "family_name"),
                    "name": _name(member, "name"),
                },
            )
            user = lti_account_provision(lti_user=lti_user)
            # A manager of the debate asked for this course: they vouch for its members, as
            # a course link does for a launch.
            lti_membership_grant(debate=debate, user=user, role=lti_role_for(roles), vouched=True)
            if user.pk not in known and user.pk != debate.owner_id:
                summary.added += 1
                known.add(user.pk)
            if activity.lineitem_url and is_course_learner(roles):
                ScoreReport.objects.get_or_create(
                    activity=activity, user=user, defaults={"sub": sub}
                )
            for group in _groups(member):
                grouped.setdefault(group, []).append(user)
        # Teams are the owner's (`Action.CONFIGURE_DEBATE`): a moderator's fetch makes none.
        if grouped and refusal(actor, Action.CONFIGURE_DEBATE, debate) is None:
            summary.teams = _teams_from_groups(debate, grouped)
    return summary


def _groups(member: Mapping[str, object]) -> list[str]:
    """The course groups a roster entry names (`group_enrollments`, the LTI Course Groups
    extension of NRPS: `[{"group_id": "..."}]`); none when the platform gives none."""
    enrollments = member.get("group_enrollments")
    if not isinstance(enrollments, list):
        return []
    return [
        str(entry["group_id"])[:GROUP_ID_LENGTH]
        for entry in enrollments
        if isinstance(entry, dict) and isinstance(entry.get("group_id"), str | int)
    ][:MAX_GROUPS_PER_MEMBER]


def _teams_from_groups(debate: Debate, grouped: dict[str, list[User]]) -> int:
    """A team of the debate per course group ("Course group <id>"), its members those the
    roster puts in it (added to, never removed from); how many teams were new."""
    made = 0
    for group, members in sorted(grouped.items()):
        name = f"Course group {group}"[:60]
        team = Team.objects.filter(template=debate, name=name).first()
        if team is None:
            if Team.objects.filter(template=debate).count() >= MAX_TEAMS:
                break
            team = Team.objects.create(template=debate, name=name)
            made += 1
        team.members.add(*members[: Team.MAX_MEMBERS])
    return made


def _left_the_course(member: object, activity: CourseActivity) -> bool:
    """Take away the course role of a member the roster marks inactive or deleted; whether
    one was taken. Their contributions stay (see the module's docstring)."""
    left = _usable(member, "Inactive") or _usable(member, "Deleted")
    if left is None:
        return False
    registration = activity.resource_link.context.deployment.registration
    lti_user = (
        LtiUser.objects.filter(registration=registration, sub=left[0])
        .select_related("auth_user")
        .first()
    )
    if lti_user is None or lti_user.auth_user is None:
        return False  # never launched nor fetched here: nothing was given
    debate = activity.debate
    # RANK: the roles a course gives (lti_role_for); others came from someone of the debate.
    removed, _counts = (
        Membership.objects.filter(debate=debate, user=lti_user.auth_user, role__in=RANK)
        .exclude(user_id=debate.owner_id)
        .delete()
    )
    return bool(removed)
