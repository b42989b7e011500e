"""The similar-cases suggestions of the case page read their candidates by index ranges on both
databases, for a county leader, a township leader and a village cadre: each read (open and paused cases
received near the case, cases closed within the repeat window) is bounded by place and time, and its
plan (EXPLAIN with sequential scans priced out on PostgreSQL, EXPLAIN QUERY PLAN on SQLite) reads an
appeal index in the order asked — never appeals_appeal whole, never a sort of the county's cases."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from minqing.nlp import duplicates
from tests.appeals.test_list_plans import appeal_indexes, full_scans, plan, sorts

pytestmark = pytest.mark.django_db

CANDIDATE_INDEXES = {"appeal_list_group", "appeal_closed_group"}


@pytest.mark.parametrize("who", ["county_leader", "township_leader", "cadre_a"])
def test_every_candidate_read_is_an_index_range_in_order(county, appeal_in, who):
    case = appeal_in("village_a", "村口路灯不亮", "甲村村口的路灯不亮了，晚上走路看不见")
    now = timezone.now()
    reads = duplicates.candidate_reads(county.users[who], region_code=case.region_id, exclude_id=case.pk,
                                       around=now - dt.timedelta(days=3), include_closed=True, now=now)
    assert len(reads) == 6  # open and paused, before and after the case; solved and unsolved, recently closed
    for qs in reads:
        text = plan(qs)
        assert not full_scans(text), text
        assert appeal_indexes(text) & CANDIDATE_INDEXES, text
        assert not sorts(text), text


def test_the_reads_are_bounded_by_the_cases_place_and_time(county, appeal_in):
    case = appeal_in("village_a", "村口路灯不亮", "甲村村口的路灯不亮了，晚上走路看不见")
    now = timezone.now()
    reads = duplicates.candidate_reads(county.county_leader, region_code=case.region_id, exclude_id=case.pk,
                                       around=now, include_closed=True, now=now)
    assert len(reads) == 4  # at intake (around = now) nothing is received after
    township = duplicates.place_of(case.region_id)
    assert township == case.region_id[:9] + "000"
    for qs in reads:
        sql = str(qs.query)
        assert f"'{township[:9]}000'" in sql or township in sql, sql  # the township's range
        assert "received_at" in sql or "closed_at" in sql
        assert qs.query.high_mark == duplicates.PER_READ
