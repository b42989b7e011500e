"""Ledger imports look for repeats (重复件) as registration does: an imported case still open is linked
to the earlier similar case of the same place (live or from earlier in the file); a case the ledger
records as finished, or one received before the earlier case, is not (issue 16 remnant, decision 0042)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from minqing.appeals import bulk
from minqing.appeals.models import AppealEvent, RepeatLink
from minqing.audit.models import Event

pytestmark = pytest.mark.django_db

TEXT = "三组到村委会的水泥路坏了，雨天积水，群众出行困难。"


def _case(county, title: str, text: str, received: dt.datetime, ref: str, steps=()) -> bulk.NewCase:
    return bulk.NewCase(region=county.village_a, kind="problem", channel="visit", title=title, text=text,
                        received_at=received, source_ref=ref, reporters=["李四"], steps=steps)


def test_imported_open_cases_are_matched_against_earlier_ones(county, register):
    live = register(title="三组水泥路破损积水", text=TEXT)
    later = live.received_at + dt.timedelta(days=2)
    now = timezone.now()
    rules = bulk.Deadlines()
    cases = [
        _case(county, "三组水泥路又坏了", TEXT, later, "L1"),  # repeats the live case
        _case(county, "低保申请咨询", "家中老人想申请低保，不知道怎么办理。", later, "L2"),  # unrelated
        _case(county, "三组水泥路积水", TEXT, live.received_at - dt.timedelta(days=1), "L3"),  # before it
    ]
    planned = [bulk.plan(c, actor=county.cadre_a, now=now, rules=rules) for c in cases]
    with_repeat, unrelated, before = bulk.write(planned, actor=county.cadre_a, reason="导入台账", batch="t1").appeals

    # the live case, and the file's own row received before it (written in the same import)
    assert set(RepeatLink.objects.filter(appeal=with_repeat).values_list("earlier_id", flat=True)) == {
        live.pk, before.pk}
    link = RepeatLink.objects.get(appeal=with_repeat, earlier=live)
    assert (link.earlier_id, link.basis, link.earlier_closed) == (live.pk, ["place"], False)
    assert link.found_at == now
    assert AppealEvent.objects.filter(appeal=live, action="repeat_received").count() == 1
    assert Event.objects.filter(action="appeal.repeat_found", object_id=str(with_repeat.pk)).exists()
    assert not RepeatLink.objects.filter(appeal=unrelated).exists()
    # received before the live case: nothing earlier to repeat (the file's later row is not earlier)
    assert not RepeatLink.objects.filter(appeal=before).exists()


def test_a_case_the_ledger_records_as_finished_is_not_matched(county, register):
    live = register(title="三组水泥路破损积水", text=TEXT)
    at = live.received_at + dt.timedelta(days=1)
    steps = [bulk.Step("explain_policy", at + dt.timedelta(hours=1), {"text": "已解释"})]
    planned = [bulk.plan(_case(county, "三组水泥路又坏了", TEXT, at, "L9", steps), actor=county.cadre_a,
                         now=timezone.now())]
    (done,) = bulk.write(planned, actor=county.cadre_a, reason="导入台账", batch="t2").appeals
    assert done.group != "open" and not RepeatLink.objects.filter(appeal=done).exists()
