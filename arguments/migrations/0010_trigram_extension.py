"""pg_trgm on PostgreSQL (issue 19): near-duplicate warnings rank a debate's claims by trigram
similarity to the one being written. `TrigramExtension` does nothing on other engines."""

from __future__ import annotations

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("arguments", "0009_search_indexes")]

    operations = [TrigramExtension()]
