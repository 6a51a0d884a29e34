"""Faults a deployment meets (issue 31): the table the shared cache falls back to while Redis
does not answer (debate/cache.py)."""

from __future__ import annotations

from django.apps.registry import Apps
from django.core.management import call_command
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

FALLBACK_TABLE = "arguments_cache_fallback"


def create_fallback_table(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    call_command(
        "createcachetable", FALLBACK_TABLE, database=schema_editor.connection.alias, verbosity=0
    )


def drop_fallback_table(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(FALLBACK_TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("arguments", "0016_stored_strengths")]

    operations = [migrations.RunPython(create_fallback_table, drop_fallback_table)]
