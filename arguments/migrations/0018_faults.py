"""Faults a deployment meets (issue 31): the table the shared cache falls back to while Redis
does not answer (debate/cache.py); the periodic jobs' schedule; an import job's attempts and progress."""

from __future__ import annotations

from django.apps.registry import Apps
from django.core.management import call_command
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

FALLBACK_TABLE = "arguments_cache_fallback"


def create_fallback_table(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    call_command(
        "createcachetable", FALLBACK_TABLE, database=schema_editor.connection.alias, verbosity=0
    )


def drop_fallback_table(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(FALLBACK_TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("arguments", "0017_security_review_2")]

    operations = [
        migrations.RunPython(create_fallback_table, drop_fallback_table),
        migrations.CreateModel(
            name="ScheduledRun",
            fields=[
                ("name", models.CharField(max_length=40, primary_key=True, serialize=False)),
                ("next_at", models.DateTimeField()),
                ("last_started_at", models.DateTimeField(blank=True, null=True)),
            ],
        ),
        migrations.AddField(
            model_name="importjob",
            name="attempts",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="importjob",
            name="rows_done",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="importjob",
            name="rows_total",
            field=models.PositiveIntegerField(default=0),
        ),
    ]
