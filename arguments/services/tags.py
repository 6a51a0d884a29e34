"""A debate's tags: the topics Explore finds it by."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from arguments.models import Debate, Tag
from arguments.rules.permissions import Action, require
from arguments.rules.validation import WHITESPACE

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django.contrib.auth.models import AnonymousUser, User

    AnyUser = User | AnonymousUser

TAGS_PER_DEBATE = 8


def tag_names(text: str) -> list[str]:
    """Tag names typed as one line, separated by commas: trimmed, blanks dropped, each once."""
    names: dict[str, str] = {}
    for raw in text.split(","):
        name = WHITESPACE.sub(" ", raw).strip()
        if name:
            names.setdefault(name.casefold(), name)
    return list(names.values())


@transaction.atomic
def debate_tags_set(*, actor: AnyUser, debate: Debate, names: Iterable[str]) -> list[Tag]:
    """Give the debate exactly these tags (owners and moderators); a tag new to the site is
    made, one already known (by its slug) is reused with its name."""
    require(actor, Action.MODERATE, debate)
    names = list(names)
    if len(names) > TAGS_PER_DEBATE:
        raise ValidationError({"tags": _("At most %(max)s tags.") % {"max": TAGS_PER_DEBATE}})
    tags: dict[str, Tag] = {}
    for name in names:
        slug = slugify(name)[:50]
        if not slug:
            raise ValidationError(
                {"tags": _("“%(name)s” needs a letter or a digit.") % {"name": name}}
            )
        if len(name) > Tag.NAME_MAX_LENGTH:
            raise ValidationError(
                {
                    "tags": _("“%(name)s…” is longer than %(max)s characters.")
                    % {"name": name[:20], "max": Tag.NAME_MAX_LENGTH}
                }
            )
        if slug not in tags:
            tags[slug] = Tag.objects.get_or_create(slug=slug, defaults={"name": name})[0]
    debate.tags.set(tags.values())
    return list(tags.values())
