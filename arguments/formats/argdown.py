"""Argdown (argdown.org), the pro/con subset: read and written.

Read: statements `[Title]: text`, arguments `<Title>: text` and untitled statements (plain
paragraphs), related by indentation with `+`/`<+` (supports the element above), `-`/`<-`
(attacks it), `_`/`<_` (undercuts it: read as a con), `><` (contradicts it: read as a con),
and `+>`/`->`/`_>` (the element above supports or attacks this one). A title used again is
the same claim. `#tags`, `{data}`, `===` front matter (its `title` and `description`),
headings and `//`, `/* */`, `<!-- -->` comments are understood and dropped. Premise-conclusion
structures are refused for now, naming their line.

Written: front matter, then each thesis as a top-level statement with its pros and cons
indented under it; a linked claim is a reference by title. Ids, votes, author and a status
other than published go in each statement's `{data}`. Texts are backslash-escaped so that the
Argdown project's own parser reads back exactly our text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from json.encoder import encode_basestring_ascii

from arguments.formats.document import (
    Candidate,
    DebateDocument,
    DocClaim,
    DocRelation,
    FormatError,
    clean_claim_text,
    fold,
    settle_relations,
)
from arguments.models import Claim, Stance

RELATION = re.compile(r"^(?P<symbol><\+|<-|<_|\+>|->|_>|><|\+|-|_)[ \t]+(?P<rest>.*)$")
ELEMENT = re.compile(r"\[(?P<statement>(?:\\.|[^\]\\])+)\]|<(?P<argument>(?:\\.|[^>\\])+)>")
HEADING = re.compile(r"^#{1,6}[ \t]")
PREMISE = re.compile(r"^\(\d+\)")
INFERENCE = re.compile(r"^--")
# Kept as they are while comments are removed: escapes, Markdown links and {data} (whose URLs
# have //).
COMMENT = re.compile(
    r"\\.|\]\([^)\n]*\)|\{(?:[^{}\n]|\{[^{}\n]*\})*\}"
    r"|(?P<comment>/\*.*?\*/|<!--.*?-->|//[^\n]*)",
    re.S,
)
# Scanned in a text: escapes and Markdown links (kept), tags (dropped), data (dropped).
TEXT_TOKEN = re.compile(r"\\.|\[[^\]\n]*\]\([^)\n]*\)|(?P<tag>#\([^)\n]*\)|#[^\s#\\()\[\]{}<>]+)")
ESCAPED = re.compile(r"\\(.)")
TO_ESCAPE = re.compile(r"([\\\[\]<>{}#*_/`~@|])")
TITLE_CHARACTERS = re.compile(r"[^\w\s'.,?!%-]")
# An author's title written back as it is: nothing in it that Argdown would read otherwise.
TITLE_SAFE = re.compile(r"^[^\[\]<>{}#\\\n]+$")
INCOMING = {"+": Stance.PRO, "<+": Stance.PRO, "-": Stance.CON, "<-": Stance.CON}
INCOMING |= {"_": Stance.CON, "<_": Stance.CON, "><": Stance.CON}
OUTGOING = {"+>": Stance.PRO, "->": Stance.CON, "_>": Stance.CON}
# An undercut attacks the inference, a contradiction says both cannot be true: kinds of con.
KINDS = {"_": "undercut", "<_": "undercut", "_>": "undercut", "><": "contradictory"}
SYMBOLS = {("pro", ""): "+", ("con", ""): "-", ("con", "undercut"): "_"}
SYMBOLS[("con", "contradictory")] = "><"
SIMPLE_TAG = re.compile(r"^[^\s#\\()\[\]{}<>]+$")


@dataclass
class _Node:
    key: str
    title: str
    first_line: int
    # Each written text as the parts of its paragraph (wrapped lines join it later), and line.
    texts: list[tuple[list[str], int]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


@dataclass
class _Occurrence:
    node: _Node
    parts: list[str] | None  # None for a bare reference, which takes no wrapped lines


def parse(text: str) -> DebateDocument:
    """Read an Argdown file's statements, arguments and their pro/con relations."""
    document = DebateDocument()
    body = _front_matter(text.lstrip("\ufeff"), document)
    lines = COMMENT.sub(_drop_comment, body).split("\n")
    nodes: dict[str, _Node] = {}
    candidates: list[Candidate] = []
    roots: set[str] = set()
    stack: list[tuple[int, str]] = []
    wrapping: _Occurrence | None = None
    untitled = 0

    def occurrence(rest: str, line: int) -> _Occurrence:
        nonlocal untitled
        tags: list[str] = []
        kind, title, body = _element(rest, tags)
        if kind == "untitled":
            untitled += 1
            key, title = f"untitled {untitled}", ""
        else:
            key = f"{kind}:{title}"
        node = nodes.get(key)
        if node is None:
            node = nodes[key] = _Node(key=key, title=title, first_line=line)
        found = _Occurrence(node, None if body is None else [body])
        if found.parts is not None:
            node.texts.append((found.parts, line))
        node.tags += [tag for tag in tags if tag not in node.tags]
        return found

    heading = False
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            wrapping, heading = None, False
            continue
        expanded = raw.expandtabs(4)
        indent = len(expanded) - len(expanded.lstrip())
        line = expanded.strip()
        if PREMISE.match(line) or INFERENCE.match(line):
            raise FormatError(
                "premise-conclusion structures (numbered premises, inference lines) are not "
                "supported yet; write the premises as pros of the conclusion",
                number,
            )
        if indent == 0 and HEADING.match(line):
            # A heading runs to the end of its paragraph (it may wrap onto the next lines).
            stack, wrapping, heading = [], None, True
            continue
        if heading:
            continue
        relation = RELATION.match(line)
        if relation:
            while stack and stack[-1][0] >= indent:
                stack.pop()
            if not stack:
                raise FormatError(
                    f"the relation {relation['symbol']!r} has no statement above it to relate to",
                    number,
                )
            found = occurrence(relation["rest"], number)
            here, above = found.node.key, stack[-1][1]
            symbol = relation["symbol"]
            kind = KINDS.get(symbol, "")
            if symbol in INCOMING:
                candidates.append(
                    Candidate(
                        parent=above,
                        child=here,
                        stance=INCOMING[symbol],
                        line=number,
                        preferred=found.parts is not None,
                        kind=kind,
                    )
                )
            else:
                candidates.append(
                    Candidate(
                        parent=here, child=above, stance=OUTGOING[symbol], line=number, kind=kind
                    )
                )
            stack.append((indent, here))
            wrapping = found
            continue
        if wrapping is not None and wrapping.parts is not None and not _is_element_head(line):
            # A statement's text may wrap onto the next lines of its paragraph.
            tags = []
            wrapping.parts.append(_scan(line, tags))
            wrapping.node.tags += [tag for tag in tags if tag not in wrapping.node.tags]
            continue
        found = occurrence(line, number)
        if found.parts is not None:
            roots.add(found.node.key)
        stack, wrapping = [(indent, found.node.key)], found

    for node in nodes.values():
        written = [(" ".join(parts), line) for parts, line in node.texts]
        texts = {fold(text) for text, _line in written if fold(text)}
        # As Argdown's model: the last text given is the statement's text.
        text, text_line = next(
            ((t, n) for t, n in reversed(written) if fold(t)), (node.title, node.first_line)
        )
        if len(texts) > 1:
            document.problems.append(
                f"line {node.first_line}: [{node.title}] has {len(texts)} different texts; "
                "the last is kept, as in Argdown"
            )
        label = f"[{node.title}]" if node.title else "the statement"
        document.claims.append(
            DocClaim(
                id=node.key,
                text=clean_claim_text(ESCAPED.sub(r"\1", text), line=text_line, label=label),
                kind=Claim.Kind.ARGUMENT if node.key.startswith("argument:") else "statement",
                title=node.title,
                tags=node.tags,
                line=text_line,
            )
        )
    if not document.claims:
        raise FormatError("the file has no statements or arguments")
    settle_relations(document, candidates, roots=roots)
    return document


def _front_matter(text: str, document: DebateDocument) -> str:
    """Read `title` and `description` from `===` front matter (a value may go on over indented
    lines, or be a `>`/`|` block); keep the other lines to write back. Blank it all, keeping
    line numbers."""
    lines = text.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None or lines[first].strip() != "===":
        return text
    end = next((i for i in range(first + 1, len(lines)) if lines[i].strip() == "==="), None)
    if end is None:
        raise FormatError("the front matter opened here is never closed with '==='", first + 1)
    others: list[str] = []
    key = ""
    for line in lines[first + 1 : end]:
        name, sep, value = line.partition(":")
        if sep and not line[:1].isspace() and name.strip():
            key = name.strip()
            if key in ("title", "description"):
                setattr(document, key, value.strip())
                continue
        elif key in ("title", "description"):
            setattr(document, key, f"{getattr(document, key)}\n{line}")
            continue
        others.append(line)
    for name in ("title", "description"):
        setattr(document, name, _yaml_scalar(getattr(document, name)))
    if any(line.strip() for line in others):
        document.interchange.setdefault("argdown", {})["front_matter"] = "\n".join(others)
    return "\n" * (end + 1) + "\n".join(lines[end + 1 :])


def _drop_comment(match: re.Match[str]) -> str:
    if match["comment"] is None:
        return match.group()
    return "\n" * match.group().count("\n")


def _yaml_scalar(value: str) -> str:
    """A YAML scalar: double-quoted (JSON escapes), single-quoted, plain, or a `>`/`|` block;
    plain and quoted values over several lines are folded to one."""
    head, _, rest = value.partition("\n")
    if head.strip() in (">", "|", ">-", "|-"):
        block = [line.strip() for line in rest.split("\n")]
        return ("\n" if head.startswith("|") else " ").join(block).strip()
    value = fold(value)
    if value.startswith('"'):
        try:
            return str(json.loads(value))
        except ValueError:
            return value.strip('"')
    if value.startswith("'") and value.endswith("'") and len(value) > 1:
        return value[1:-1].replace("''", "'")
    return value


def _is_element_head(line: str) -> bool:
    match = ELEMENT.match(line)
    return match is not None and (line[match.end() :].startswith(":") or match.end() == len(line))


def _element(rest: str, tags: list[str]) -> tuple[str, str, str | None]:
    """(kind, title, text) of what a line names; text is None for a bare reference. Its tags
    are added to `tags`."""
    match = ELEMENT.match(rest)
    if match:
        after = rest[match.end() :]
        kind = "statement" if match["statement"] is not None else "argument"
        title = fold(ESCAPED.sub(r"\1", match[kind]))
        if after.startswith(":"):
            return kind, title, _scan(after[1:], tags)
        if not _scan(after, tags).strip():
            return kind, title, None
    return "untitled", "", _scan(rest, tags)


def _scan(text: str, tags: list[str]) -> str:
    """A text without its tags (added to `tags`) and trailing {data}; escapes are kept until
    the very end."""
    brace = _data_start(text)
    if brace is not None:
        text = text[:brace]

    def token(match: re.Match[str]) -> str:
        if match["tag"]:
            tag = match["tag"][1:]
            tags.append(tag[1:-1] if tag.startswith("(") else tag)
            return ""
        return match.group()

    return TEXT_TOKEN.sub(token, text).strip()


def _data_start(text: str) -> int | None:
    """Where a `{…}` data block that closes the text starts, if there is one."""
    stripped = text.rstrip()
    if not stripped.endswith("}"):
        return None
    depth, quote = 0, ""
    for index in range(len(stripped) - 1, -1, -1):
        char = stripped[index]
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "}":
            depth += 1
        elif char == "{":
            depth -= 1
            if depth == 0:
                escaped = index > 0 and stripped[index - 1] == "\\"
                return None if escaped else index
    return None


def render(document: DebateDocument) -> str:
    """Write the debate as Argdown that the Argdown project's parser reads back unchanged:
    statements as `[Title]`, arguments as `<Title>`, the authors' titles and tags, undercuts
    (`_`) and contradictions (`><`), and the front matter an import kept."""
    children: dict[str, list[DocRelation]] = {}
    for item in sorted(document.relations, key=lambda relation: relation.position):
        children.setdefault(item.parent, []).append(item)
    titles = _titles(document.claims)
    claims = {claim.id: claim for claim in document.claims}

    def name(claim: DocClaim) -> str:
        title = titles[claim.id]
        return f"<{title}>" if claim.kind == Claim.Kind.ARGUMENT else f"[{title}]"

    out = ["==="]
    if document.title:
        out.append(f"title: {json.dumps(fold(document.title), ensure_ascii=False)}")
    if document.description:
        out.append(f"description: {json.dumps(document.description, ensure_ascii=False)}")
    kept = document.interchange.get("argdown", {}).get("front_matter")
    if kept:
        out.append(kept)
    out += ["===", ""]
    for thesis in document.theses:
        stack: list[tuple[str, DocRelation | None, int]] = [(thesis.id, None, 0)]
        while stack:
            claim_id, relation, depth = stack.pop()
            claim = claims[claim_id]
            head = name(claim)
            if relation is not None:
                symbol = SYMBOLS.get((str(relation.stance), str(relation.kind)), "-")
                head = f"{'  ' * depth}{symbol} {head}"
            if relation is not None and relation.is_link:
                out.append(head)
                continue
            point = claim if relation is None else relation
            text = TO_ESCAPE.sub(r"\\\1", claim.text)
            if claim.tags:
                text += " " + " ".join(
                    f"#{tag}" if SIMPLE_TAG.match(tag) else f"#({tag})" for tag in claim.tags
                )
            out.append(f"{head}: {text} {_data(claim, point)}")
            stack.extend(
                (child.child, child, depth + 1) for child in reversed(children.get(claim_id, []))
            )
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def _data(claim: DocClaim, point: DocClaim | DocRelation) -> str:
    data: dict[str, str | list[int]] = {"id": claim.id, "votes": list(point.votes)}
    if claim.author:
        data["author"] = claim.author
    if claim.status != Claim.Status.PUBLISHED:
        data["status"] = claim.status
    # What json.dumps writes for these strings and numbers, without its per-call overhead
    # (20,000 calls in a large export).
    items = ", ".join(f"{key}: {_json_value(value)}" for key, value in data.items())
    return f"{{{items}}}"


def _json_value(value: str | list[int]) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    return encode_basestring_ascii(value)


def _titles(claims: list[DocClaim]) -> dict[str, str]:
    """The authors' own titles, and for other claims short unique titles taken from their
    first words."""
    titles: dict[str, str] = {}
    taken: set[str] = set()
    for claim in claims:
        if claim.title and claim.title.casefold() not in taken and TITLE_SAFE.match(claim.title):
            titles[claim.id] = claim.title
            taken.add(claim.title.casefold())
    for index, claim in enumerate(claims, start=1):
        if claim.id in titles:
            continue
        words = fold(TITLE_CHARACTERS.sub(" ", claim.text)).split(" ")
        title = ""
        for word in words:
            if len(title) + len(word) > 40:
                break
            title = f"{title} {word}".strip()
        title = title.strip(" .,'-") or f"Claim {index}"
        unique, n = title, 2
        while unique.casefold() in taken:
            unique, n = f"{title} {n}", n + 1
        taken.add(unique.casefold())
        titles[claim.id] = unique
    return titles
