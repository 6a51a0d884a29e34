"""AIF JSON, the Argument Interchange Format as AIFdb and OVA write it.

Read: the classic `{"nodes", "edges", "locutions"}` form and OVA3's wrapper `{"AIF": {…},
"text": …, "OVA": …}`. I-nodes (propositions) become claims. An RA node (inference) makes each
of its premises a pro of its conclusion, a CA node (conflict) makes them cons; when the
target of either is itself an RA or CA node (an undercut), the premises become pros or cons of
that node's premises, the claims whose inference is in question. An MA node (rephrase) makes
its two ends one claim, the other wording kept in the elaboration, unless merging them would
lose a support or conflict edge: then both stay claims, each naming the other's wording.
Dialogue nodes (L, TA, YA), preferences (PA) and locutions are ignored. Node ids are
compared as strings; edges to missing nodes are left out and reported.

Written: the classic form, I-nodes then one RA or CA node per relation.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from arguments.formats.document import (
    Candidate,
    DebateDocument,
    DocClaim,
    FormatError,
    clean_claim_text,
    fold,
    settle_relations,
)
from arguments.formats.json_text import dumps_indented
from arguments.models import Stance

SCHEMES = {"RA": Stance.PRO, "CA": Stance.CON}
IGNORED = {"L", "TA", "YA", "PA"}  # dialogue nodes and preferences


def parse(text: str) -> DebateDocument:
    """Read AIF JSON, classic or wrapped by OVA3."""
    data = load_json(text)
    prefix = ""
    if isinstance(data, dict) and "AIF" in data:
        data, prefix = data["AIF"], "AIF."
    if not isinstance(data, dict):
        raise FormatError("expected an object with 'nodes' and 'edges'", path=prefix or "$")
    nodes = _list(data, "nodes", prefix)
    edges = _list(data, "edges", prefix)
    document = DebateDocument()

    kinds: dict[str, str] = {}
    texts: dict[str, tuple[str, str]] = {}
    for index, node in enumerate(nodes):
        path = f"{prefix}nodes[{index}]"
        if not isinstance(node, dict) or node.get("nodeID") is None:
            raise FormatError("a node needs a nodeID", path=path)
        node_id, kind = str(node["nodeID"]), str(node.get("type", ""))
        if node_id in kinds:
            raise FormatError(f"the nodeID {node_id!r} is used twice", path=f"{path}.nodeID")
        kinds[node_id] = kind
        if kind == "I":
            texts[node_id] = (str(node.get("text") or ""), f"{path}.text")
        elif kind not in SCHEMES and kind != "MA" and kind not in IGNORED:
            document.problems.append(f"{path}: a node of type {kind!r} is ignored")

    into: dict[str, list[str]] = defaultdict(list)
    out_of: dict[str, list[str]] = defaultdict(list)
    for index, edge in enumerate(edges):
        path = f"{prefix}edges[{index}]"
        if not isinstance(edge, dict):
            raise FormatError("an edge is an object with fromID and toID", path=path)
        start, end = str(edge.get("fromID")), str(edge.get("toID"))
        if start not in kinds or end not in kinds:
            document.problems.append(f"{path}: an edge to a missing node is left out")
            continue
        out_of[start].append(end)
        into[end].append(start)

    def premises_of(node_id: str) -> list[str]:
        return [p for p in into[node_id] if kinds[p] == "I"]

    def claims_of(node_id: str) -> list[str]:
        """The I-nodes a node stands for: itself, or the premises of a scheme node."""
        if kinds[node_id] == "I":
            return [node_id]
        if kinds[node_id] in SCHEMES:
            return premises_of(node_id)
        return []

    edges_read: list[Candidate] = []
    for index, node in enumerate(nodes):
        node_id = str(node["nodeID"])
        stance = SCHEMES.get(kinds[node_id])
        if stance is None:
            continue
        for target in out_of[node_id]:
            for parent in claims_of(target):
                edges_read += [
                    Candidate(parent, premise, stance, path=f"{prefix}nodes[{index}]")
                    for premise in premises_of(node_id)
                ]

    same = _rephrasings(kinds, into, out_of, list(texts), edges_read, nodes, prefix, document)
    for node_id, (raw, path) in texts.items():
        if same.of(node_id) != node_id:
            continue
        claim = DocClaim(id=node_id, text=clean_claim_text(raw, path=path), path=path)
        others = [
            fold(texts[other][0])
            for other in texts
            if other != node_id
            and same.of(other) == node_id
            and fold(texts[other][0]) != claim.text
        ]
        notes = [f"Also put as: {wording}" for wording in others]
        apart = [other for member in same.members[node_id] for other in same.kept_apart[member]]
        notes += [
            f"Rephrases: {fold(texts[other][0])}"
            for other in dict.fromkeys(apart)
            if fold(texts[other][0]) != claim.text
        ]
        claim.elaboration = "\n".join(notes)
        document.claims.append(claim)
    if not document.claims:
        raise FormatError("the file has no I-nodes (propositions)", path=f"{prefix}nodes")

    candidates = [
        Candidate(same.of(edge.parent), same.of(edge.child), edge.stance, path=edge.path)
        for edge in edges_read
    ]
    settle_relations(document, candidates)
    return document


def load_json(text: str) -> Any:
    """Parse JSON, or a FormatError naming the line of the syntax error."""
    try:
        return json.loads(text.lstrip("\ufeff"))
    except json.JSONDecodeError as error:
        raise FormatError(f"not valid JSON: {error.msg}", error.lineno) from None
    except RecursionError:  # the parser's own limit, reached by a hostile file
        raise FormatError("JSON nested too deeply to read (no debate is that deep)") from None


def _list(data: dict, key: str, prefix: str) -> list:
    value = data.get(key)
    if not isinstance(value, list):
        raise FormatError("expected a list", path=f"{prefix}{key}")
    return value


class _Rephrasings:
    """Which I-node stands for which: rephrases merged, and those kept apart (MA nodes)."""

    def __init__(self, order: list[str]) -> None:
        self.rank = {node_id: index for index, node_id in enumerate(order)}
        self.parent = {node_id: node_id for node_id in order}
        self.members = {node_id: [node_id] for node_id in order}
        # A claim's rephrases that stay claims of their own (their texts are shown with it).
        self.kept_apart: dict[str, list[str]] = defaultdict(list)

    def of(self, node_id: str) -> str:
        while self.parent[node_id] != node_id:
            self.parent[node_id] = self.parent[self.parent[node_id]]
            node_id = self.parent[node_id]
        return node_id


def _rephrasings(
    kinds: dict[str, str],
    into: dict[str, list[str]],
    out_of: dict[str, list[str]],
    order: list[str],
    edges: list[Candidate],
    nodes: list[Any],
    prefix: str,
    document: DebateDocument,
) -> _Rephrasings:
    """Merge the two ends of each MA node into one claim, but only where that loses no edge.

    Merging A' into A loses an edge when one joins the two (it would become a self-attack) or
    when both relate to the same claim (two edges would become one, perhaps a support and a
    conflict). Then both claims stay, each naming the other's wording, and a warning says so.
    """
    same = _Rephrasings(order)
    touching: dict[str, list[Candidate]] = defaultdict(list)
    for edge in edges:
        touching[edge.parent].append(edge)
        touching[edge.child].append(edge)

    def pairs(group: list[str], mapping: dict[str, str]) -> list[tuple[str, str]]:
        """The (parent, child) claims of every edge touching the group, under `mapping`."""

        def claim(node_id: str) -> str:
            return mapping.get(same.of(node_id), same.of(node_id))

        seen: dict[int, tuple[str, str]] = {}
        for node_id in group:
            for edge in touching[node_id]:
                seen[id(edge)] = (claim(edge.parent), claim(edge.child))
        return list(seen.values())

    for index, node in enumerate(nodes):
        node_id = str(node["nodeID"])
        if kinds[node_id] != "MA":
            continue
        ends = list(dict.fromkeys(n for n in into[node_id] + out_of[node_id] if kinds[n] == "I"))
        for other in ends[1:]:
            first, second = sorted((same.of(ends[0]), same.of(other)), key=same.rank.__getitem__)
            if first == second:
                continue
            group = same.members[first] + same.members[second]
            before, after = set(pairs(group, {})), set(pairs(group, {second: first}))
            lost = sum(1 for p, c in before if p != c) - sum(1 for p, c in after if p != c)
            if lost:
                same.kept_apart[ends[0]].append(other)
                same.kept_apart[other].append(ends[0])
                document.warn(
                    f"{prefix}nodes[{index}]",
                    f"the rephrase joining {ends[0]!r} and {other!r} keeps them two claims: "
                    f"merging them would lose {lost} support or conflict edge"
                    f"{'s' if lost != 1 else ''}",
                )
                continue
            same.parent[second] = first
            same.members[first] = group
    return same


def render(document: DebateDocument) -> str:
    """Write the classic AIF form: I-nodes, then an RA or CA node and two edges a relation."""
    ids = {claim.id: str(index) for index, claim in enumerate(document.claims, start=1)}
    nodes: list[dict[str, str]] = [
        {"nodeID": ids[claim.id], "text": claim.text, "type": "I"} for claim in document.claims
    ]
    edges: list[dict[str, Any]] = []
    # Originals first: a reader that takes a claim's first relation as the place where it was
    # written then puts every claim back where it was.
    ordered = sorted(document.relations, key=lambda relation: relation.is_link)
    for relation in ordered:
        scheme = str(len(nodes) + 1)
        pro = relation.stance == Stance.PRO
        nodes.append(
            {
                "nodeID": scheme,
                "text": "Default Inference" if pro else "Default Conflict",
                "type": "RA" if pro else "CA",
            }
        )
        for start, end in ((ids[relation.child], scheme), (scheme, ids[relation.parent])):
            edges.append(
                {"edgeID": str(len(edges) + 1), "fromID": start, "toID": end, "formEdgeID": None}
            )
    aif = {"nodes": nodes, "edges": edges, "locutions": [], "participants": []}
    return dumps_indented(aif) + "\n"
