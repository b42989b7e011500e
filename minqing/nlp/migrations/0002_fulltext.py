"""The full-text index beside SearchDoc: an FTS5 table on SQLite, a GIN tsvector index on PostgreSQL."""

from django.db import migrations

SQLITE = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS nlp_search_fts USING fts5(terms, tokenize='unicode61 remove_diacritics 0')",
]
SQLITE_DROP = ["DROP TABLE IF EXISTS nlp_search_fts"]
POSTGRES = [
    "CREATE INDEX IF NOT EXISTS nlp_searchdoc_tsv ON nlp_searchdoc USING GIN (to_tsvector('simple', terms))",
]
POSTGRES_DROP = ["DROP INDEX IF EXISTS nlp_searchdoc_tsv"]


def forward(apps, schema_editor):
    statements = {"sqlite": SQLITE, "postgresql": POSTGRES}.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


def backward(apps, schema_editor):
    statements = {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("nlp", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
