"""Every workflow action through the API with no wrapping test transaction, as a server runs it: each
request is its own transaction, so a service that locks rows outside a transaction (resume, once)
answers 500 here on PostgreSQL instead of passing unseen."""

from __future__ import annotations

import datetime as dt

import pytest

from minqing.appeals import workflow as wf
from minqing.appeals.models import Appeal, AppealEvent
from minqing.regions import jurisdiction

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def api(county, client):
    from minqing.accounts.models import ApiToken

    tokens = {}
    client.raise_request_exception = False  # a 500 is an answer to assert on, as a phone would see it

    def call(user, path: str, data: dict | None = None, *, expect: int = 200) -> dict:
        if user.pk not in tokens:
            tokens[user.pk] = ApiToken.objects.issue(user)[0]
        r = client.post(f"/api/v1/appeals{path}", data or {}, content_type="application/json",
                        headers={"Authorization": f"Bearer {tokens[user.pk]}"})
        assert r.status_code == expect, (path, r.status_code, r.content[:300])
        return r.json()

    return call


def _new(api, county, title: str) -> int:
    body = api(county.cadre_a, "", {"region": county.village_a.code, "kind": "problem", "channel": "visit",
                                    "title": title, "text": f"{title}，请尽快处理"}, expect=201)
    assert body["status"] == "registered"
    return body["id"]


def _due(days: int = 20) -> str:
    return (dt.date.today() + dt.timedelta(days=days)).isoformat()


def test_every_action_through_the_api_commits(county, api):
    seen: set[str] = set()

    def act(user, pk: int, action: str, data: dict | None = None, *, status: str) -> dict:
        body = api(user, f"/{pk}/actions/{action}", data)
        row = Appeal.objects.get(pk=pk)  # what was committed, read back on this thread's connection
        assert (body["status"], row.status) == (status, status), action
        assert AppealEvent.objects.filter(appeal_id=pk).order_by("-id").first().action == action
        seen.add(action)
        return body

    cadre, leader, handler = county.cadre_a, county.township_leader, county.dept_handler
    assign = {"unit": county.units["housing"].pk, "person": handler.pk, "measures": "更换灯具", "due": _due()}

    # the whole loop, with every side road a handled case may take
    a = _new(api, county, "路灯坏了")
    act(cadre, a, "assign", assign, status="assigned")
    act(handler, a, "add_progress", {"note": "已采购灯具", "cost": "800", "fund_source": "村级资金"},
        status="in_progress")
    act(leader, a, "remind", {"note": "请加快"}, status="in_progress")
    act(leader, a, "supervise", {"leader": leader.pk, "level": "township"}, status="in_progress")
    act(handler, a, "request_extension", {"days": 5, "reason": "灯具未到货"}, status="extension_requested")
    act(leader, a, "approve_extension", {"days": 5}, status="in_progress")
    act(handler, a, "suspend", {"reason": "等待电力公司停电检修"}, status="suspended")
    act(handler, a, "resume", {"note": "检修完毕"}, status="in_progress")
    act(handler, a, "submit_result", {"result": "已更换五盏"}, status="awaiting_verification")
    act(cadre, a, "verify", {"passed": False, "note": "还有一盏不亮"}, status="in_progress")
    act(handler, a, "submit_result", {"result": "全部更换"}, status="awaiting_verification")
    act(cadre, a, "verify", {"passed": True}, status="awaiting_return_visit")
    act(cadre, a, "return_visit_failed", {"method": "phone"}, status="awaiting_return_visit")
    act(cadre, a, "return_visit", {"satisfaction": "satisfied", "method": "phone"}, status="awaiting_closure")
    act(cadre, a, "close", {"outcome": "solved"}, status="closed_solved")
    act(leader, a, "flag_accountability", {"reason": "初次办理不彻底"}, status="closed_solved")
    act(cadre, a, "reopen", {"reason": "群众再次反映（重复件）"}, status="in_progress")

    b = _new(api, county, "低保咨询")
    act(cadre, b, "escalate", {"reason": "村里答复不了"}, status="escalated")
    act(leader, b, "review", {"decision": "explain", "text": "按低保政策答复"}, status="explained")
    c = _new(api, county, "垃圾未清运")
    act(cadre, c, "solve_on_spot", {"what": "当场联系清运", "satisfaction": "satisfied"}, status="solved_on_spot")
    d = _new(api, county, "医保咨询")
    act(cadre, d, "explain_policy", {"text": "医保缴费政策"}, status="explained")
    e = _new(api, county, "道路积水")
    act(cadre, e, "review", {"decision": "assign", **assign}, status="assigned")
    act(handler, e, "request_extension", {"days": 3, "reason": "雨季"}, status="extension_requested")
    act(leader, e, "reject_extension", {"reason": "不予延期"}, status="assigned")
    f, g = _new(api, county, "路灯重复一"), _new(api, county, "路灯重复二")
    target = Appeal.objects.get(pk=g).number
    act(cadre, f, "merge_into", {"target": target}, status="merged")
    act(cadre, f, "unmerge", {"reason": "并非同一事项"}, status="registered")

    # 导入法定途径 decided at review: straight to verification by someone else, a visit, then closed
    h = _new(api, county, "土地承包纠纷")
    act(cadre, h, "refer", {"body": "县人民法院", "reason": "须经诉讼"}, status="awaiting_verification")
    act(leader, h, "verify", {"passed": True}, status="awaiting_return_visit")
    act(cadre, h, "return_visit", {"satisfaction": "basically_satisfied"}, status="awaiting_closure")
    act(cadre, h, "close", {"outcome": "unsolved", "note": "已导入诉讼"}, status="referred")

    # 协办, 退单 and its review (改派 / 驳回), 转办, a handler's referral the dispatcher decides (issue 16)
    from minqing.accounts.models import Post, Unit, User

    def dept(name: str, function: str) -> tuple[Unit, User]:
        unit = Unit.objects.create(name=name, kind="department", function=function, region=county.county)
        user = User.objects.create(username=function, display_name=f"{name}经办人")
        Post.objects.create(user=user, unit=unit, role="dept_handler", region=county.county,
                            started_on=dt.date(2020, 1, 1))
        return unit, user

    (transport, t_staff), (water, w_staff) = dept("县交通运输局", "transport"), dept("县水利局", "water")
    k = _new(api, county, "道路塌陷")
    act(cadre, k, "assign", assign, status="assigned")
    act(cadre, k, "add_co_unit", {"unit": transport.pk, "part": "路面恢复"}, status="assigned")
    assert jurisdiction.visible(t_staff, Appeal).filter(pk=k).exists()  # the co-unit sees the case in its list
    act(t_staff, k, "return", {"reason": "路面恢复属水利施工范围"}, status="assigned")
    act(cadre, k, "approve_return", {"unit": water.pk}, status="assigned")
    api(t_staff, f"/{k}/actions/co_reply", {"reply": "x"}, expect=404)  # its part went to 水利局: out of sight
    act(w_staff, k, "co_reply", {"reply": "已配合恢复路面"}, status="assigned")
    act(handler, k, "return", {"reason": "不属住建职责"}, status="return_requested")
    before = Appeal.objects.get(pk=k).due_at
    act(cadre, k, "reject_return", {"reason": "塌陷房屋属住建职责"}, status="assigned")
    assert Appeal.objects.get(pk=k).due_at == before  # the clock is not reset
    act(cadre, k, "transfer", {"unit": transport.pk, "person": t_staff.pk, "reason": "实为道路病害"},
        status="assigned")
    act(t_staff, k, "return", {"reason": "应由住建局主办"}, status="return_requested")
    act(cadre, k, "approve_return", {"unit": county.units["housing"].pk, "person": handler.pk}, status="assigned")
    act(handler, k, "refer", {"body": "县人民法院", "reason": "涉及施工合同纠纷"}, status="refer_proposed")
    act(cadre, k, "reject_refer", {"reason": "属行政职责"}, status="assigned")
    act(handler, k, "refer", {"body": "县人民法院", "reason": "施工方起诉"}, status="refer_proposed")
    act(cadre, k, "confirm_refer", {}, status="awaiting_verification")

    # 复查 / 复核 of a petition
    p = api(cadre, "", {"region": county.village_a.code, "kind": "petition", "channel": "letter",
                        "title": "征地补偿", "text": "对补偿标准不服"}, expect=201)["id"]
    act(cadre, p, "explain_policy", {"text": "按县征地补偿标准答复"}, status="explained")
    act(cadre, p, "request_recheck", {"reason": "不服答复"}, status="rechecking")
    act(leader, p, "recheck", {"outcome": "unsolved", "opinion": "维持原答复"}, status="closed_unsolved")
    act(leader, p, "request_reexamine", {"reason": "仍不服"}, status="reexamining")
    act(county.county_leader, p, "reexamine", {"outcome": "unsolved", "opinion": "维持"}, status="closed_unsolved")

    assert seen == set(wf.ACTIONS) - {"register"}  # nothing left untried
