"""Teams and their copies: the owner of a template debate makes teams of students by hand,
then gives each team its own copy in one step. Each copy is made by the task queue (a class
of twelve teams is twelve imports, too long for one request): the template as a document
(`reading/export.document_from_debate`: thesis, claims, relations, sources, citations,
settings), without its votes or notes, imported as a new private debate owned by the
template's owner, with the team as its writers.

`Action.CONFIGURE_DEBATE` (the owner's) for every write here: copies are debates they own.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.tasks import task
from django.utils.translation import gettext as _

from arguments.formats.document import NO_VOTES, FormatError
from arguments.models import Debate, Role, ShareLink, Team
from arguments.reading.export import document_from_debate
from arguments.rules.permissions import Action, require, role_in
from arguments.services.interchange import debate_import
from arguments.services.memberships import membership_raise
from arguments.services.perspectives import group_create, group_members_set
from arguments.services.sharing import share_link_create

if TYPE_CHECKING:
    from collections.abc import Sequence

    from django.contrib.auth.models import AnonymousUser, User

    AnyUser = User | AnonymousUser

MAX_TEAMS = 30
MAX_MEMBERS = Team.MAX_MEMBERS


@transaction.atomic
def team_create(*, actor: AnyUser, debate: Debate, name: str, members: Sequence[User]) -> Team:
    """A team of the debate's participants (by hand), before any copy is made."""
    require(actor, Action.CONFIGURE_DEBATE, debate)
    name = " ".join(name.split())
    if not name or len(name) > 60:
        raise ValidationError({"name": _("Name the team (at most 60 characters).")})
    # No members yet is fine: a team's share link fills it (`team_link_make`).
    if len(members) > MAX_MEMBERS:
        raise ValidationError(
            {"members": _("A team has at most %(max)s members.") % {"max": MAX_MEMBERS}}
        )
    strangers = [m.username for m in members if role_in(m, debate) is None]
    if strangers:
        raise ValidationError(
            {"members": _("Not in this debate: %(names)s.") % {"names": ", ".join(strangers)}}
        )
    if Team.objects.filter(template=debate).count() >= MAX_TEAMS:
        raise ValidationError(_("A debate has at most %(max)s teams.") % {"max": MAX_TEAMS})
    if Team.objects.filter(template=debate, name=name).exists():
        raise ValidationError({"name": _("There is a team of that name already.")})
    team = Team.objects.create(template=debate, name=name)
    team.members.set(members)
    return team


@transaction.atomic
def team_link_make(*, actor: AnyUser, team: Team) -> ShareLink:
    """A writer's share link to the template debate that also puts whoever joins through it
    in the team (`services.sharing.share_link_join`); the team's open link when it has one."""
    debate = team.template
    require(actor, Action.CONFIGURE_DEBATE, debate)
    for link in ShareLink.objects.filter(team=team, revoked_at__isnull=True, is_active=True):
        if link.state == "open":
            return link
    link = share_link_create(actor=actor, debate=debate, role=Role.WRITER)
    link.team = team
    link.save(update_fields=["team"])
    return link


@transaction.atomic
def team_perspectives_make(*, actor: AnyUser, debate: Debate) -> int:
    """A group perspective of the template debate per team (its members' votes there), so
    the perspectives and the crux finder compare teams; one step for every team without
    one. How many were made."""
    require(actor, Action.CONFIGURE_DEBATE, debate)
    made = 0
    for team in Team.objects.select_for_update().filter(template=debate, perspective=None):
        group = group_create(actor=actor, debate=debate, name=team.name)
        group_members_set(
            actor=actor, group=group, user_ids=team.members.values_list("pk", flat=True)
        )
        team.perspective = group
        team.save(update_fields=["perspective"])
        made += 1
    return made


@transaction.atomic
def team_copies_make(*, actor: AnyUser, debate: Debate) -> int:
    """Queue a copy of the debate for every team that has none (or whose copy failed);
    how many were queued. The queue runs them one by one."""
    require(actor, Action.CONFIGURE_DEBATE, debate)
    teams = list(
        Team.objects.select_for_update().filter(
            template=debate, status__in=[Team.Status.WAITING, Team.Status.FAILED]
        )
    )
    for team in teams:
        team.status, team.error = Team.Status.COPYING, ""
        team.save(update_fields=["status", "error"])
        # Stored in the same database and transaction: no copy is queued for a rollback.
        team_copy_task.enqueue(team.pk)
    return len(teams)


@task()
def team_copy_task(team_id: int) -> str:
    """The queue's entry: make one team's copy (once, however often it runs)."""
    return team_copy_run(team_id).status


def team_copy_run(team_id: int) -> Team:
    """Copy the team's template into a new debate for the team; a second run of a team
    already copied does nothing."""
    with transaction.atomic():
        team = Team.objects.select_for_update().select_related("template__owner").get(pk=team_id)
        if team.status == Team.Status.DONE:
            return team
        template = team.template
        owner = template.owner
        document = document_from_debate(template)
        document = dataclasses.replace(
            document,
            slug="",
            visibility=Debate.Visibility.PRIVATE,
            claims=[dataclasses.replace(c, votes=NO_VOTES) for c in document.claims],
            relations=[dataclasses.replace(r, votes=NO_VOTES) for r in document.relations],
            annotations=[],
        )
        try:
            with transaction.atomic():
                copy = debate_import(
                    owner=owner, document=document, title=f"{template.title} ({team.name})"
                )
                for member in team.members.all():
                    membership_raise(debate=copy, user=member, role=Role.WRITER)
        except ValidationError as error:
            team.status, team.error = Team.Status.FAILED, " ".join(error.messages)[:500]
        except FormatError as error:  # the template broke a document's rules: say which
            team.status, team.error = Team.Status.FAILED, str(error)[:500]
        else:
            team.status, team.copy = Team.Status.DONE, copy
        team.save(update_fields=["status", "error", "copy"])
    return team
