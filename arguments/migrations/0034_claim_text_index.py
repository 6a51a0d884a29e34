"""SQLite: a full-text index of the claims' text (FTS5, the trigram tokenizer), so a search
finds what `icontains` found (any part of a word, three letters or more) without reading
every claim's text. An external-content table (no second copy of the text: the index alone,
its rows the claims' ids), kept by triggers on `arguments_claim`, so every way a claim is
written keeps it: the services, the admin, history reverts and the imports' raw bulk inserts.

PostgreSQL needs none of this: its stored `search_document` with a GIN index (migration 0013).

A later migration that makes SQLite remake `arguments_claim` (Django copies it into a new
table, drops the old one and renames) drops these triggers with the old table: it must run
`CREATE_TRIGGERS` again and rebuild the index (tests/test_search_index.py fails otherwise).
"""

from django.db import migrations

TABLE = "arguments_claim_fts"

CREATE_TABLE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5("
    "text, content='arguments_claim', content_rowid='id', tokenize='trigram')"
)
CREATE_TRIGGERS = (
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_insert AFTER INSERT ON arguments_claim BEGIN "
    f"INSERT INTO {TABLE}(rowid, text) VALUES (new.id, new.text); END",
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_delete AFTER DELETE ON arguments_claim BEGIN "
    f"INSERT INTO {TABLE}({TABLE}, rowid, text) VALUES ('delete', old.id, old.text); END",
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_update AFTER UPDATE OF text ON arguments_claim "
    f"BEGIN INSERT INTO {TABLE}({TABLE}, rowid, text) VALUES ('delete', old.id, old.text); "
    f"INSERT INTO {TABLE}(rowid, text) VALUES (new.id, new.text); END",
)
REBUILD = f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')"


def add_index(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute(CREATE_TABLE)
    for statement in CREATE_TRIGGERS:
        schema_editor.execute(statement)
    schema_editor.execute(REBUILD)


def remove_index(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for name in ("insert", "delete", "update"):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_{name}")
    schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE}")


class Migration(migrations.Migration):
    dependencies = [
        ("arguments", "0033_stored_gaps"),
    ]

    operations = [migrations.RunPython(add_index, remove_index, elidable=False)]
