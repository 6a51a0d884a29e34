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

from django.conf import settings
from django.utils.translation import gettext as _

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
DATA_BLOCK = re.compile(r"(?<!\\)\{[^{}\n]*(?:\{[^{}\n]*\}[^{}\n]*)*\}\s*$", re.M)
HEADING = re.compile(r"^#{1,6}[ \t]")
PREMISE = re.compile(r"^\((?P<n>\d+)\)[ \t]*(?P<rest>.*)$")
# An inference line: `----`, `-- rule, rule --`, or `--` opening and closing a block of rules.
INFERENCE = re.compile(r"^--(?:-*[ \t]*$|(?P<rules>.*?)-{2,}[ \t]*$)")
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
SYMBOLS[("pro", "rephrase")] = "+"  # Argdown has no rephrase: a support (as it is scored)
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
class _Reconstruction:
    """An argument's premise-conclusion structure: statements (by node key) with their
    role, and the inference lines between them (their rules, as written)."""

    argument: str
    line: int
    rows: list[tuple[str, str]] = field(default_factory=list)  # (role, key or rules)
    concluding: bool = False  # an inference was just read: the next statement concludes
    rules: list[str] | None = None  # the rules of a `--` block still open


@dataclass
class _Occurrence:
    node: _Node
    parts: list[str] | None  # None for a bare reference, which takes no wrapped lines


def parse(text: str) -> DebateDocument:
    """Read an Argdown file's statements, arguments and their pro/con relations."""
    document = DebateDocument()
    body = _front_matter(text.lstrip("\ufeff"), document)
    comments = [0]

    def drop_comment(match: re.Match[str]) -> str:
        if match["comment"] is not None:
            comments[0] += 1
        return _drop_comment(match)

    lines = COMMENT.sub(drop_comment, body).split("\n")
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
    unnamed = 0  # arguments named after their number, as Argdown names them
    reconstructions: list[_Reconstruction] = []
    pcs: _Reconstruction | None = None
    named: str | None = None  # the argument named at the top level just before
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            wrapping, heading = None, False
            if pcs is not None and pcs.rules is None:
                # A reconstruction is one paragraph; the argument named before it is used.
                pcs, named = None, None
            continue
        expanded = raw.expandtabs(4)
        indent = len(expanded) - len(expanded.lstrip())
        line = expanded.strip()
        if pcs is not None and pcs.rules is not None:
            # Inside a `--` block of inference rules, closed by another `--`.
            if re.fullmatch(r"-{2,}", line):
                pcs.rows.append(("inference", ", ".join(pcs.rules)))
                pcs.rules, pcs.concluding = None, True
            else:
                pcs.rules += [rule.strip() for rule in line.split(",") if rule.strip()]
            continue
        premise = PREMISE.match(line) if indent == 0 else None
        inference = INFERENCE.match(line) if indent == 0 else None
        if premise or (inference and pcs is not None):
            if pcs is None:
                if named is None:
                    # A reconstruction with no argument named before it: one of its own.
                    unnamed += 1
                    named = f"argument:Untitled {unnamed}"
                    nodes[named] = _Node(key=named, title=named[9:], first_line=number)
                pcs = _Reconstruction(argument=named, line=number)
                reconstructions.append(pcs)
            if premise:
                found = occurrence(premise["rest"], number)
                role = "conclusion" if pcs.concluding else "premise"
                pcs.rows.append((role, found.node.key))
                pcs.concluding = False
                stack, wrapping = [(indent, found.node.key)], found
            elif line.strip("- \t") == "" and len(line.strip()) == 2:
                pcs.rules = []
            else:
                rules = (inference["rules"] or "").strip(" -\t") if inference else ""
                pcs.rows.append(("inference", rules))
                pcs.concluding = True
            continue
        if inference:
            raise FormatError(
                _(
                    "an inference line needs the premises of a reconstruction above it, "
                    "numbered (1), (2), …"
                ),
                number,
            )
        if indent == 0 and not RELATION.match(line) and pcs is not None:
            pcs = None
        if indent == 0 and HEADING.match(line):
            document.lose("headings")
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
                    _("the relation %(symbol)s has no statement above it to relate to")
                    % {"symbol": repr(relation["symbol"])},
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
                document.lose("backwards")
            stack.append((indent, here))
            wrapping = found
            continue
        if wrapping is not None and wrapping.parts is not None and not _is_element_head(line):
            # A statement's text may wrap onto the next lines of its paragraph.
            tags: list[str] = []
            wrapping.parts.append(_scan(line, tags))
            wrapping.node.tags += [tag for tag in tags if tag not in wrapping.node.tags]
            continue
        found = occurrence(line, number)
        if found.parts is not None:
            roots.add(found.node.key)
        named = found.node.key if found.node.key.startswith("argument:") else None
        stack, wrapping = [(indent, found.node.key)], found

    for node in nodes.values():
        written = [(" ".join(parts), line) for parts, line in node.texts]
        texts = {fold(text) for text, _line in written if fold(text)}
        # As Argdown's model: the last text given is the statement's text.
        text, text_line = next(
            ((t, n) for t, n in reversed(written) if fold(t)), (node.title, node.first_line)
        )
        document.lose("texts", len(texts) - 1 if texts else 0)
        if len(texts) > 1:
            document.warn(
                node.first_line,
                _("[%(title)s] has %(count)s different texts; the last is kept, as in Argdown")
                % {"title": node.title, "count": len(texts)},
            )
        # Translators: the subject of "… has no text" and "… is 600 characters long".
        label = f"[{node.title}]" if node.title else _("the statement")
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
        raise FormatError(_("the file has no statements or arguments"))
    document.lose("comments", comments[0])
    document.lose("data", len(DATA_BLOCK.findall(body)))
    _reconstructed(document, reconstructions, nodes, candidates, roots)
    settle_relations(document, candidates, roots=roots)
    return document


def _reconstructed(
    document: DebateDocument,
    reconstructions: list[_Reconstruction],
    nodes: dict[str, _Node],
    candidates: list[Candidate],
    roots: set[str],
) -> None:
    """An argument's premises become one premise group under it (they support it only
    together), and the argument a pro of its main conclusion; the layout (order, inference
    rules) is kept to write back."""
    pairs = {(edge.parent, edge.child) for edge in candidates}
    layouts: dict[str, list[dict[str, str]]] = {}
    for group, pcs in enumerate(reconstructions, start=1):
        statements = [key for role, key in pcs.rows if role != "inference"]
        concluded = [key for role, key in pcs.rows if role == "conclusion"]
        if not concluded:
            document.warn(pcs.line, _("a reconstruction with no conclusion"))
        main = concluded[-1] if concluded else None
        for key in statements:
            if key != main and (pcs.argument, key) not in pairs:
                pairs.add((pcs.argument, key))
                candidates.append(
                    Candidate(pcs.argument, key, Stance.PRO, line=pcs.line, preferred=True)
                )
                candidates[-1].group = group
        if main is not None and (main, pcs.argument) not in pairs:
            pairs.add((main, pcs.argument))
            candidates.append(Candidate(main, pcs.argument, Stance.PRO, line=pcs.line))
            # An argument stands under what it concludes, unless written under something.
            candidates[-1].preferred = True
            roots.discard(pcs.argument)
        layouts[nodes[pcs.argument].title] = [
            {"role": role, "rules": value}
            if role == "inference"
            else {"role": role, "title": nodes[value].title}
            if nodes[value].title
            else {"role": role, "text": _node_text(nodes[value])}
            for role, value in pcs.rows
        ]
    if layouts:
        document.interchange.setdefault("argdown", {})["reconstructions"] = layouts


def _node_text(node: _Node) -> str:
    written = [" ".join(parts) for parts, _line in node.texts if " ".join(parts).strip()]
    return fold(ESCAPED.sub(r"\1", written[-1])) if written else node.title


FRONT_MATTER_KEYS = ("title", "description", "language")  # the debate's, read and written


def _front_matter(text: str, document: DebateDocument) -> str:
    """Read `title`, `description` and `language` from `===` front matter (a value may go on
    over indented lines, or be a `>`/`|` block); keep the other lines to write back. Blank it
    all, keeping line numbers."""
    lines = text.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None or lines[first].strip() != "===":
        return text
    end = next((i for i in range(first + 1, len(lines)) if lines[i].strip() == "==="), None)
    if end is None:
        raise FormatError(_("the front matter opened here is never closed with '==='"), first + 1)
    others: list[str] = []
    key = ""
    for line in lines[first + 1 : end]:
        name, sep, value = line.partition(":")
        if sep and not line[:1].isspace() and name.strip():
            key = name.strip()
            if key in FRONT_MATTER_KEYS:
                setattr(document, key, value.strip())
                continue
        elif key in FRONT_MATTER_KEYS:
            setattr(document, key, f"{getattr(document, key)}\n{line}")
            continue
        others.append(line)
    for name in FRONT_MATTER_KEYS:
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
    head, _newline, rest = value.partition("\n")
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
    # The site's default goes unsaid: an English debate's file stays as Argdown writes it.
    if document.language and document.language != settings.LANGUAGE_CODE:
        out.append(f"language: {json.dumps(document.language)}")
    kept = document.interchange.get("argdown", {}).get("front_matter")
    if kept:
        out.append(kept)
    out += ["===", ""]
    premises = _premise_groups(document, claims)
    skipped = {id(relation) for group in premises.values() for relation in group[0]}

    def write(claim_id: str, relation: DocRelation | None, depth: int, head: str = "") -> None:
        """The claim (after `head`, else its relation's symbol) and its branch."""
        stack: list[tuple[str, DocRelation | None, int, str]] = [(claim_id, relation, depth, head)]
        while stack:
            claim_id, relation, depth, head = stack.pop()
            claim = claims[claim_id]
            if not head:
                head = f"{'  ' * depth}{name(claim)}"
                if relation is not None:
                    symbol = SYMBOLS.get((str(relation.stance), str(relation.kind)), "-")
                    head = f"{'  ' * depth}{symbol} {name(claim)}"
            if relation is not None and relation.is_link:
                out.append(head)
                continue
            point = claim if relation is None else relation
            if claim.text == titles[claim_id] and not claim.tags:
                # A claim whose text was never given (it took its title): still without one.
                out.append(f"{head} {_data(claim, point)}")
                stack.extend(
                    (child.child, child, depth + 1, "")
                    for child in reversed(children.get(claim_id, []))
                    if id(child) not in skipped
                )
                continue
            text = TO_ESCAPE.sub(r"\\\1", claim.text)
            if claim.tags:
                text += " " + " ".join(
                    f"#{tag}" if SIMPLE_TAG.match(tag) else f"#({tag})" for tag in claim.tags
                )
            out.append(f"{head}: {text} {_data(claim, point)}")
            stack.extend(
                (child.child, child, depth + 1, "")
                for child in reversed(children.get(claim_id, []))
                if id(child) not in skipped
            )

    for thesis in document.theses:
        write(thesis.id, None, 0)
        out.append("")
    layouts = document.interchange.get("argdown", {}).get("reconstructions", {})
    for argument, (group, conclusion) in premises.items():
        # The argument's premise-conclusion structure, after the map: its premises written
        # here with their branches, the conclusion by reference.
        out += [name(claims[argument]), ""]
        layout = layouts.get(claims[argument].title, [])
        n = 0
        for role, value in _pcs_rows(layout, group, conclusion, claims):
            if role == "inference":
                out.append(f"-- {value} --" if value else "----")
                continue
            n += 1
            relation = next((r for r in group if r.child == value), None)
            head = f"({n}) {name(claims[value])}"
            if relation is None or relation.is_link:
                out.append(head)
            else:
                write(value, relation, 0, head)
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def _premise_groups(
    document: DebateDocument, claims: dict[str, DocClaim]
) -> dict[str, tuple[list[DocRelation], str]]:
    """Arguments written as premise-conclusion structures: each one's premise relations (its
    premise group) and the statement it concludes (what it is a pro of)."""
    groups: dict[str, list[DocRelation]] = {}
    for relation in sorted(document.relations, key=lambda r: r.position):
        if relation.group is not None and claims[relation.parent].kind == Claim.Kind.ARGUMENT:
            groups.setdefault(relation.parent, []).append(relation)
    concluded: dict[str, str] = {}
    for relation in sorted(document.relations, key=lambda r: r.is_link):
        if (
            relation.child in groups
            and relation.stance == Stance.PRO
            and claims[relation.parent].kind != Claim.Kind.ARGUMENT
        ):
            concluded.setdefault(relation.child, relation.parent)
    return {
        argument: (group, concluded[argument])
        for argument, group in groups.items()
        if argument in concluded
    }


def _pcs_rows(
    layout: list[dict[str, str]],
    group: list[DocRelation],
    conclusion: str,
    claims: dict[str, DocClaim],
) -> list[tuple[str, str]]:
    """The structure's rows, (role, claim id) or ("inference", rules): the imported layout
    where it still fits the premises, else the premises, an inference line, the conclusion."""
    premises = [relation.child for relation in group]
    by_title = {claim.title: claim.id for claim in claims.values() if claim.title}
    by_text = {claim.text: claim.id for claim in claims.values()}
    rows: list[tuple[str, str]] = []
    for row in layout:
        if row.get("role") == "inference":
            rows.append(("inference", row.get("rules", "")))
            continue
        found = by_title.get(row.get("title", "")) or by_text.get(row.get("text", ""))
        if found is not None and (found in premises or found == conclusion):
            rows.append((row["role"], found))
    placed = {value for role, value in rows if role != "inference"}
    rows = [("premise", p) for p in premises if p not in placed] + rows
    while rows and rows[-1][0] == "inference":
        rows.pop()
    if not rows or rows[-1][1] != conclusion:
        rows = [row for row in rows if row[1] != conclusion]
        rows += [("inference", ""), ("conclusion", conclusion)]
    return rows


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
