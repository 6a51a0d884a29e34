"""Every write through the services: the invariants and role rules, both ways."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from arguments import services
from arguments.models import Annotation, Claim, Debate, Flag, Relation, Role, Source, Stance
from tests.factories import DebateFactory, ThesisFactory, UserFactory

pytestmark = pytest.mark.django_db


def tally(point) -> list[int]:
    point.refresh_from_db()
    return point.histogram


# ---------------------------------------------------------------- debates and claims


def test_a_new_debate_has_its_thesis_and_its_owner(cast):
    debate = services.debate_create(owner=cast.owner, title="  Is it so? ", thesis="It is so.")
    assert debate.title == "Is it so?"
    assert debate.slug == "is-it-so"
    assert [c.text for c in debate.claims.theses()] == ["It is so."]
    assert debate.memberships.get().role == Role.OWNER


def test_a_debate_needs_a_question_and_a_thesis(cast):
    with pytest.raises(ValidationError):
        services.debate_create(owner=cast.owner, title=" ", thesis="It is so.")
    with pytest.raises(ValidationError):
        services.debate_create(owner=cast.owner, title="Is it?", thesis="   ")
    assert not Debate.objects.exists()


def test_anonymous_visitors_cannot_start_a_debate(cast):
    with pytest.raises(PermissionDenied):
        services.debate_create(owner=cast.anonymous, title="Is it?", thesis="It is.")


def test_slugs_stay_unique(cast):
    first = services.debate_create(owner=cast.owner, title="Same question", thesis="Yes.")
    second = services.debate_create(owner=cast.owner, title="Same question", thesis="No.")
    assert first.slug != second.slug


def test_a_writer_adds_a_published_pro(cast, thesis):
    claim = services.claim_add(actor=cast.writer, parent=thesis, stance="pro", text=" It  helps. ")
    assert claim.text == "It helps."
    assert claim.status == Claim.Status.PUBLISHED
    relation = claim.parent_relations.get()
    assert (relation.parent, relation.stance, relation.is_link) == (thesis, Stance.PRO, False)


def test_a_suggesters_claim_waits_for_approval(cast, thesis):
    claim = services.claim_add(actor=cast.suggester, parent=thesis, stance="con", text="No.")
    assert claim.status == Claim.Status.PENDING
    services.claim_approve(actor=cast.moderator, claim=claim)
    assert claim.status == Claim.Status.PUBLISHED


def test_a_signed_in_newcomer_gets_the_debates_default_role(cast, thesis):
    claim = services.claim_add(actor=cast.stranger, parent=thesis, stance="pro", text="Maybe.")
    assert claim.status == Claim.Status.PENDING  # the fixture's newcomers are suggesters


@pytest.mark.parametrize("persona", ["viewer", "anonymous"])
def test_viewers_and_visitors_cannot_add_claims(cast, thesis, persona):
    with pytest.raises(PermissionDenied):
        services.claim_add(actor=cast[persona], parent=thesis, stance="pro", text="Sneaky.")
    assert Claim.objects.count() == 1


@pytest.mark.parametrize(
    ("text", "message"), [("", "empty"), ("   \n ", "empty"), ("x" * 501, "500 characters")]
)
def test_claim_text_must_be_present_and_short(cast, thesis, text, message):
    with pytest.raises(ValidationError, match=message):
        services.claim_add(actor=cast.writer, parent=thesis, stance="pro", text=text)
    assert Claim.objects.count() == 1


def test_a_stance_is_pro_or_con(cast, thesis):
    with pytest.raises(ValidationError):
        services.claim_add(actor=cast.writer, parent=thesis, stance="maybe", text="Hm.")


def test_no_claim_can_be_added_under_a_hidden_or_pending_one(cast, thesis, pro):
    services.claim_hide(actor=cast.moderator, claim=pro)
    with pytest.raises(ValidationError, match="published"):
        services.claim_add(actor=cast.writer, parent=pro, stance="con", text="Under hidden.")
    pending = services.claim_add(actor=cast.suggester, parent=thesis, stance="pro", text="Wait.")
    with pytest.raises(ValidationError):
        services.claim_add(actor=cast.writer, parent=pending, stance="con", text="Under pending.")


def test_a_double_submission_makes_no_duplicate(cast, thesis):
    first = services.claim_add(actor=cast.writer, parent=thesis, stance="pro", text="Same words.")
    again = services.claim_add(actor=cast.writer, parent=thesis, stance="pro", text="same words.")
    assert again.pk == first.pk
    with pytest.raises(ValidationError, match="already stands"):
        services.claim_add(actor=cast.editor, parent=thesis, stance="pro", text="Same words.")
    assert thesis.child_relations.count() == 1


def test_a_locked_debate_takes_no_new_claims(cast, debate, thesis):
    debate.status = Debate.Status.LOCKED
    debate.save()
    with pytest.raises(PermissionDenied):
        services.claim_add(actor=cast.owner, parent=thesis, stance="pro", text="Late.")


def test_writers_edit_their_own_claims_only(cast, pro):
    services.claim_edit(actor=cast.writer, claim=pro, text="Open weights spread access widely.")
    assert pro.text == "Open weights spread access widely."
    with pytest.raises(PermissionDenied):
        services.claim_edit(actor=cast.suggester, claim=pro, text="Vandalised.")
    services.claim_edit(actor=cast.editor, claim=pro, text="An editor's wording.")
    pro.refresh_from_db()
    assert pro.text == "An editor's wording."


def test_every_write_bumps_the_debate_version(cast, debate, thesis):
    before = debate.structure_version
    services.claim_add(actor=cast.writer, parent=thesis, stance="pro", text="A change.")
    debate.refresh_from_db()
    assert debate.structure_version > before


# ---------------------------------------------------------------- links and moves


def test_a_claim_can_be_linked_elsewhere_in_its_debate(cast, pro, con):
    relation = services.claim_link(actor=cast.writer, claim=pro, parent=con, stance="con")
    assert relation.is_link
    assert pro.parent_relations.filter(is_link=False).count() == 1


def test_a_link_to_another_debate_is_refused(cast, pro):
    elsewhere = ThesisFactory(debate=DebateFactory(owner=cast.writer))
    with pytest.raises(ValidationError, match="same debate"):
        services.claim_link(actor=cast.writer, claim=pro, parent=elsewhere, stance="pro")


def test_a_claim_cannot_be_linked_to_itself_or_twice(cast, thesis, pro):
    with pytest.raises(ValidationError):
        services.claim_link(actor=cast.writer, claim=pro, parent=pro, stance="pro")
    with pytest.raises(ValidationError, match="already"):
        services.claim_link(actor=cast.writer, claim=pro, parent=thesis, stance="pro")


def test_suggesters_cannot_link(cast, pro, con):
    with pytest.raises(PermissionDenied):
        services.claim_link(actor=cast.suggester, claim=pro, parent=con, stance="pro")


def test_a_move_carries_the_branch(cast, thesis, pro, con):
    child = services.claim_add(actor=cast.writer, parent=pro, stance="con", text="Not so fast.")
    services.claim_move(actor=cast.editor, claim=pro, parent=con, stance="con")
    original = pro.parent_relations.get(is_link=False)
    assert (original.parent, original.stance) == (con, Stance.CON)
    assert child.parent_relations.get().parent == pro


def test_a_move_under_its_own_descendant_is_refused(cast, pro):
    child = services.claim_add(actor=cast.writer, parent=pro, stance="con", text="Deeper.")
    grandchild = services.claim_add(actor=cast.writer, parent=child, stance="pro", text="Deepest.")
    for target in (pro, child, grandchild):
        with pytest.raises(ValidationError, match="under itself"):
            services.claim_move(actor=cast.editor, claim=pro, parent=target)
    assert pro.parent_relations.get().parent.is_thesis


def test_a_thesis_cannot_be_moved_and_writers_cannot_move(cast, thesis, pro, con):
    with pytest.raises(ValidationError, match="thesis"):
        services.claim_move(actor=cast.editor, claim=thesis, parent=pro)
    with pytest.raises(PermissionDenied):
        services.claim_move(actor=cast.writer, claim=pro, parent=con)


# ---------------------------------------------------------------- hide and restore


def test_moderators_hide_and_restore(cast, pro):
    services.claim_hide(actor=cast.moderator, claim=pro)
    assert pro.status == Claim.Status.HIDDEN
    services.claim_restore(actor=cast.moderator, claim=pro)
    assert pro.status == Claim.Status.PUBLISHED


@pytest.mark.parametrize("persona", ["editor", "writer", "viewer", "stranger", "anonymous"])
def test_others_cannot_hide(cast, pro, persona):
    with pytest.raises(PermissionDenied):
        services.claim_hide(actor=cast[persona], claim=pro)


def test_the_only_thesis_cannot_be_hidden(cast, thesis):
    with pytest.raises(ValidationError, match="only thesis"):
        services.claim_hide(actor=cast.moderator, claim=thesis)


# ---------------------------------------------------------------- sources


def test_a_source_is_shared_by_url_and_found_by_title(cast, pro, con):
    first = services.source_cite(
        actor=cast.writer,
        claim=pro,
        url="HTTPS://Example.org/report#section",
        title="The report",
        quote="Access widens.",
    )
    second = services.source_cite(actor=cast.writer, claim=con, url="https://example.org/report")
    third = services.source_cite(
        actor=cast.writer, claim=con, url="", title="the report", locator="p. 4"
    )
    assert first.source == second.source == third.source
    assert Source.objects.get().url == "https://example.org/report"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org/x", "not a url"])
def test_a_source_must_be_a_web_address(cast, pro, url):
    with pytest.raises(ValidationError, match="http"):
        services.source_cite(actor=cast.writer, claim=pro, url=url, title="Bad")
    assert not Source.objects.exists()


def test_viewers_cannot_cite(cast, pro):
    with pytest.raises(PermissionDenied):
        services.source_cite(actor=cast.viewer, claim=pro, url="https://example.org/")


# ---------------------------------------------------------------- votes


def test_votes_cast_change_and_withdraw_keep_the_tally(cast, pro):
    relation = pro.parent_relations.get()
    services.vote_cast(user=cast.viewer, point=relation, value=3)
    services.vote_cast(user=cast.writer, point=relation, value=3)
    assert tally(relation) == [0, 0, 0, 2, 0]
    services.vote_cast(user=cast.viewer, point=relation, value=1)
    assert tally(relation) == [0, 1, 0, 1, 0]
    services.vote_cast(user=cast.viewer, point=relation, value=1)  # the same vote again
    assert tally(relation) == [0, 1, 0, 1, 0]
    services.vote_withdraw(user=cast.viewer, point=relation)
    assert tally(relation) == [0, 0, 0, 1, 0]
    assert relation.votes.count() == 1


def test_a_thesis_is_voted_on_itself(cast, thesis):
    services.vote_cast(user=cast.viewer, point=thesis, value=4)
    assert tally(thesis) == [0, 0, 0, 0, 1]


def test_a_claim_that_is_not_a_thesis_is_voted_through_its_relation(cast, pro):
    with pytest.raises(ValidationError):
        services.vote_cast(user=cast.viewer, point=pro, value=2)


@pytest.mark.parametrize("value", [-1, 5, "3", True, 2.5])
def test_a_vote_is_a_whole_number_from_0_to_4(cast, pro, value):
    relation = pro.parent_relations.get()
    with pytest.raises(ValidationError):
        services.vote_cast(user=cast.viewer, point=relation, value=value)
    assert tally(relation) == [0] * 5


def test_no_votes_on_hidden_claims_in_locked_debates_or_by_visitors(cast, debate, pro, con):
    services.claim_hide(actor=cast.moderator, claim=pro)
    with pytest.raises(ValidationError):
        services.vote_cast(user=cast.viewer, point=pro.parent_relations.get(), value=2)
    with pytest.raises(PermissionDenied):
        services.vote_cast(user=cast.anonymous, point=con.parent_relations.get(), value=2)
    debate.status = Debate.Status.LOCKED
    debate.save()
    con.debate.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.vote_cast(user=cast.viewer, point=con.parent_relations.get(), value=2)


def test_recount_fixes_a_drifted_tally(cast, pro):
    relation = pro.parent_relations.get()
    services.vote_cast(user=cast.viewer, point=relation, value=2)
    Relation.objects.filter(pk=relation.pk).update(votes_2=7, votes_0=1)
    checked, fixed = services.votes_recount()
    assert fixed == 1
    assert checked >= 2
    assert tally(relation) == [0, 0, 1, 0, 0]
    assert services.votes_recount()[1] == 0


# ---------------------------------------------------------------- annotations


def test_an_annotation_anchors_a_span_and_survives_an_edit(cast, pro):
    text = pro.text  # "Open weights spread access."
    start = text.index("spread")
    note = services.annotation_add(
        actor=cast.viewer, claim=pro, body="Does it?", start=start, end=start + len("spread")
    )
    assert (note.exact, note.prefix) == ("spread", "Open weights ")
    services.claim_edit(actor=cast.writer, claim=pro, text="Truly open weights spread access.")
    note.refresh_from_db()
    assert not note.is_orphaned
    assert pro.text[note.start : note.end] == "spread"
    services.claim_edit(actor=cast.writer, claim=pro, text="Open weights widen access.")
    note.refresh_from_db()
    assert note.is_orphaned
    assert note.body == "Does it?"


def test_an_annotation_can_quote_words_without_offsets(cast, pro):
    note = services.annotation_add(actor=cast.viewer, claim=pro, body="Which?", exact="access")
    assert pro.text[note.start : note.end] == "access"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"body": "", "start": None, "end": None}, "Write something"),
        ({"body": "x", "start": 3, "end": 999}, "outside"),
        ({"body": "x", "start": 5, "end": 2}, "outside"),
        ({"body": "x", "exact": "absent words"}, "do not appear"),
        ({"body": "x" * 5001}, "5000"),
    ],
)
def test_bad_annotations_are_refused(cast, pro, kwargs, message):
    with pytest.raises(ValidationError, match=message):
        services.annotation_add(actor=cast.viewer, claim=pro, **kwargs)
    assert not Annotation.objects.exists()


def test_only_the_author_edits_or_deletes_an_annotation(cast, pro):
    note = services.annotation_add(actor=cast.viewer, claim=pro, body="Mine.")
    with pytest.raises(PermissionDenied):
        services.annotation_edit(actor=cast.writer, annotation=note, body="Theirs.")
    with pytest.raises(PermissionDenied):
        services.annotation_delete(actor=cast.moderator, annotation=note)
    services.annotation_delete(actor=cast.viewer, annotation=note)
    note.refresh_from_db()
    assert note.status == Annotation.Status.DELETED  # soft: still there


def test_replies_thread_under_an_annotation(cast, pro):
    note = services.annotation_add(actor=cast.viewer, claim=pro, body="Question.")
    reply = services.annotation_add(actor=cast.writer, claim=pro, body="Answer.", parent=note)
    assert list(note.replies.all()) == [reply]


# ---------------------------------------------------------------- flags


def test_a_fallacy_flag_names_its_fallacy_and_is_open_once(cast, pro):
    with pytest.raises(ValidationError, match="fallacy"):
        services.flag_raise(actor=cast.viewer, claim=pro, reason="fallacy")
    flag = services.flag_raise(actor=cast.viewer, claim=pro, reason="fallacy", fallacy="straw_man")
    assert flag.status == Flag.Status.OPEN
    with pytest.raises(ValidationError, match="already flagged"):
        services.flag_raise(actor=cast.viewer, claim=pro, reason="spam")


def test_flags_are_rate_limited(cast, debate, thesis):
    claims = [
        services.claim_add(actor=cast.writer, parent=thesis, stance="pro", text=f"Claim {i}.")
        for i in range(services.FLAGS_PER_HOUR + 1)
    ]
    for claim in claims[:-1]:
        services.flag_raise(actor=cast.viewer, claim=claim, reason="unclear")
    with pytest.raises(services.RateLimited, match="please wait 60 minutes") as limited:
        services.flag_raise(actor=cast.viewer, claim=claims[-1], reason="unclear")
    assert 3590 <= limited.value.retry_after <= 3600


def test_upholding_a_flag_can_hide_the_claim_and_the_author_may_ask_once_for_review(cast, pro):
    flag = services.flag_raise(actor=cast.viewer, claim=pro, reason="off_topic")
    with pytest.raises(PermissionDenied):
        services.flag_resolve(actor=cast.writer, flag=flag, uphold=True)
    services.flag_resolve(
        actor=cast.moderator, flag=flag, uphold=True, note="Off-topic.", hide=True
    )
    pro.refresh_from_db()
    assert pro.status == Claim.Status.HIDDEN
    with pytest.raises(PermissionDenied):
        services.flag_request_review(actor=cast.viewer, flag=flag)
    services.flag_request_review(actor=cast.writer, flag=flag)
    assert flag.status == Flag.Status.OPEN
    services.flag_resolve(actor=cast.moderator, flag=flag, uphold=True, note="Still off-topic.")
    with pytest.raises(ValidationError, match="already asked"):
        services.flag_request_review(actor=cast.writer, flag=flag)


# ---------------------------------------------------------------- memberships


def test_the_owner_appoints_moderators_and_moderators_invite_writers(cast, debate):
    newcomer = UserFactory()
    services.membership_grant(actor=cast.owner, debate=debate, user=newcomer, role="moderator")
    other = UserFactory()
    with pytest.raises(PermissionDenied):
        services.membership_grant(actor=cast.moderator, debate=debate, user=other, role="moderator")
    services.membership_grant(actor=cast.moderator, debate=debate, user=other, role="writer")
    assert debate.memberships.get(user=other).role == Role.WRITER


@pytest.mark.parametrize("persona", ["editor", "writer", "viewer", "stranger"])
def test_others_cannot_grant_roles(cast, debate, persona):
    with pytest.raises(PermissionDenied):
        services.membership_grant(
            actor=cast[persona], debate=debate, user=UserFactory(), role="writer"
        )


def test_nobody_becomes_a_second_owner(cast, debate):
    with pytest.raises(ValidationError):
        services.membership_grant(actor=cast.owner, debate=debate, user=cast.writer, role="owner")
