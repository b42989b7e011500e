"""Hot spots: the pure function, the CLI on a small CSV and on 附件3."""

import csv
import datetime as dt
import json
import time

import pytest
from django.core.management import call_command

from minqing.nlp.hotspots import Record, find_hotspots, find_persistent, persistence_of, places_in


def test_places_drop_the_admin_prefix_and_leading_clause():
    assert "丽发新城" in places_in("A市暮云街道丽发新城社区附近搅拌站噪音污染严重")
    assert "魅力之城" in places_in("A5区劳动东路魅力之城小区油烟扰民")
    assert places_in("希望市委市政府重视") == []
    assert places_in("甲村水渠堵塞", known=["甲村"])[0] == "甲村"


def _records():
    day = dt.datetime(2019, 7, 1)
    rows = [Record(id=f"p{i}", title="伊景园滨河苑车位捆绑销售", text=f"伊景园滨河苑开发商强制捆绑销售车位{i}",
                   time=day + dt.timedelta(days=i % 5), user=f"u{i}", likes=i) for i in range(6)]
    rows += [Record(id=f"q{i}", title="魅力之城小区油烟扰民", text="楼下餐馆油烟直排，魅力之城小区居民苦不堪言",
                    time=day + dt.timedelta(days=20 + i * 10), user="same") for i in range(3)]
    rows += [Record(id="x1", title="咨询社保缴费", text="灵活就业人员怎么缴社保", time=day),
             Record(id="x2", title="路灯不亮", text="某路口路灯不亮", time=day)]
    # the same words a year later are another hot spot (time window)
    rows += [Record(id=f"old{i}", title="伊景园滨河苑车位捆绑销售", text="伊景园滨河苑捆绑销售车位",
                    time=day - dt.timedelta(days=400 + i), user=f"o{i}") for i in range(2)]
    return rows


def test_groups_by_place_and_window_and_ranks_by_heat():
    spots = find_hotspots(_records(), top=5)
    first = spots[0]
    assert first.place == "伊景园滨河苑" and first.count == 6 and first.residents == 6
    assert first.message_ids == [f"p{i}" for i in (0, 5, 1, 2, 3, 4)]
    assert first.likes == 15 and first.start == "2019-07-01" and first.end == "2019-07-05"
    second = next(h for h in spots if h.place == "魅力之城")
    assert second.count == 3 and second.residents == 1  # one person writing three times
    assert second.heat < first.heat
    assert not any("x1" in h.message_ids for h in spots)
    assert any(h.message_ids == ["old1", "old0"] for h in spots)


def _long_running():
    """A school gate complaint raised by a few people every other month for a year, a storm of 8 messages
    in one week, and an old complaint that stopped long ago."""
    start = dt.datetime(2019, 1, 10)
    rows = [Record(id=f"g{i}", title="育才小学门口摊贩占道", text=f"育才小学门口流动摊贩占道经营，学生上学不安全{i}",
                   time=start + dt.timedelta(days=60 * i), user=f"g{i % 4}") for i in range(6)]
    rows += [Record(id=f"s{i}", title="丽发新城搅拌站噪音", text="丽发新城附近搅拌站夜间施工噪音扰民",
                    time=dt.datetime(2019, 11, 1) + dt.timedelta(days=i % 7), user=f"s{i}") for i in range(8)]
    rows += [Record(id=f"o{i}", title="红星村水渠堵塞", text="红星村灌溉水渠堵塞多年无人清理",
                     time=dt.datetime(2017, 1, 5) + dt.timedelta(days=45 * i), user=f"o{i}") for i in range(4)]
    return rows


def test_persistent_finds_what_keeps_coming_back_not_the_storm():
    found = find_persistent(_long_running(), top=5)
    assert [p.spot.place for p in found] == ["育才小学", "红星村"]
    school = found[0]
    assert school.spot.count == 6 and school.spot.residents == 4 and school.months == 6
    # `now` defaults to the newest message of the data: the storm's last day, 2019-11-07
    assert school.span_days == 300 and school.idle_days == 1
    assert school.spot.start == "2019-01-10" and school.spot.message_ids[0] == "g0"
    old = found[1]
    assert old.idle_days > 700 and old.score < school.score
    # the storm is a burst hot spot, never a persistent one
    assert not any(m.startswith("s") for p in found for m in p.spot.message_ids)
    assert find_hotspots(_long_running(), top=1)[0].place == "丽发新城"


def test_persistence_rewards_people_months_span_and_recency():
    assert persistence_of(4, 6, 300, 0) > persistence_of(2, 6, 300, 0)
    assert persistence_of(4, 6, 300, 0) > persistence_of(4, 3, 300, 0)
    assert persistence_of(4, 6, 300, 0) > persistence_of(4, 6, 120, 0)
    assert persistence_of(4, 6, 300, 180) == pytest.approx(persistence_of(4, 6, 300, 0) / 2, abs=0.01)


def _write(path, rows):
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["留言编号", "留言用户", "留言主题", "留言时间", "留言详情", "反对数", "点赞数"])
        for r in rows:
            w.writerow([r.id, r.user, r.title, r.time.strftime("%Y/%m/%d %H:%M:%S"), "\n\t" + r.text + "\u3000",
                        0, r.likes])
    return path


def test_cli_on_a_small_csv_needs_no_database(tmp_path, capsys):
    path = _write(tmp_path / "msgs.csv", _records())
    call_command("hotspots", "--csv", str(path), "--top", "2", "--json")
    data = json.loads(capsys.readouterr().out)
    assert len(data["hotspots"]) == 2
    h = data["hotspots"][0]
    assert {"title", "place", "start", "end", "heat", "message_ids"} <= set(h)
    assert h["place"] == "伊景园滨河苑" and len(h["message_ids"]) == 6
    assert data["hotspots"][0]["heat"] >= data["hotspots"][1]["heat"]


def test_cli_persistent_on_a_small_csv(tmp_path, capsys):
    path = _write(tmp_path / "long.csv", _long_running())
    call_command("hotspots", "--csv", str(path), "--persistent", "--json")
    data = json.loads(capsys.readouterr().out)
    first = data["persistent"][0]
    assert first["place"] == "育才小学" and first["months"] == 6 and len(first["message_ids"]) == 6
    assert {"score", "span_days", "idle_days", "residents", "start", "end"} <= set(first)


def test_cli_on_attachment_3(shared_data_dir, capsys):
    path = shared_data_dir / "taidi2020c" / "附件3.csv"
    started = time.perf_counter()
    call_command("hotspots", "--csv", str(path), "--top", "10", "--json")
    assert time.perf_counter() - started < 60
    data = json.loads(capsys.readouterr().out)
    spots = data["hotspots"]
    assert data["messages"] == 4326 and len(spots) == 10
    assert [s["heat"] for s in spots] == sorted((s["heat"] for s in spots), reverse=True)
    for s in spots:
        assert dt.date.fromisoformat(s["start"]) <= dt.date.fromisoformat(s["end"])
        assert len(s["message_ids"]) >= 2
    # the two well-known clusters of this file lead: 丽发新城 (搅拌站噪音) and 伊景园滨河苑 (车位捆绑)
    assert {spots[0]["place"], spots[1]["place"]} == {"丽发新城", "伊景园滨河苑"}
    assert len(spots[0]["message_ids"]) > 30


@pytest.mark.django_db
def test_region_report_counts_households_and_support(county, appeal_in):
    from minqing.nlp import reports

    for i in range(3):
        appeal_in("village_a", "甲村水渠堵塞", f"甲村二组水渠堵塞，灌溉用不了水{i}", days_ago=i + 1)
    appeal_in("village_b", "乙村水渠堵塞", "乙村二组水渠堵塞", days_ago=1)
    end = dt.date.today()
    spots = reports.region_hotspots(county.cadre_a, county.village_a.code, end - dt.timedelta(days=30), end)
    assert len(spots) == 1 and spots[0].count == 3 and spots[0].place == "甲村"
    town = reports.region_hotspots(county.township_leader, county.town.code, end - dt.timedelta(days=30), end)
    assert town and town[0].count in (3, 4)  # 乙村 may join by text; the township leader sees both
