"""A claim's search document stored (issue 19, PostgreSQL only): a generated `tsvector`
column, `to_tsvector('english', text)` computed once when a claim is written, with the GIN
index on it instead of on the expression. Ranking (`ts_rank_cd`) then reads the stored
document instead of parsing the text of every matching claim again: a two-word search of a
20,000-claim debate matches thousands of claims, and re-parsing them took most of its time.

The column is not a model field (SQLite has no `tsvector`); `arguments.search` reads it by
name, on PostgreSQL only. Django never writes it: PostgreSQL keeps it in step with `text`.

Also a GiST trigram index on the text (pg_trgm, migration 0010): the near-duplicate check
asks for the claims nearest a draft (`ORDER BY text <-> draft LIMIT 12`), which the index
returns in order instead of scoring every claim of the debate against the draft.
"""

from __future__ import annotations

from django.db import migrations

ADD = """
ALTER TABLE arguments_claim ADD COLUMN search_document tsvector
    GENERATED ALWAYS AS (to_tsvector('english'::regconfig, COALESCE(text, ''))) STORED;
CREATE INDEX claim_search_document ON arguments_claim USING gin (search_document);
DROP INDEX IF EXISTS claim_text_search;
CREATE INDEX claim_text_trigram ON arguments_claim USING gist (text gist_trgm_ops);
"""

REMOVE = """
DROP INDEX IF EXISTS claim_text_trigram;
CREATE INDEX claim_text_search ON arguments_claim
    USING gin (to_tsvector('english'::regconfig, COALESCE(text, '')));
DROP INDEX IF EXISTS claim_search_document;
ALTER TABLE arguments_claim DROP COLUMN search_document;
"""


def add_document(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ADD)


def remove_document(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REMOVE)


class Migration(migrations.Migration):
    dependencies = [("arguments", "0012_tags_and_featured")]

    operations = [migrations.RunPython(add_document, remove_document, elidable=False)]
