"""Search: claims by their text and by the titles of the sources they cite, in one debate or
across the debates a reader may read, each hit filtered through that debate's reading lens.

On PostgreSQL the database ranks (full-text search: a claim's document stored in a generated
column with a GIN index, migration 0013; a GIN index on source titles, migration 0009;
`ts_rank` and `ts_headline`); on SQLite every word must appear in the
text (`icontains`: any part of a word), and ranking and highlighting happen here. The claims
are found through an FTS5 index of their text with the trigram tokenizer (migration 0034: an
external-content table, the index alone, kept by triggers on the claims' table, so the
services, the admin, reverts and the imports' raw inserts all keep it), which finds any part
of a word of three letters or more; `LIKE` still decides among what it proposes, so the
candidates are exactly those a scan of every text gave (tests/test_search_index.py).

A debate is searched in its own language (issue 34, `Debate.language`): its text search
configuration stems the query and the claims (french, german, spanish, portuguese, arabic;
arguments/languages.py). English, the stored document's, reads the indexed column; another
language computes the debate's claims' documents in that configuration (the debate's own
claims only, found by its index). The site-wide search reads the stored English document.
SQLite has no stemming: every word must appear, in any language.

The database only proposes candidates (at most `CANDIDATES`); the lens decides what the reader
sees, so pending, hidden and merged claims, and claims beneath a hidden one, never leak. It
decides along each candidate's way up to its thesis, read alone for the candidates
(arguments/structure/placing.py: two queries), never from the whole debate: a search costs
what it finds, in a debate of 200 claims or of 200,000, and across a site of many debates.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import pairwise
from typing import TYPE_CHECKING

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchVector,
    SearchVectorField,
    TrigramDistance,
    TrigramSimilarity,
)
from django.db import connection
from django.db.models import Case, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from arguments import languages
from arguments.models import Citation, Claim, Debate, Relation, Source
from arguments.reading.lens import Lens
from arguments.rules.permissions import remember_roles
from arguments.structure import placing

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django.contrib.auth.models import AnonymousUser, User

    from arguments.structure.graph import Node

    AnyUser = User | AnonymousUser

QUERY_MAX_LENGTH = 100
MAX_WORDS = 8
CANDIDATES = 60  # rows proposed by the database, before the lens filters them
RANKED = 1000  # PostgreSQL: matches ranked to find them (SQLite reads 4 times CANDIDATES)
PLACED_FIRST = 2  # times the hits shown: the candidates placed before the others are
CONFIG = "english"  # must be the configuration the indexes were built with (migration 0004)
# Our own highlight markers: ts_headline and the SQLite fallback put them around matched
# words, and `_marked` turns them into <mark> after escaping everything else. Private-use
# characters, which nobody types; should one appear anyway, it is dropped, never markup.
# SQLite: the claims' full-text index (migration 0034: FTS5, trigram tokenizer, kept by
# triggers) and the shortest word it can find (a trigram is three characters).
CLAIM_INDEX = "arguments_claim_fts"
TRIGRAM = 3
# FTS5 holds a write transaction's new terms in memory until they pass its `hashsize` (1 MB
# unless set), then writes them out as a segment of the index, and merges segments as they
# pile up, the index's older ones too. A bulk write's terms are held in far fewer segments
# with a larger buffer (`claim_index_buffered`).
FTS5_DEFAULT_HASHSIZE = 1024 * 1024
BULK_HASHSIZE = 64 * 1024 * 1024
START, STOP = "\ue000", "\ue001"
_MARKED = re.compile(f"{START}(.*?){STOP}", re.S)


@contextmanager
def claim_index_buffered() -> Iterator[None]:
    """SQLite: inside a transaction that writes many claims, the claims' index holds their
    terms in a 64 MB buffer instead of 1 MB, then its own setting again.

    What the index holds is the same; it is written as fewer segments and merged less: 200,000
    claims indexed beside 200,000 others took 4.1 s of CPU instead of 7.1. The setting is a
    row of the index's configuration written in the transaction, so a failed write rolls it
    back with the rest (nothing is set back by hand then: a broken transaction takes no more
    statements).
    """
    if connection.vendor != "sqlite":
        yield
        return
    table = CLAIM_INDEX
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT v FROM {table}_config WHERE k = 'hashsize'")
        row = cursor.fetchone()
        kept = FTS5_DEFAULT_HASHSIZE if row is None else int(row[0])
        cursor.execute(
            f"INSERT INTO {table}({table}, rank) VALUES ('hashsize', %s)", [BULK_HASHSIZE]
        )
    yield
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table}({table}, rank) VALUES ('hashsize', %s)", [kept])
        if row is None:
            # No row, as before: this connection already holds the default it just set, and
            # the others read the configuration again (the index's cookie moved).
            cursor.execute(f"DELETE FROM {table}_config WHERE k = 'hashsize'")


@contextmanager
def claims_indexed_together(debate_id: int) -> Iterator[None]:
    """SQLite: the claims a new debate gets inside the block are indexed in one statement at
    its end, not one at a time by the insert trigger (with the index's larger buffer).

    What the trigger does for each new claim is to give the index its id and text; the block's
    end gives it the same, for every claim of the debate, in the order of their ids, as the
    trigger would have (the debate is new: its claims are the block's). No claim's text may
    change inside the block (the update trigger would take out of the index what is not yet
    in it). The trigger is dropped and made again from its own stored text within the
    transaction, so a failed write rolls back both, and no other connection ever sees it
    missing (docs/ARCHITECTURE.md, "An import's claims indexed at once").
    """
    if connection.vendor != "sqlite":
        yield
        return
    trigger = f"{CLAIM_INDEX}_insert"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = %s", [trigger]
        )
        (made,) = cursor.fetchone()
        cursor.execute(f"DROP TRIGGER {trigger}")
    yield
    with claim_index_buffered(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {CLAIM_INDEX}(rowid, text) SELECT id, text FROM arguments_claim "
            "WHERE debate_id = %s ORDER BY id",
            [debate_id],
        )
        cursor.execute(made)


def claim_document(config: str = CONFIG) -> RawSQL | SearchVector:
    """The claim text's document (PostgreSQL only). In English, as stored: the generated
    column of migration 0013, `to_tsvector('english', text)`, with the GIN index on it, read,
    never computed again (ranking thousands of matches by re-parsing their text was slow).
    In another configuration, computed from the text."""
    if config != CONFIG:
        return SearchVector("text", config=config)
    return RawSQL('"arguments_claim"."search_document"', (), output_field=SearchVectorField())


def source_vector() -> SearchVector:
    return SearchVector("title", config=CONFIG)


def debate_vector() -> SearchVector:
    return SearchVector("title", "description", config=CONFIG)


@dataclass(frozen=True, slots=True)
class Hit:
    """A claim found, as a result shows it: where it stands and where it leads."""

    claim_id: int
    debate: Debate
    snippet: SafeString  # the claim's text, escaped, with the matched words in <mark>
    thesis: str  # the thesis at the top of its path ("" when the claim is a thesis)
    parent: str  # the claim it answers ("" when that is the thesis itself, or none)
    skipped: int  # claims between the thesis and the parent, shown as "…"
    url: str  # the claim's focus page
    source: str  # the cited source's title that matched, when the text did not


def words_of(query: str) -> list[str]:
    """The query's words (letters and digits), at most `MAX_WORDS`."""
    return re.findall(r"\w+", query.lower())[:MAX_WORDS]


def _marked(text: str) -> SafeString:
    """`text` escaped, with our markers (only) turned into <mark>."""
    escaped = _MARKED.sub(r"<mark>\1</mark>", str(escape(text)))
    return mark_safe(escaped.replace(START, "").replace(STOP, ""))  # escaped above


def _highlight(text: str, words: list[str]) -> SafeString:
    """The SQLite fallback's headline: every occurrence of a query word marked."""
    text = text.replace(START, "").replace(STOP, "")
    if not words:
        return _marked(text)
    pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)), re.I)
    return _marked(pattern.sub(lambda m: f"{START}{m.group(0)}{STOP}", text))


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _ranked_ids(
    debates: QuerySet[Debate], query: str, config: str = CONFIG
) -> list[tuple[int, int, str]]:
    """(claim id, debate id, matched source title or "") of the best candidates, best first,
    among the claims of `debates`.

    A claim whose text holds the query as typed (the exact phrase) comes before one that only
    holds its words; then by rank (PostgreSQL: `ts_rank`, how often the words appear; cover
    density, `ts_rank_cd`, also favoured words close together but cost twice as much on a
    query matching thousands of claims) or, on SQLite, by how early the first word appears.
    """
    words = words_of(query)
    if not words:
        return []
    debates = debates.order_by().values("id")  # type: ignore[assignment]  # their ids
    claims = Claim.objects.filter(debate__in=debates)
    claims = claims.exclude(status=Claim.Status.DELETED).filter(merged_into__isnull=True)
    if _postgres():
        search = SearchQuery(query, search_type="websearch", config=config)
        # Two indexed queries, not one with an OR: PostgreSQL cannot use the claims' index
        # for "text matches OR cites a matching source", and would scan the whole table.
        found: list[tuple[int, int, str]] = [
            (pk, debate, "") for pk, debate in _postgres_ranked(claims, query, search, config)
        ]
        # The matching sources first, apart: inside the citations' statement PostgreSQL
        # walked every citation in claim order to find the few citing them (60 ms for none
        # on a site of 80,000 citations); none matching, no second read at all.
        sources = Source.objects.annotate(document=source_vector()).filter(document=search)
        matched = list(sources.order_by().values_list("id", flat=True)[:RANKED])
        cited = (
            list(
                Citation.objects.filter(is_hidden=False, source__in=matched)
                .filter(claim__in=claims.values("id"))
                .order_by("claim_id")
                .values_list("claim_id", "claim__debate_id", "source__title")[:CANDIDATES]
            )
            if matched
            else []
        )
    else:
        if any(len(word) >= TRIGRAM for word in words):
            rows = _sqlite_indexed(debates, query, words)
        else:  # no word of three letters: no trigram to look up, every text read
            matching = Q()
            for word in words:
                matching &= Q(text__icontains=word)
            phrase = Case(When(text__icontains=query, then=Value(1.0)), default=Value(0.0))
            by_words = (
                claims.filter(matching)
                .annotate(phrase=phrase)
                .order_by("-phrase", "id")
                .values_list("id", "debate_id", "text")[: CANDIDATES * 4]
            )
            rows = list(by_words)
        found = [(pk, debate, "") for pk, debate, _text in rows]
        texts = {pk: text for pk, _debate, text in rows}  # to rank them here
        first = words[0]
        found.sort(key=lambda f: (query.lower() not in texts[f[0]].lower(),
                                  texts[f[0]].lower().find(first)))  # fmt: skip
        found = found[:CANDIDATES]
        cited = _sqlite_cited(debates, words)
    seen = {f[0] for f in found}
    for pk, debate, title_text in cited:
        if pk not in seen:
            seen.add(pk)
            found.append((pk, debate, title_text))  # after every match by the text itself
    return found


def _postgres_ranked(
    claims: QuerySet[Claim], query: str, search: SearchQuery, config: str
) -> list[tuple[int, int]]:
    """PostgreSQL: (claim id, debate id) of the best `CANDIDATES` among the first `RANKED`
    claims the index finds, the exact phrase first, then by `ts_rank`, then by id.

    Ranked among a bounded set, as SQLite's candidates are: a common word across a site
    matches a hundred thousand claims, and ranking them all before keeping sixty took 1.6 s
    (issue 35, a site of 4,000 debates). The index gives its matches in the table's order
    (oldest first), so a query matching more than `RANKED` claims ranks the oldest of them."""
    matches = (
        claims.annotate(document=claim_document(config))
        .filter(document=search)
        .order_by()  # the index's order: sorting every match by id would read them all
        .values("id", "debate_id", "text", "document")[:RANKED]
    )
    inner, inner_params = matches.query.sql_with_params()
    like = f"%{connection.ops.prep_for_like_query(query)}%"
    sql = (
        f"SELECT m.id, m.debate_id FROM ({inner}) m "
        "ORDER BY UPPER(m.text::text) LIKE UPPER(%s) DESC, "
        "ts_rank(m.document, websearch_to_tsquery(%s::regconfig, %s)) DESC, m.id LIMIT %s"
    )  # the inner statement is the ORM's; every value is a parameter
    with connection.cursor() as cursor:
        cursor.execute(sql, [*inner_params, like, config, query, CANDIDATES])
        return [(pk, debate) for pk, debate in cursor.fetchall()]


def _sqlite_indexed(
    debates: QuerySet[Debate], query: str, words: list[str]
) -> list[tuple[int, int, str]]:
    """SQLite: the candidates by text (id, debate, text), through the claims' trigram index
    (`CLAIM_INDEX`, migration 0034), never reading every claim's text: the same rows, in the
    same order, as `icontains` over every claim with `ORDER BY phrase DESC, id` gave
    (tests/test_search_index.py).

    The index proposes claims in id order (it folds the case of every letter, `LIKE` only of
    ASCII ones, so it proposes at least what `LIKE` finds); `LIKE` decides, as before; the
    read stops at `CANDIDATES * 4` rows: those holding the query as typed first, then those
    holding its words (one statement, two reads). A word shorter than a trigram is matched by
    `LIKE` alone among the claims the longer words found."""
    scope, scope_params = debates.order_by().values("id").query.sql_with_params()
    like = connection.ops.prep_for_like_query
    checks = " AND ".join(["c.text LIKE %s ESCAPE '\\'"] * len(words))
    check_params = [f"%{like(word)}%" for word in words]
    wanted = CANDIDATES * 4

    def read(order: int, phrase: bool) -> str:
        # CROSS JOIN: SQLite walks the index's matches in id order and stops at the limit,
        # never the debate's claims (`id IN (the index's matches)` read every match first).
        return (
            f"SELECT * FROM (SELECT {order}, c.id, c.debate_id, c.text FROM {CLAIM_INDEX} f "
            "CROSS JOIN arguments_claim c ON c.id = f.rowid "
            f"WHERE f.{CLAIM_INDEX} MATCH %s AND c.status <> %s AND c.merged_into_id IS NULL "
            f"AND c.debate_id IN ({scope}) AND {checks}"
            + (" AND c.text LIKE %s ESCAPE '\\'" if phrase else "")
            + " ORDER BY f.rowid LIMIT %s)"
        )

    # The query as typed, one quoted string for the index ("" is a quote inside it), found
    # anywhere in a text like any part of a word; its words, each quoted (\w+: no quote).
    phrase = '"' + query.replace('"', '""') + '"'
    indexed = " AND ".join(f'"{word}"' for word in words if len(word) >= TRIGRAM)
    common = [Claim.Status.DELETED, *scope_params, *check_params]
    params = [phrase, *common, f"%{like(query)}%", wanted, indexed, *common, wanted]
    with connection.cursor() as cursor:
        cursor.execute(f"{read(0, True)} UNION ALL {read(1, False)} ORDER BY 1, 2", params)
        rows = cursor.fetchall()
    taken: set[int] = set()
    found: list[tuple[int, int, str]] = []
    for _order, pk, debate, text in rows:  # the phrase's rows first, each by id
        if pk not in taken:
            taken.add(pk)
            found.append((pk, debate, text))
    return found[:wanted]


def _sqlite_cited(debates: QuerySet[Debate], words: list[str]) -> list[tuple[int, int, str]]:
    """SQLite: (claim, debate, source title) of the claims citing a source whose title holds
    every word, first by claim id: from the few matching sources to their citations and
    claims (CROSS JOIN fixes that order; from the claims, SQLite read every claim of the
    debate to find none)."""
    scope, scope_params = debates.order_by().values("id").query.sql_with_params()
    like = connection.ops.prep_for_like_query
    checks = " AND ".join(["s.title LIKE %s ESCAPE '\\'"] * len(words))
    sql = (
        "SELECT ci.claim_id, c.debate_id, s.title FROM arguments_source s "
        "CROSS JOIN arguments_citation ci ON ci.source_id = s.id "
        "CROSS JOIN arguments_claim c ON c.id = ci.claim_id "
        f"WHERE {checks} AND NOT ci.is_hidden AND c.status <> %s AND c.merged_into_id IS NULL "
        f"AND c.debate_id IN ({scope}) ORDER BY ci.claim_id LIMIT %s"
    )
    params = [f"%{like(word)}%" for word in words]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, Claim.Status.DELETED, *scope_params, CANDIDATES])
        return [(pk, debate, title) for pk, debate, title in cursor.fetchall()]


def _snippets(ids: list[int], query: str, config: str = CONFIG) -> dict[int, SafeString]:
    """Each claim's text with the query's words highlighted, escaped; one query."""
    rows = Claim.objects.filter(pk__in=ids)
    if _postgres():
        headline = SearchHeadline(
            "text",
            SearchQuery(query, search_type="websearch", config=config),
            config=config,
            start_sel=START,
            stop_sel=STOP,
            max_words=40,
            min_words=20,
        )
        return {pk: _marked(text) for pk, text in rows.annotate(h=headline).values_list("id", "h")}
    words = words_of(query)
    return {pk: _highlight(text, words) for pk, text in rows.values_list("id", "text")}


def _hits(
    found: list[tuple[int, int, str]],
    lenses: dict[int, Lens],
    query: str,
    limit: int,
    config: str = CONFIG,
) -> list[Hit]:
    """The candidates the reader sees (each through its debate's lens, along its way up
    read alone: arguments/structure/placing.py), as `Hit`s."""
    candidates = [f for f in found if f[1] in lenses]
    kept: list[tuple[int, Lens, list[Node], str]] = []
    # The first candidates are placed first, the rest only if too few of those are seen:
    # most searches find their page among the first (two queries, not two more).
    first = limit * PLACED_FIRST
    for batch in (candidates[:first], candidates[first:]):
        if len(kept) == limit or not batch:
            break
        ways = placing.placed(
            (lens.debate for lens in lenses.values()), {pk for pk, _debate, _source in batch}
        )
        for pk, debate_id, source in batch:
            way = ways.get(debate_id)
            if way is None or pk not in way.nodes:
                continue
            path = way.path_to(pk)
            lens = lenses[debate_id]
            if lens.sees_path(path):
                kept.append((pk, lens, path, source))
                if len(kept) == limit:
                    break
    snippets = _snippets([pk for pk, _lens, _path, _source in kept], query, config)
    return [
        Hit(
            claim_id=pk,
            debate=lens.debate,
            snippet=snippets.get(pk, _marked("")),
            thesis=path[0].text if len(path) > 1 else "",
            parent=path[-2].text if len(path) > 2 else "",
            skipped=max(0, len(path) - 3),
            url=lens.claim_urls(pk).focus,
            source=source,
        )
        for pk, lens, path, source in kept
    ]


def search_debate(lens: Lens, query: str, *, limit: int = 20) -> list[Hit]:
    """Claims of the lens's debate matching `query` that its reader sees, best first, the
    words stemmed as the debate's language stems them. The debate is never loaded whole."""
    config = languages.search_config(lens.debate.language)
    found = _ranked_ids(Debate.objects.filter(pk=lens.debate.pk), query, config)
    return _hits(found, {lens.debate.pk: lens}, query, limit, config)


def readable_debates(user: AnyUser) -> QuerySet[Debate]:
    """The debates a site-wide search covers: public ones, and those the reader owns or is a
    member of (unlisted ones only then: they are found by their link, not by search)."""
    scope = Q(visibility=Debate.Visibility.PUBLIC)
    if user.is_authenticated:
        scope |= Q(owner=user) | Q(memberships__user=user)
    return Debate.objects.filter(scope, archived_at__isnull=True).distinct()


def search_claims(user: AnyUser, query: str, *, limit: int = 20) -> list[Hit]:
    """Claims matching `query` across the debates the reader may read, best first; each
    debate with a candidate is read through the reader's lens on it. A fixed number of
    queries however many debates the candidates come from: their debates, the reader's
    memberships of them, and the candidates' ways up, each one query for all."""
    found = _ranked_ids(readable_debates(user), query)
    debates = list(Debate.objects.filter(pk__in={f[1] for f in found}).select_related("owner"))
    remember_roles(user, debates)
    lenses = {debate.pk: Lens.of(debate, user) for debate in debates}
    lenses = {pk: lens for pk, lens in lenses.items() if lens.readable}
    return _hits(found, lenses, query, limit)


def debate_matches(query: str) -> Q:
    """Debates whose title or description holds the query (a Q for `Debate` rows)."""
    matches = Q(title__icontains=query) | Q(description__icontains=query)
    if _postgres() and words_of(query):
        # Full-text as well, so "releasing weights" finds "release model weights".
        ids = Debate.objects.annotate(document=debate_vector()).filter(
            document=SearchQuery(query, search_type="websearch", config=CONFIG)
        )
        matches |= Q(pk__in=ids.values("id"))
    return matches


# -- near duplicates, while a claim is written -----------------------------------------------

SIMILAR_SHOWN = 3
SIMILAR_MIN_LENGTH = 12  # shorter drafts resemble too much to warn about
TRIGRAM_THRESHOLD = 0.45  # PostgreSQL: pg_trgm similarity (0-1) from which a claim is "similar"
RATIO_THRESHOLD = 0.7  # SQLite: difflib's ratio (0-1), a stricter scale than trigrams
# SQLite: the claims the index proposes, best first by FTS5's bm25 rank, compared by difflib,
# asked for the draft's longest pairs of words (`draft_phrases`): each costs the index a read
# of its trigrams' lists, and six found as many twins as all of them on 20,000 real sentences
# at two thirds of the cost (docs/PERFORMANCE.md, issue 35d).
SIMILAR_CANDIDATES = 100
SIMILAR_PHRASES = 6
# SQLite: bounds on the comparisons, whatever the draft (a crafted draft of random `a`/`b`
# against claims alike passed every cheap bound, and 300 full comparisons of 500 characters
# took 3.8 s): texts compared on their first characters, and at most so many full `ratio()`
# calls (the best of the cheap bounds first). With at most `SIMILAR_CANDIDATES` claims to
# compare, no time budget: the answer no longer depends on how busy the machine is.
SIMILAR_COMPARED = 160  # characters of the draft and of each claim
SIMILAR_RATIOS = 40


def similar_claims(lens: Lens, text: str, *, under: int) -> list[tuple[int, str]]:
    """(id, text) of up to three published claims of the debate, seen by the reader, that
    read like `text`, most similar first; claims already beneath `under` are left out (they
    cannot be linked there, and the same text again there is a double submission).

    Asked while a writer types: the candidates come from the database's index (a fixed
    number of rows), and whether the reader sees each from its way up, read alone
    (arguments/structure/placing.py), never from the whole debate (issue 35)."""
    text = " ".join(text.split())
    if len(text) < SIMILAR_MIN_LENGTH:
        return []
    debate = lens.debate
    beneath = Relation.objects.filter(debate=debate, parent_id=under, is_hidden=False)
    taken = set(beneath.values_list("child_id", flat=True)) | {under}
    if _postgres():
        # The nearest claims by trigram distance (`text <-> draft`), which the GiST trigram
        # index of migration 0013 returns in order without scoring every claim of the
        # debate (scoring them all took 0.7 s on 20,000 claims); then the threshold.
        published = Claim.objects.filter(debate=debate, status=Claim.Status.PUBLISHED)
        rows = (
            published.annotate(similarity=TrigramSimilarity("text", text))
            .order_by(TrigramDistance("text", text))
            .values_list("id", "similarity")[: SIMILAR_SHOWN * 4]
        )
        near = sorted((-similarity, pk) for pk, similarity in rows)
        candidates = [pk for similarity, pk in near if -similarity >= TRIGRAM_THRESHOLD]
    else:
        candidates = _resembling(text, _sqlite_alike(debate, text))
    candidates = [claim_id for claim_id in candidates if claim_id not in taken]
    ways = placing.placed([debate], candidates).get(debate.pk)
    found: list[tuple[int, str]] = []
    for claim_id in candidates:
        if ways is None or claim_id not in ways.nodes:
            continue
        path = ways.path_to(claim_id)
        if path[-1].status == Claim.Status.PUBLISHED and lens.sees_path(path):
            found.append((claim_id, path[-1].text))
            if len(found) == SIMILAR_SHOWN:
                break
    return found


def draft_phrases(text: str) -> list[str]:
    """The phrases the claims' index is asked for, for a draft: each pair of consecutive
    words of its first `SIMILAR_COMPARED` characters, both of three letters or more, or,
    when there is no such pair, its words of three letters or more (a trigram). Letters
    and digits only, so no quote, operator or parenthesis of FTS5's syntax can reach the
    query, whatever the writer typed.

    A pair with a short word ("of the", "be a") is made of the most common trigrams, whose
    lists in the index are read whole: leaving them out halved the index's work on real
    sentences, and the longer words around them still find the claim."""
    words = re.findall(r"\w+", text[:SIMILAR_COMPARED])
    pairs = {f"{a} {b}" for a, b in pairwise(words) if min(len(a), len(b)) >= TRIGRAM}
    phrases = pairs or {word for word in words if len(word) >= TRIGRAM}
    return sorted(phrases, key=lambda phrase: (-len(phrase), phrase))[:SIMILAR_PHRASES]


def _sqlite_alike(debate: Debate, text: str) -> list[tuple[int, str]]:
    """SQLite: (id, text) of at most `SIMILAR_CANDIDATES` published, unmerged claims of the
    debate sharing the most of the draft's pairs of words, best first by FTS5's bm25 rank,
    through the claims' trigram index (`CLAIM_INDEX`, migration 0034): one statement,
    whatever the debate's size, and a twin of any claim is among them, not only of the
    first thousands by id.

    Pairs of words, not the draft's trigrams: a trigram such as "the" or "ion" is in most
    claims, and ranking every claim holding any of a draft's eighty trigrams cost 60 to 250
    ms on 20,000 claims; a pair of words is in few (docs/PERFORMANCE.md, issue 35d). The
    index folds case (and keeps diacritics: SQLite 3.40 has no `remove_diacritics` for the
    trigram tokenizer), as the comparison after it does."""
    phrases = draft_phrases(text)
    if not phrases:
        return []
    # Each phrase quoted, as FTS5 reads a string (words only: no quote inside to double).
    match = " OR ".join(f'"{phrase}"' for phrase in phrases)
    sql = (
        f"SELECT c.id, c.text FROM {CLAIM_INDEX} f "
        "CROSS JOIN arguments_claim c ON c.id = f.rowid "
        f"WHERE f.{CLAIM_INDEX} MATCH %s AND c.debate_id = %s AND c.status = %s "
        "AND c.merged_into_id IS NULL ORDER BY f.rank, c.id LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [match, debate.pk, Claim.Status.PUBLISHED, SIMILAR_CANDIDATES])
        return [(pk, claim_text) for pk, claim_text in cursor.fetchall()]


def _resembling(text: str, claims: Iterable[tuple[int, str]]) -> list[int]:
    """Of `claims` ((id, text)), those that read like `text` by difflib's ratio, most
    similar first (then by id), within the bounds on the work above."""
    draft = text.lower()[:SIMILAR_COMPARED]
    matcher = SequenceMatcher(None, "", draft, autojunk=False)  # b: the draft, kept
    texts: dict[int, str] = {}
    bounded: list[tuple[float, int]] = []
    for claim_id, claim_text in claims:
        compared = texts[claim_id] = claim_text.lower()[:SIMILAR_COMPARED]
        matcher.set_seq1(compared)
        # The cheap upper bounds first: most claims are nowhere near.
        if matcher.real_quick_ratio() < RATIO_THRESHOLD:
            continue
        bound = matcher.quick_ratio()
        if bound >= RATIO_THRESHOLD:
            bounded.append((bound, claim_id))
    # The full comparison, the costly one, only for the likeliest few.
    bounded.sort(key=lambda pair: (-pair[0], pair[1]))
    scored: list[tuple[float, int]] = []
    for _bound, claim_id in bounded[:SIMILAR_RATIOS]:
        matcher.set_seq1(texts[claim_id])
        ratio = matcher.ratio()
        if ratio >= RATIO_THRESHOLD:
            scored.append((ratio, claim_id))
    scored.sort(key=lambda pair: (-pair[0], pair[1]))
    return [claim_id for _ratio, claim_id in scored]
