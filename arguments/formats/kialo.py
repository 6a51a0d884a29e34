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

from arguments.formats.document import (
    DebateDocument,
    DocCitation,
    DocClaim,
    DocRelation,
    DocSource,
    FormatError,
    clean_claim_text,
    fold,
)
from arguments.models import Stance

ITEM = re.compile(
    r"^[ \t]*(?P<number>(?:\d+\.)+)"
    r"(?:[ \t]+(?P<label>thesis|pro|con):)?(?:[ \t]*(?P<text>.*?))?[ \t]*$",
    re.IGNORECASE,
)
LINK = re.compile(r"^->\s*See\s+(?P<number>(?:\d+\.)*\d+)\.?\s*$", re.IGNORECASE)
SOURCE_ENTRY = re.compile(r"^\[(?P<n>\d+)\][ \t]*(?P<rest>.*)$")
URL = re.compile(r"https?://\S+")
MARKER = re.compile(r"(?<!\\)\[(?P<n>\d+)\]")
ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")
# What we escape on export: the backslash itself, what could read as a citation marker or
# Markdown markup, and `>` so that no text can pass for a link (`-> See …`).
TO_ESCAPE = re.compile(r"([\\\[\]()*_`>])")


class _Item:
    __slots__ = ("label", "line", "number", "text")

    def __init__(self, number: str, label: str, text: str, line: int) -> None:
        self.number, self.label, self.text, self.line = number, label, text, line

    @property
    def depth(self) -> int:
        return self.number.count(".")

    @property
    def parent_number(self) -> str:
        return self.number[: self.number.rstrip(".").rfind(".") + 1]


def parse(text: str) -> DebateDocument:
    """Read a Kialo export of either generation."""
    lines = text.lstrip("\ufeff").splitlines()
    document = DebateDocument()
    index = _skip_blank(lines, 0)
    if index == len(lines):
        raise FormatError("the file is empty", 1)
    header = lines[index].strip()
    for prefix in ("Discussion Title:", "Discussion Name:"):
        if header.startswith(prefix):
            document.title = fold(header[len(prefix) :])
            break
    else:
        raise FormatError(
            "a Kialo export starts with 'Discussion Title:' or 'Discussion Name:'", index + 1
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
    return document


def _skip_blank(lines: list[str], index: int) -> int:
    while index < len(lines) and not lines[index].strip():
        index += 1
    return index


def _read_items(lines: list[str], index: int) -> tuple[list[_Item], int | None]:
    items: list[_Item] = []
    while index < len(lines):
        line = lines[index]
        if not line.strip():
            index += 1
            continue
        if line.strip() == "Sources:" and not line[:1].isspace():
            return items, index + 1
        match = ITEM.match(line)
        if match is None:
            raise FormatError(
                "expected a numbered claim such as '1.2. Pro: …' (or the 'Sources:' section)",
                index + 1,
            )
        number, label = match["number"], (match["label"] or "").lower()
        body = [match["text"]] if match["text"] else []
        start = index
        index += 1
        # Current generation: the text follows the header, whatever it looks like, up to a
        # blank line. Older one: the text is on the header's line, perhaps wrapped.
        while index < len(lines) and lines[index].strip():
            following = lines[index]
            if body and (ITEM.match(following) or following.strip() == "Sources:"):
                break
            body.append(following.strip())
            index += 1
        items.append(_Item(number, label, "\n".join(body), start + 1))
    return items, None


def _read_sources(lines: list[str], index: int, document: DebateDocument) -> dict[str, _Entry]:
    entries: dict[str, _Entry] = {}
    current: _Entry | None = None
    for offset, line in enumerate(lines[index:], start=index + 1):
        match = SOURCE_ENTRY.match(line)
        if match is None:
            if current is not None:
                current.more.append(line)
            elif line.strip():
                raise FormatError("expected a source such as '[1] https://…'", offset)
            continue
        current = _Entry(offset)
        if match["n"] in entries:
            raise FormatError(f"source [{match['n']}] is listed twice", offset)
        entries[match["n"]] = current
        rest = match["rest"]
        url = URL.search(rest)
        if url is None:
            document.problems.append(
                f"line {offset}: source [{match['n']}] has no web address; "
                "its citations are left out"
            )
            current.url = ""
            continue
        current.url = url.group()
        current.title = fold(rest[: url.start()])
        current.first = rest[url.end() :]
    return entries


class _Entry:
    """One `[n] URL` of the Sources section, with the excerpt quoted under it."""

    __slots__ = ("first", "line", "more", "title", "url")

    def __init__(self, line: int) -> None:
        self.line = line
        self.url = self.title = self.first = ""
        self.more: list[str] = []

    @property
    def quote(self) -> str:
        # Our export indents excerpts so that none of their lines can pass for `[n]`.
        more = textwrap.dedent("\n".join(self.more))
        return f"{self.first.strip()}\n{more}".strip()


def _build(document: DebateDocument, items: list[_Item], entries: dict[str, _Entry]) -> None:
    if not items:
        raise FormatError("the file has no claims")
    by_number: dict[str, _Item] = {}
    for item in items:
        if item.number in by_number:
            raise FormatError(f"claim {item.number} appears twice", item.line)
        by_number[item.number] = item

    # Multi-thesis discussions ask a question at 1. and hang the theses under it.
    questions = {item.parent_number for item in items if item.depth == 2 and item.label == "thesis"}
    links: dict[str, str] = {}
    for item in items:
        if item.number in questions:
            continue
        if item.depth == 1 or item.parent_number in questions:
            if item.label in ("pro", "con"):
                raise FormatError(f"{item.number} stands at the root, so it is a thesis", item.line)
            if item.parent_number in questions and item.label != "thesis":
                raise FormatError(
                    f"{item.number} answers the question {item.parent_number}; only theses can",
                    item.line,
                )
        elif item.label not in ("pro", "con"):
            raise FormatError(f"{item.number} needs a 'Pro:' or 'Con:' label", item.line)
        elif item.parent_number not in by_number:
            raise FormatError(
                f"{item.number} answers {item.parent_number}, which is not in the file", item.line
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
                line=item.line,
            )
        )

    def resolve(number: str, line: int) -> str:
        seen: set[str] = set()
        while number in links:
            if number in seen:
                raise FormatError(f"the links through {number} go round in a circle", line)
            seen.add(number)
            number = links[number]
        if number not in by_number:
            raise FormatError(f"links to {number}, which is not in the file", line)
        if number in questions:
            raise FormatError(f"links to the discussion's question {number}", line)
        return number

    positions: dict[str, int] = defaultdict(int)
    pairs: set[tuple[str, str]] = set()
    for item in items:
        if item.depth == 1 or item.number in questions or item.parent_number in questions:
            if item.number in links:
                raise FormatError(f"the thesis {item.number} cannot be a link", item.line)
            continue
        try:
            parent = resolve(item.parent_number, item.line)
            child = resolve(item.number, item.line)
        except FormatError as error:
            # A broken `-> See` is a bad part of the file, not a reason to refuse it: the link
            # goes, every claim stays.
            document.warn(item, f"{error.message}; link left out")
            continue
        if child == parent or (parent, child) in pairs:
            document.problems.append(
                f"line {item.line}: {item.number} repeats a relation that is already there; "
                "kept once"
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

    sources: dict[str, DocSource] = {}
    for entry in entries.values():
        if entry.url and entry.url not in sources:
            sources[entry.url] = DocSource(
                id=f"s{len(sources) + 1}", url=entry.url, title=entry.title, line=entry.line
            )
    document.sources = list(sources.values())
    for citation in document.citations:
        citation.source = sources[citation.source].id


def _claim_text(item: _Item, entries: dict[str, _Entry], document: DebateDocument) -> str:
    """The claim's text without its citation markers, unescaped; its citations recorded."""
    cited: list[_Entry] = []

    def cite(match: re.Match[str]) -> str:
        entry = entries.get(match["n"])
        if entry is None:
            document.problems.append(
                f"line {item.line}: [{match['n']}] cites no source listed under 'Sources:'"
            )
            return match.group()
        if entry.url and entry not in cited:
            cited.append(entry)
        return ""

    text = MARKER.sub(cite, item.text)
    text = ESCAPED.sub(r"\1", text)
    text = clean_claim_text(text, line=item.line, label=f"claim {item.number}")
    for entry in cited:
        # The source's URL stands in for its id until the sources are numbered.
        document.citations.append(
            DocCitation(claim=item.number, source=entry.url, quote=entry.quote, line=item.line)
        )
    return text


def render(document: DebateDocument) -> str:
    """Write the current generation: numbered blocks, links as `-> See …`, then sources."""
    children: dict[str, list[DocRelation]] = defaultdict(list)
    for item in document.relations:
        children[item.parent].append(item)
    for siblings in children.values():
        siblings.sort(key=lambda relation: relation.position)
    texts = {claim.id: claim.text for claim in document.claims}

    # First pass: number the forest of originals, so that links can name their targets.
    numbers: dict[str, str] = {}
    order: list[tuple[str, DocRelation | None]] = []
    stack: list[tuple[str, DocRelation | None, str]] = [
        (claim.id, None, f"{index}.")
        for index, claim in reversed(list(enumerate(document.theses, start=1)))
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

    thesis_of = {f"{index}.": claim for index, claim in enumerate(document.theses, start=1)}
    cited_by: dict[str, list[DocCitation]] = defaultdict(list)
    for citation in document.citations:
        cited_by[citation.claim].append(citation)
    urls = {source.id: source.url for source in document.sources}
    references: dict[tuple[str, str], int] = {}

    out = ["Discussion Name:", fold(document.title) or "Untitled", ""]
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
            body = TO_ESCAPE.sub(r"\\\1", texts[claim_id])
            for citation in cited_by.get(claim_id, []):
                key = (urls[citation.source], citation.quote)
                references.setdefault(key, len(references) + 1)
                body += f" [{references[key]}]"
        out += [f"{indent}{number} {label}:", f"{indent}{body}", ""]
    if references:
        out.append("Sources:")
        for (url, quote), n in references.items():
            out.append(f"[{n}] {url}")
            out += [f"    {line}" if line.strip() else "" for line in quote.splitlines()]
    return "\n".join(out).rstrip("\n") + "\n"
