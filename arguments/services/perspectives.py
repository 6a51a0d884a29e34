"""Perspectives: groups of participants (defined by the owner and moderators) and named
perspectives that a participant votes as. Votes cast as one are in services/votes.py."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from arguments.models import Debate, Perspective
from arguments.reading.perspectives import participants_of
from arguments.rules.permissions import Action, require

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django.contrib.auth.models import AnonymousUser, User

    AnyUser = User | AnonymousUser

NAMED_PER_PERSON = 10  # named perspectives one participant may start in a debate
GROUPS_PER_DEBATE = 50


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": _("Give it a name.")})
    if len(name) > Perspective.NAME_MAX_LENGTH:
        raise ValidationError(
            {
                "name": _("A name is at most %(max)s characters.")
                % {"max": Perspective.NAME_MAX_LENGTH}
            }
        )
    return name


def _create(debate: Debate, kind: str, name: str, actor: User) -> Perspective:
    try:
        with transaction.atomic():  # a savepoint: the outer transaction stays usable
            return Perspective.objects.create(debate=debate, kind=kind, name=name, created_by=actor)
    except IntegrityError:
        raise ValidationError(
            {"name": _("This debate already has a group or perspective by that name.")}
        ) from None


@transaction.atomic
def perspective_create(*, actor: AnyUser, debate: Debate, name: str) -> Perspective:
    """Start a named perspective ("an economist") that the actor may then vote as; anyone
    who may vote may."""
    require(actor, Action.VOTE, debate)
    assert actor.is_authenticated  # require() lets no visitor write
    name = _clean_name(name)
    started = Perspective.objects.filter(
        debate=debate, kind=Perspective.Kind.NAMED, created_by=actor
    ).count()
    if started >= NAMED_PER_PERSON:
        raise ValidationError(
            _("You can start at most %(max)s perspectives here.") % {"max": NAMED_PER_PERSON}
        )
    return _create(debate, Perspective.Kind.NAMED, name, actor)


@transaction.atomic
def group_create(*, actor: AnyUser, debate: Debate, name: str) -> Perspective:
    """Define a group of participants (a class section) to see the debate as it voted."""
    require(actor, Action.MANAGE_MEMBERS, debate)
    assert actor.is_authenticated  # require() lets no visitor write
    name = _clean_name(name)
    if Perspective.objects.filter(debate=debate, kind=Perspective.Kind.GROUP).count() >= (
        GROUPS_PER_DEBATE
    ):
        raise ValidationError(
            _("A debate has at most %(max)s groups.") % {"max": GROUPS_PER_DEBATE}
        )
    return _create(debate, Perspective.Kind.GROUP, name, actor)


@transaction.atomic
def group_members_set(*, actor: AnyUser, group: Perspective, user_ids: Iterable[int]) -> None:
    """Make the group exactly these participants of the debate (its members and those who
    voted in it): nobody else's id is taken."""
    require(actor, Action.MANAGE_MEMBERS, group.debate)
    if group.kind != Perspective.Kind.GROUP:
        raise ValidationError(_("Only a group has members."))
    wanted = set(user_ids)
    known = participants_of(group.debate).filter(pk__in=wanted).values_list("pk", flat=True)
    if wanted != set(known):
        raise ValidationError(_("Choose participants of this debate."))
    group.members.set(wanted)
    Perspective.objects.filter(pk=group.pk).update(version=F("version") + 1)


@transaction.atomic
def group_delete(*, actor: AnyUser, group: Perspective) -> None:
    """Remove a group (it holds no one's words or votes: only who belongs to it)."""
    require(actor, Action.MANAGE_MEMBERS, group.debate)
    if group.kind != Perspective.Kind.GROUP:
        raise ValidationError(_("Only a group can be removed here."))
    group.delete()
