"""Every write to a debate: keyword-only, typed, atomic, permission-checked.

Services ask `permissions.require`, which raises `PermissionDenied` when the actor's role does
not allow the act and `ValidationError` when the item's state does not (a stale page). They
raise `ValidationError` (with a message meant for the user) when the input or the debate's
invariants forbid it, and `RateLimited` when someone acts too often. Views translate those
into 403, a form error, and 429 with `Retry-After` (arguments.views.middleware).

Invariants kept here (the database enforces the rest):
- a relation joins two claims of the same debate;
- every claim that is not a thesis has exactly one original relation, and the original
  relations form a forest rooted at the theses (moves that would break this are refused);
- every write that changes what the tree shows bumps `Debate.structure_version`, except a
  vote, which bumps `Debate.tally_version` and stamps the point it moved (`tallied_in`).
"""

from __future__ import annotations

from arguments.rules.limits import RateLimited
from arguments.rules.validation import clean_claim_text, normalize_url
from arguments.services.accounts import (
    account_leave,
    account_save,
    member_language_adopt,
    member_language_set,
)
from arguments.services.annotations import annotation_add, annotation_delete, annotation_edit
from arguments.services.claims import (
    claim_add,
    claim_approve,
    claim_edit,
    claim_hide,
    claim_link,
    claim_move,
    claim_restore,
    claim_unlink,
    debate_create,
    thesis_add,
)
from arguments.services.debates import debate_archive, debate_configure
from arguments.services.flags import FLAGS_PER_HOUR, flag_raise, flag_request_review, flag_resolve
from arguments.services.following import (
    digest_choose,
    digest_unsubscribe,
    follow_drop,
    follow_set,
    notifications_mark_read,
)
from arguments.services.guards import is_descendant
from arguments.services.interchange import debate_import
from arguments.services.lti import (
    lti_account_provision,
    lti_membership_grant,
    lti_tool_key_ensure,
)
from arguments.services.memberships import membership_grant, membership_revoke
from arguments.services.moderation import (
    admin_delete,
    admin_save,
    claim_merge,
    debate_lock,
    history_revert,
    merge_revert,
)
from arguments.services.perspectives import (
    group_create,
    group_delete,
    group_members_set,
    perspective_create,
)
from arguments.services.sharing import (
    debate_make_pseudonymous,
    instant_account_create,
    instant_contributions_hide,
    share_link_create,
    share_link_join,
    share_link_revoke,
    share_link_switch,
)
from arguments.services.sources import source_cite
from arguments.services.tags import debate_tags_set
from arguments.services.tokens import token_create, token_revoke, token_used
from arguments.services.votes import vote_cast, vote_withdraw, votes_recount

__all__ = [
    "FLAGS_PER_HOUR",
    "RateLimited",
    "account_leave",
    "account_save",
    "admin_delete",
    "admin_save",
    "annotation_add",
    "annotation_delete",
    "annotation_edit",
    "claim_add",
    "claim_approve",
    "claim_edit",
    "claim_hide",
    "claim_link",
    "claim_merge",
    "claim_move",
    "claim_restore",
    "claim_unlink",
    "clean_claim_text",
    "debate_archive",
    "debate_configure",
    "debate_create",
    "debate_import",
    "debate_lock",
    "debate_make_pseudonymous",
    "debate_tags_set",
    "digest_choose",
    "digest_unsubscribe",
    "flag_raise",
    "flag_request_review",
    "flag_resolve",
    "follow_drop",
    "follow_set",
    "group_create",
    "group_delete",
    "group_members_set",
    "history_revert",
    "instant_account_create",
    "instant_contributions_hide",
    "is_descendant",
    "lti_account_provision",
    "lti_membership_grant",
    "lti_tool_key_ensure",
    "member_language_adopt",
    "member_language_set",
    "membership_grant",
    "membership_revoke",
    "merge_revert",
    "normalize_url",
    "notifications_mark_read",
    "perspective_create",
    "share_link_create",
    "share_link_join",
    "share_link_revoke",
    "share_link_switch",
    "source_cite",
    "thesis_add",
    "token_create",
    "token_revoke",
    "token_used",
    "vote_cast",
    "vote_withdraw",
    "votes_recount",
]
