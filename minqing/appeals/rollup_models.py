"""The roll-up tables (minqing.appeals.rollups says what goes in them, rollup_store keeps them)."""

from __future__ import annotations

from django.db import models


class AppealRollup(models.Model):
    """One counter: cases (or answers) of a figure at a place in a month, by channel, 举报 or not, part."""

    fig = models.CharField(max_length=16)
    month = models.IntegerField()  # year × 12 + month − 1, in the county's zone
    region = models.CharField(max_length=12)  # the appeal's region code (no foreign key: a counter, not a record)
    month2 = models.IntegerField(default=0)  # the second date's month (0: none)
    part = models.CharField(max_length=24, blank=True, default="")  # category id, status group or kind
    channel = models.CharField(max_length=20)
    hidden = models.BooleanField(default=False)  # 举报
    n = models.BigIntegerField(default=0)

    class Meta:
        db_table = "appeals_rollup"
        constraints = [models.UniqueConstraint(
            fields=["fig", "month", "region", "month2", "part", "channel", "hidden"], name="appeal_rollup_key")]


class AppealRollupHousehold(models.Model):
    """The households that appealed at a place in a month (a per-period set: distinct counts)."""

    month = models.IntegerField()
    region = models.CharField(max_length=12)
    household = models.IntegerField()
    channel = models.CharField(max_length=20)
    hidden = models.BooleanField(default=False)
    found = models.IntegerField(default=0)  # cases received
    to_township = models.IntegerField(default=0)  # of those, escalated and reached the township
    to_county = models.IntegerField(default=0)

    class Meta:
        db_table = "appeals_rollup_household"
        constraints = [models.UniqueConstraint(
            fields=["month", "region", "household", "channel", "hidden"], name="appeal_rollup_household_key")]
        # a household's sets of a period, wherever it appealed: the wider places' distinct counts follow
        indexes = [models.Index(fields=["household", "month"], name="appeal_rollup_household_hh")]


class AppealRollupUp(models.Model):
    """The same counters summed per township, county, city and province (``region`` = that place's code,
    ``depth`` its level): a township's or a county's figure reads one row per counter instead of one per
    village (docs/decisions, dash21). Kept with appeals_rollup by the same deltas and rebuild."""

    fig = models.CharField(max_length=16)
    month = models.IntegerField()
    region = models.CharField(max_length=12)
    depth = models.SmallIntegerField()  # regioncode level of ``region``: 1 province … 4 township
    month2 = models.IntegerField(default=0)
    part = models.CharField(max_length=24, blank=True, default="")
    channel = models.CharField(max_length=20)
    hidden = models.BooleanField(default=False)
    n = models.BigIntegerField(default=0)

    class Meta:
        db_table = "appeals_rollup_up"
        constraints = [models.UniqueConstraint(
            fields=["region", "fig", "month", "month2", "part", "channel", "hidden"], name="appeal_rollup_up_key")]
        # the children's rows of a few figures: per figure, the subtree's places, then the months (the key
        # above would read every figure of the subtree)
        indexes = [models.Index(fields=["fig", "region", "month"], name="appeal_rollup_up_fig")]
