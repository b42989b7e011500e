"""12345 work orders: a file of the hotline's layout round-trips (import → handle through the services
→ replies exported), re-importing changes nothing, bad rows are named and nothing is written; the JSON
endpoints; the 12345 三率 count the hotline's cases alone."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import xlsxwriter

from minqing.appeals import services
from minqing.appeals.models import Appeal, AppealEvent, Category
from minqing.hotline import figures, importer, replies
from minqing.hotline.models import HotlineOrder
from minqing.lib import sheets
from minqing.lib.workdays import TZ

HEAD = ["序号", "工单编号", "来电时间", "来电人", "联系电话", "诉求类型", "问题分类", "诉求内容", "问题发生地",
        "所属乡镇", "承办单位", "办理时限"]


def rows(n: int = 3) -> list[list]:
    out = []
    for i in range(1, n + 1):
        out.append([i, f"SC12345-20250301-{i:04d}", f"2025-03-01 0{i}:15:00", f"来电人{i}", f"1390000000{i}",
                    "投诉" if i % 2 else "求助", "道路交通", f"甲村三组路灯不亮第{i}处，夜间出行困难。",
                    f"甲村三组{i}号附近",
                    "甲村" if i < 3 else "", "甲镇人民政府", "2025-03-10"])
    return out


def xlsx(path, body: list[list], head: list[str] = HEAD) -> str:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["宣汉县12345热线工单导出"])  # the title row hotline exports start with
    ws.write_row(1, 0, head)
    for r, values in enumerate(body, start=2):
        for c, v in enumerate(values):
            ws.write_string(r, c, str(v))
    wb.close()
    return str(path)


@pytest.fixture
def road(db):
    return Category.objects.get_or_create(code="HOTLINE-ROAD", defaults={"name": "道路交通"})[0]


def test_a_hotline_file_round_trips(county, road, tmp_path, clock):
    path = xlsx(tmp_path / "工单.xlsx", rows(3))
    now = dt.datetime(2025, 3, 2, 9, 0, tzinfo=TZ)
    result = importer.load(importer.read_file(path), region=county.town, actor=county.township_leader, now=now)
    assert (result.created, result.existing) == (3, 0)
    orders = {o.order_no: o for o in HotlineOrder.objects.select_related("appeal")}
    first = orders["SC12345-20250301-0001"].appeal
    assert (first.channel, first.region_id, first.category_id, first.kind) == ("12345", county.village_a.code,
                                                                               road.pk, "problem")
    assert first.source_ref == "12345:SC12345-20250301-0001"
    assert orders["SC12345-20250301-0003"].appeal.region_id == county.town.code  # no 所属乡镇: the chosen place
    report = first.reports.get()
    assert report.reporter_name == "来电人1" and report.phone_masked.startswith("139") and "00001" not in (
        report.phone_masked)
    assert orders["SC12345-20250301-0002"].appeal.kind == "help"
    assert orders["SC12345-20250301-0001"].unit_name == "甲镇人民政府"

    # handled through the services
    t = dt.datetime(2025, 3, 2, 10, 0, tzinfo=TZ)
    a = services.do_review(first, actor=county.township_leader, decision="assign", unit=county.units["town_office"].pk,
                           person=county.cadre_a.pk, measures="更换灯泡", now=t)
    a = services.do_submit_result(a, actor=county.cadre_a, result="已更换三盏路灯，恢复照明。",
                                  now=t + dt.timedelta(hours=2))
    a = services.do_verify(a, actor=county.township_leader, passed=True, now=t + dt.timedelta(hours=3))
    a = services.do_return_visit(a, actor=county.township_leader, satisfaction="very_satisfied", method="电话回访",
                                 now=t + dt.timedelta(hours=4))
    a = services.do_close(a, actor=county.township_leader, outcome="solved", told="电话", now=t + dt.timedelta(hours=5))

    out = replies.replies(replies.concluded(county.township_leader))
    assert [r.order_no for r in out] == ["SC12345-20250301-0001"]
    data = replies.xlsx(out)
    back = tmp_path / "回复.xlsx"
    back.write_bytes(data)
    table = [r for r in sheets.rows(back) if any(r)]
    assert list(table[0]) == list(replies.HEADERS)
    row = dict(zip(table[0], table[1], strict=False))
    assert row["工单编号"] == "SC12345-20250301-0001" and row["办理结果"] == "已解决"
    assert row["回复内容"] == "已更换三盏路灯，恢复照明。" and row["满意度"] == "非常满意"
    assert row["办结时间"] == "2025-03-02 15:00:00" and row["承办单位"] == county.units["town_office"].name

    # re-importing the same file changes nothing
    events = AppealEvent.objects.count()
    again = importer.load(importer.read_file(path), region=county.town, actor=county.township_leader,
                          now=now + dt.timedelta(days=1))
    assert (again.created, again.existing) == (0, 3)
    assert Appeal.objects.filter(channel="12345").count() == 3 and AppealEvent.objects.count() == events


def test_bad_rows_are_named_and_nothing_is_written(county, road, tmp_path):
    body = rows(3)
    body[1][2] = "三月一日"  # 来电时间 unreadable (file row 4: title row, header row, then data)
    body[2][7] = ""  # 诉求内容 empty
    body[0][4] = "12345"  # not a phone number
    path = xlsx(tmp_path / "bad.xlsx", body)
    with pytest.raises(importer.OrderImportError) as err:
        importer.load(importer.read_file(path), region=county.town, actor=county.township_leader)
    text = err.value.report()
    assert "第4行 “来电时间”" in text and "第5行 “诉求内容”：不能为空" in text and "第3行 “联系电话”" in text
    assert not HotlineOrder.objects.exists() and not Appeal.objects.filter(channel="12345").exists()


def test_a_row_the_intake_refuses_rolls_back_the_file(county, road, tmp_path):
    body = rows(2)
    body[1][9] = "丙村"  # a village of another township
    path = xlsx(tmp_path / "place.xlsx", body)
    with pytest.raises(importer.OrderImportError) as err:
        importer.load(importer.read_file(path), region=county.town, actor=county.township_leader)
    assert "第4行" in err.value.report() and "丙村" in err.value.report()
    assert not Appeal.objects.filter(channel="12345").exists()  # the good first row is not kept


def test_other_column_names_through_the_mapping(county, road, tmp_path):
    head = ["流水", "受理编号", "受理时间", "市民", "电话", "事情", "地点"]
    body = [["1", "A-1", "2025/03/01 08:00", "李四", "13900000009", "路面塌陷", "甲村"]]
    path = xlsx(tmp_path / "other.xlsx", body, head)
    with pytest.raises(importer.OrderImportError) as err:  # 诉求内容 not found by its usual names
        importer.read_file(path)
    assert "诉求内容" in err.value.report()
    orders = importer.read_file(path, {"text": "事情", "caller": "市民", "address": "地点"})
    assert (orders[0].order_no, orders[0].text, orders[0].caller) == ("A-1", "路面塌陷", "李四")


def test_the_json_endpoints(county, road, client):
    client.force_login(county.township_leader)
    body = {"region": county.town.code, "orders": [
        {"order_no": "J-1", "received_at": "2025-03-01T08:00:00+08:00", "text": "噪音扰民", "caller": "王五",
         "phone": "13900000011", "order_type": "投诉", "unit": "甲镇"}]}
    first = client.post("/api/v1/hotline/orders", body, content_type="application/json")
    assert first.status_code == 200, first.content
    assert first.json()["created"] == 1
    again = client.post("/api/v1/hotline/orders", body, content_type="application/json")
    assert again.json()["created"] == 0 and again.json()["existing"] == 1
    bad = client.post("/api/v1/hotline/orders", {**body, "orders": [{**body["orders"][0], "order_no": "J-2",
                                                                     "received_at": "昨天"}]},
                      content_type="application/json")
    assert bad.status_code == 422 and "第1条 “来电时间”" in bad.json()["detail"]
    a = Appeal.objects.get(hotline_order__order_no="J-1")
    services.do_explain_policy(a, actor=county.township_leader, text="属于正常施工时段，已告知施工方降噪。",
                               now=a.received_at + dt.timedelta(hours=2))
    feed = client.get("/api/v1/hotline/replies").json()
    assert [(i["order_no"], i["outcome"], i["reply"]) for i in feed["items"]] == [
        ("J-1", "已解释说明（政策解答）", "属于正常施工时段，已告知施工方降噪。")]
    later = client.get("/api/v1/hotline/replies", {"since": feed["next_since"]}).json()
    assert later["items"] == []
    client.force_login(county.users["cadre_b"] if "cadre_b" in county.users else county.cadre_b)
    other = client.post("/api/v1/hotline/orders", {**body, "orders": [{**body["orders"][0], "order_no": "J-3"}]},
                        content_type="application/json")
    assert other.status_code == 422 and not HotlineOrder.objects.filter(order_no="J-3").exists()


def test_the_12345_rates_count_the_hotline_cases_alone(county, road, register, clock):
    start = dt.date(2025, 3, 1)
    orders = importer.read_json([{"order_no": "R-1", "received_at": "2025-03-01 08:00:00", "text": "漏水"}])
    importer.load(orders, region=county.town, actor=county.township_leader,
                  now=dt.datetime(2025, 3, 1, 9, tzinfo=TZ))
    hot = Appeal.objects.get(hotline_order__order_no="R-1")
    services.do_solve_on_spot(hot, actor=county.township_leader, what="已关阀", satisfaction="unsatisfied",
                              now=dt.datetime(2025, 3, 1, 10, tzinfo=TZ))
    other = register(channel="visit")
    services.do_solve_on_spot(other, actor=county.cadre_a, what="已处理", satisfaction="satisfied", now=clock(3))
    got = figures.section(county.county.code, start, dt.date(2025, 3, 31))
    assert got["received"] == 1
    assert (got["satisfaction"].numerator, got["satisfaction"].denominator) == (0, 1)
    assert (got["resolution"].numerator, got["resolution"].denominator) == (1, 1)


def test_the_dispatcher_page_and_the_download(county, road, client, tmp_path, settings):
    settings.MINQING_JOBS_RUNNER = "sync"
    client.force_login(county.township_leader)
    page = client.get("/hotline/", {"region": county.town.code})
    assert page.status_code == 200 and "按时办结率" in page.content.decode()
    with open(xlsx(tmp_path / "up.xlsx", rows(2)), "rb") as f:
        up = client.post("/hotline/", {"region": county.town.code, "file": f})
    assert up.status_code == 302 and "/jobs/" in up["Location"]
    from minqing.jobs.models import Job

    job = Job.objects.get(kind="hotline_import")
    assert (job.status, job.message) == ("done", job.message) and HotlineOrder.objects.count() == 2, job.message
    got = client.get("/hotline/replies.xlsx", {"region": county.town.code})
    assert got.status_code == 200 and got["Content-Type"].startswith("application/vnd.openxmlformats")
    assert io.BytesIO(got.content).read(2) == b"PK"


def test_the_12345_section_is_in_the_figures_api(county, road, bearer, client):
    orders = importer.read_json([{"order_no": "M-1", "received_at": "2025-03-01 08:00:00", "text": "漏水"}])
    importer.load(orders, region=county.town, actor=county.township_leader,
                  now=dt.datetime(2025, 3, 1, 9, tzinfo=TZ))
    got = client.get("/api/v1/metrics/hotline", {"region": county.county.code, "period": "2025-03"},
                     headers=bearer(county.county_leader))
    assert got.status_code == 200, got.content
    body = got.json()
    assert body["received"] == 1 and set(body["on_time"]) >= {"numerator", "denominator"}


def test_the_mapping_step_on_the_page(county, road, client, tmp_path, settings):
    settings.MINQING_JOBS_RUNNER = "sync"
    client.force_login(county.township_leader)
    head = ["流水", "受理编号", "受理时间", "市民", "电话", "事情"]
    path = xlsx(tmp_path / "odd.xlsx", [["1", "P-1", "2025/03/01 08:00", "李四", "13900000009", "路面塌陷"]], head)
    with open(path, "rb") as f:
        page = client.post("/hotline/", {"region": county.town.code, "file": f})
    text = page.content.decode()
    assert page.status_code == 200 and "诉求内容" in text and '<option value="事情">' in text
    stored = client.session["hotline_import"]["file"]
    done = client.post("/hotline/", {"stored": stored, "order_no": "受理编号", "received_at": "受理时间",
                                     "text": "事情", "caller": "市民", "phone": "电话"})
    assert done.status_code == 302 and "/jobs/" in done["Location"]
    order = HotlineOrder.objects.select_related("appeal").get(order_no="P-1")
    assert order.appeal.text == "路面塌陷" and order.appeal.reports.get().reporter_name == "李四"


def test_the_orders_time_limit_bounds_the_cases_deadline(county, road, tmp_path):
    from django.core.exceptions import ValidationError

    path = xlsx(tmp_path / "工单.xlsx", rows(2))
    now = dt.datetime(2025, 3, 2, 9, 0, tzinfo=TZ)
    importer.load(importer.read_file(path), region=county.town, actor=county.township_leader, now=now)
    first, second = (o.appeal for o in HotlineOrder.objects.select_related("appeal").order_by("order_no"))
    limit = dt.datetime(2025, 3, 10, 23, 59, 59, tzinfo=TZ)  # 办理时限 2025-03-10: the end of that day
    t = dt.datetime(2025, 3, 2, 10, 0, tzinfo=TZ)
    # the county's default (15 working days) would run to late March: the order's limit wins
    a = services.do_review(first, actor=county.township_leader, decision="assign", unit=county.units["town_office"].pk,
                           person=county.cadre_a.pk, measures="更换灯泡", now=t)
    assert a.due_at == limit
    # a later deadline typed by the assigner is refused, in words, and nothing changes
    events = AppealEvent.objects.filter(appeal=second).count()
    with pytest.raises(ValidationError, match="不得晚于12345工单办理时限（2025-03-10 23:59）"):
        services.do_review(second, actor=county.township_leader, decision="assign",
                           unit=county.units["town_office"].pk, person=county.cadre_a.pk, measures="更换灯泡",
                           due="2025-03-20", now=t)
    assert AppealEvent.objects.filter(appeal=second).count() == events
    earlier = services.do_review(second, actor=county.township_leader, decision="assign",
                                 unit=county.units["town_office"].pk, person=county.cadre_a.pk, measures="更换灯泡",
                                 due="2025-03-05", now=t)
    assert earlier.due_at.date() == dt.date(2025, 3, 5)
