"""Trigram indexes on the debates' title and description (PostgreSQL only, issue 35): the
listings' search (`explore.search.debate_matches`) finds the debates holding the query as a
substring (`icontains`, `UPPER(col::text) LIKE UPPER('%q%')`) through them instead of
reading every debate's title and description (22 ms at 4,000 debates for a query matching
nothing). The expressions are exactly the ones Django writes for `icontains`, so the
planner matches them. pg_trgm is installed by 0010; SQLite does nothing here, as in 0038."""

from __future__ import annotations

from django.db import migrations

INDEXES = {
    "debate_title_trigram": "UPPER((title)::text)",
    "debate_description_trigram": "UPPER(description)",
}


def add_indexes(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for name, expression in INDEXES.items():
            schema_editor.execute(
                f"CREATE INDEX {name} ON arguments_debate USING gin (({expression}) gin_trgm_ops)"
            )


def remove_indexes(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("arguments", "0038_debate_search_index")]

    operations = [migrations.RunPython(add_indexes, remove_indexes, elidable=False)]
