"""A GIN index on the debates' title and description vector (PostgreSQL only, issue 35):
the listings' search (`explore.search.debate_matches`) computed `to_tsvector` of every
debate's title and description on each search, about 65 ms on a site of 4,000 debates for a
query matching nothing. The expression is exactly `search.debate_vector()`'s, so a search
reads the index. SQLite has no GIN index (a model `Meta.indexes` entry would be created on
every engine), so the operation does nothing there, as in 0009."""

from __future__ import annotations

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

CONFIG = "english"  # arguments.explore.search.CONFIG
INDEX = GinIndex(SearchVector("title", "description", config=CONFIG), name="debate_text_search")


def add_index(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("arguments", "debate"), INDEX)


def remove_index(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("arguments", "debate"), INDEX)


class Migration(migrations.Migration):
    dependencies = [("arguments", "0037_flag_debate_and_unplaced")]

    operations = [migrations.RunPython(add_index, remove_index, elidable=False)]
