"""The moderation console, through the real admin as a staff member."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.messages import get_messages
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from arguments import services
from arguments.models import Annotation, Claim, Debate, Flag, Merge, Relation, Stance, Vote
from tests.factories import UserFactory
from tests.pages import read

pytestmark = pytest.mark.django_db

CLAIMS = reverse("admin:arguments_claim_changelist")


@pytest.fixture
def staff_client(client, cast):
    client.force_login(cast.staff)
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def act(client, url: str, action: str, objects, **data):
    payload = {"action": action, "_selected_action": [o.pk for o in objects], **data}
    return client.post(url, payload, follow=True)


def place(claim: Claim) -> Relation:
    return Relation.objects.get(child=claim, is_link=False)


def vote(user, point, value: int, *, minutes_ago: int = 0) -> None:
    cast_vote = services.vote_cast(user=user, point=point, value=value)
    when = timezone.now() - timedelta(minutes=minutes_ago)
    Vote.objects.filter(pk=cast_vote.pk).update(updated_at=when)


def claim_form(text: str) -> dict[str, str]:
    """The admin's claim change form as posted: the text, and no citation rows."""
    return {
        "text": text,
        "elaboration": "",
        "citations-TOTAL_FORMS": "0",
        "citations-INITIAL_FORMS": "0",
        "citations-MIN_NUM_FORMS": "0",
        "citations-MAX_NUM_FORMS": "1000",
    }


def last_log(obj) -> LogEntry:
    return LogEntry.objects.filter(object_id=str(obj.pk)).latest("action_time")


# -- the changelist --------------------------------------------------------------------------


def test_claim_changelist_filters_the_queues(staff_client, cast, debate, thesis, pro, con):
    pending = services.claim_add(
        actor=cast.suggester, parent=thesis, stance=Stance.PRO, text="A suggestion waits."
    )
    services.flag_raise(actor=cast.viewer, claim=con, reason=Flag.Reason.UNCLEAR)

    queue = staff_client.get(CLAIMS, {"queue": "pending"})
    assert queue.status_code == 200
    assert list(queue.context["cl"].result_list) == [pending]
    flagged = staff_client.get(CLAIMS, {"flagged": "open"})
    assert list(flagged.context["cl"].result_list) == [con]
    by_author = staff_client.get(CLAIMS, {"author__id__exact": cast.suggester.pk})
    assert list(by_author.context["cl"].result_list) == [pending]
    found = staff_client.get(CLAIMS, {"q": "recalled"})
    assert list(found.context["cl"].result_list) == [con]


def test_claim_page_shows_its_path_children_and_flags_read_only(staff_client, cast, thesis, pro):
    child = services.claim_add(
        actor=cast.writer, parent=pro, stance=Stance.CON, text="Access without skill is moot."
    )
    services.flag_raise(
        actor=cast.viewer, claim=pro, reason=Flag.Reason.FALLACY, fallacy=Flag.Fallacy.STRAW_MAN
    )

    page = staff_client.get(reverse("admin:arguments_claim_change", args=[pro.pk]))

    body = page.content.decode()
    assert page.status_code == 200
    assert thesis.text in body, "the path from the thesis"
    assert child.text in body, "its pros and cons"
    assert "Straw man" in body
    assert 'name="status"' not in body, "status changes only through the actions"


def test_editing_a_claim_in_the_admin_goes_through_the_service(staff_client, cast, pro):
    Annotation.objects.create(
        claim=pro, author=cast.viewer, body="Which access?", exact="access", start=20, end=26
    )
    url = reverse("admin:arguments_claim_change", args=[pro.pk])

    response = staff_client.post(url, claim_form("  Open weights   spread access to many.  "))

    assert response.status_code == 302
    pro.refresh_from_db()
    assert pro.text == "Open weights spread access to many."
    assert pro.history.latest().history_user == cast.staff
    note = Annotation.objects.get()
    assert pro.text[note.start : note.end] == "access"


@pytest.mark.parametrize("state", ["hidden claim", "locked debate"])
def test_the_admin_refuses_an_edit_with_the_permissions_reason(staff_client, cast, pro, state):
    """The admin's claim form asks `refusal()`, the one rule the site and services use: what
    the service would refuse is refused on the form, with the same reason, and nothing saved."""
    if state == "hidden claim":
        services.claim_hide(actor=cast.moderator, claim=pro)
        reason = "A hidden claim cannot be edited"
    else:
        services.debate_lock(actor=cast.owner, debate=pro.debate, status=Debate.Status.LOCKED)
        reason = "This debate is locked (read-only for now)."
    url = reverse("admin:arguments_claim_change", args=[pro.pk])

    response = staff_client.post(url, claim_form("A reworded claim."))

    assert response.status_code == 200
    assert reason in response.content.decode()
    pro.refresh_from_db()
    assert pro.text == "Open weights spread access."


def as_posted(row, **changes: object) -> dict[str, object]:
    """A row's admin change form as a browser posts it, with `changes`."""
    data = model_to_dict(row) | changes
    return {
        name: "on" if value is True else "" if value is None else value
        for name, value in data.items()
        if value is not False
    }


def test_a_source_changed_in_the_admin_shows_at_once_wherever_it_is_cited(
    staff_client, cast, debate, pro
):
    url = "https://example.org/report"
    source = services.source_cite(actor=cast.writer, claim=pro, url=url, title="A report").source
    visitor = Client()
    assert "A report" in visitor.get(debate.get_absolute_url()).text  # held, and kept whole
    change = reverse("admin:arguments_source_change", args=[source.pk])

    assert staff_client.post(change, as_posted(source, title="Retitled")).status_code == 302

    page = visitor.get(debate.get_absolute_url()).text
    assert "Retitled" in page and "A report" not in page
    first = source.history.earliest().history_id
    revert = reverse("admin:arguments_source_simple_history", args=[source.pk, first])
    assert staff_client.post(revert, {"reason": "the first title was right"}).status_code == 302
    page = visitor.get(debate.get_absolute_url()).text
    assert "A report" in page and "Retitled" not in page


def test_a_note_changed_in_the_admin_shows_at_once(staff_client, cast, debate, pro):
    note = services.annotation_add(actor=cast.writer, claim=pro, body="A first thought.")
    visitor = Client()
    assert "A first thought." in visitor.get(debate.get_absolute_url()).text
    change = reverse("admin:arguments_annotation_change", args=[note.pk])

    response = staff_client.post(change, as_posted(note, body="A second thought."))

    assert response.status_code == 302
    assert "A second thought." in visitor.get(debate.get_absolute_url()).text
    assert note.history.latest().history_user == cast.staff


def test_an_account_renamed_or_deleted_leaves_no_old_name_on_a_debate(
    staff_client, cast, debate, pro
):
    visitor = Client()
    assert "by wren" in visitor.get(debate.get_absolute_url()).text  # held, and kept whole
    change = reverse("admin:auth_user_change", args=[cast.writer.pk])
    (form,) = [f for f in read(staff_client.get(change).text).forms if f.method == "post"]

    assert staff_client.post(change, form.posted(username="wren-renamed")).status_code == 302

    page = visitor.get(debate.get_absolute_url()).text
    assert "by wren-renamed" in page and "by wren<" not in page
    cast.writer.delete()  # as the admin's delete does, through the same signal
    assert "by wren" not in visitor.get(debate.get_absolute_url()).text


def test_nothing_can_be_deleted_in_the_admin(staff_client, pro):
    response = staff_client.get(reverse("admin:arguments_claim_delete", args=[pro.pk]))
    assert response.status_code == 403


# -- actions ---------------------------------------------------------------------------------


def test_approve_action_publishes_a_suggestion_and_logs_why(staff_client, cast, thesis):
    pending = services.claim_add(
        actor=cast.suggester, parent=thesis, stance=Stance.PRO, text="A suggestion waits."
    )

    response = act(staff_client, CLAIMS, "approve_claims", [pending], reason="well sourced")

    pending.refresh_from_db()
    assert pending.status == Claim.Status.PUBLISHED
    log = last_log(pending)
    assert log.user == cast.staff
    assert "Approved" in log.get_change_message() and "well sourced" in log.get_change_message()
    assert "Approved: 1 claim." in messages_of(response)


def test_an_actions_message_speaks_the_staff_members_language(staff_client, cast, thesis):
    """The count in a whole sentence with its plural, in the admin's language (French from
    the switcher's cookie); the history line stays English (`_log`)."""
    pending = [
        services.claim_add(actor=cast.suggester, parent=thesis, stance=Stance.PRO, text=text)
        for text in ("One waits.", "Two wait.")
    ]
    staff_client.cookies["django_language"] = "fr"
    response = act(staff_client, CLAIMS, "approve_claims", pending)
    [told] = messages_of(response)
    assert "2 affirmations" in told and "Approved" not in told
    assert last_log(pending[0]).get_change_message() == "Approved."


def test_hide_and_restore_actions(staff_client, cast, pro):
    act(staff_client, CLAIMS, "hide_claims", [pro], reason="abusive")
    pro.refresh_from_db()
    assert pro.status == Claim.Status.HIDDEN
    assert "abusive" in last_log(pro).get_change_message()

    act(staff_client, CLAIMS, "restore_claims", [pro], reason="on appeal")
    pro.refresh_from_db()
    assert pro.status == Claim.Status.PUBLISHED


def test_a_refused_action_says_why(staff_client, thesis):
    response = act(staff_client, CLAIMS, "hide_claims", [thesis])
    assert any("only thesis cannot be hidden" in m for m in messages_of(response))
    thesis.refresh_from_db()
    assert thesis.status == Claim.Status.PUBLISHED


@pytest.fixture
def duplicates(cast, debate, thesis, pro):
    """`pro` and its duplicate, each with votes (one voter on both) and an annotation."""
    duplicate = services.claim_add(
        actor=cast.editor, parent=thesis, stance=Stance.PRO, text="Open weights widen access."
    )
    both, only = UserFactory(username="both"), UserFactory(username="only")
    vote(both, place(pro), 1, minutes_ago=60)
    vote(both, place(duplicate), 4, minutes_ago=1)
    vote(only, place(duplicate), 3)
    vote(cast.viewer, place(pro), 2)
    Annotation.objects.create(claim=pro, author=cast.viewer, body="On the survivor.")
    Annotation.objects.create(claim=duplicate, author=cast.writer, body="On the duplicate.")
    child = services.claim_add(
        actor=cast.writer, parent=duplicate, stance=Stance.CON, text="Access needs compute."
    )
    return {"into": pro, "duplicate": duplicate, "both": both, "only": only, "child": child}


def test_merge_action_asks_for_the_surviving_claim_then_merges(staff_client, cast, duplicates):
    into, duplicate = duplicates["into"], duplicates["duplicate"]

    page = staff_client.post(CLAIMS, {"action": "merge_claims", "_selected_action": [duplicate.pk]})
    assert page.status_code == 200
    assert "Merge into claim" in page.content.decode()
    assert duplicate.text in page.content.decode()

    response = act(
        staff_client,
        CLAIMS,
        "merge_claims",
        [duplicate],
        apply="Merge duplicates",
        into=into.pk,
        reason="same point",
    )

    assert any("Merged 1 claim into" in m for m in messages_of(response))
    duplicate.refresh_from_db()
    assert duplicate.merged_into == into and duplicate.status == Claim.Status.HIDDEN
    votes = dict(Vote.objects.filter(relation=place(into)).values_list("user__username", "value"))
    assert votes == {"both": 4, "only": 3, cast.viewer.username: 2}
    assert Annotation.objects.filter(claim=into).count() == 2
    assert place(duplicates["child"]).parent == into
    assert services.votes_recount()[1] == 0
    assert "same point" in last_log(duplicate).get_change_message()
    assert "Absorbed duplicate" in last_log(into).get_change_message()


def test_merge_page_with_a_missing_target_shows_the_error(staff_client, duplicates):
    response = staff_client.post(
        CLAIMS,
        {
            "action": "merge_claims",
            "_selected_action": [duplicates["duplicate"].pk],
            "apply": "Merge duplicates",
            "into": "999999",
        },
    )
    assert response.status_code == 422
    assert not Merge.objects.exists()


def test_merge_refusal_is_an_admin_message(staff_client, duplicates):
    response = act(
        staff_client,
        CLAIMS,
        "merge_claims",
        [duplicates["duplicate"]],
        apply="Merge duplicates",
        into=duplicates["child"].pk,
    )
    assert any("its own pros and cons" in m for m in messages_of(response))
    assert not Merge.objects.exists()


def test_reverting_the_merged_claim_in_its_history_undoes_the_merge(staff_client, cast, duplicates):
    into, duplicate = duplicates["into"], duplicates["duplicate"]
    before = duplicate.history.latest().history_id
    act(staff_client, CLAIMS, "merge_claims", [duplicate], apply="Merge", into=into.pk)
    history = staff_client.get(reverse("admin:arguments_claim_history", args=[duplicate.pk]))
    assert "merge #" in history.content.decode(), "the history names the merge"

    revert_url = reverse("admin:arguments_claim_simple_history", args=[duplicate.pk, before])
    assert staff_client.get(revert_url).status_code == 200
    response = staff_client.post(revert_url, {"text": "ignored", "reason": "not the same"})

    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.merged_into is None and duplicate.status == Claim.Status.PUBLISHED
    assert place(duplicates["child"]).parent == duplicate
    assert dict(
        Vote.objects.filter(relation=place(duplicate)).values_list("user__username", "value")
    ) == {"both": 4, "only": 3}
    assert Annotation.objects.filter(claim=duplicate).count() == 1
    assert services.votes_recount()[1] == 0
    assert Merge.objects.get().reverted_by == cast.staff


def test_undo_merge_action_and_merge_admin_revert(staff_client, cast, duplicates):
    into, duplicate = duplicates["into"], duplicates["duplicate"]
    services.claim_merge(actor=cast.moderator, duplicate=duplicate, into=into)
    act(staff_client, CLAIMS, "unmerge_claims", [duplicate], reason="wrong call")
    duplicate.refresh_from_db()
    assert duplicate.merged_into is None

    services.claim_merge(actor=cast.moderator, duplicate=duplicate, into=into)
    merge = Merge.objects.filter(reverted_at__isnull=True).get()
    act(staff_client, reverse("admin:arguments_merge_changelist"), "revert_merges", [merge])
    merge.refresh_from_db()
    assert merge.reverted_at is not None
    assert services.votes_recount()[1] == 0


def test_move_action_moves_a_branch(staff_client, thesis, pro, con):
    response = act(
        staff_client, CLAIMS, "move_claims", [con], apply="Move", parent=pro.pk, stance="con"
    )
    assert any("Moved 1 claim under" in m for m in messages_of(response))
    assert place(con).parent == pro


def test_move_under_its_own_descendant_is_refused_with_a_message(staff_client, cast, pro):
    child = services.claim_add(
        actor=cast.writer, parent=pro, stance=Stance.PRO, text="Small labs benefit."
    )

    response = act(staff_client, CLAIMS, "move_claims", [pro], apply="Move", parent=child.pk)

    assert any(
        "was not moved" in m and "under one of its own pros and cons" in m
        for m in messages_of(response)
    )
    assert place(child).parent == pro and place(pro).parent.is_thesis


def test_lock_and_close_debate_actions(staff_client, cast, debate):
    debates = reverse("admin:arguments_debate_changelist")
    act(staff_client, debates, "lock_debates", [debate], reason="heated")
    debate.refresh_from_db()
    assert debate.status == Debate.Status.LOCKED
    assert "heated" in last_log(debate).get_change_message()

    asked = staff_client.post(
        debates, {"action": "close_debates", "_selected_action": [debate.pk], "apply": "Close"}
    )
    assert asked.status_code == 422, "closing without a conclusion asks for one"
    act(
        staff_client,
        debates,
        "close_debates",
        [debate],
        apply="Close",
        conclusion="Staged release wins.",
    )
    debate.refresh_from_db()
    assert debate.status == Debate.Status.CLOSED and debate.conclusion == "Staged release wins."

    act(staff_client, debates, "reopen_debates", [debate])
    debate.refresh_from_db()
    assert debate.status == Debate.Status.OPEN


def test_debate_page_has_the_memberships_inline(staff_client, debate, cast):
    page = staff_client.get(reverse("admin:arguments_debate_change", args=[debate.pk]))
    assert page.status_code == 200
    assert "members and their roles" in page.content.decode().lower()
    assert cast.suggester.username in page.content.decode()


# -- flags -----------------------------------------------------------------------------------


def test_flag_queue_uphold_with_hide_and_note(staff_client, cast, pro):
    flag = services.flag_raise(
        actor=cast.viewer, claim=pro, reason=Flag.Reason.FALLACY, fallacy=Flag.Fallacy.STRAW_MAN
    )
    flags = reverse("admin:arguments_flag_changelist")
    queue = staff_client.get(flags, {"status__exact": "open"})
    assert list(queue.context["cl"].result_list) == [flag]

    act(staff_client, flags, "uphold_and_hide", [flag], reason="Misstates the other side.")

    flag.refresh_from_db()
    pro.refresh_from_db()
    assert flag.status == Flag.Status.UPHELD
    assert flag.resolution_note == "Misstates the other side."
    assert flag.handled_by == cast.staff
    assert pro.status == Claim.Status.HIDDEN
    assert "Upheld and hid" in last_log(flag).get_change_message()


def test_flag_dismiss_and_already_handled(staff_client, cast, pro):
    flag = services.flag_raise(actor=cast.viewer, claim=pro, reason=Flag.Reason.SPAM)
    flags = reverse("admin:arguments_flag_changelist")
    act(staff_client, flags, "dismiss_flags", [flag], reason="Not spam.")
    flag.refresh_from_db()
    assert flag.status == Flag.Status.DISMISSED

    again = act(staff_client, flags, "uphold_flags", [flag])
    assert any("already been handled" in m for m in messages_of(again))


def test_flag_page_explains_the_fallacy(staff_client, cast, pro):
    flag = services.flag_raise(
        actor=cast.viewer, claim=pro, reason=Flag.Reason.FALLACY, fallacy=Flag.Fallacy.RED_HERRING
    )
    page = staff_client.get(reverse("admin:arguments_flag_change", args=[flag.pk]))
    assert Flag.FALLACY_EXPLANATIONS[Flag.Fallacy.RED_HERRING] in page.content.decode()
