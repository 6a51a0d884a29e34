"""The layers that import-linter cannot see: views and template tags hold no ORM. They read
through `arguments.selectors`, the reading part or `arguments.live`, and write through
`arguments.services`; a `Model.objects` among them is a read or a write in the wrong place."""

from __future__ import annotations

import ast
from pathlib import Path

ARGUMENTS = Path(__file__).resolve().parent.parent / "arguments"
WEB = [ARGUMENTS / "views", ARGUMENTS / "templatetags"]


def _managers_used(path: Path) -> list[str]:
    """Where the module asks a model's default manager (`.objects`), as file:line."""
    tree = ast.parse(path.read_text(), filename=str(path))
    where = path.relative_to(ARGUMENTS.parent)
    lines = sorted(
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr == "objects"
    )
    return [f"{where}:{line}" for line in lines]


def test_no_view_or_template_tag_asks_a_model_manager():
    modules = sorted(path for part in WEB for path in part.rglob("*.py"))
    assert len(modules) > 20  # the walk found the views (a moved folder must not pass silently)
    found = [spot for path in modules for spot in _managers_used(path)]
    assert found == [], (
        "Views and template tags read through arguments/selectors.py (or reading/, live/) and "
        "write through arguments/services/; move these:\n" + "\n".join(found)
    )
