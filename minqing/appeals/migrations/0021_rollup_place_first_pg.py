"""Place-first indexes on the village roll-ups, PostgreSQL only (bench/RESULTS.md "province22").

With ten counties in one database a township's open-ended figures (the backlog's `month < X`, the
household sets) read every county's rows through the (fig, month, region…) keys: the township dashboard
cost 1.3–1.4× the one-county database. With (region, fig, month) and (region, month) every page came
within 1.2× (0.87–1.09). SQLite deployments hold one county, where these would only cost writes."""

from django.db import migrations

INDEXES = [
    ("appeal_rollup_place", "appeals_rollup", "(region, fig, month)"),
    ("appeal_rollup_household_place", "appeals_rollup_household", "(region, month)"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, columns in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} {columns}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _columns in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("appeals", "0020_appeal_closed_group")]
    operations = [migrations.RunPython(create, drop)]
