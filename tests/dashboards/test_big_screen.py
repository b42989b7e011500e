"""The 大屏 (big-screen) view: a page of its own, without the site's menu, that reloads itself and
carries the charts' data; reached from the dashboard's 大屏模式 link with the same period."""

from __future__ import annotations

import re

from minqing.dashboards import views


def _refresh(text: str) -> int:
    match = re.search(r'<meta http-equiv="refresh" content="(\d+)">', text)
    assert match, "no self-refresh on the big screen"
    return int(match.group(1))


def test_the_big_screen_has_no_menu_and_refreshes_itself(county, login):
    client = login(county.township_leader)
    full = client.get(f"/dashboards/{county.town.code}/?period=2024-05").content.decode()
    link = re.search(r'<a class="big-screen-link" href="([^"]+)">大屏模式</a>', full)
    assert link and "view=big" in link.group(1) and "period=2024-05" in link.group(1).replace("&amp;", "&")
    assert 'class="mainnav"' in full  # the full dashboard keeps the site's frame

    text = client.get(f"/dashboards/{county.town.code}/?period=2024-05&view=big").content.decode()
    assert 'class="mainnav"' not in text and 'class="top"' not in text and "退出" not in text
    assert _refresh(text) == views.BIG_REFRESH
    assert 'id="dash-charts"' in text and "vendor/echarts/echarts.min.js" in text
    for chart in ("trend", "groups", "categories", "rates", "funnel"):
        assert f'data-chart="{chart}"' in text
    assert "每 5 分钟自动刷新" in text and "返回完整看板" in text


def test_the_refresh_is_kept_within_a_minute_and_an_hour(county, login):
    client = login(county.township_leader)
    base = f"/dashboards/{county.town.code}/?view=big&refresh="
    assert _refresh(client.get(base + "5").content.decode()) == 60
    assert _refresh(client.get(base + "120").content.decode()) == 120
    assert _refresh(client.get(base + "999999").content.decode()) == 3600
    assert _refresh(client.get(base + "soon").content.decode()) == views.BIG_REFRESH
