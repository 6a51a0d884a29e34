"""Checks and small helpers shared by the services (the checks formats need too are in
`arguments.rules.validation`)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Manager, Max, Model
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from arguments import caches
from arguments.models import Claim, Debate, Relation, Role, StructureChange
from arguments.rules.permissions import at_least, sees_along
from arguments.structure.loader import debate_structure, store_strengths_task

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    AnyUser = User | AnonymousUser

caches.register(
    "debate versions",
    kept=caches.Kept.DATABASE,
    key="the debate's row: `structure_version` (every write that changes what the tree "
    "shows), `tally_version` (every vote; each point voted on is stamped `tallied_in`), "
    "`rebuilt_in` (the last write that could not say what it changed), `updated_at` (any "
    "save): what the other stores' keys are made of",
    stale="never: they only move forward, in the writes' own transactions",
)


_DEBATES = Debate._meta.db_table  # a name from the model; values are parameters


def bump_version(debate: Debate, changed: Iterable[int] | None = None) -> None:
    """Invalidate cached renderings of the debate's structure.

    `changed`: the claims whose row, relations (at either end: a relation added, hidden or
    moved names its parent and its child, a move its old parent too), citations or notes
    this write changed. Processes holding the debate then re-read just those
    (structure.loader.debate_structure). None when the write cannot say: every process reloads
    the whole debate.
    """
    if changed is None:
        # No process can catch this write up: its strengths are stored by the task worker,
        # not by the next reader of every worker (a whole load in their request).
        store_strengths_later(debate)
    # The debate's row stays locked to the end of the transaction, so the changes recorded
    # below commit in the order of their versions. One statement moves the version and
    # answers it (RETURNING: SQLite 3.35+, PostgreSQL), where two did.
    rebuilt = ", rebuilt_in = structure_version + 1" if changed is None else ""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_DEBATES} SET structure_version = structure_version + 1, "
            f"updated_at = %s{rebuilt} WHERE id = %s RETURNING structure_version",
            [now, debate.pk],
        )
        (version,) = cursor.fetchone()
    ids = set(changed or ())
    if ids:
        StructureChange.objects.bulk_create(
            StructureChange(debate_id=debate.pk, claim_id=claim_id, version=version)
            for claim_id in sorted(ids)
        )


def deleted_from_tree(debate_id: int) -> None:
    """A claim or relation of the debate is being deleted outside the services (a shell, a
    bulk delete: nothing user-written is deleted by the app or its admin). Its cascade takes
    relations with it, leaving claims with no place that no write named, so the debate moves
    to a version no process can catch up (`rebuilt_in`): every store derived from its tree
    (the structures kept, the claims with no place, the gap places) is read again."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_DEBATES} SET structure_version = structure_version + 1, "
            "rebuilt_in = structure_version + 1 WHERE id = %s",
            [debate_id],
        )


def store_strengths_later(debate: Debate) -> None:
    """Once the write commits, have the task worker store the debate's strengths (when no
    reader did first), so that workers holding nothing keep reading slices of it
    (structure/first_screen.py) after writes whose own request does not catch up."""
    transaction.on_commit(partial(store_strengths_task.enqueue, debate.pk))


def next_position(parent: Claim) -> int:
    top = Relation.objects.filter(parent=parent).aggregate(top=Max("position"))["top"]
    return 0 if top is None else top + 1


def original_parents(debate: Debate) -> dict[int, int]:
    """child id -> parent id over the debate's original relations, in one query."""
    return dict(
        Relation.objects.filter(debate=debate).originals().values_list("child_id", "parent_id")
    )


def is_descendant(debate: Debate, *, claim: Claim, ancestor: Claim) -> bool:
    """Whether `claim` lies in `ancestor`'s subtree of original relations (or is it)."""
    parents = original_parents(debate)
    current: int | None = claim.pk
    seen: set[int] = set()
    while current is not None and current not in seen:
        if current == ancestor.pk:
            return True
        seen.add(current)
        current = parents.get(current)
    return False


def unique_slug(title: str) -> str:
    base = slugify(title)[:60].strip("-") or "debate"
    slug, n = base, 2
    while Debate.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def check_same_debate(*claims: Claim) -> None:
    if len({c.debate_id for c in claims}) != 1:
        raise ValidationError(_("Both claims must belong to the same debate."))


def sees_where_it_stands(
    role: Role | None, user_id: int | None, debate: Debate, claim_id: int
) -> bool:
    """Whether a reader of `role` sees the claim where it stands in the debate (the rule along
    its path, `permissions.sees_along`), as the lens would show it to them."""
    structure = debate_structure(debate)
    if role is None or claim_id not in structure.nodes:
        return False
    moderates = at_least(role, Role.MODERATOR)
    return sees_along(structure.path_to(claim_id), user_id=user_id, moderates=moderates)


# django-simple-history adds `history` to each tracked model, and reads `_history_user` and
# `_change_reason` off an instance at its next save. It ships no type information, so the
# models do not declare them: these two helpers are the only places that reach for them.


def history_of(model: type[Model]) -> Manager[Any]:
    """The model's history rows (simple_history's manager of its historical model)."""
    return model.history  # type: ignore[attr-defined]  # added by simple_history, untyped


def attribute(obj: Model, *, actor: AnyUser | None, reason: str) -> None:
    """Who made the change and why, for the history row the next `save()` writes."""
    obj._history_user = actor  # type: ignore[attr-defined]  # simple_history's hook, untyped
    obj._change_reason = reason  # type: ignore[attr-defined]  # simple_history's hook, untyped
