import pytest
from django.db import transaction

from minqing.nlp import search
from minqing.nlp.models import SearchDoc
from tests.conftest import ID_A, PHONE_A, PHONE_B

pytestmark = pytest.mark.django_db


@pytest.fixture
def lamps(county, appeal_in):
    return {
        "a1": appeal_in("village_a", "路灯不亮", "村口的路灯不亮已经一个月了，晚上走路危险"),
        "a2": appeal_in("village_a", "小区路灯坏了", "安置小区路灯坏了好几盏，请尽快修理", name="张三丰"),
        "a3": appeal_in("village_a", "水渠堵塞", "二组水渠堵塞，灌溉困难"),
        "b1": appeal_in("village_b", "路灯损坏", "乙村主干道路灯损坏", phone=PHONE_B),
    }


def ids(hits, kind="appeal"):
    return {h.object_id for h in hits if h.object_type == kind}


def test_a_short_word_finds_longer_phrases(county, lamps):
    hits = search.search(county.cadre_a, "路灯")
    assert ids(hits) == {lamps["a1"].pk, lamps["a2"].pk}
    assert all("<mark>路灯</mark>" in h.snippet for h in hits)
    assert ids(search.search(county.cadre_a, "路灯不亮")) == {lamps["a1"].pk}
    assert ids(search.search(county.cadre_a, "水渠")) == {lamps["a3"].pk}


def test_names_and_places_are_searchable(county, lamps):
    assert ids(search.search(county.cadre_a, "张三丰")) == {lamps["a2"].pk}
    assert lamps["b1"].pk in ids(search.search(county.township_leader, "乙村"))


def test_snippets_are_escaped(county, appeal_in):
    a = appeal_in("village_a", "<script>路灯</script>", "<b>路灯</b> & 电线")
    hit = next(h for h in search.search(county.cadre_a, "路灯") if h.object_id == a.pk)
    assert "<b>" not in hit.snippet and "&lt;b&gt;<mark>路灯</mark>" in hit.snippet


def test_village_a_never_sees_village_b(county, lamps):
    assert lamps["b1"].pk not in ids(search.search(county.cadre_a, "路灯"))
    assert lamps["b1"].pk in ids(search.search(county.cadre_b, "路灯"))
    assert ids(search.search(county.township_leader, "路灯")) == {lamps[k].pk for k in ("a1", "a2", "b1")}
    assert search.search(county.outsider, "路灯") == []


def test_a_whole_phone_or_id_finds_by_hash(county, lamps):
    hits = search.search(county.cadre_a, PHONE_A)
    assert [(h.object_type, h.title) for h in hits] == [("resident", county.residents["a1"].name)]
    assert PHONE_A not in hits[0].snippet  # masked
    assert [h.object_type for h in search.search(county.cadre_a, ID_A)] == ["resident"]
    assert search.search(county.cadre_a, PHONE_B) == []  # village B's resident and report
    found = search.search(county.cadre_b, PHONE_B)
    assert {("appeal", lamps["b1"].pk)} <= {(h.object_type, h.object_id) for h in found}
    assert not SearchDoc.objects.filter(terms__contains=PHONE_B[:7]).exists()


def test_index_follows_writes_and_rebuild(county, lamps, committed):
    from minqing.appeals import services

    a = lamps["a3"]
    with transaction.atomic():  # a write that rolls back never reaches the index
        services.add_report(a, actor=None, channel="visit", text="化粪池满溢", reporter_name="回滚人")
        transaction.set_rollback(True)
    assert search.search(county.cadre_a, "化粪池") == []
    committed(services.add_report, a, actor=None, channel="visit", text="化粪池满溢", reporter_name="赵六")
    assert ids(search.search(county.cadre_a, "化粪池"), "report") == {a.reports.get(reporter_name="赵六").pk}
    assert ids(search.search(county.cadre_a, "赵六")) == {a.pk}  # the new reporter's name goes to the case
    SearchDoc.objects.all().delete()
    assert search.search(county.cadre_a, "化粪池") == []
    counts = search.rebuild()
    assert counts["appeal"] == 4
    assert ids(search.search(county.cadre_a, "化粪池"), "report") == {a.reports.get(reporter_name="赵六").pk}
    assert ids(search.search(county.cadre_a, "路灯")) == {lamps["a1"].pk, lamps["a2"].pk}
