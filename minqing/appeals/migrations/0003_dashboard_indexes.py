"""Indexes for the county-wide dashboard at 1 000 000 cases (docs/decisions/0013-dashboard-at-scale.md):
积案存量 reads the petitions open at a moment through (kind, closed_at) instead of most of the table;
counts by received and by closed date (received, per group and category, closed in the period, the
monthly trend) are read from the covering indexes alone (on PostgreSQL once vacuumed; id is last
because it counts COUNT(id))."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('appeals', '0002_referred'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='appeal',
            index=models.Index(fields=['kind', 'closed_at'], name='appeal_kind_closed'),
        ),
        migrations.AddIndex(
            model_name='appeal',
            index=models.Index(fields=['received_at', 'region', 'group', 'deleted_at', 'category', 'id'],
                               name='appeal_received_cover'),
        ),
        migrations.AddIndex(
            model_name='appeal',
            index=models.Index(fields=['closed_at', 'region', 'group', 'status', 'deleted_at', 'id'],
                               name='appeal_closed_cover'),
        ),
    ]
