"""Following, notifications for each kind of event (and for whom not), the bell, the page,
and e-mail digests sent once."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from arguments import services
from arguments.live import digests, notifications
from arguments.models import (
    Annotation,
    Claim,
    Debate,
    Flag,
    Follow,
    Notification,
    NotificationSettings,
    Role,
    Stance,
)
from tests.factories import MembershipFactory

Kind = Notification.Kind


def notices(user, kind: str | None = None) -> list[Notification]:
    found = Notification.objects.filter(recipient=user)
    return list(found.filter(kind=kind) if kind else found)


def test_a_new_con_under_my_claim_tells_me_and_my_claims_followers(now, cast, thesis) -> None:
    with now():
        mine = services.claim_add(actor=cast.writer, parent=thesis, stance="pro", text="Mine.")
    assert Follow.objects.filter(user=cast.writer, claim=mine).exists()  # writing follows it
    services.follow_set(user=cast.viewer, debate=thesis.debate, claim=mine, on=True)
    with now():
        services.claim_add(actor=cast.editor, parent=mine, stance=Stance.CON, text="Not so.")
    [told] = notices(cast.writer, Kind.RESPONSE)
    assert told.stance == "con" and "eddie added a con under “Mine.”" in told.text
    assert told.claim == mine
    assert len(notices(cast.viewer, Kind.RESPONSE)) == 1
    assert notices(cast.editor) == []  # never of one's own act


def test_a_debates_owner_hears_of_answers_to_the_thesis(now, cast) -> None:
    with now():
        debate = services.debate_create(owner=cast.owner, title="Open?", thesis="Open it.")
    thesis = debate.claims.get()
    MembershipFactory(debate=debate, user=cast.writer, role=Role.WRITER)
    with now():
        services.claim_add(actor=cast.writer, parent=thesis, stance="con", text="No.")
    [told] = notices(cast.owner, Kind.RESPONSE)
    assert "added a con under “Open it.”" in told.text


def test_following_a_debate_hears_of_every_new_claim(now, cast, debate, thesis) -> None:
    services.follow_set(user=cast.viewer, debate=debate, claim=None, on=True)
    with now():
        services.claim_add(actor=cast.writer, parent=thesis, stance="con", text="A con.")
    assert len(notices(cast.viewer, Kind.RESPONSE)) == 1
    services.follow_set(user=cast.viewer, debate=debate, claim=None, on=False)
    with now():
        services.claim_add(actor=cast.writer, parent=thesis, stance="con", text="Another.")
    assert len(notices(cast.viewer, Kind.RESPONSE)) == 1


def test_a_pending_claim_reaches_only_those_who_may_see_it(now, cast, debate, thesis) -> None:
    debate.requires_approval = True
    debate.save()
    services.follow_set(user=cast.viewer, debate=debate, claim=None, on=True)
    services.follow_set(user=cast.moderator, debate=debate, claim=None, on=True)
    with now():
        pending = services.claim_add(actor=cast.suggester, parent=thesis, stance="pro", text="S.")
    assert pending.status == "pending"
    assert notices(cast.viewer) == []
    assert len(notices(cast.moderator, Kind.RESPONSE)) == 1
    with now():
        services.claim_approve(actor=cast.moderator, claim=pending)
    [approved] = notices(cast.suggester, Kind.SUGGESTION)
    assert "approved your suggestion" in approved.text
    assert len(notices(cast.viewer, Kind.RESPONSE)) == 1  # now they may see it


def test_a_declined_suggestion_is_told_to_its_author(now, cast, debate, thesis) -> None:
    debate.requires_approval = True
    debate.save()
    pending = services.claim_add(actor=cast.suggester, parent=thesis, stance="pro", text="S.")
    with now():
        services.claim_hide(actor=cast.moderator, claim=pending)
    [declined] = notices(cast.suggester, Kind.SUGGESTION)
    assert "declined your suggestion" in declined.text


def test_a_private_debates_news_never_reaches_outsiders(now, cast, debate, thesis) -> None:
    services.follow_set(user=cast.stranger, debate=debate, claim=None, on=True)
    debate.visibility = Debate.Visibility.PRIVATE
    debate.save()
    with now():
        services.claim_add(
            actor=cast.writer, parent=thesis, stance="con", text="Secret @stan and @vic."
        )
    assert notices(cast.stranger) == []  # a follower, mentioned, but no longer a reader
    assert len(notices(cast.viewer, Kind.MENTION)) == 1
    with pytest.raises(Exception, match="cannot follow"):
        services.follow_set(user=cast.stranger, debate=debate, claim=None, on=True)


def test_mentions_in_claims_and_notes(now, cast, thesis, pro) -> None:
    with now():
        services.claim_add(actor=cast.writer, parent=pro, stance="pro", text="As @vic said.")
        services.annotation_add(actor=cast.editor, claim=pro, body="Ask @mo about it.")
    [in_claim] = notices(cast.viewer, Kind.MENTION)
    assert in_claim.text.startswith("wren mentioned you")
    [in_note] = notices(cast.moderator, Kind.MENTION)
    assert "in a note on" in in_note.text
    with now():  # an e-mail address is no mention
        services.annotation_add(actor=cast.editor, claim=pro, body="Write to sue@vic.org.")
    assert len(notices(cast.viewer, Kind.MENTION)) == 1


def test_a_private_note_mentions_no_one_who_may_not_read_it(now, cast, pro) -> None:
    with now():
        services.annotation_add(
            actor=cast.editor,
            claim=pro,
            body="Only for me, @vic.",
            visibility=Annotation.Visibility.PRIVATE,
        )
    assert notices(cast.viewer) == []


def test_a_reply_to_my_note(now, cast, pro) -> None:
    note = services.annotation_add(actor=cast.viewer, claim=pro, body="Is this sourced?")
    with now():
        services.annotation_add(actor=cast.writer, claim=pro, body="Yes, see below.", parent=note)
    [reply] = notices(cast.viewer, Kind.REPLY)
    assert "wren replied to your note" in reply.text and "Yes, see below." in reply.text


def test_someone_elses_edit_of_my_claim(now, cast, pro) -> None:
    with now():
        services.claim_edit(actor=cast.writer, claim=pro, text="My own rewording.")
    assert notices(cast.writer) == []
    with now():
        services.claim_edit(actor=cast.editor, claim=pro, text="Open weights widen access.")
    [edit] = notices(cast.writer, Kind.EDIT)
    assert "eddie edited your claim" in edit.text


def test_moderation_of_my_claim_and_of_my_flag_carries_the_note(now, cast, pro) -> None:
    flag = services.flag_raise(actor=cast.viewer, reason=Flag.Reason.UNCLEAR, claim=pro)
    with now():
        services.flag_resolve(
            actor=cast.moderator, flag=flag, uphold=True, note="Please reword.", hide=True
        )
    [to_reporter] = notices(cast.viewer, Kind.MODERATION)
    assert "was upheld" in to_reporter.text and to_reporter.note == "Please reword."
    to_author = notices(cast.writer, Kind.MODERATION)
    assert {n.note for n in to_author} == {"Please reword.", ""}  # the flag, and the hiding
    assert any("hid your claim" in n.text for n in to_author)
    with now():
        services.claim_restore(actor=cast.moderator, claim=pro)
    assert any("restored your claim" in n.text for n in notices(cast.writer))


def test_a_pseudonymous_debate_names_actors_by_pseudonym(now, cast, debate, pro) -> None:
    debate.pseudonymous = True
    debate.save()
    with now():
        services.claim_edit(actor=cast.editor, claim=pro, text="Reworded by someone.")
    [edit] = notices(cast.writer, Kind.EDIT)
    assert "eddie" not in edit.text


# -- following and the notifications page, through the site ---------------------------------


def test_follow_and_unfollow_without_javascript(client, cast, debate, pro) -> None:
    client.force_login(cast.viewer)
    page = client.get(pro.get_absolute_url()).content.decode()
    # "this claim" is in a span a phone hides (the button reads "Follow" there).
    assert _words(page, "Follow this claim")
    url = reverse("arguments:claim_follow", args=[debate.slug, pro.pk])
    answer = client.post(url, {"follow": "1", "next": pro.get_absolute_url()})
    assert answer.status_code == 302
    assert _words(client.get(pro.get_absolute_url()).content.decode(), "Following this claim")
    fragment = client.post(url, {"follow": "0"}, headers={"HX-Request": "true"})
    assert _words(fragment.content.decode(), "Follow this claim")
    assert b"<html" not in fragment.content
    assert not Follow.objects.filter(user=cast.viewer).exists()
    client.post(reverse("arguments:debate_follow", args=[debate.slug]), {"follow": "1"})
    follow = Follow.objects.get(user=cast.viewer, claim=None)
    client.post(reverse("arguments:follow_drop", args=[follow.pk]))
    assert not Follow.objects.filter(user=cast.viewer).exists()


def test_visitors_are_asked_to_sign_in_and_cannot_follow(client, debate) -> None:
    assert "Log in to follow this debate" in client.get(debate.get_absolute_url()).content.decode()
    before = Follow.objects.count()  # the thesis's writer follows it
    answer = client.post(reverse("arguments:debate_follow", args=[debate.slug]), {"follow": "1"})
    assert answer.status_code == 403
    assert Follow.objects.count() == before


def test_the_page_groups_marks_read_and_the_bell_counts(now, client, cast, thesis, pro) -> None:
    # Its writer follows `pro` since writing it: not here, until the second batch.
    services.follow_set(user=cast.writer, debate=thesis.debate, claim=pro, on=False)
    with now():
        for n in range(5):
            services.claim_add(actor=cast.editor, parent=pro, stance="con", text=f"Con {n}.")
    client.force_login(cast.writer)
    services.follow_set(user=cast.writer, debate=thesis.debate, claim=pro, on=True)
    with now():
        for n in range(5):
            services.claim_add(actor=cast.editor, parent=pro, stance="con", text=f"More {n}.")
    bell = client.get(reverse("arguments:notifications_bell"), headers={"HX-Request": "true"})
    assert ">5<" in bell.content.decode().replace('<span class="visually-hidden">', "<")
    page = client.get(reverse("arguments:notifications")).content.decode()
    assert "5 new cons under “Open weights spread access.”" in page
    one = Notification.objects.filter(recipient=cast.writer).first()
    client.post(reverse("arguments:notifications_read"), {"id": [str(one.pk)]})
    assert Notification.objects.filter(recipient=cast.writer, read_at=None).count() == 4
    assert client.post(reverse("arguments:notifications_read"), {"id": "x"}).status_code == 400
    client.post(reverse("arguments:notifications_read"))
    assert not Notification.objects.filter(recipient=cast.writer, read_at=None).exists()
    assert client.get(reverse("arguments:notifications_bell")).content.count(b"bell-count") == 0


def test_the_notifications_page_is_for_the_signed_in(client) -> None:
    assert client.get(reverse("arguments:notifications")).status_code == 302
    bell = client.get(reverse("arguments:notifications_bell"))
    assert bell.status_code == 200 and b"bell-count" not in bell.content


# -- e-mail digests ---------------------------------------------------------------------------


@pytest.fixture
def waiting(now, cast, thesis, pro):
    """Two notices for the writer (who has an e-mail address) about their claim."""
    cast.writer.email = "wren@example.org"
    cast.writer.save()
    services.follow_set(user=cast.writer, debate=thesis.debate, claim=pro, on=True)
    with now():
        services.claim_add(actor=cast.editor, parent=pro, stance="con", text="One.")
        services.claim_add(actor=cast.editor, parent=pro, stance="pro", text="Two.")
    return cast.writer


def test_a_digest_carries_each_notification_once(waiting) -> None:
    assert digests.send_digests().notices == 2
    assert digests.send_digests().notices == 0  # run twice: nothing twice
    [message] = mail.outbox
    assert message.to == ["wren@example.org"] and "added a con" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/notifications/unsubscribe/" in message.extra_headers["List-Unsubscribe"]
    assert not Notification.objects.filter(recipient=waiting, emailed_at=None).exists()


def test_a_daily_digest_waits_a_day_and_off_sends_nothing(now, waiting, cast, pro) -> None:
    digests.send_digests()
    with now():
        services.claim_add(actor=cast.editor, parent=pro, stance="con", text="Three.")
    assert digests.send_digests().notices == 0  # daily: not again the same day
    services.digest_choose(user=waiting, digest=NotificationSettings.Digest.OFF)
    from datetime import timedelta

    from django.utils import timezone

    assert digests.send_digests(timezone.now() + timedelta(days=2)).notices == 0
    services.digest_choose(user=waiting, digest=NotificationSettings.Digest.IMMEDIATELY)
    assert digests.send_digests().notices == 1
    assert len(mail.outbox) == 2


def test_the_command_runs_and_the_unsubscribe_link_needs_no_sign_in(client, waiting) -> None:
    from django.core.management import call_command

    call_command("send_digests")
    call_command("send_digests")
    assert len(mail.outbox) == 1
    link = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>").split("testserver")[-1]
    path = "/" + link.split("/", 3)[-1]
    page = client.get(path)
    assert page.status_code == 200 and b"Unsubscribe" in page.content
    assert NotificationSettings.objects.get(user=waiting).digest != "off"  # a GET changes nothing
    assert client.post(path).status_code == 200  # one click, no CSRF token, no session
    assert NotificationSettings.objects.get(user=waiting).digest == "off"
    forged = client.post(reverse("arguments:unsubscribe", args=["forged"]))
    assert forged.status_code == 400


def test_digest_choice_is_validated(client, cast) -> None:
    client.force_login(cast.viewer)
    url = reverse("arguments:digest_settings")
    assert client.post(url, {"digest": "hourly"}).status_code == 400
    assert client.post(url, {"digest": "weekly"}).status_code == 302
    assert NotificationSettings.objects.get(user=cast.viewer).digest == "weekly"


def test_membership_is_checked_when_the_notice_is_written(now, cast, debate, thesis) -> None:
    debate.visibility = Debate.Visibility.PRIVATE
    debate.save()
    member = MembershipFactory(debate=debate, role=Role.VIEWER).user
    services.follow_set(user=member, debate=debate, claim=None, on=True)
    with now():
        services.claim_add(actor=cast.writer, parent=thesis, stance="con", text="For members.")
    assert len(notices(member)) == 1


def test_a_notice_that_fails_never_turns_the_saved_write_into_an_error(
    now, cast, thesis, monkeypatch, caplog
) -> None:
    def broken(**ids):
        raise RuntimeError("the notice could not be written")

    monkeypatch.setitem(notifications.EVENTS, "claim_added", broken)
    with now():
        claim = services.claim_add(actor=cast.writer, parent=thesis, stance="con", text="Kept.")
    assert Claim.objects.filter(pk=claim.pk, text="Kept.").exists()
    assert "the notice could not be written" in caplog.text


def _words(html: str, words: str) -> bool:
    """The words as a reader sees them (tags dropped, non-breaking spaces as spaces)."""
    return words in re.sub(r"<[^>]+>", "", html).replace("&nbsp;", " ")


def test_each_reader_is_told_in_their_own_language(now, cast, thesis) -> None:
    """One event, two readers: the French member's notice is French, the other's English
    (the site's), whatever language the worker runs in."""
    services.member_language_set(actor=cast.viewer, language="fr")
    for reader in (cast.viewer, cast.writer):
        services.follow_set(user=reader, debate=thesis.debate, claim=thesis, on=True)
    with now(), translation.override("de"):
        services.claim_add(actor=cast.editor, parent=thesis, stance=Stance.CON, text="Non.")
    [french] = notices(cast.viewer, Kind.RESPONSE)
    [english] = notices(cast.writer, Kind.RESPONSE)
    assert french.text.startswith("eddie a ajouté un argument contre sous « ")
    assert english.text.startswith("eddie added a con under “")
    assert "hinzugefügt" not in french.text + english.text


def test_a_moderators_decision_names_the_verdict_in_the_readers_language(now, cast, pro) -> None:
    services.member_language_set(actor=cast.viewer, language="de")
    flag = services.flag_raise(actor=cast.viewer, reason=Flag.Reason.UNCLEAR, claim=pro)
    with now():
        services.flag_resolve(actor=cast.moderator, flag=flag, uphold=False, note="")
    [to_reporter] = notices(cast.viewer, Kind.MODERATION)
    assert to_reporter.text.startswith("Ihre Meldung zu „") and "abgewiesen" in to_reporter.text


def test_a_digest_is_written_in_its_readers_language(waiting) -> None:
    services.member_language_set(actor=waiting, language="de")
    with translation.override("fr"):
        assert digests.send_digests().notices == 2
    [message] = mail.outbox
    assert message.body.startswith("Hallo wren,")
    assert "2 neue Benachrichtigungen" in message.subject
    assert "Diese E-Mails abbestellen" in message.body and "Bonjour" not in message.body


def test_the_readers_languages_are_read_in_one_query_however_many_hear(now, cast, thesis) -> None:
    """Whoever changes this count: a reader's language is read per event, never per reader."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    readers = [cast.viewer, cast.writer, cast.owner, cast.moderator, cast.suggester]
    for reader, language in zip(readers, ["fr", "de", "es", "pt-br", "ar"], strict=True):
        services.member_language_set(actor=reader, language=language)
        services.follow_set(user=reader, debate=thesis.debate, claim=thesis, on=True)
    with CaptureQueriesContext(connection) as ran, now():
        services.claim_add(actor=cast.editor, parent=thesis, stance=Stance.PRO, text="Oui.")
    profiles = [q["sql"] for q in ran.captured_queries if "arguments_profile" in q["sql"]]
    assert len(profiles) == 1, profiles
    told = {n.recipient_id: n.text for n in Notification.objects.filter(kind=Kind.RESPONSE)}
    assert len(told) == 5 and len(set(told.values())) == 5  # five languages, five wordings
