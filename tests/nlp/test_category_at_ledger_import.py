"""A ledger import applies the category suggestion like every other channel (issue 13): a row with no
category gets the model's confident category, marked as suggested (source ``model``, recorded in the
case's audit event); a category the ledger names stays the person's."""

from __future__ import annotations

import pytest

from minqing.appeals.models import Appeal, Category
from minqing.audit.models import Event
from minqing.ledgers.importers import load_ledger
from tests.ledgers_metrics.test_ledgers import TOWN, own_row, write_own
from tests.nlp.test_category_at_registration import model  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def test_a_ledger_row_without_category_gets_the_suggestion(county, model, tmp_path):  # noqa: F811
    named = Category.objects.create(code="R01", name="人居环境整治", level=1, scheme="own")
    path = tmp_path / "own.xlsx"
    write_own(path, [own_row(1, 类别="", 问题描述="小区路灯坏了没人修，晚上很黑"),
                     own_row(2, 问题描述="小区路灯坏了没人修"),  # the ledger names 人居环境整治
                     own_row(3, 类别="", 问题描述="想反映一下情况")])  # the model is unsure: left empty
    result = load_ledger(path, mapping="own", region=TOWN)
    assert result.created == 3
    rows = {a.text: a for a in Appeal.objects.filter(source_ref__startswith="ledger:")}
    suggested = rows["小区路灯坏了没人修，晚上很黑"]
    assert (suggested.category, suggested.category_source) == (model["城乡建设"], "model")
    assert (rows["小区路灯坏了没人修"].category, rows["小区路灯坏了没人修"].category_source) == (named, "person")
    assert (rows["想反映一下情况"].category, rows["想反映一下情况"].category_source) == (None, "")
    event = Event.objects.get(action="appeal.import", object_id=str(suggested.pk))
    assert event.changes["category_suggested"]["category"] == "T01"
    assert "category_suggested" not in Event.objects.get(action="appeal.import",
                                                         object_id=str(rows["小区路灯坏了没人修"].pk)).changes
