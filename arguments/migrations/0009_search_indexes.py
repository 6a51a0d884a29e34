"""Full-text search indexes on PostgreSQL (issue 19): GIN indexes on exactly the expressions
`arguments.search` queries (`to_tsvector('english', …)`), so a search reads the index instead
of computing every row's vector. SQLite has no GIN index and searches without one, so the
operation does nothing there (a model `Meta.indexes` entry would be created on every engine).
"""

from __future__ import annotations

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

CONFIG = "english"  # arguments.search.CONFIG: a query uses an index built with its configuration

INDEXES = [
    ("claim", GinIndex(SearchVector("text", config=CONFIG), name="claim_text_search")),
    ("source", GinIndex(SearchVector("title", config=CONFIG), name="source_title_search")),
]


def add_indexes(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for model_name, index in INDEXES:
        schema_editor.add_index(apps.get_model("arguments", model_name), index)


def remove_indexes(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for model_name, index in INDEXES:
        schema_editor.remove_index(apps.get_model("arguments", model_name), index)


class Migration(migrations.Migration):
    dependencies = [("arguments", "0008_versions_of_changes")]

    operations = [migrations.RunPython(add_indexes, remove_indexes, elidable=False)]
