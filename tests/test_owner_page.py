"""The owner's debate page read by a worker holding nothing (issue 35): what it reads for the
owner's panels costs what it shows, not the debate's size.

- The picker's participants (members and own voters) come from the stored activity counts,
  a row a participant, not a read of every vote of the debate (`selectors.participants_counted`).
- A moderator's notices read the debate's open flags by the flags' own debate index, not
  through every claim of the debate.
- A reader's own votes are read by the partial indexes of their kind, not by walking every
  vote of the reader (votes cast as a named perspective on every point included).
- A vote region's steps are written by two template tags; their bytes are those of the
  template loop they replaced, in every language, with and without guided voting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import product

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models import Q
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from arguments import formats, selectors, services
from arguments.models import ActivityStamp, Claim, Debate, Flag, ParticipantActivity, Relation, Vote
from arguments.reading import activity, picker
from arguments.reading.export import document_from_debate
from arguments.reading.lens import Lens
from arguments.reading.notices import claim_notices
from arguments.reading.perspectives import participants_of
from arguments.reading.tree import VoteShown
from arguments.rules.permissions import role_in
from arguments.structure.snapshot import snapshot
from arguments.tasks.worker import run_all
from tests.factories import FlagFactory, UserFactory

pytestmark = pytest.mark.django_db


def voters_of_the_rows(debate: Debate) -> list[tuple[int, str]]:
    """The participants as the picker listed them before: every vote of the debate read."""
    return list(participants_of(debate).order_by("username").values_list("pk", "username"))


def relation_of(claim: Claim) -> Relation:
    return Relation.objects.select_related("child__debate").get(child=claim, is_link=False)


@pytest.fixture
def voted(cast, debate, thesis, pro, con) -> Debate:
    """Members of every role; two outsiders who voted on their own behalf; one who voted
    only as the named perspective she started (her own vote withdrawn): not a participant
    to look through, though her stored counts hold that vote."""
    for name in ("amy", "bob"):
        services.vote_cast(user=UserFactory(username=name), point=relation_of(pro), value=3)
    pat = UserFactory(username="pat")
    services.vote_cast(user=pat, point=relation_of(con), value=1)
    economist = services.perspective_create(actor=pat, debate=debate, name="an economist")
    services.vote_cast(user=pat, point=thesis, value=4, perspective=economist)
    services.vote_withdraw(user=pat, point=relation_of(con))
    return debate


def count_everyone(debate: Debate) -> None:
    """The stored counts made current, as the activity table's first reader makes them."""
    activity.counted_now(debate)


def test_the_participants_from_the_stored_counts_are_those_of_the_votes(cast, voted):
    count_everyone(voted)
    pat = ParticipantActivity.objects.get(debate=voted, user__username="pat")
    assert pat.votes == 1, "her vote as a perspective is counted in her stored row"
    listed = selectors.participants_counted(voted, 500)
    assert listed == voters_of_the_rows(voted)
    names = [name for _pk, name in listed]
    assert {"amy", "bob", "mo", "vic"} <= set(names)
    assert "pat" not in names, "no vote of her own: nothing to look through"
    assert "stan" not in names, "a stranger who did nothing"


def test_a_vote_keeps_the_stored_participants_current(cast, voted, pro):
    count_everyone(voted)
    services.vote_cast(user=UserFactory(username="cy"), point=relation_of(pro), value=2)
    listed = selectors.participants_counted(voted, 500)
    assert listed is not None and "cy" in [name for _pk, name in listed]
    assert listed == voters_of_the_rows(voted)


def test_the_list_is_cut_at_its_limit_by_name(cast, voted):
    count_everyone(voted)
    assert selectors.participants_counted(voted, 3) == voters_of_the_rows(voted)[:3]


def test_counts_behind_the_votes_give_no_list(cast, voted):
    count_everyone(voted)
    # A recount (a merge, a revert) moves the tally version without counting into the stamp.
    Debate.objects.filter(pk=voted.pk).update(tally_version=voted.tally_version + 5)
    assert selectors.participants_counted(voted, 500) is None


def test_the_participants_list_costs_two_queries(cast, voted, django_assert_num_queries):
    count_everyone(voted)
    with django_assert_num_queries(2, info="the stamp's tally, then the stored rows"):
        selectors.participants_counted(voted, 500)


def lens_of(user, debate: Debate) -> Lens:
    debate = Debate.objects.get(pk=debate.pk)
    return Lens(debate, user, role_in(user, debate))


def test_the_picker_stores_counts_never_stored_then_lists_from_them(cast, voted):
    ActivityStamp.objects.filter(debate=voted).delete()
    ParticipantActivity.objects.filter(debate=voted).delete()
    listed = picker.voters_listed(lens_of(cast.owner, voted))
    expected = sorted(voters_of_the_rows(voted), key=lambda row: row[1].lower())
    assert listed == expected
    assert selectors.participants_counted(voted, 500) == voters_of_the_rows(voted)


def test_inside_a_snapshot_the_picker_reads_the_votes(cast, voted):
    ActivityStamp.objects.filter(debate=voted).delete()
    ParticipantActivity.objects.filter(debate=voted).delete()
    with snapshot():
        listed = picker.voters_listed(lens_of(cast.owner, voted))
    assert listed == sorted(voters_of_the_rows(voted), key=lambda row: row[1].lower())


def test_the_owner_page_offers_the_voters_to_look_through(client, cast, voted):
    client.force_login(cast.owner)
    page = client.get(voted.get_absolute_url()).content.decode()
    offered = set(re.findall(r'<option value="user:\d+"[^>]*>([^<]+)</option>', page))
    assert offered == {name for _pk, name in voters_of_the_rows(voted)}
    cache.clear()
    client.force_login(cast.writer)
    page = client.get(voted.get_absolute_url()).content.decode()
    assert 'value="user:' not in page, "a writer manages no members: no participants"


def votes_by_one_query(user, debate: Debate, perspective=None) -> dict[str, int]:
    """A reader's votes as `my_votes` read them before: one OR over both kinds of point."""
    rows = Vote.objects.filter(user=user, perspective=perspective).filter(
        Q(relation__debate=debate) | Q(thesis__debate=debate)
    )
    return {
        (f"r{relation}" if relation else f"c{thesis}"): value
        for relation, thesis, value in rows.values_list("relation_id", "thesis_id", "value")
    }


def test_a_readers_votes_are_their_own_or_their_perspectives(
    cast, debate, thesis, pro, con, django_assert_num_queries
):
    other = services.debate_create(owner=cast.owner, title="Another", thesis="Another thesis.")
    elsewhere = other.claims.get(is_thesis=True)
    services.vote_cast(user=cast.writer, point=thesis, value=3)
    services.vote_cast(user=cast.writer, point=relation_of(pro), value=1)
    services.vote_cast(user=cast.writer, point=elsewhere, value=0)
    economist = services.perspective_create(actor=cast.writer, debate=debate, name="economist")
    services.vote_cast(user=cast.writer, point=relation_of(con), value=4, perspective=economist)
    services.vote_cast(user=cast.writer, point=thesis, value=2, perspective=economist)
    with django_assert_num_queries(1):
        own = selectors.my_votes(cast.writer, debate)
    assert own == votes_by_one_query(cast.writer, debate)
    assert own == {f"c{thesis.pk}": 3, f"r{relation_of(pro).pk}": 1}
    as_economist = selectors.my_votes(cast.writer, debate, perspective=economist)
    assert as_economist == votes_by_one_query(cast.writer, debate, economist)
    assert as_economist == {f"r{relation_of(con).pk}": 4, f"c{thesis.pk}": 2}
    assert selectors.my_votes(cast.anonymous, debate) == {}


def test_a_readers_own_votes_are_read_by_their_partial_index(cast, debate, thesis):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's plan; PostgreSQL plans by statistics")
    services.vote_cast(user=cast.writer, point=thesis, value=3)
    with CaptureQueriesContext(connection) as captured:
        selectors.my_votes(cast.writer, debate)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + captured.captured_queries[0]["sql"])
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "vote_once_per_relation" in plan and "vote_once_per_thesis" in plan, plan


def test_a_moderator_is_told_of_this_debates_open_flags_only(
    cast, debate, pro, con, django_assert_num_queries
):
    FlagFactory(claim=pro, reason=Flag.Reason.SPAM)
    FlagFactory(claim=con, reason=Flag.Reason.UNCLEAR, status=Flag.Status.DISMISSED)
    other = services.debate_create(owner=cast.moderator, title="Other", thesis="Other thesis.")
    FlagFactory(claim=other.claims.get(is_thesis=True))
    role = role_in(cast.moderator, debate)
    with django_assert_num_queries(1):
        notices = claim_notices(user=cast.moderator, debate=debate, role=role)
    assert set(notices) == {pro.pk}
    assert notices[pro.pk].open_count == 1
    assert claim_notices(user=cast.writer, debate=debate, role=role_in(cast.writer, debate)) == {}


# The vote region's steps as `_vote.html` wrote them before the tags: the loops, verbatim.
BUTTONS_LOOP = (
    "{% load i18n %}"
    '{% for value, label, count, share, mine in item.vote_steps %}<button type="submit" '
    'name="value" value="{{ value }}" class="step share-{{ share }}" aria-pressed="{% if mine %}'
    'true{% else %}false{% endif %}" title="{{ value }} {{ label }}{% if not item.votes_hidden %}'
    ': {{ count }}{% endif %}">{{ value }}<span class="visually-hidden"> {{ label }}{% if not '
    "item.votes_hidden %}, {% blocktranslate count counter=count %}{{ counter }} vote{% plural %}"
    "{{ counter }} votes{% endblocktranslate %}{% endif %}</span></button>{% endfor %}"
)
READONLY_LOOP = (
    '{% for value, label, count, share, mine in item.vote_steps %}<span class="step '
    'share-{{ share }}" title="{{ value }} {{ label }}: {{ count }}">{{ value }}</span>'
    "{% endfor %}"
)


@dataclass
class Shown(VoteShown):
    tally: tuple[int, ...]
    my_vote: int | None
    votes_hidden: bool
    point_relation: int | None


TALLIES = [(0, 0, 0, 0, 0), (1, 0, 2, 0, 11), (0, 3, 101, 1000, 21), (5, 5, 5, 5, 1234567)]


LOCALIZED_OFF = ("{% load l10n %}{% localize off %}", "{% endlocalize %}")


@pytest.mark.parametrize("language", ["en", "de", "fr", "ar", "es", "pt-br"])
def test_the_vote_steps_are_the_loops_bytes(language):
    cases = product(TALLIES, (None, 0, 4), (False, True), (None, 7))
    with translation.override(language):
        for (tally, my_vote, hidden, relation), (loop, tag) in product(
            cases, ((BUTTONS_LOOP, "vote_buttons"), (READONLY_LOOP, "readonly_steps"))
        ):
            context = {"item": Shown(tally, my_vote, hidden, relation)}
            tagged = f"{{% load debate_tags %}}{{% {tag} item %}}"
            old = Template(loop).render(Context(context))
            assert Template(tagged).render(Context(context)) == old, (tally, my_vote, hidden)
            # Inside a card, numbers are not localized (`localize off`).
            off, on = LOCALIZED_OFF
            old = Template(off + loop + on).render(Context(context))
            assert Template(off + tagged + on).render(Context(context)) == old


def test_a_new_voter_is_offered_on_the_owners_next_page(client, cast, voted, pro):
    client.force_login(cast.owner)
    url = voted.get_absolute_url()
    assert "user:" in client.get(url).content.decode()
    newcomer = UserFactory(username="nia")
    services.vote_cast(user=newcomer, point=relation_of(pro), value=2)
    page = client.get(url).content.decode()
    assert f'value="user:{newcomer.pk}"' in page


def test_an_import_queues_its_participants_counts(cast, voted):
    """The counts of a debate written in bulk are stored by the task worker, so the first
    owner's page after an import does not count every vote in its request (1.3 s at 200,000
    claims)."""
    text = formats.render(document_from_debate(voted), "json")
    copy = services.debate_import(owner=cast.owner, document=formats.parse(text, "json"))
    assert not activity._versions_and_stamp(copy).current
    run_all()
    assert activity._versions_and_stamp(Debate.objects.get(pk=copy.pk)).current
    assert not activity.store_counts_task.call(copy.pk)  # current now: nothing to store
