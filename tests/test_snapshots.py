"""Snapshots (issue 32, item 4): a debate frozen at a permanent address, never changed
after, its exports and its diff with another snapshot or with now."""

from __future__ import annotations

import hashlib
import re
import time
import zlib
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from arguments import services
from arguments.formats import native_json
from arguments.models import Claim, Debate, FrozenError, Snapshot, SnapshotClaim, Stance
from arguments.reading.export import document_from_debate
from arguments.reading.snapshots import diff, forget_outlines_now, outline_now, outline_rows
from arguments.services.snapshots import (
    deadline_freeze_task,
    debate_freeze,
    debate_freeze_at,
    snapshots_due,
)
from arguments.structure.loader import debate_structure
from arguments.tasks import periodic
from arguments.tasks.worker import run_all
from tests.conftest import build_debate

pytestmark = pytest.mark.django_db

FORMATS = ("kialo", "argdown", "aif", "json")


def page(slug: str, number: int) -> str:
    return reverse("arguments:snapshot", args=[slug, number])


def main_of(response) -> bytes:
    """The page's <main>: everything the snapshot shows (the header around it names the
    reader and carries a fresh CSRF token)."""
    return re.search(rb"<main.*</main>", response.content, re.S).group(0)


def steady(response) -> bytes:
    """A page's bytes but the CSP nonce, which is new on every answer by design."""
    return re.sub(rb'nonce="[^"]*"', b'nonce=""', response.content)


def read_all(
    client, debate: Debate, number: int, claims: list[Claim], token: str | None = None
) -> dict[str, bytes]:
    """Every reading of a snapshot: its page, each claim's page, each export, and the same
    through the API (as a visitor, or with `token`)."""
    answers = {"page": steady(client.get(page(debate.slug, number)))}
    for claim in claims:
        url = reverse("arguments:snapshot_claim", args=[debate.slug, number, claim.pk])
        answers[f"claim {claim.pk}"] = steady(client.get(url))
    for name in FORMATS:
        url = reverse("arguments:snapshot_export", args=[debate.slug, number, name])
        answers[name] = client.get(url).content
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    base = f"/api/v1/debates/{debate.slug}/snapshots/{number}"
    api = [base, f"{base}/claims", f"{base}/claims?limit=2", f"{base}/claims?limit=2&cursor=0"]
    api += [f"{base}/claims/{claim.pk}" for claim in claims]
    api += [f"{base}/export/{name}" for name in FORMATS]
    for url in api:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, (url, response.content)
        answers[f"API {url}"] = response.content
        answers[f"API {url} ETag"] = (
            response["ETag"].encode() if response.has_header("ETag") else b""
        )
    return answers


def test_a_snapshot_never_moves_and_its_diff_lists_exactly_the_changes(client, cast, debate):
    thesis = debate.claims.get(is_thesis=True)
    add = services.claim_add
    pro = add(actor=cast.writer, parent=thesis, stance=Stance.PRO, text="Open weights help.")
    con = add(actor=cast.writer, parent=thesis, stance=Stance.CON, text="Weights leak.")
    deep = add(actor=cast.writer, parent=pro, stance=Stance.PRO, text="Researchers can audit.")
    twin = add(actor=cast.writer, parent=pro, stance=Stance.CON, text="Weights leak anyway.")
    doomed = add(actor=cast.writer, parent=con, stance=Stance.CON, text="A claim to hide.")
    services.vote_cast(user=cast.viewer, point=pro.parent_relations.get(), value=3)

    snapshot = debate_freeze(actor=cast.moderator, debate=debate, note="before the class")
    assert snapshot.number == 1 and snapshot.claim_count == 6
    shown = [thesis, pro, con, deep, twin, doomed]
    before = read_all(client, debate, 1, shown)  # a visitor's
    client.force_login(cast.owner)
    token = services.token_create(actor=cast.owner, name="t", scope="read")[1]
    owners = read_all(client, debate, 1, shown, token)
    owner_main = main_of(client.get(page(debate.slug, 1)))
    client.logout()
    assert b"A frozen version: version 1" in before["page"]
    assert b"Open weights help." in before["page"] and not _writes(before["page"].decode())

    # Then the debate lives on: a write, an edit, a move, votes, a hide, a merge.
    added = add(actor=cast.writer, parent=con, stance=Stance.CON, text="A newer objection.")
    services.claim_edit(actor=cast.writer, claim=deep, text="Researchers can audit them.")
    services.claim_move(actor=cast.moderator, claim=deep, parent=thesis, stance=Stance.PRO)
    services.vote_cast(user=cast.viewer, point=con.parent_relations.get(), value=4)
    services.claim_hide(actor=cast.moderator, claim=doomed)
    services.claim_merge(actor=cast.moderator, duplicate=twin, into=con)

    assert read_all(client, debate, 1, shown) == before
    client.force_login(cast.owner)
    after_owner = read_all(client, debate, 1, shown, token)
    # The owner's files and API answers too (their pages' headers carry a CSRF token).
    assert {k: v for k, v in after_owner.items() if k.startswith("API") or k in FORMATS} == {
        k: v for k, v in owners.items() if k.startswith("API") or k in FORMATS
    }
    assert main_of(client.get(page(debate.slug, 1))) == owner_main
    # The owner's JSON is the whole stored document, exactly as it was taken.
    assert after_owner["json"] == owners["json"]
    stored = Snapshot.objects.get(pk=snapshot.pk)
    text = zlib.decompress(bytes(stored.document))
    assert hashlib.sha256(text).hexdigest() == stored.sha256
    assert after_owner["json"] == text
    for name in ("kialo", "argdown", "aif"):
        assert after_owner[name] == owners[name]

    changes = diff(outline_rows(debate, 1), outline_now(debate))
    assert [row.claim_id for row in changes.added] == [added.pk]
    assert {row.claim_id for row in changes.removed} == {doomed.pk, twin.pk}
    assert [(was.text, now.text) for was, now in changes.edited] == [
        ("Researchers can audit.", "Researchers can audit them.")
    ]
    assert [(was.parent_id, now.parent_id) for was, now in changes.moved] == [(pro.pk, thesis.pk)]
    moved_strengths = {now.claim_id for _was, now in changes.strengths}
    assert con.pk in moved_strengths and thesis.pk in moved_strengths  # the vote, upwards
    # A second snapshot taken now compares with the first exactly as "now" does.
    debate_freeze(actor=cast.owner, debate=debate)
    assert diff(outline_rows(debate, 1), outline_rows(debate, 2)) == changes
    response = client.get(reverse("arguments:snapshot_diff", args=[debate.slug, 1]))
    assert response.status_code == 200
    body = response.content.decode()
    for words in ("Added (1)", "Removed (2)", "Edited (1)", "Moved (1)", "A newer objection."):
        assert words in body
    # The API's diff lists the same changes, with the same ids.
    api = client.get(f"/api/v1/debates/{debate.slug}/snapshots/1/diff").json()
    assert [row["id"] for row in api["added"]] == [added.pk]
    assert {row["id"] for row in api["removed"]} == {doomed.pk, twin.pk}
    assert [(c["before"]["text"], c["after"]["text"]) for c in api["edited"]] == [
        ("Researchers can audit.", "Researchers can audit them.")
    ]
    assert [(c["before"]["parent_id"], c["after"]["parent_id"]) for c in api["moved"]] == [
        (pro.pk, thesis.pk)
    ]
    assert {c["after"]["id"] for c in api["strengths"]} == moved_strengths
    to_two = client.get(f"/api/v1/debates/{debate.slug}/snapshots/1/diff?to=2").json()

    def ids(answer: dict) -> dict[str, list[int]]:
        return {
            kind: [row["id"] if "id" in row else row["after"]["id"] for row in answer[kind]]
            for kind in ("added", "removed", "edited", "moved", "strengths")
        }

    assert ids(to_two) == ids(api)


def test_the_stored_json_is_the_debates_own_export(cast, debate, pro, con):
    snapshot = debate_freeze(actor=cast.owner, debate=debate)
    text = zlib.decompress(bytes(snapshot.document)).decode()
    assert text == native_json.render(document_from_debate(debate))
    assert len(snapshot.document) < len(text.encode())


@pytest.mark.parametrize("persona", ["owner", "moderator"])
def test_owners_and_moderators_freeze_from_the_settings_page(client, cast, debate, persona):
    client.force_login(cast[persona])
    settings_page = client.get(reverse("arguments:debate_settings", args=[debate.slug]))
    assert b"Freeze now" in settings_page.content
    url = reverse("arguments:snapshot_take", args=[debate.slug])
    response = client.post(url, {"note": "graded"})
    assert response.status_code == 302 and response.url == page(debate.slug, 1)
    assert Snapshot.objects.get(debate=debate).taken_by == cast[persona]
    assert client.get(response.url).status_code == 200


@pytest.mark.parametrize("persona", ["editor", "writer", "suggester", "viewer", "stranger"])
def test_others_cannot_freeze(client, cast, debate, persona):
    client.force_login(cast[persona])
    for name, data in (("snapshot_take", {}), ("snapshot_deadline", {"freeze_at": ""})):
        response = client.post(reverse(f"arguments:{name}", args=[debate.slug]), data)
        assert response.status_code == 403
    settings_page = client.get(reverse("arguments:debate_settings", args=[debate.slug]))
    assert b"Freeze now" not in settings_page.content
    assert not Snapshot.objects.exists()


def test_a_visitor_cannot_freeze(client, debate):
    response = client.post(reverse("arguments:snapshot_take", args=[debate.slug]))
    assert response.status_code == 403
    assert not Snapshot.objects.exists()


def test_a_private_debates_snapshot_is_not_for_strangers(client, cast, debate, pro):
    debate_freeze(actor=cast.owner, debate=debate)
    services.debate_configure(actor=cast.owner, debate=debate, visibility="private")
    urls = [
        reverse("arguments:snapshot_list", args=[debate.slug]),
        page(debate.slug, 1),
        reverse("arguments:snapshot_claim", args=[debate.slug, 1, pro.pk]),
        reverse("arguments:snapshot_export", args=[debate.slug, 1, "json"]),
        reverse("arguments:snapshot_diff", args=[debate.slug, 1]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    client.force_login(cast.stranger)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 404 and pro.text.encode() not in response.content
    client.force_login(cast.viewer)  # a member reads it
    assert all(client.get(url).status_code == 200 for url in urls)


def test_a_snapshot_shows_what_a_visitor_saw_whoever_reads_it(client, cast, debate, pro):
    services.claim_hide(actor=cast.moderator, claim=pro)
    debate_freeze(actor=cast.owner, debate=debate)
    client.force_login(cast.moderator)
    assert pro.text.encode() not in client.get(page(debate.slug, 1)).content
    kialo = reverse("arguments:snapshot_export", args=[debate.slug, 1, "kialo"])
    assert pro.text.encode() not in client.get(kialo).content
    # The moderators' JSON backup holds everything, as the live debate's does.
    backup = reverse("arguments:snapshot_export", args=[debate.slug, 1, "json"])
    assert pro.text.encode() in client.get(backup).content
    client.force_login(cast.viewer)
    assert pro.text.encode() not in client.get(backup).content


def test_another_debates_ids_are_not_found(client, cast, debate, pro):
    other = services.debate_create(
        owner=cast.stranger, title="Another?", thesis="Another thesis.", visibility="public"
    )
    mine = debate_freeze(actor=cast.owner, debate=debate)
    debate_freeze(actor=cast.stranger, debate=other)
    debate_freeze(actor=cast.stranger, debate=other)
    other_thesis = other.claims.get()
    assert client.get(page(debate.slug, 2)).status_code == 404  # the other's number
    url = reverse("arguments:snapshot_claim", args=[debate.slug, mine.number, other_thesis.pk])
    assert client.get(url).status_code == 404
    url = reverse("arguments:snapshot_diff", args=[debate.slug, 1])
    assert client.get(url, {"to": "2"}).status_code == 404
    assert client.get(url, {"to": "nonsense"}).status_code == 404


def test_a_snapshot_is_never_changed(cast, debate, pro):
    snapshot = debate_freeze(actor=cast.owner, debate=debate)
    snapshot.note = "rewritten"
    with pytest.raises(FrozenError):
        snapshot.save()
    row = SnapshotClaim.objects.filter(snapshot=snapshot).first()
    row.data = {"text": "rewritten"}
    with pytest.raises(FrozenError):
        row.save()


def test_the_admin_shows_a_snapshot_and_changes_nothing(client, cast, debate, pro):
    snapshot = debate_freeze(actor=cast.owner, debate=debate)
    client.force_login(cast.staff)
    url = reverse("admin:arguments_snapshot_change", args=[snapshot.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"note": "rewritten"}).status_code == 403
    delete = reverse("admin:arguments_snapshot_delete", args=[snapshot.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Snapshot.objects.get().note == ""


def test_the_deadline_freezes_the_debate_once(client, cast, debate, pro):
    client.force_login(cast.moderator)
    url = reverse("arguments:snapshot_deadline", args=[debate.slug])
    past = client.post(url, {"freeze_at": "2001-01-01T10:00"})
    assert past.status_code == 422 and b"Choose a time in the future." in past.content
    soon = timezone.localtime() + timedelta(hours=1)
    response = client.post(url, {"freeze_at": soon.strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 302
    debate.refresh_from_db()
    assert debate.freeze_at is not None
    assert snapshots_due() == 0  # not yet
    assert snapshots_due(now=debate.freeze_at + timedelta(seconds=1)) == 1
    assert snapshots_due(now=debate.freeze_at + timedelta(minutes=2)) == 0  # once
    snapshot = Snapshot.objects.get(debate=debate)
    assert snapshot.reason == Snapshot.Reason.DEADLINE and snapshot.taken_by is None
    debate.refresh_from_db()
    assert debate.freeze_at is None


def test_the_periodic_task_freezes_at_the_deadline(cast, debate):
    debate_freeze_at(actor=cast.owner, debate=debate, at=timezone.now() + timedelta(minutes=1))
    Debate.objects.filter(pk=debate.pk).update(freeze_at=timezone.now() - timedelta(seconds=1))
    assert periodic.snapshots_freeze.call() == "1 debates frozen at their deadline"
    assert Snapshot.objects.filter(debate=debate, reason="deadline").count() == 1


def test_a_long_note_is_refused_with_the_form(client, cast, debate):
    client.force_login(cast.owner)
    response = client.post(
        reverse("arguments:snapshot_take", args=[debate.slug]), {"note": "x" * 201}
    )
    assert response.status_code == 422
    assert not Snapshot.objects.exists()


def test_the_list_names_every_snapshot(client, cast, debate):
    debate_freeze(actor=cast.owner, debate=debate, note="first")
    debate_freeze(actor=cast.moderator, debate=debate)
    response = client.get(reverse("arguments:snapshot_list", args=[debate.slug]))
    body = response.content.decode()
    assert "Version 1" in body and "Version 2" in body and "first" in body


@pytest.mark.parametrize("size", [10, 400])
def test_a_snapshot_page_costs_the_same_queries_at_any_size(
    client, django_assert_max_num_queries, size
):
    big = build_debate(size)
    big.visibility = Debate.Visibility.PUBLIC
    big.save(update_fields=["visibility"])
    debate_freeze(actor=big.owner, debate=big)
    deep = SnapshotClaim.objects.filter(snapshot__debate=big).order_by("-depth").first()
    client.get(page(big.slug, 1))  # sessions, sites: what any first request sets up
    # The debate with the reader's role, the snapshot's facts, its rows shown.
    with django_assert_max_num_queries(4):
        response = client.get(page(big.slug, 1))
    assert response.status_code == 200
    url = reverse("arguments:snapshot_claim", args=[big.slug, 1, deep.claim_id])
    with django_assert_max_num_queries(6):  # + the focus, its path, its pros and cons
        assert client.get(url).status_code == 200


def test_a_snapshot_keeps_the_strengths_the_debate_showed(cast, debate, pro, con):
    thesis = debate.claims.get(is_thesis=True)
    services.vote_cast(user=cast.viewer, point=pro.parent_relations.get(), value=4)
    services.vote_cast(user=cast.writer, point=con.parent_relations.get(), value=1)
    services.vote_cast(user=cast.viewer, point=thesis, value=3)
    structure = debate_structure(Debate.objects.get(pk=debate.pk))
    debate_freeze(actor=cast.owner, debate=debate)
    frozen = {row.claim_id: row.strength for row in outline_rows(debate, 1)}
    assert frozen == {pk: round(structure.strength[pk], 4) for pk in (thesis.pk, pro.pk, con.pk)}
    assert frozen[thesis.pk] != 0.5  # the votes moved it


def test_a_visitors_download_of_a_version_is_the_live_download_of_that_moment(
    client, cast, debate, pro, con
):
    services.claim_hide(
        actor=cast.moderator,
        claim=services.claim_add(actor=cast.writer, parent=con, stance=Stance.PRO, text="Gone."),
    )
    services.source_cite(actor=cast.writer, claim=pro, url="https://example.org/a", title="A")
    services.annotation_add(actor=cast.viewer, claim=con, body="Public.", visibility="public")
    services.annotation_add(actor=cast.viewer, claim=con, body="Mine.", visibility="private")
    services.vote_cast(user=cast.viewer, point=pro.parent_relations.get(), value=2)
    live = {
        name: client.get(reverse("arguments:export", args=[debate.slug, name])).content
        for name in FORMATS
    }
    debate_freeze(actor=cast.owner, debate=debate)
    for name in FORMATS:
        url = reverse("arguments:snapshot_export", args=[debate.slug, 1, name])
        assert client.get(url).content == live[name], name


def test_numbers_no_database_holds_are_not_found(client, cast, debate):
    debate_freeze(actor=cast.owner, debate=debate)
    huge = "9" * 30
    assert client.get(f"/d/{debate.slug}/v/{huge}/").status_code == 404
    url = reverse("arguments:snapshot_diff", args=[debate.slug, 1])
    assert client.get(url, {"to": huge}).status_code == 404


def test_the_outline_kept_for_now_equals_a_fresh_one(cast, debate, pro, con):
    kept = outline_now(Debate.objects.get(pk=debate.pk))
    assert outline_now(Debate.objects.get(pk=debate.pk)) is kept  # asked again: kept
    services.vote_cast(user=cast.viewer, point=pro.parent_relations.get(), value=4)
    services.claim_edit(actor=cast.writer, claim=con, text="Released weights stay out.")
    after = outline_now(Debate.objects.get(pk=debate.pk))
    forget_outlines_now()
    assert after == outline_now(Debate.objects.get(pk=debate.pk)) != kept


def test_a_deadline_freezes_the_debate_exactly_as_it_stood_then(client, cast, debate, pro):
    """Issue 32, item 5: the freeze is queued for the deadline's instant, and a write made
    after the deadline but before the worker runs is refused (it cannot land in the version
    that was due), then welcome once the version is taken."""
    thesis = debate.claims.get(is_thesis=True)
    DBTaskResult.objects.all().delete()
    at = timezone.now() + timedelta(seconds=1)
    debate_freeze_at(actor=cast.owner, debate=debate, at=at)
    (queued,) = DBTaskResult.objects.filter(status="READY")
    assert queued.run_after == at and queued.task_path.endswith("deadline_freeze_task")
    assert run_all() == 0  # not before its instant
    while timezone.now() <= at:
        time.sleep(0.05)
    # The deadline has passed; the worker has not run yet. Every write is refused, with words.
    with pytest.raises(ValidationError, match="being frozen at its deadline"):
        services.claim_add(actor=cast.writer, parent=thesis, stance=Stance.CON, text="Late.")
    with pytest.raises(ValidationError, match="being frozen"):
        services.vote_cast(user=cast.viewer, point=pro.parent_relations.get(), value=4)
    with pytest.raises(ValidationError, match="being frozen"):
        services.claim_hide(actor=cast.moderator, claim=pro)
    client.force_login(cast.writer)
    url = reverse("arguments:claim_add", args=[debate.slug, thesis.pk])
    response = client.post(url, {"stance": "con", "text": "Late by the form."})
    assert response.status_code == 422 and b"being frozen at its deadline" in response.content
    assert not Claim.objects.filter(text__startswith="Late").exists()

    assert run_all() == 1  # the worker, at last
    (version,) = Snapshot.objects.filter(debate=debate)
    assert version.reason == "deadline" and version.taken_at >= at
    texts = set(SnapshotClaim.objects.filter(snapshot=version).values_list("data__text", flat=True))
    assert texts == {thesis.text, pro.text}
    debate.refresh_from_db()
    assert debate.freeze_at is None
    # Once taken, the debate lives on.
    services.claim_add(actor=cast.writer, parent=thesis, stance=Stance.CON, text="Now fine.")
    # A second worker (or the periodic job) finds nothing left to take.
    assert snapshots_due() == 0 and Snapshot.objects.filter(debate=debate).count() == 1


def test_a_moved_deadline_leaves_the_old_task_idle(cast, debate):
    DBTaskResult.objects.all().delete()
    first = timezone.now() + timedelta(hours=1)
    debate_freeze_at(actor=cast.owner, debate=debate, at=first)
    debate_freeze_at(actor=cast.owner, debate=debate, at=first + timedelta(hours=1))
    assert deadline_freeze_task.call(debate.pk, first.isoformat()) == "no longer due"
    assert not Snapshot.objects.exists()


def test_a_versions_map_is_drawn_from_the_frozen_outline(client, cast, debate, pro, con):
    deep = services.claim_add(actor=cast.writer, parent=pro, stance=Stance.CON, text="Deeper.")
    services.vote_cast(user=cast.viewer, point=pro.parent_relations.get(), value=4)
    debate_freeze(actor=cast.owner, debate=debate)
    url = reverse("arguments:snapshot_map", args=[debate.slug, 1])
    first = client.get(url)
    assert first.status_code == 200
    body = first.content.decode()
    assert "A frozen version: version 1" in body and "<svg" in body
    for claim in (pro, con, deep):
        assert claim.text in body  # words on the map and in its list
        claim_page = reverse("arguments:snapshot_claim", args=[debate.slug, 1, claim.pk])
        assert claim_page in body
    assert reverse("arguments:debate_map", args=[debate.slug]) in body  # the living map
    assert not _writes(body)
    assert (
        reverse("arguments:snapshot_map", args=[debate.slug, 1]).encode()
        in client.get(page(debate.slug, 1)).content
    )
    # The debate moves on; the version's map does not.
    services.claim_add(actor=cast.writer, parent=con, stance=Stance.PRO, text="Much later.")
    services.claim_hide(actor=cast.moderator, claim=deep)
    assert steady(client.get(url)) == steady(first)
    assert client.get(reverse("arguments:snapshot_map", args=[debate.slug, 2])).status_code == 404


def test_a_versions_map_hides_strengths_where_guided_voting_did(client, cast, debate, pro):
    services.vote_cast(user=cast.viewer, point=pro.parent_relations.get(), value=4)
    debate.hide_votes_until_voted = True
    debate.save(update_fields=["hide_votes_until_voted"])
    debate_freeze(actor=cast.owner, debate=debate)
    url = reverse("arguments:snapshot_map", args=[debate.slug, 1])
    visitor = client.get(url).content.decode()
    client.force_login(cast.moderator)
    moderator = client.get(url).content.decode()
    assert "%" in re.sub(r"<style.*?</style>", "", moderator, flags=re.S)
    assert moderator != visitor


def _writes(body: str) -> list[str]:
    """The page's forms that post anywhere but the footer's language switcher (which every
    page has, a frozen one too: it changes the reader's language, not the debate)."""
    switcher = reverse("arguments:language")
    actions = re.findall(r'<form method="post"[^>]*?action="([^"]*)"', body)
    posts = body.count('<form method="post"')
    return [a for a in actions if a != switcher] + ["(no action)"] * (posts - len(actions))
