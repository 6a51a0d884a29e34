"""Sources and citations."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from arguments.models import (
    Citation,
    Claim,
    Debate,
    Source,
)
from arguments.rules.permissions import Action, require
from arguments.rules.validation import WHITESPACE, normalize_url
from arguments.services.guards import bump_version

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    AnyUser = User | AnonymousUser


def reusable_sources(actor: User) -> QuerySet[Source]:
    """The sources a citer may reuse, title and all: cited in a debate they can read (public,
    unlisted, or private and theirs), made by them, or cited nowhere yet. Another one of the
    same address (a private debate's, its title naming what that debate discusses) is neither
    shown nor changed: the citer gets a source row of their own (a URL is unique only within
    what one can read)."""
    if actor.is_staff:
        return Source.objects.all()
    debate = "citations__claim__debate__"
    readable = (
        Q(**{f"{debate}visibility__in": [Debate.Visibility.PUBLIC, Debate.Visibility.UNLISTED]})
        | Q(**{f"{debate}owner": actor})
        | Q(**{f"{debate}memberships__user": actor})
        | Q(created_by=actor)
        # Cited nowhere yet: the site's own catalogue (the demo's, the admin's).
        | Q(citations__isnull=True)
    )
    return Source.objects.filter(readable).distinct()


@transaction.atomic
def source_cite(
    *,
    actor: AnyUser,
    claim: Claim,
    url: str,
    title: str = "",
    quote: str = "",
    locator: str = "",
    kind: str = Source.Kind.OTHER,
) -> Citation:
    """Cite a source on a claim; a source already known by its URL or title is reused."""
    require(actor, Action.CITE_SOURCE, claim.debate, claim=claim)
    assert actor.is_authenticated  # require() lets no visitor write
    title = WHITESPACE.sub(" ", title or "").strip()
    url = (url or "").strip()
    source: Source | None = None
    if url:
        url = normalize_url(url)
        source = reusable_sources(actor).filter(url=url).order_by("pk").first()
    elif title:
        # By title alone, only a source this debate already cites: another debate's
        # sources (a private one's addresses) are not ours to reuse or probe.
        source = (
            Source.objects.filter(title__iexact=title, citations__claim__debate=claim.debate)
            .distinct()
            .first()
        )
        if source is None:
            raise ValidationError({"url": _("Give the web address of a new source.")})
    else:
        raise ValidationError({"url": _("Give the source's web address.")})
    if source is None:
        if len(title) > 300:
            raise ValidationError({"title": _("Keep the title to 300 characters.")})
        if kind not in Source.Kind.values:
            raise ValidationError({"kind": _("Choose what kind of source this is.")})
        source = Source(url=url, title=title or urlsplit(url).netloc, kind=kind, created_by=actor)
        source.full_clean()
        source.save()
    citation = Citation(
        claim=claim, source=source, quote=quote.strip(), locator=locator.strip(), added_by=actor
    )
    citation.full_clean()
    duplicate = Citation.objects.filter(
        claim=claim, source=source, quote=citation.quote, locator=citation.locator
    ).first()
    if duplicate is not None:
        return duplicate
    citation.save()
    bump_version(claim.debate, [claim.pk])
    return citation
