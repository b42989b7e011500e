import pytest

from minqing.nlp.duplicates import similar_open

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(county, appeal_in):
    return {
        "lamp": appeal_in("village_a", "村口路灯不亮", "甲村村口的路灯不亮了，晚上走路看不见"),
        "ditch": appeal_in("village_a", "水渠堵塞", "二组水渠堵塞，灌溉困难"),
        "lamp_c": appeal_in("village_c", "村口路灯不亮", "丙村村口的路灯不亮了，晚上走路看不见"),
        "lamp_b": appeal_in("village_b", "村口路灯不亮", "甲村村口的路灯不亮了，晚上走路看不见"),
    }


def test_exact_near_and_paraphrase(county, cases):
    found = similar_open(county.cadre_a, "甲村村口的路灯不亮了，晚上走路看不见", region_code=county.village_a.code)
    assert [(m.appeal.pk, m.kind) for m in found] == [(cases["lamp"].pk, "exact")]
    near = similar_open(county.cadre_a, "甲村村口的路灯不亮了，晚上走路都看不见啊")
    assert near[0].appeal == cases["lamp"] and near[0].kind == "near"
    para = similar_open(county.cadre_a, "村口路灯坏了，晚上看不见路")
    assert para and para[0].appeal == cases["lamp"] and para[0].kind == "paraphrase"
    assert similar_open(county.cadre_a, "低保申请") == []


def test_jurisdiction_and_place_weigh_in(county, cases):
    found = similar_open(county.township_leader, "村口路灯坏了，晚上看不见路", region_code=county.village_a.code)
    ids = [m.appeal.pk for m in found]
    assert cases["lamp_c"].pk not in ids  # another township: not the township leader's
    assert ids.index(cases["lamp"].pk) < ids.index(cases["lamp_b"].pk)  # the same village first
    assert cases["lamp_b"].pk not in [m.appeal.pk for m in similar_open(county.cadre_a, "村口路灯不亮")]


def test_closed_and_excluded_cases_are_left_out(county, cases):
    lamp = cases["lamp"]
    assert similar_open(county.cadre_a, lamp.text, exclude_id=lamp.pk) == []
    from minqing.appeals.models import Appeal

    Appeal.objects.filter(pk=lamp.pk).update(group="solved")
    assert similar_open(county.cadre_a, lamp.text) == []
