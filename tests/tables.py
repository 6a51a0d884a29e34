"""Table-driven test classes: one test method per row, named after the row."""

from __future__ import annotations

import re
from collections.abc import Iterable


def one_test_per_row(cls: type, rows: Iterable[str], doc: str) -> None:
    """Give `cls` a `test_<row>` method per row calling `self.check(row)`, so each row passes
    or fails on its own; `doc` is formatted with the row's name."""
    for row in rows:

        def test(self: object, row: str = row) -> None:
            self.check(row)  # type: ignore[attr-defined]

        test.__doc__ = doc.format(row)
        setattr(cls, "test_" + re.sub(r"\W+", "_", row).strip("_"), test)
