"""Kialo's plain-text export (.txt), both generations; we write the current one.

Older files start `Discussion Title: …`, then one claim a line: `1. thesis`, `1.2. Pro: text`,
`1.2.3. Con: text`. Current files start `Discussion Name:` with the title on the next line,
and each claim is a block: a header such as `  1.2. Con:` (two spaces a level) with the text
on the following line(s), blocks separated by blank lines. In both, the number says where a
claim stands (its parent is the number without its last part), `-> See 1.4.2.` reuses another
claim (a link), `[n]` in a text cites the n-th entry of the final `Sources:` section, and
claim text is Markdown with backslash escapes.
"""

from __future__ import annotations

import re
import textwrap
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from arguments.formats.document import (
    DebateDocument,
    DocCitation,
    DocClaim,
    DocRelation,
    DocSource,
    FormatError,
    check_claim_text,
    claim_label,
    fold,
    source_key,
)
from arguments.models import Claim, Stance

ITEM = re.compile(
    r"^[ \t]*(?P<number>(?:\d+\.)+)"
    r"(?:[ \t]+(?P<label>thesis|pro|con|question):)?(?:[ \t]*(?P<text>.*?))?[ \t]*$",
    re.IGNORECASE,
)
LINK = re.compile(r"^->\s*See\s+(?P<number>(?:\d+\.)*\d+)\.?\s*$", re.IGNORECASE)
# A link to another discussion ("-> See discussion #123: Its title"): a claim of its own kind,
# kept word for word.
EXTERNAL = re.compile(r"^->\s*See\s+discussion\b", re.IGNORECASE)
SOURCE_ENTRY = re.compile(r"^\[(?P<n>\d+)\][ \t]*(?P<rest>.*)$")
# A web address as Kialo writes one: with its scheme, or bare from `www.`.
URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
# A citation marker; an escaped one (`\[1\]`) and a Markdown link (`[1](…)`) are text.
MARKER = re.compile(r"(?<!\\)\[(?P<n>\d+)\](?!\()")
# What our export escapes, and only where the text would otherwise be misread: a bracketed
# number that is no citation, and a text that would read as a `-> See` link.
BARE_MARKER = re.compile(r"(?<!\\)\[(\d+\])(?!\()")
# Our export's own escapes, undone on reading: `\[n]` and a leading `\->`.
OUR_ESCAPE = re.compile(r"\\(\[\d+\](?!\())|^\\(->)")
SENTINEL = re.compile("\x00(\\d+)\x00")


class _Item:
    # Depth and parent are read five times an item while building: worked out once (at
    # 200,000 claims, as properties they were a tenth of the import's time).
    __slots__ = ("depth", "label", "line", "number", "parent_number", "text")

    def __init__(self, number: str, label: str, text: str, line: int) -> None:
        self.number, self.label, self.text, self.line = number, label, text, line
        self.depth = number.count(".")
        self.parent_number = number[: number.rstrip(".").rfind(".") + 1]


def parse(text: str) -> DebateDocument:
    """Read a Kialo export of either generation."""
    lines = text.lstrip("\ufeff").splitlines()
    document = DebateDocument()
    index = _skip_blank(lines, 0)
    if index == len(lines):
        raise FormatError(_("the file is empty"), 1)
    header = lines[index].strip()
    for prefix in ("Discussion Title:", "Discussion Name:"):
        if header.startswith(prefix):
            document.title = fold(header[len(prefix) :])
            if prefix == "Discussion Title:":
                document.lose("older_generation")
            break
    else:
        raise FormatError(
            _("a Kialo export starts with 'Discussion Title:' or 'Discussion Name:'"), index + 1
        )
    index += 1
    if not document.title:
        index = _skip_blank(lines, index)
        if index < len(lines) and not ITEM.match(lines[index]):
            document.title = fold(lines[index])
            index += 1

    items, sources_at = _read_items(lines, index)
    entries = _read_sources(lines, sources_at, document) if sources_at is not None else {}
    _build(document, items, entries)
    # The export numbers sources in the order they are first cited.
    cited = list(dict.fromkeys(MARKER.findall("\n".join(item.text for item in items))))
    _keep_sources_as_written(document, entries, [n for n in cited if n in entries])
    return document


def _entry_as_we_write_it(number: int, address: str, quote: str) -> str:
    lines = [f"[{number}] {address}"]
    lines += [f"    {line}" if line.strip() else "" for line in quote.splitlines()]
    return "\n".join(lines)


def _keep_sources_as_written(
    document: DebateDocument, entries: dict[str, _Entry], cited: list[str]
) -> None:
    """Keep the `Sources:` entries as written (number, words before the address, excerpt
    layout) when our export would write them otherwise, so that it writes them back: by
    address and quote, which is what a citation keeps (`Debate.interchange`)."""
    first_cited = {n: index for index, n in enumerate(cited, start=1)}
    kept: list[list[int | str]] = []
    differs = False
    seen: set[tuple[str, str]] = set()
    for n, entry in entries.items():
        written = "\n".join(entry.lines).rstrip()
        kept.append([int(n), entry.url, entry.quote, written])
        if n in first_cited:
            if (entry.url, entry.quote) in seen:
                document.lose("repeated_sources")
            seen.add((entry.url, entry.quote))
            differs = differs or first_cited[n] != int(n)
            differs = differs or written != _entry_as_we_write_it(int(n), entry.url, entry.quote)
    if differs:
        document.interchange.setdefault("kialo", {})["sources"] = kept


def _skip_blank(lines: list[str], index: int) -> int:
    while index < len(lines) and not lines[index].strip():
        index += 1
    return index


def _read_items(lines: list[str], index: int) -> tuple[list[_Item], int | None]:
    items: list[_Item] = []
    # The header after a claim's blank line is matched once, by the look-ahead, and reused.
    ahead: tuple[int, re.Match[str] | None] = (-1, None)
    while index < len(lines):
        line = lines[index]
        if not line.strip():
            index += 1
            continue
        if line.strip() == "Sources:" and not line[:1].isspace():
            return items, index + 1
        match = ahead[1] if ahead[0] == index else ITEM.match(line)
        if match is None:
            raise FormatError(
                _("expected a numbered claim such as '1.2. Pro: …' (or the 'Sources:' section)"),
                index + 1,
            )
        number, label = match["number"], (match["label"] or "").lower()
        body = [match["text"]] if match["text"] else []
        start = index
        index += 1
        # Current generation: the text follows the header, whatever it looks like, up to a
        # blank line; a claim of several paragraphs has blank lines (holding only the
        # indentation) between them. Older one: the text is on the header's line, perhaps
        # wrapped. Lines are kept as lines: only the indentation is layout.
        while index < len(lines):
            following = lines[index]
            if not following.strip():
                after = _skip_blank(lines, index)
                if body and after < len(lines):
                    ahead = (after, ITEM.match(lines[after]))
                    if _continues(lines, index, after, ahead[1]):
                        body += [""] * (after - index)
                        index = after
                        continue
                break
            if body and (ITEM.match(following) or _is_sources(following)):
                break
            body.append(following.strip())
            index += 1
        items.append(_Item(number, label, "\n".join(body), start + 1))
    return items, None


def _is_sources(line: str) -> bool:
    return line.strip() == "Sources:" and not line[:1].isspace()


def _continues(lines: list[str], blank: int, after: int, match: re.Match[str] | None) -> bool:
    """Whether the line at `after`, past blank lines from `blank`, is another paragraph of
    the same claim: any line that is no claim's header nor `Sources:`; or, after a line that
    holds only indentation (how Kialo separates paragraphs), a numbered line without a label
    (a list in the text). `match` is ITEM's match of that line."""
    following = lines[after]
    if match is None:
        return not _is_sources(following)
    if match["label"]:
        return False  # the next claim's header: the common case, decided first
    indented = any(lines[i] and not lines[i].strip() for i in range(blank, after))
    return indented and lines[after - 1] != ""


def _read_sources(lines: list[str], index: int, document: DebateDocument) -> dict[str, _Entry]:
    entries: dict[str, _Entry] = {}
    current: _Entry | None = None
    for offset, line in enumerate(lines[index:], start=index + 1):
        match = SOURCE_ENTRY.match(line)
        if match is None:
            if current is not None:
                current.more.append(line)
                current.lines.append(line)
            elif line.strip():
                raise FormatError(_("expected a source such as '[1] https://…'"), offset)
            continue
        current = _Entry(offset)
        current.lines.append(line)
        if match["n"] in entries:
            raise FormatError(_("source [%(n)s] is listed twice") % {"n": match["n"]}, offset)
        entries[match["n"]] = current
        rest = match["rest"].strip()
        url = URL.search(rest)
        if url is None or not _readable(url.group()):
            # Prose, a book, words Kialo prefixed with `http://`: kept whole as the citations'
            # text, with no source to open.
            document.warn(
                offset,
                (
                    _("source [%(n)s] has no web address; its citations keep its text")
                    if url is None
                    else _(
                        "source [%(n)s] has no readable web address; its citations keep its text"
                    )
                )
                % {"n": match["n"]},
            )
            current.url, current.readable = rest, False
            continue
        current.url = url.group()
        current.title = fold(rest[: url.start()])
        current.first = rest[url.end() :]
    return entries


def _readable(url: str) -> bool:
    try:
        source_key(url)
    except ValidationError:
        return False
    return True


class _Entry:
    """One `[n] URL` of the Sources section, with the excerpt quoted under it."""

    __slots__ = ("first", "line", "lines", "more", "readable", "title", "url")

    def __init__(self, line: int) -> None:
        self.line = line
        self.url = self.title = self.first = ""
        self.readable = True
        self.more: list[str] = []
        self.lines: list[str] = []  # as written, to keep them when our export would not

    @property
    def quote(self) -> str:
        # Our export indents excerpts so that none of their lines can pass for `[n]`.
        more = textwrap.dedent("\n".join(self.more))
        return f"{self.first.strip()}\n{more}".strip()


def _build(document: DebateDocument, items: list[_Item], entries: dict[str, _Entry]) -> None:
    if not items:
        raise FormatError(_("the file has no claims"))
    by_number: dict[str, _Item] = {}
    for item in items:
        if item.number in by_number:
            raise FormatError(_("claim %(n)s appears twice") % {"n": item.number}, item.line)
        by_number[item.number] = item

    # Multi-thesis discussions ask a question at 1. and hang the theses under it.
    questions = {item.parent_number for item in items if item.depth == 2 and item.label == "thesis"}
    questions |= {item.number for item in items if item.label == "question"}
    if not questions and sum(1 for item in items if item.depth == 1) > 1:
        document.lose("question_added")
    for number in sorted(questions):
        if number in by_number and by_number[number].text.strip():
            # Kept to write back: the app asks its question in the debate's title.
            document.interchange.setdefault("kialo", {})["question"] = by_number[number].text
            break
    links: dict[str, str] = {}
    for item in items:
        if item.number in questions:
            continue
        if item.depth == 1 or item.parent_number in questions:
            if item.label in ("pro", "con"):
                raise FormatError(
                    _("%(n)s stands at the root, so it is a thesis") % {"n": item.number}, item.line
                )
            if item.parent_number in questions and item.label != "thesis":
                raise FormatError(
                    _("%(n)s answers the question %(question)s; only theses can")
                    % {"n": item.number, "question": item.parent_number},
                    item.line,
                )
        elif item.label not in ("pro", "con"):
            raise FormatError(
                _("%(n)s needs a 'Pro:' or 'Con:' label") % {"n": item.number}, item.line
            )
        elif item.parent_number not in by_number:
            raise FormatError(
                _("%(n)s answers %(parent)s, which is not in the file")
                % {"n": item.number, "parent": item.parent_number},
                item.line,
            )
        link = LINK.match(item.text.strip())
        if link:
            links[item.number] = link["number"] + "."
            continue
        document.claims.append(
            DocClaim(
                id=item.number,
                text=_claim_text(item, entries, document),
                is_thesis=item.depth == 1 or item.parent_number in questions,
                kind=Claim.Kind.LINK if EXTERNAL.match(item.text) else Claim.Kind.STATEMENT,
                line=item.line,
            )
        )

    def resolve(number: str, line: int) -> str:
        seen: set[str] = set()
        while number in links:
            if number in seen:
                raise FormatError(
                    _("the links through %(n)s go round in a circle") % {"n": number}, line
                )
            seen.add(number)
            number = links[number]
        if number not in by_number:
            raise FormatError(_("links to %(n)s, which is not in the file") % {"n": number}, line)
        if number in questions:
            raise FormatError(_("links to the discussion's question %(n)s") % {"n": number}, line)
        return number

    positions: dict[str, int] = defaultdict(int)
    pairs: set[tuple[str, str]] = set()
    for item in items:
        if item.depth == 1 or item.number in questions or item.parent_number in questions:
            if item.number in links:
                raise FormatError(
                    _("the thesis %(n)s cannot be a link") % {"n": item.number}, item.line
                )
            continue
        try:
            parent = resolve(item.parent_number, item.line)
            child = resolve(item.number, item.line)
        except FormatError as error:
            # A broken `-> See` is a bad part of the file, not a reason to refuse it: the link
            # goes, every claim stays.
            document.warn(item, _("%(problem)s; link left out") % {"problem": error.message})
            continue
        if child == parent or (parent, child) in pairs:
            document.warn(
                item.line,
                _("%(n)s repeats a relation that is already there; kept once") % {"n": item.number},
            )
            continue
        pairs.add((parent, child))
        document.relations.append(
            DocRelation(
                parent=parent,
                child=child,
                stance=Stance.PRO if item.label == "pro" else Stance.CON,
                is_link=item.number in links,
                position=positions[parent],
                line=item.line,
            )
        )
        positions[parent] += 1

    # One source a distinct address as written; the import shares one stored source among
    # addresses that differ only by a fragment or case (their normalised key).
    sources: dict[str, DocSource] = {}
    for entry in entries.values():
        if entry.readable and entry.url not in sources:
            sources[entry.url] = DocSource(
                id=f"s{len(sources) + 1}", url=entry.url, title=entry.title, line=entry.line
            )
    document.sources = list(sources.values())
    for citation in document.citations:
        # The address as written stood in for the source's id until the sources were numbered.
        written = citation.address
        citation.source = sources[written].id if written in sources else None


def _claim_text(item: _Item, entries: dict[str, _Entry], document: DebateDocument) -> str:
    """The claim's text as written, without its citation markers, whose places are kept.

    Escapes are kept as the file has them (Kialo's text is Markdown), apart from the two our
    export adds (`\\[1]`, a leading `\\->`), which are undone after the markers are found.
    """
    raw = item.text.strip()
    fenced = "\\" in raw and "\x01" not in raw
    if fenced:
        raw = OUR_ESCAPE.sub(_unescape, raw)
    pieces: list[str] = []
    placed: list[tuple[_Entry, int]] = []
    last = length = 0
    for match in MARKER.finditer(raw):
        entry = entries.get(match["n"])
        if entry is None:
            document.warn(
                item, _("[%(n)s] cites no source listed under 'Sources:'") % {"n": match["n"]}
            )
            continue
        pieces.append(raw[last : match.start()])
        length += match.start() - last
        last = match.end()
        placed.append((entry, length))
    if not placed:
        raw = raw.replace("\x01", "[") if fenced else raw
        return check_claim_text(raw, line=item.line, label=claim_label(item.number))
    pieces.append(raw[last:])
    joined = "".join(pieces)
    if fenced:
        joined = joined.replace("\x01", "[")
    lead = len(joined) - len(joined.lstrip())
    text = check_claim_text(joined, line=item.line, label=claim_label(item.number))
    for entry, offset in placed:
        # Offsets past the text's end stand for the spaces before trailing markers.
        document.citations.append(
            DocCitation(
                claim=item.number,
                source=None,
                address=entry.url,
                quote=entry.quote,
                offset=max(0, offset - lead),
                line=item.line,
            )
        )
    return text


def _unescape(match: re.Match[str]) -> str:
    # A marker escaped by our export is hidden from the marker search behind a control
    # character that no text holds, and given back its bracket once the markers are taken.
    if match[1] is not None:
        return f"\x01{match[1][1:]}"
    return match[2]


def _with_markers(text: str, placed: list[tuple[int | None, int]], marker: str = "[{}]") -> str:
    """The text with `[n]` markers back in their places; (offset, n) pairs.

    An offset past the end of the text stands for a marker after a space (as in "well. [1]");
    a citation with no place (added on the site) goes after the text, after a space.
    """
    out: list[str] = []
    position, virtual, end = 0, len(text), len(text)
    for offset, n in sorted(placed, key=lambda pair: end + 1 if pair[0] is None else pair[0]):
        at = virtual + 1 if offset is None else offset
        if at <= end and virtual == end:
            out.append(text[position:at])
            position = at
        else:
            out.append(text[position:])
            position = end
            out.append(" " if at > virtual else "")
            virtual = max(at, virtual)
        out.append(marker.format(n))
    out.append(text[position:])
    return "".join(out)


def _escaped(text: str) -> str:
    """Only what our reader would misread: a bracketed number and a leading `-> See n`."""
    if "[" in text:
        text = BARE_MARKER.sub(r"\\[\1", text)
    if text.startswith("->") and LINK.match(text):
        text = "\\" + text
    return text


def render(document: DebateDocument) -> str:
    """Write the current generation: numbered blocks, links as `-> See …`, then sources.

    Texts are written as they are (a Kialo import kept them as Kialo wrote them), markers in
    their places; several theses hang under `1. Question:` as Kialo writes them.
    """
    children: dict[str, list[DocRelation]] = defaultdict(list)
    for item in document.relations:
        children[item.parent].append(item)
    for siblings in children.values():
        siblings.sort(key=lambda relation: relation.position)
    texts = {claim.id: claim.text for claim in document.claims}
    theses = document.theses
    question = len(theses) > 1
    base = "1." if question else ""

    # First pass: number the forest of originals, so that links can name their targets.
    numbers: dict[str, str] = {}
    order: list[tuple[str, DocRelation | None]] = []
    stack: list[tuple[str, DocRelation | None, str]] = [
        (claim.id, None, f"{base}{index}.")
        for index, claim in reversed(list(enumerate(theses, start=1)))
    ]
    while stack:
        claim_id, relation, number = stack.pop()
        order.append((number, relation))
        if relation is not None and relation.is_link:
            continue
        numbers[claim_id] = number
        below = children.get(claim_id, [])
        stack.extend(
            (child.child, child, f"{number}{index}.")
            for index, child in reversed(list(enumerate(below, start=1)))
        )

    thesis_of = {f"{base}{index}.": claim for index, claim in enumerate(theses, start=1)}
    cited_by: dict[str, list[DocCitation]] = defaultdict(list)
    for citation in document.citations:
        cited_by[citation.claim].append(citation)
    urls = {source.id: source.url for source in document.sources}
    references: dict[tuple[str, str], int] = {}
    # Entries as the imported file wrote them, by address and quote: their numbers and lines.
    kept = document.interchange.get("kialo", {}).get("sources", [])
    as_written: dict[tuple[str, str], tuple[int, str]] = {}
    for n, address, quote, written in kept:
        as_written.setdefault((address, quote), (n, written))
    fresh = _Numbers({n for n, *_ in kept})

    out = ["Discussion Name:", fold(document.title) or "Untitled", ""]
    if question:
        asked = document.interchange.get("kialo", {}).get("question") or fold(document.title)
        out += ["1. Question:", *(asked or "Untitled").split("\n"), ""]
    for number, relation in order:
        indent = "  " * (number.count(".") - 1)
        if relation is None:
            claim_id, label = thesis_of[number].id, "Thesis"
        else:
            claim_id, label = relation.child, relation.stance.capitalize()
        if relation is not None and relation.is_link:
            target = numbers.get(relation.child)
            if target is None:
                continue
            body = f"-> See {target}"
        else:
            body = texts[claim_id]
            cited = cited_by.get(claim_id)
            if not cited:
                body = _escaped(body)
            else:
                placed: list[tuple[int | None, int]] = []
                # Numbered in the order their markers stand (those with no place last).
                in_place = sorted(cited, key=lambda c: (c.offset is None, c.offset or 0))
                for citation in in_place:
                    where = citation.address or (
                        urls[citation.source] if citation.source is not None else ""
                    )
                    key = (where, citation.quote)
                    if key not in references:
                        references[key] = as_written[key][0] if key in as_written else fresh.next()
                    placed.append((citation.offset, references[key]))
                # Markers go in by offset into the text as stored, as NUL-fenced numbers (no
                # text holds a NUL) that the escaping cannot touch.
                body = _escaped(_with_markers(body, placed, "\x00{}\x00"))
                body = SENTINEL.sub(r"[\1]", body)
        if "\n" in body:
            # A paragraph break is a line holding only the indentation, as Kialo writes it.
            body = "\n".join(f"{indent}{line}" for line in body.split("\n"))
        else:
            body = f"{indent}{body}"
        out += [f"{indent}{number} {label}:", body, ""]
    if references:
        out.append("Sources:")
        # The file's entries in its order, then those cited since, as we write them.
        for key, (n, written) in as_written.items():
            if references.get(key) == n:
                out.append(written)
        for (where, quote), n in references.items():
            if as_written.get((where, quote), (None,))[0] != n:
                out.append(_entry_as_we_write_it(n, where, quote))
    return "\n".join(out).rstrip("\n") + "\n"


class _Numbers:
    """Source numbers 1, 2, … in the order first cited, past those an imported file used."""

    def __init__(self, taken: set[int]) -> None:
        self.taken, self.counter = taken, 0

    def next(self) -> int:
        self.counter += 1
        while self.counter in self.taken:
            self.counter += 1
        return self.counter
