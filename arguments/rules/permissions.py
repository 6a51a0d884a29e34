"""Who may see and do what in a debate: one decision, used by the reading lens (to show a
control), the views (to answer 403 or 404) and the services (to refuse).

A user's role in a debate comes from (in order) site staff, ownership, a membership, or the
debate's default role for signed-in users of a public or unlisted debate (an archived debate
is for site staff alone). Anonymous visitors may read public and unlisted debates and do
nothing else. Locked and closed debates are read-only for everyone but moderators, who may
still keep order.

`refusal()` says why an act is refused, or None when it is allowed. A refusal is either about
the person (their role, or whose item it is: a 403) or about the item's state (a claim that is
no longer pending, a note already removed: the page was stale, so the person gets the reason
in the form, not a 403). `permits()` is "no refusal of either kind": a control is shown
exactly when the act would succeed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol, TypedDict, Unpack

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arguments.models import Annotation, Claim, Debate, Flag, Membership, Role

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from django.contrib.auth.models import AnonymousUser, User

    AnyUser = User | AnonymousUser

# Highest first; a lower index is more powerful.
ROLE_ORDER: tuple[Role, ...] = (
    Role.OWNER,
    Role.MODERATOR,
    Role.EDITOR,
    Role.WRITER,
    Role.SUGGESTER,
    Role.VIEWER,
)


class Action(StrEnum):
    VIEW = "view"
    ADD_CLAIM = "add_claim"  # suggesters may too; their claims wait for approval
    EDIT_CLAIM = "edit_claim"
    LINK_CLAIM = "link_claim"
    MOVE_CLAIM = "move_claim"
    CITE_SOURCE = "cite_source"
    VOTE = "vote"
    ANNOTATE = "annotate"
    EDIT_NOTE = "edit_note"  # change or withdraw one's own note
    FLAG = "flag"
    REQUEST_REVIEW = "request_review"  # the author asks again about an upheld flag
    APPROVE_CLAIM = "approve_claim"
    HIDE_CLAIM = "hide_claim"
    RESTORE_CLAIM = "restore_claim"
    MODERATE = "moderate"  # the debate as a whole: handle flags, lock, close, merge
    MANAGE_MEMBERS = "manage_members"
    EDIT_DEBATE = "edit_debate"
    # The debate's own settings: what it is called, who may reach it, what newcomers may do,
    # where it may be embedded, archiving it. The owner's, and allowed in a locked or closed
    # debate (an owner may make a closed debate private).
    CONFIGURE_DEBATE = "configure_debate"
    # Take a snapshot of the debate, or set when one is taken by itself (a deadline).
    FREEZE_DEBATE = "freeze_debate"
    # Feedback and grades on a participant's work, and releasing them: a teacher's act, so
    # the owner's and moderators', also once the debate is locked or closed (grading comes
    # after the writing).
    GIVE_FEEDBACK = "give_feedback"
    # A viewer or suggester asks to become a writer, where the owner allows it.
    REQUEST_WRITE = "request_write"
    # Attaching tasks to a debate and removing them: the owner's and moderators'.
    MANAGE_TASKS = "manage_tasks"


class ClaimState(Protocol):
    """What the rules read of a claim: a `Claim` row or the tree's `Node` both have it."""

    author_id: int | None
    status: str
    is_thesis: bool
    merged_into_id: int | None


class NoteState(Protocol):
    """What the rules read of an annotation: an `Annotation` row or the tree's `Note`."""

    author_id: int | None
    status: str
    visibility: str


class FlagState(Protocol):
    """What the rules read of a flag: a `Flag` row or a reader's `FlagNote`."""

    status: str

    @property
    def review_requested(self) -> bool: ...


def at_least(role: Role | str | None, minimum: Role) -> bool:
    if role is None:
        return False
    return ROLE_ORDER.index(Role(role)) <= ROLE_ORDER.index(minimum)


# The least role each action needs.
MINIMUM_ROLE: dict[Action, Role] = {
    Action.VIEW: Role.VIEWER,
    Action.ADD_CLAIM: Role.SUGGESTER,
    Action.EDIT_CLAIM: Role.WRITER,  # own claims; editors and above: any claim
    Action.LINK_CLAIM: Role.WRITER,
    Action.MOVE_CLAIM: Role.EDITOR,
    Action.CITE_SOURCE: Role.WRITER,
    Action.VOTE: Role.VIEWER,
    Action.ANNOTATE: Role.VIEWER,
    Action.EDIT_NOTE: Role.VIEWER,
    Action.FLAG: Role.VIEWER,
    Action.REQUEST_REVIEW: Role.VIEWER,
    Action.APPROVE_CLAIM: Role.MODERATOR,
    Action.HIDE_CLAIM: Role.MODERATOR,
    Action.RESTORE_CLAIM: Role.MODERATOR,
    Action.MODERATE: Role.MODERATOR,
    Action.MANAGE_MEMBERS: Role.MODERATOR,
    Action.EDIT_DEBATE: Role.OWNER,
    Action.CONFIGURE_DEBATE: Role.OWNER,
    Action.FREEZE_DEBATE: Role.MODERATOR,
    Action.GIVE_FEEDBACK: Role.MODERATOR,
    Action.REQUEST_WRITE: Role.VIEWER,
    Action.MANAGE_TASKS: Role.MODERATOR,
}

# Actions still allowed in a locked or closed debate (to those whose role allows them):
# reading, and keeping order.
ALLOWED_WHEN_NOT_OPEN = {
    Action.VIEW,
    Action.FLAG,
    Action.REQUEST_REVIEW,
    Action.APPROVE_CLAIM,
    Action.HIDE_CLAIM,
    Action.RESTORE_CLAIM,
    Action.MODERATE,
    Action.MANAGE_MEMBERS,
    Action.CONFIGURE_DEBATE,
    Action.FREEZE_DEBATE,  # a closed debate's final state is worth citing
    Action.GIVE_FEEDBACK,
    Action.MANAGE_TASKS,
}
# Actions allowed between a deadline and its snapshot: none that changes what the snapshot
# holds (claims, their state, the debate's title), so the version is the deadline's state.
ALLOWED_WHILE_FROZEN = ALLOWED_WHEN_NOT_OPEN - {
    Action.APPROVE_CLAIM,
    Action.HIDE_CLAIM,
    Action.RESTORE_CLAIM,
    Action.CONFIGURE_DEBATE,
}

# Acts on a claim that need it published: one answers, cites, votes on, annotates or flags
# what stands in the debate, not what waits for approval or was hidden.
NEEDS_PUBLISHED: dict[Action, Promise] = {
    Action.ADD_CLAIM: gettext_lazy(
        "You can only respond to a published claim; this one is hidden or awaiting approval."
    ),
    Action.LINK_CLAIM: gettext_lazy(
        "You can only respond to a published claim; this one is hidden or awaiting approval."
    ),
    Action.CITE_SOURCE: gettext_lazy("Sources can be added to published claims only."),
    Action.VOTE: gettext_lazy("Votes are closed on a hidden or pending claim."),
    Action.ANNOTATE: gettext_lazy("Only a published claim can be annotated."),
    Action.FLAG: gettext_lazy("Only a published claim can be flagged."),
}


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why an act is refused. `stale`: the role allows it, the item's state does not."""

    reason: str
    stale: bool = False

    def error(self) -> Exception:
        """What a service raises: a form error for a stale page, else a 403."""
        return ValidationError(self.reason) if self.stale else PermissionDenied(self.reason)


def role_in(user: AnyUser, debate: Debate, *, membership_role: str | None = None) -> Role | None:
    """The user's role in the debate, or None when they may not even read it.

    Pass `membership_role` when it is already loaded, to save the query.
    """
    if user.is_authenticated and user.is_staff:
        return Role.OWNER if debate.owner_id == user.pk else Role.MODERATOR
    if debate.archived_at is not None:
        return None  # archived by its owner: site staff alone may restore it
    if user.is_authenticated:
        if debate.owner_id == user.pk:
            return Role.OWNER
        if membership_role is None:
            # Remembered on the debate object for this request: a view and the service it
            # calls ask the same question, and should not both pay a query for it.
            memo: dict[int, str | None] = debate.__dict__.setdefault("_membership_roles", {})
            if user.pk not in memo:
                memo[user.pk] = (
                    Membership.objects.filter(debate=debate, user=user)
                    .values_list("role", flat=True)
                    .first()
                )
            membership_role = memo[user.pk]
        if membership_role is not None:
            return Role(membership_role)
        if debate.visibility != Debate.Visibility.PRIVATE:
            return Role(debate.default_role)
        return None
    if debate.visibility != Debate.Visibility.PRIVATE:
        return Role.VIEWER
    return None


def remember_roles(user: AnyUser, debates: Iterable[Debate]) -> None:
    """Read the user's memberships of all these debates in one query and remember each on
    its debate object, so `role_in` asks none (a search across debates reads many)."""
    if not user.is_authenticated or user.is_staff:
        return  # no membership asked (role_in)
    debates = [debate for debate in debates if debate.owner_id != user.pk]
    if not debates:
        return
    roles = dict(
        Membership.objects.filter(
            user=user, debate__in=[debate.pk for debate in debates]
        ).values_list("debate_id", "role")
    )
    for debate in debates:
        memo: dict[int, str | None] = debate.__dict__.setdefault("_membership_roles", {})
        memo[user.pk] = roles.get(debate.pk)


def forget_roles(debate: Debate) -> None:
    """Drop the roles remembered on this debate object (after a membership changes)."""
    debate.__dict__.pop("_membership_roles", None)


def _being_frozen(debate: Debate) -> bool:
    """Its deadline has passed and its snapshot is not taken yet (services/snapshots.py):
    the version due must be the debate exactly as it stood at the deadline."""
    return debate.freeze_at is not None and debate.freeze_at <= timezone.now()


def role_refusal(role: Role | None, action: Action, debate: Debate) -> Refusal | None:
    """Whether a signed-in holder of `role` may do `action` in the debate as it stands."""
    if role is None:
        return Refusal(_("This debate is not open to you."))
    if not at_least(role, MINIMUM_ROLE[action]):
        return Refusal(
            _("Your role in this debate (%(role)s) does not allow this.")
            % {"role": role.label.lower()}
        )
    if not debate.is_writable and action not in ALLOWED_WHEN_NOT_OPEN:
        return Refusal(
            _("This debate is %(status)s.") % {"status": debate.get_status_display().lower()}
        )
    if action not in ALLOWED_WHILE_FROZEN and _being_frozen(debate):
        return Refusal(
            _("This debate is being frozen at its deadline: try again in a minute."), stale=True
        )
    if action is Action.VOTE and not debate.voting_enabled:
        return Refusal(_("Voting is switched off in this debate."))
    if action in (Action.ANNOTATE, Action.EDIT_NOTE) and not debate.annotations_enabled:
        return Refusal(_("Annotations are switched off in this debate."))
    return None


def _is_own(item: ClaimState | NoteState, user: AnyUser) -> bool:
    return item.author_id is not None and item.author_id == user.pk


def _claim_refusal(
    user: AnyUser, role: Role, action: Action, claim: ClaimState, *, lone_thesis: bool
) -> Refusal | None:
    if action is Action.EDIT_CLAIM:
        if not (_is_own(claim, user) or at_least(role, Role.EDITOR)):
            return Refusal(_("Only its author and the debate's editors may edit a claim."))
        if claim.status in (Claim.Status.HIDDEN, Claim.Status.DELETED):
            return Refusal(
                _("A hidden claim cannot be edited; ask a moderator to restore it."), stale=True
            )
        return None
    if action is Action.FLAG and _is_own(claim, user):
        return Refusal(_("You wrote this claim: edit it rather than flag it."))
    if action is Action.GIVE_FEEDBACK:
        if claim.author_id is None:
            return Refusal(_("This claim has no author to give feedback to."))
        if _is_own(claim, user):
            return Refusal(_("Feedback is for the participants' claims, not your own."))
        return None
    if action in NEEDS_PUBLISHED:
        if claim.status != Claim.Status.PUBLISHED or claim.merged_into_id:
            return Refusal(str(NEEDS_PUBLISHED[action]), stale=True)
        return None
    if action is Action.APPROVE_CLAIM and claim.status != Claim.Status.PENDING:
        return Refusal(_claim_is(claim), stale=True)
    if action is Action.HIDE_CLAIM:
        if claim.status not in (Claim.Status.PUBLISHED, Claim.Status.PENDING):
            return Refusal(_claim_is(claim), stale=True)
        if claim.is_thesis and lone_thesis:
            return Refusal(
                _("A debate's only thesis cannot be hidden; close the debate."), stale=True
            )
    if action is Action.RESTORE_CLAIM:
        if claim.merged_into_id:
            return Refusal(
                _("This claim was merged; undo the merge instead of restoring it."), stale=True
            )
        if claim.status not in (Claim.Status.HIDDEN, Claim.Status.DELETED):
            return Refusal(_claim_is(claim), stale=True)
    return None


def _claim_is(claim: ClaimState) -> str:
    return _("This claim is %(status)s.") % {"status": Claim.Status(claim.status).label.lower()}


def _note_refusal(user: AnyUser, action: Action, note: NoteState) -> Refusal | None:
    if action is Action.FLAG and _is_own(note, user):
        return Refusal(_("You wrote this note: edit it rather than flag it."))
    if action is Action.EDIT_NOTE and not _is_own(note, user):
        return Refusal(_("Only its author may change an annotation."))
    if note.status != Annotation.Status.PUBLISHED:
        return Refusal(_("This annotation has been removed."), stale=True)
    return None


def _review_refusal(
    user: AnyUser, flag: FlagState | None, flagged: ClaimState | NoteState | None
) -> Refusal | None:
    if flag is None and flagged is None:
        return None  # asked of the debate as a whole: the role decides
    if flag is None or flagged is None:
        return Refusal(_("Ask for a review of a flag on your own claim or note."))
    if not _is_own(flagged, user):
        return Refusal(_("Only the author can ask for a review."))
    if flag.review_requested:
        return Refusal(_("You have already asked for a review of this decision."), stale=True)
    if flag.status != Flag.Status.UPHELD:
        return Refusal(_("Only an upheld flag can be reviewed."), stale=True)
    return None


def refusal(
    user: AnyUser,
    action: Action,
    debate: Debate,
    *,
    claim: ClaimState | None = None,
    note: NoteState | None = None,
    flag: FlagState | None = None,
    lone_thesis: bool = False,
    role: Role | None = None,
) -> Refusal | None:
    """Why `user` may not do `action` in `debate` (to `claim`, `note` or `flag`), or None.

    `role` may be passed when already known (from `role_in`) to save a query. For a review
    request, pass the flag and the flagged claim (or note). `lone_thesis`: the claim is a
    thesis with no other published thesis beside it (the caller knows the debate's theses).
    """
    if role is None:
        role = role_in(user, debate)
    if action is not Action.VIEW and not user.is_authenticated and role is not None:
        return Refusal(_("Sign in first."))
    refused = role_refusal(role, action, debate)
    if refused is not None or role is None:
        return refused
    if action is Action.REQUEST_REVIEW:
        return _review_refusal(user, flag, note if note is not None else claim)
    if action is Action.REQUEST_WRITE:
        if at_least(role, Role.WRITER):
            return Refusal(_("You can already write in this debate."))
        if not debate.accepts_write_requests:
            return Refusal(_("This debate does not take requests to write."))
        return None
    if note is not None:
        moderates = at_least(role, Role.MODERATOR)
        if not sees_note(
            note, user_id=user.pk, participant=user.is_authenticated, moderates=moderates
        ):
            # Told as if it did not exist: a private note's id reveals nothing.
            return Refusal(_("There is no such annotation."))
        return _note_refusal(user, action, note)
    if claim is not None:
        return _claim_refusal(user, role, action, claim, lone_thesis=lone_thesis)
    return None


class Items(TypedDict, total=False):
    """What an act may be about: a claim, a note, a flag (with the claim or note it flags)."""

    claim: ClaimState | None
    note: NoteState | None
    flag: FlagState | None
    lone_thesis: bool


def permits(
    user: AnyUser,
    action: Action,
    debate: Debate,
    *,
    role: Role | None = None,
    **items: Unpack[Items],
) -> bool:
    """Whether `user` may do `action` in `debate` (to `claim`, `note` or `flag`) right now."""
    return refusal(user, action, debate, role=role, **items) is None


def require(user: AnyUser, action: Action, debate: Debate, **items: Unpack[Items]) -> Role:
    """The user's role, if they may do the act; else PermissionDenied or, for a stale
    page (the item's state changed), ValidationError with the reason."""
    role = role_in(user, debate)
    refused = refusal(user, action, debate, role=role, **items)
    if refused is not None:
        raise refused.error()
    assert role is not None
    return role


def claims_need_approval(role: Role, debate: Debate) -> bool:
    """A suggester's claims wait for approval; so do writers' where the debate says so."""
    if role == Role.SUGGESTER:
        return True
    return debate.requires_approval and not at_least(role, Role.EDITOR)


# -- what a reader sees -------------------------------------------------------------------


def sees_claim(claim: ClaimState, *, user_id: int | None, moderates: bool) -> bool:
    """The one visibility rule of a claim, on its own (the lens applies it along the path):
    published claims are for everyone; a pending one for its author and the moderators; a
    hidden one for the moderators; a merged one for nobody (its address leads to the claim
    it was merged into)."""
    if claim.merged_into_id:
        return False
    if claim.status == Claim.Status.PUBLISHED:
        return True
    if moderates:
        return True
    return (
        claim.status == Claim.Status.PENDING and user_id is not None and claim.author_id == user_id
    )


def sees_along(path: Sequence[ClaimState], *, user_id: int | None, moderates: bool) -> bool:
    """Whether a reader sees a claim where it stands: `path` runs from a thesis down to the
    claim, and every claim on it passes `sees_claim` (a claim under one the reader does not
    see is not seen either, wherever it is linked)."""
    return (
        bool(path)
        and path[0].is_thesis
        and all(sees_claim(claim, user_id=user_id, moderates=moderates) for claim in path)
    )


def sees_note(note: NoteState, *, user_id: int | None, participant: bool, moderates: bool) -> bool:
    """Public notes for all; participants' notes for those who take part; private ones for
    their author and the moderators. Removed notes for nobody."""
    if note.status != Annotation.Status.PUBLISHED:
        return False
    if note.visibility == Annotation.Visibility.PUBLIC:
        return True
    if note.visibility == Annotation.Visibility.DEBATE:
        return participant or moderates
    return moderates or (user_id is not None and note.author_id == user_id)


def sees_feedback(
    *, user_id: int | None, author_id: int | None, moderates: bool, released: bool
) -> bool:
    """Feedback and grades on a participant's work: the owner and moderators always; the
    participant once they are released to them; nobody else, ever (not even other students
    who see the claim)."""
    if moderates:
        return True
    return released and user_id is not None and author_id == user_id


# -- membership ---------------------------------------------------------------------------


def grantable_roles(manager: Role | None) -> list[Role]:
    """Roles a manager may give: the owner appoints moderators, moderators the rest."""
    if manager is None or not at_least(manager, Role.MODERATOR):
        return []
    lowest = Role.MODERATOR if manager == Role.OWNER else Role.EDITOR
    return list(ROLE_ORDER[ROLE_ORDER.index(lowest) :])


def manages(manager: Role | None, member: Role | str) -> bool:
    """Whether a manager may change or remove a member's role: never the owner's; a
    moderator's only by the owner."""
    return Role(member) in grantable_roles(manager)
