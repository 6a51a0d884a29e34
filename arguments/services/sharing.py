"""Share links: a class joins a debate by opening one link, with the role it carries, and
(where the link allows it) without an e-mail address, by picking a display name.

Who may make a link is who may manage members (`Action.MANAGE_MEMBERS`), and a link carries
only a role its maker may give (`permissions.grantable_roles`): a moderator cannot mint
moderators by link. Joining never lowers a role, and never touches the owner's.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from arguments.models import Claim, InstantAccount, Perspective, Role, ShareLink, Team
from arguments.rules.limits import check_rate
from arguments.rules.permissions import Action, grantable_roles, require, role_in
from arguments.services.claims import claim_hide
from arguments.services.memberships import membership_raise

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    from arguments.models import Debate

    AnyUser = User | AnonymousUser

# A link's new accounts in one hour: a class, not a script.
INSTANT_ACCOUNTS_PER_HOUR = 120
NAME_MIN, NAME_MAX = 2, 30
NAME_RE = re.compile(r"^[\w .'-]+$")

REFUSED = {
    "off": "This link is switched off for now. Ask your teacher to switch it on again.",
    "expired": "This link has expired. Ask your teacher for a new one.",
    "revoked": "This link no longer works. Ask your teacher for a new one.",
}
# A link speaks for its maker: when they may no longer give its role (removed from the
# debate, demoted, their account deleted), neither may the link.
MAKER_LEFT = (
    "This link no longer works: the person who made it can no longer invite people to this "
    "debate with this role. Ask your teacher for a new one."
)


@transaction.atomic
def share_link_create(
    *,
    actor: AnyUser,
    debate: Debate,
    role: str,
    instant_access: bool = False,
    expires_at: datetime | None = None,
) -> ShareLink:
    """A new link to the debate giving `role` to whoever opens it."""
    actor_role = require(actor, Action.MANAGE_MEMBERS, debate)
    assert actor.is_authenticated  # require() lets no visitor write
    if role not in [r.value for r in ShareLink.ROLES]:
        raise ValidationError(
            {"role": _("A link gives the role of editor, writer, suggester or viewer.")}
        )
    if Role(role) not in grantable_roles(actor_role):
        raise PermissionDenied(_("You may not give that role."))
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("Choose a time in the future, or none.")})
    return ShareLink.objects.create(
        debate=debate,
        token=secrets.token_urlsafe(24),
        role=role,
        instant_access=instant_access,
        expires_at=expires_at,
        created_by=actor,
    )


def _managed(actor: AnyUser, link: ShareLink) -> None:
    require(actor, Action.MANAGE_MEMBERS, link.debate)
    if link.revoked_at is not None:
        raise ValidationError(_("This link was revoked; make a new one."))


@transaction.atomic
def share_link_switch(*, actor: AnyUser, link: ShareLink, on: bool) -> ShareLink:
    """Switch a link off (a deadline) or on again."""
    _managed(actor, link)
    link.is_active = on
    link.save(update_fields=["is_active"])
    return link


@transaction.atomic
def share_link_revoke(*, actor: AnyUser, link: ShareLink) -> ShareLink:
    """End a link for good (those who joined keep their role)."""
    _managed(actor, link)
    link.revoked_at = timezone.now()
    link.is_active = False
    link.save(update_fields=["revoked_at", "is_active"])
    return link


def maker_refusal(link: ShareLink, maker_role: Role | str | None, *, owner_id: int) -> str | None:
    """Why the link's maker, now holding `maker_role`, no longer vouches for it (None when
    they still may give its role). The owner and site staff always may; a deleted maker
    never. `link.created_by` is loaded with the link."""
    if link.created_by_id is not None and link.created_by_id == owner_id:
        return None
    if link.created_by is not None and link.created_by.is_staff:  # moderates every debate
        return None
    role = Role(maker_role) if maker_role else None
    if link.created_by_id is None or Role(link.role) not in grantable_roles(role):
        return MAKER_LEFT
    return None


def share_link_refusal(link: ShareLink) -> str | None:
    """Why the link cannot be used now, in the words its opener reads; None when it can."""
    if link.state != "open":
        return REFUSED[link.state]
    maker = link.created_by
    maker_role = role_in(maker, link.debate) if maker is not None else None
    return maker_refusal(link, maker_role, owner_id=link.debate.owner_id)


def share_link_check(link: ShareLink) -> None:
    """ValidationError saying why, when the link cannot be used now."""
    if (why := share_link_refusal(link)) is not None:
        raise ValidationError(why)


@transaction.atomic
def share_link_join(*, user: AnyUser, link: ShareLink) -> Role:
    """Give the signed-in `user` at least the link's role; return the role they now have."""
    if not user.is_authenticated:
        raise PermissionDenied(_("Sign in (or pick a name) to join."))
    link = (
        ShareLink.objects.select_for_update(of=("self",))
        .select_related("debate", "created_by")
        .get(pk=link.pk)
    )
    share_link_check(link)
    debate = link.debate
    ShareLink.objects.filter(pk=link.pk).update(uses=F("uses") + 1)
    role = membership_raise(debate=debate, user=user, role=Role(link.role))
    if link.team_id is not None:
        _team_join(team_id=link.team_id, user=user)
    return role


def _team_join(*, team_id: int, user: User) -> None:
    """Someone joined through a team's link (services/teams.py `team_link_make`; the link
    was checked and gave its role): they join the team, its perspective, and its copy when
    it has one."""
    team = Team.objects.select_for_update(of=("self",)).select_related("copy").get(pk=team_id)
    if team.members.filter(pk=user.pk).exists():
        return
    if team.members.count() >= Team.MAX_MEMBERS:
        raise ValidationError(f"This team is full ({Team.MAX_MEMBERS} members).")
    team.members.add(user)
    if team.perspective_id is not None:
        Perspective.members.through.objects.get_or_create(
            perspective_id=team.perspective_id, user_id=user.pk
        )
        Perspective.objects.filter(pk=team.perspective_id).update(version=F("version") + 1)
    if team.copy is not None:
        membership_raise(debate=team.copy, user=user, role=Role.WRITER)


def _clean_name(display_name: str) -> str:
    name = " ".join((display_name or "").split())
    if not NAME_MIN <= len(name) <= NAME_MAX:
        raise ValidationError(
            {
                "display_name": _("Pick a name of %(min)s to %(max)s characters.")
                % {"min": NAME_MIN, "max": NAME_MAX}
            }
        )
    if not NAME_RE.match(name):
        raise ValidationError(
            {"display_name": _("Use letters, digits, spaces, dots, hyphens or apostrophes.")}
        )
    return name


@transaction.atomic
def instant_account_create(*, link: ShareLink, display_name: str) -> User:
    """An account for someone joining through `link` without an e-mail address, named after
    the display name they picked (plus a short code that keeps it unique)."""
    link = (
        ShareLink.objects.select_for_update(of=("self",))
        .select_related("debate", "created_by")
        .get(pk=link.pk)
    )
    share_link_check(link)
    if not link.instant_access:
        raise PermissionDenied(_("This link needs an account: sign up or log in first."))
    name = _clean_name(display_name)
    check_rate(
        InstantAccount.objects.filter(link=link),
        limit=INSTANT_ACCOUNTS_PER_HOUR,
        window=timedelta(hours=1),
        field="created_at",
        what="made accounts through this link",
    )
    user_model = get_user_model()
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:20] or "student"
    while True:
        username = f"{base}-{secrets.token_hex(2)}"
        if not user_model.objects.filter(username=username).exists():
            break
    user = user_model(username=username, first_name=name)
    # No password until they choose one (allauth's "set password" page keeps the account).
    user.set_unusable_password()
    user.save()
    InstantAccount.objects.create(user=user, link=link)
    return user


@transaction.atomic
def instant_contributions_hide(*, actor: AnyUser, link: ShareLink) -> int:
    """Hide every claim that accounts made through this link wrote in its debate (a class's
    link misused): each through `claim_hide`, so each is logged and can be restored."""
    require(actor, Action.HIDE_CLAIM, link.debate)
    claims = Claim.objects.filter(
        debate=link.debate,
        author__instant_account__link=link,
        status__in=[Claim.Status.PUBLISHED, Claim.Status.PENDING],
    ).select_related("debate")
    hidden = 0
    for claim in claims:
        claim_hide(actor=actor, claim=claim)
        hidden += 1
    return hidden


@transaction.atomic
def debate_make_pseudonymous(*, actor: AnyUser, debate: Debate) -> Debate:
    """Show everyone in the debate under a pseudonym from now on. For good: once names have
    been shown as pseudonyms, turning it off would tie them to real names."""
    require(actor, Action.EDIT_DEBATE, debate)
    if not debate.pseudonymous:
        debate.pseudonymous = True
        debate.save(update_fields=["pseudonymous", "updated_at"])
    return debate
