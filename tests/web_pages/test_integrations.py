"""The pages borrow from the NLP part (category suggestion, similar open appeals) through
minqing.web.integrations. The part's functions are stood in for here with the documented shapes
(suggest → objects with category code/name, unit, confidence; similar_open → matches with
.appeal, .score, .kind), so the adapter and the pages are tested whether or not the part is built."""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass

import pytest

from minqing.appeals.models import Category
from minqing.regions import jurisdiction

pytestmark = pytest.mark.django_db


@dataclass
class FakeSuggestion:
    category_code: str
    category_name: str
    unit: str
    confidence: float


@dataclass
class FakeMatch:
    appeal: object
    score: float
    kind: str
    closed: bool = False
    similarity: float | None = None  # the text's own; score adds the same-village bonus (the ranking)


@pytest.fixture
def nlp(monkeypatch):
    calls: dict = {}

    def suggest(text):
        calls["suggest"] = text
        return [FakeSuggestion("T02", "路灯照明", "县住建局", 0.91)]

    def similar_open(user, text, title="", region_code=None, exclude_id=None, include_closed=True, around=None):
        from minqing.appeals.models import Appeal

        calls["similar"] = (user, region_code, exclude_id)
        calls["include_closed"] = include_closed
        qs = jurisdiction.visible(user, Appeal).exclude(pk=exclude_id)
        found = [FakeMatch(a, 0.97, "near", similarity=0.87) for a in qs.filter(group="open", title__contains="路灯")]
        if include_closed:
            found += [FakeMatch(a, 0.66, "meaning", closed=True) for a in qs.filter(title__contains="照明")]
        return found

    monkeypatch.setitem(sys.modules, "minqing.nlp.classify", types.SimpleNamespace(suggest=suggest))
    monkeypatch.setitem(sys.modules, "minqing.nlp.duplicates", types.SimpleNamespace(similar_open=similar_open))
    return calls


def test_the_new_appeal_form_suggests_a_category(county, login, nlp):
    cat = Category.objects.create(code="T02", name="路灯照明", level=1)
    response = login(county.cadre_a).get("/appeals/suggest/", {"text": "路灯坏了"})
    text = response.content.decode()
    assert "建议类别" in text and f'data-set-category="{cat.pk}"' in text and "91%" in text and "县住建局" in text
    assert nlp["suggest"] == "路灯坏了"


def test_similar_open_appeals_are_offered_for_a_one_click_merge(county, stages, login, nlp):
    dup = stages.registered(title="村口路灯不亮")
    keep = stages.registered(title="路灯坏了")
    far = stages.registered(region=county.village_b.code, actor=county.cadre_b, title="乙村路灯")
    client = login(county.cadre_a)
    page = client.get(f"/appeals/{dup.pk}/").content.decode()
    similar = page[page.index('id="similar"'):page.index("</section>", page.index('id="similar"'))]
    assert keep.number in similar and "87%" in similar and far.title not in similar
    assert "97%" not in similar  # 相似度 is the similarity, not the ranking score with its bonus
    assert f'name="into" value="{keep.pk}"' in similar
    assert nlp["similar"][1:] == (dup.region_id, dup.pk)
    response = client.post(f"/appeals/{dup.pk}/merge/", {"into": keep.pk})
    assert response.status_code == 302
    dup.refresh_from_db()
    assert dup.merged_into_id == keep.pk


def test_meaning_matches_and_recently_closed_cases_show_their_reason_without_a_merge(county, stages, login, nlp):
    dup = stages.registered(title="村口路灯不亮")
    closed = stages.registered(title="照明坏了")
    client = login(county.cadre_a)
    page = client.get(f"/appeals/{dup.pk}/").content.decode()
    similar = page[page.index('id="similar"'):page.index("</section>", page.index('id="similar"'))]
    assert closed.number in similar and "66%" in similar and "意思相近" in similar and "近期已办结" in similar
    assert f'name="into" value="{closed.pk}"' not in similar  # a closed case is not merged into
    merge_page = client.get(f"/appeals/{dup.pk}/merge/").content.decode()
    assert nlp["include_closed"] is False and closed.number not in merge_page


def test_a_failing_part_does_not_break_the_page(county, stages, login, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("model not loaded")

    monkeypatch.setitem(sys.modules, "minqing.nlp.duplicates", types.SimpleNamespace(similar_open=broken))
    monkeypatch.setitem(sys.modules, "minqing.nlp.classify", types.SimpleNamespace(suggest=broken))
    a = stages.registered()
    client = login(county.cadre_a)
    assert client.get(f"/appeals/{a.pk}/").status_code == 200
    assert client.get("/appeals/suggest/", {"text": "路灯"}).content.decode().strip() == ""
