"""Accounts as the debates show them: every claim and note carries its author's name, so a
rename or a departure moves every debate that shows the name to a new version, naming those
claims, and every process holding one reads them again (arguments/caches.py)."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from arguments import languages
from arguments.models import Annotation, Claim, Debate, Profile
from arguments.services.guards import bump_version
from arguments.services.votes import votes_forget

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    AnyUser = User | AnonymousUser


def _bump_where_named(account_id: int) -> None:
    shown: defaultdict[int, set[int]] = defaultdict(set)
    claims = Claim.objects.filter(author_id=account_id).values_list("debate_id", "pk")
    notes = Annotation.objects.filter(author_id=account_id).values_list("claim__debate", "claim")
    for debate_id, claim_id in [*claims, *notes]:
        shown[debate_id].add(claim_id)
    for debate in Debate.objects.filter(pk__in=shown).order_by("pk"):
        bump_version(debate, shown[debate.pk])


@transaction.atomic
def account_save(*, actor: AnyUser, account: User) -> None:
    """Save an account as site staff changed it in the admin; a new username moves every
    debate that shows it to a new version."""
    if not (actor.is_authenticated and actor.is_staff):
        raise PermissionDenied(_("Only site staff change accounts."))
    stored = type(account)._default_manager.filter(pk=account.pk)
    before = stored.values_list("username", flat=True).first()  # None for a new account
    account.save()
    if before is not None and before != account.username:
        _bump_where_named(account.pk)


@transaction.atomic
def account_leave(account: User) -> None:
    """Before an account is deleted (however: the admin, a shell, a bulk delete): its votes
    leave with their tallies fixed, and the debates that show its name move to a new
    version (its claims and notes stay, without it)."""
    votes_forget(account)
    _bump_where_named(account.pk)


@transaction.atomic
def member_language_set(*, actor: AnyUser, language: str) -> str:
    """Keep the interface language a member chose (the switcher), for every device they sign
    in on; "" goes back to the browser's. The code as stored."""
    if not actor.is_authenticated:
        raise PermissionDenied(_("Sign in to keep a language in your profile."))
    chosen = "" if not language else languages.supported(language)
    if chosen is None:
        raise ValidationError({"language": _("Choose one of the languages offered.")})
    Profile.objects.update_or_create(user=actor, defaults={"language": chosen})
    return chosen


def member_language_adopt(*, user: User, language: str) -> bool:
    """An LMS launch's language becomes the member's when they chose none (their choice
    stays theirs): a learner who only ever comes through the course never opens the
    switcher, and their notices and digests, written away from any session, should be in
    the language their pages are. True when it was adopted."""
    chosen = languages.supported(language)
    if chosen is None:
        return False
    profile, created = Profile.objects.get_or_create(user=user, defaults={"language": chosen})
    if created:
        return True
    return bool(Profile.objects.filter(pk=profile.pk, language="").update(language=chosen))
