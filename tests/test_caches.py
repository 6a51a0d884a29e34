"""Property-based: after any sequence of writes, every cached answer equals a fresh one.

One process holds the debate's structure from step to step, as a worker does, and keeps its
cards and visitor pages. After each write (through the services, and through the admin as
staff save there), whether it went through or was refused:

(a) the held structure, caught up, equals the debate loaded afresh (nodes, relations,
    citations, notes, tallies, base scores and strengths);
(b) the strengths stored in the database are current and equal a fresh scoring;
(c) every page served from the stores (kept cards, a kept visitor page, the visitors' tree
    in the shared cache) equals the page rendered with every store but the held structure
    forgotten; at the end of a sequence, with every store forgotten (arguments/caches.py).
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
from collections import Counter
from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from arguments import caches, services
from arguments.models import Annotation, Citation, Claim, Debate, Flag, Relation, StoredStrength
from arguments.rules.limits import RateLimited
from arguments.structure import loader, stored_strengths
from arguments.structure.graph import DebateStructure
from tests.pages import read

pytestmark = pytest.mark.django_db
# Sequences tried beyond the two written out below: a few, for CI's time; a deeper search
# with CACHES_EXAMPLES=200 (about three minutes on SQLite).
EXAMPLES = int(os.environ.get("CACHES_EXAMPLES", "25"))

# What differs between two renders of one page and is no cache's doing.
MASKS = [
    (re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"|"X-CSRFToken": "[^"]+"'), "csrf"),
    (re.compile(r'nonce="[^"]+"'), "nonce"),
    (re.compile(r"ticket=[^\"&]+"), "ticket"),  # signed with the time
    (re.compile(r"<time datetime=\"[^\"]+\">[^<]*</time>"), "time"),  # "3 minutes ago"
]

# -- the writes -------------------------------------------------------------------------------

index = st.integers(min_value=0, max_value=30)
stance = st.sampled_from(["pro", "con"])
voter = st.sampled_from(["writer", "editor", "viewer"])
WRITES = {
    "add": st.tuples(st.sampled_from(["writer", "suggester", "editor"]), index, stance),
    "edit": st.tuples(index, index),
    "move": st.tuples(index, index, stance),
    "link": st.tuples(index, index, stance),
    "unlink": st.tuples(index),
    "hide": st.tuples(index),
    "restore": st.tuples(index),
    "approve": st.tuples(index),
    "merge": st.tuples(index, index),
    "vote": st.tuples(voter, index, st.integers(min_value=0, max_value=4)),
    "withdraw": st.tuples(voter, index),
    "cite": st.tuples(index, st.integers(min_value=0, max_value=2)),
    "annotate": st.tuples(
        st.sampled_from(["writer", "suggester"]), index, st.sampled_from(["public", "private"])
    ),
    "reply": st.tuples(index),
    "note edit": st.tuples(index, index),
    "note delete": st.tuples(index),
    "flag claim": st.tuples(st.sampled_from(["viewer", "writer"]), index),
    "flag note": st.tuples(st.sampled_from(["viewer", "editor"]), index),
    "resolve": st.tuples(index, st.sampled_from(["dismiss", "uphold", "uphold and hide"])),
    "admin claim": st.tuples(index, index),
    "admin note": st.tuples(index, index),
    "admin citation": st.tuples(index, index),
    "admin source": st.tuples(index, index),
    "admin debate": st.tuples(index),
    "admin account": st.tuples(st.sampled_from(["writer", "suggester", "editor"]), index),
}
write = st.one_of(*(st.tuples(st.just(name), args) for name, args in WRITES.items()))
MODERATING = {
    "hide": services.claim_hide,
    "restore": services.claim_restore,
    "approve": services.claim_approve,
}


@dataclasses.dataclass
class World:
    """The debate, its people, and the clients pages are asked with."""

    cast: Any
    debate: Debate
    staff: Client  # signed in to the admin
    reader: Client  # signs in as each persona in turn
    done: Counter[str]

    def claims(self) -> list[Claim]:
        return list(Claim.objects.filter(debate=self.debate).order_by("id"))

    def pick(self, rows: list, i: int) -> Any:
        if not rows:
            raise ValidationError("nothing to pick")  # refused, as a stale page's act is
        return rows[i % len(rows)]

    def claim(self, i: int, *, thesis: bool = True) -> Claim:
        return self.pick([c for c in self.claims() if thesis or not c.is_thesis], i)

    def point(self, i: int) -> Relation | Claim:
        claim = self.claim(i)
        return claim if claim.is_thesis else claim.parent_relations.get(is_link=False)

    def note(self, i: int) -> Annotation:
        notes = Annotation.objects.filter(claim__debate=self.debate, status="published")
        return self.pick(list(notes.select_related("claim__debate").order_by("id")), i)


def _admin_save(world: World, row: Any, **changes: str) -> None:
    """Change `row` through its admin page, as staff do: the form as shown, with `changes`."""
    meta = row._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[row.pk])
    (form,) = [
        f for f in read(world.staff.get(url).text).forms if ("_save", "Save", "") in f.buttons
    ]
    response = world.staff.post(url, form.posted(**changes, _save="Save"))
    if response.status_code != 302:  # the admin refused it (a hidden claim is not edited)
        raise ValidationError(re.findall(r'class="errorlist[^>]*>(.*?)</ul>', response.text))


def _write(world: World, name: str, args: tuple) -> None:
    cast, debate = world.cast, world.debate
    if name == "add":
        persona, i, side = args
        parent = world.claim(i)
        services.claim_add(actor=cast[persona], parent=parent, stance=side, text=f"New {i}.")
    elif name == "edit":
        i, n = args
        claim = world.claim(i)
        services.claim_edit(actor=cast.editor, claim=claim, text=f"Edited {n}.", elaboration="")
    elif name == "move":
        i, j, side = args
        claim, parent = world.claim(i, thesis=False), world.claim(j)
        services.claim_move(actor=cast.moderator, claim=claim, parent=parent, stance=side)
    elif name == "link":
        i, j, side = args
        claim, parent = world.claim(i, thesis=False), world.claim(j)
        services.claim_link(actor=cast.writer, claim=claim, parent=parent, stance=side)
    elif name == "unlink":
        links = list(debate.relations.filter(is_link=True, is_hidden=False).order_by("id"))
        services.claim_unlink(actor=cast.moderator, relation=world.pick(links, args[0]))
    elif name in MODERATING:
        MODERATING[name](actor=cast.moderator, claim=world.claim(args[0]))
    elif name == "merge":
        duplicate, into = world.claim(args[0], thesis=False), world.claim(args[1])
        services.claim_merge(actor=cast.moderator, duplicate=duplicate, into=into)
    elif name == "vote":
        persona, i, value = args
        services.vote_cast(user=cast[persona], point=world.point(i), value=value)
    elif name == "withdraw":
        persona, i = args
        services.vote_withdraw(user=cast[persona], point=world.point(i))
    elif name == "cite":
        i, k = args
        url = f"https://example.org/source-{k}"
        services.source_cite(actor=cast.writer, claim=world.claim(i), url=url, quote=f"Q{k}.")
    elif name == "annotate":
        persona, i, visibility = args
        claim = world.claim(i)
        services.annotation_add(
            actor=cast[persona], claim=claim, body=f"Note {i}.", visibility=visibility
        )
    elif name == "reply":
        note = world.note(args[0])
        services.annotation_add(actor=cast.writer, claim=note.claim, body="Reply.", parent=note)
    elif name == "note edit":
        note = world.note(args[0])
        services.annotation_edit(actor=note.author, annotation=note, body=f"Changed {args[1]}.")
    elif name == "note delete":
        note = world.note(args[0])
        services.annotation_delete(actor=note.author, annotation=note)
    elif name == "flag claim":
        persona, i = args
        services.flag_raise(actor=cast[persona], reason="unclear", claim=world.claim(i))
    elif name == "flag note":
        persona, n = args
        services.flag_raise(actor=cast[persona], reason="off_topic", annotation=world.note(n))
    elif name == "resolve":
        flags = Flag.objects.filter(status=Flag.Status.OPEN).order_by("id")
        flag = world.pick(list(flags.select_related("claim__debate", "annotation__claim")), args[0])
        uphold, hide = args[1] != "dismiss", args[1] == "uphold and hide"
        services.flag_resolve(actor=cast.moderator, flag=flag, uphold=uphold, hide=hide)
    elif name == "admin claim":
        _admin_save(world, world.claim(args[0]), text=f"Reworded in the admin {args[1]}.")
    elif name == "admin note":
        _admin_save(world, world.note(args[0]), body=f"Moderated in the admin {args[1]}.")
    elif name == "admin citation":
        citations = list(Citation.objects.filter(claim__debate=debate).order_by("id"))
        _admin_save(world, world.pick(citations, args[0]), quote=f"Quoted {args[1]}.")
    elif name == "admin source":
        citations = list(Citation.objects.filter(claim__debate=debate).order_by("id"))
        source = world.pick(citations, args[0]).source
        _admin_save(world, source, title=f"Retitled {args[1]}")
    elif name == "admin debate":
        _admin_save(world, debate, title=f"Asked again {args[0]}?")
    elif name == "admin account":
        persona, n = args
        _admin_save(world, cast[persona], username=f"{persona}-{n}")
    world.done[name] += 1


# -- the checks -------------------------------------------------------------------------------


def _fresh(debate: Debate) -> Debate:
    return Debate.objects.get(pk=debate.pk)


def _snapshot(structure: DebateStructure) -> dict[str, object]:
    """Everything a reader's tree is built from, as plain values (a relation's place among
    the relations above a claim means nothing, so those are sorted)."""

    def rows(index: dict[int, list]) -> dict[int, list]:
        return {key: [dataclasses.astuple(row) for row in value] for key, value in index.items()}

    def filled(index: dict[int, list]) -> dict[int, list]:
        return {key: value for key, value in rows(index).items() if value}

    return {
        "versions": (structure.version, structure.tally_version),
        "nodes": {key: dataclasses.astuple(node) for key, node in structure.nodes.items()},
        "children": filled(structure.children),
        "parents": {key: sorted(value) for key, value in filled(structure.parents).items()},
        "original": {key: dataclasses.astuple(e) for key, e in structure.original.items()},
        "theses": structure.theses,
        "citations": filled(structure.citations),
        "notes": filled(structure.notes),
        "base": structure.base,
    }


def _assert_caught_up_equals_a_fresh_load(debate: Debate) -> DebateStructure:
    held = loader.debate_structure(_fresh(debate))
    with transaction.atomic():  # what the fresh load would store is not this process's doing
        fresh = loader._load_structure(_fresh(debate))
        transaction.set_rollback(True)
    assert _snapshot(held) == _snapshot(fresh)
    assert held.strength.keys() == fresh.strength.keys()
    assert held.strength == pytest.approx(fresh.strength, abs=1e-9)
    return fresh


def _assert_stored_strengths_are_a_fresh_scoring(debate: Debate, fresh: DebateStructure) -> None:
    assert stored_strengths.current(_fresh(debate)), "the process that caught up stored"
    stored = dict(
        StoredStrength.objects.filter(claim__debate=debate).values_list("claim_id", "strength")
    )
    for claim_id in fresh.nodes:
        assert stored.get(claim_id) == pytest.approx(fresh.strength.get(claim_id), abs=1e-9)


PARTICIPANTS = re.compile(r'<optgroup label="Participants">(.*?)</optgroup>')


def _participants(found: re.Match[str]) -> str:
    """Who is listed, not as what: the names are shared for a minute by design (a renamed
    account shows within it: the "participants" store of arguments/caches.py)."""
    return " ".join(sorted(re.findall(r'value="([^"]+)"', found.group(1))))


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    for mask, stand_in in MASKS:
        html = mask.sub(stand_in, html)
    return PARTICIPANTS.sub(_participants, html)


def _pages(world: World, focus: int) -> dict[str, str]:
    """The debate page as a visitor (kept whole), a writer and a moderator get it, and a
    claim in focus as the writer does (its cards a level deeper)."""
    url = world.debate.get_absolute_url()
    pages = {"visitor": _page(Client(), url)}
    for persona in ("writer", "moderator"):
        world.reader.force_login(world.cast[persona])
        pages[persona] = _page(world.reader, url)
    shown = world.claims()
    claim = world.pick(
        [c for c in shown if c.status == "published" and not c.merged_into_id], focus
    )
    pages["writer's focus"] = _page(world.reader, claim.get_absolute_url())
    world.reader.logout()
    return pages


def _assert_same_pages(kept: dict[str, str], fresh: dict[str, str]) -> None:
    for name, page in kept.items():
        lines = difflib.unified_diff(page.splitlines(), fresh[name].splitlines(), lineterm="", n=0)
        assert page == fresh[name], f"{name}'s page, kept and fresh:\n" + "\n".join(lines)


def _forget_all_but_the_held_structures() -> None:
    for store in caches.stores():
        if store.forget is not None and store.name != "structures":
            store.forget()
    cache.clear()


def _check(world: World, step: int) -> dict[str, str]:
    fresh = _assert_caught_up_equals_a_fresh_load(world.debate)
    _assert_stored_strengths_are_a_fresh_scoring(world.debate, fresh)
    kept = _pages(world, step)
    _forget_all_but_the_held_structures()
    _assert_same_pages(kept, _pages(world, step))
    return kept


# Sequences that reach every write that needs an earlier one (a note to edit, a flag to
# resolve, a citation to save in the admin), run first, every time.
EVERY_WRITE = [
    ("annotate", ("writer", 1, "public")),
    ("reply", (0,)),
    ("note edit", (0, 1)),
    ("flag note", ("viewer", 0)),
    ("resolve", (0, "uphold and hide")),
    ("annotate", ("suggester", 2, "private")),
    ("note delete", (0,)),
    ("cite", (1, 0)),
    ("admin citation", (0, 1)),
    ("admin source", (0, 2)),
    ("admin note", (0, 3)),
    ("flag claim", ("viewer", 2)),
    ("resolve", (0, "uphold and hide")),
    ("restore", (2,)),
]
MOVES_AND_VOTES = [
    ("add", ("suggester", 1, "con")),
    ("approve", (3,)),
    ("vote", ("viewer", 1, 4)),
    ("move", (2, 2, "con")),
    ("link", (2, 1, "pro")),
    ("vote", ("editor", 2, 0)),
    ("withdraw", ("viewer", 1)),
    ("unlink", (0,)),
    ("hide", (1,)),
    ("restore", (1,)),
    ("edit", (1, 5)),
    ("admin claim", (2, 6)),
    ("merge", (2, 1)),
    ("flag claim", ("viewer", 1)),
    ("resolve", (0, "dismiss")),
    ("admin debate", (7,)),
    ("admin account", ("writer", 8)),
]


# The suite's heaviest test (~90 s of CPU): with four test processes on two cores it took
# 427 s of wall clock once and met the suite's 300 s timeout, which is there to catch a hang.
@pytest.mark.timeout(900)
def test_after_any_writes_every_store_answers_as_the_database(cast, debate, thesis, pro, con):
    world = World(cast, debate, Client(), Client(), Counter())
    world.staff.force_login(cast.staff)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @example(writes=EVERY_WRITE)
    @example(writes=MOVES_AND_VOTES)
    @given(writes=st.lists(write, min_size=1, max_size=8))
    def sequence(writes: list[tuple[str, tuple]]) -> None:
        with transaction.atomic():
            # The stores of the sequence before hold what its rolled-back writes made.
            caches.forget_all()
            loader.debate_structure(_fresh(debate))  # the worker holds the debate
            for step, (name, args) in enumerate(writes):
                try:
                    with transaction.atomic():
                        _write(world, name, args)
                except (ValidationError, PermissionDenied, RateLimited):
                    pass  # refused: it must leave no trace in any store either
                kept = _check(world, step)
            caches.forget_all()  # a worker that holds nothing: the first screen, stored
            _assert_same_pages(kept, _pages(world, len(writes) - 1))
            transaction.set_rollback(True)

    sequence()
    # Each write went through at least once (the explicit sequences see to it).
    assert set(WRITES) <= set(world.done), set(WRITES) - set(world.done)
