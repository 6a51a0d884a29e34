"""A debate's own settings, changed by its owner and moderators on the settings page: what
it is called, who may reach it, what newcomers may do, whether claims wait for approval,
whether votes stay hidden until one votes, where it may be embedded; and archiving it.

Who may change what is one table (`FIELD_ACTIONS`): the owner decides what the debate is and
who may reach it (`Action.CONFIGURE_DEBATE`); moderators keep order in the room
(`Action.MODERATE`: approval, guided voting, voting and notes on or off). Every change is a
history row with its author (the admin's history and revert see it), and the participants'
activity feed reads those rows (`reading/feed.py`). Nothing is hard-deleted: archiving hides
the debate from everyone but site staff, who restore it in the admin.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from arguments import languages
from arguments.models import ELABORATION_MAX_LENGTH, TITLE_MAX_LENGTH, Debate
from arguments.rules.permissions import Action, require
from arguments.rules.validation import WHITESPACE, clean_embed_origins
from arguments.services.guards import attribute, bump_version

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    AnyUser = User | AnonymousUser

# Which act each setting needs. The owner's: what the debate is and who may reach it; the
# moderators': how the room runs.
FIELD_ACTIONS: dict[str, Action] = {
    "title": Action.CONFIGURE_DEBATE,
    "description": Action.CONFIGURE_DEBATE,
    "language": Action.CONFIGURE_DEBATE,
    "visibility": Action.CONFIGURE_DEBATE,
    "default_role": Action.CONFIGURE_DEBATE,
    "embed_origins": Action.CONFIGURE_DEBATE,
    "accepts_write_requests": Action.CONFIGURE_DEBATE,
    "requires_approval": Action.MODERATE,
    "hide_votes_until_voted": Action.MODERATE,
    "voting_enabled": Action.MODERATE,
    "annotations_enabled": Action.MODERATE,
}
OWNER_FIELDS = tuple(name for name, act in FIELD_ACTIONS.items() if act is Action.CONFIGURE_DEBATE)
MODERATOR_FIELDS = tuple(name for name, act in FIELD_ACTIONS.items() if act is Action.MODERATE)


def _clean(debate: Debate, name: str, value: Any) -> Any:
    """The value as stored, or a ValidationError naming the field."""
    if name == "title":
        title = WHITESPACE.sub(" ", str(value or "")).strip()
        if not title:
            raise ValidationError({"title": _("Give the debate a question.")})
        if len(title) > TITLE_MAX_LENGTH:
            raise ValidationError(
                {"title": _("Keep the question to %(max)s characters.") % {"max": TITLE_MAX_LENGTH}}
            )
        return title
    if name == "description":
        description = str(value or "").strip()
        if len(description) > ELABORATION_MAX_LENGTH:
            raise ValidationError(
                {
                    "description": _("Keep the description to %(max)s characters.")
                    % {"max": ELABORATION_MAX_LENGTH}
                }
            )
        return description
    if name == "visibility":
        if value not in Debate.Visibility.values:
            raise ValidationError({"visibility": _("Choose public, unlisted or private.")})
        return value
    if name == "default_role":
        if value not in Debate.NEWCOMER_ROLES:
            raise ValidationError(
                {"default_role": _("Newcomers can be writers, suggesters or viewers.")}
            )
        return value
    if name == "language":
        if value not in languages.codes():
            raise ValidationError({"language": _("Choose one of the languages offered.")})
        return value
    if name == "embed_origins":
        return clean_embed_origins(str(value or ""))
    return bool(value)


@transaction.atomic
def debate_configure(
    *, actor: AnyUser, debate: Debate, reason: str = "settings", **changes: Any
) -> list[str]:
    """Change some of the debate's settings (`FIELD_ACTIONS` names them and who may); the
    names of those that really changed. One history row for them all."""
    unknown = set(changes) - set(FIELD_ACTIONS)
    if unknown:
        raise ValueError(f"Not a setting of a debate: {', '.join(sorted(unknown))}")
    for act in {FIELD_ACTIONS[name] for name in changes}:
        require(actor, act, debate)
    cleaned = {name: _clean(debate, name, value) for name, value in changes.items()}
    row = Debate.objects.select_for_update().get(pk=debate.pk)
    changed = [name for name, value in cleaned.items() if getattr(row, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(row, name, cleaned[name])
    attribute(row, actor=actor, reason=reason[:100])
    row.save(update_fields=[*changed, "updated_at"])
    # Every process reloads the debate: settings change what cards show (hidden votes) and
    # who reads them; a settings change is rare enough that a whole reload costs nothing.
    bump_version(row)
    for name in [*changed, "updated_at", "structure_version", "rebuilt_in"]:
        setattr(debate, name, getattr(row, name))
    return changed


@transaction.atomic
def debate_archive(*, actor: AnyUser, debate: Debate) -> Debate:
    """Take the debate away from everyone but site staff, who can restore it (its owner's
    "delete": nothing is removed, every claim, vote and note stays)."""
    require(actor, Action.CONFIGURE_DEBATE, debate)
    row = Debate.objects.select_for_update().get(pk=debate.pk)
    if row.archived_at is None:
        row.archived_at = timezone.now()
        attribute(row, actor=actor, reason="archived by its owner")
        row.save(update_fields=["archived_at", "updated_at"])
        bump_version(row)
    debate.archived_at = row.archived_at
    return row
