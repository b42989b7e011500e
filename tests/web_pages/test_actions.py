"""Every action of the lifecycle as a form on the appeal page: shown to the post that may take it,
a valid post moves the case on (event written), an invalid one shows the Chinese message next to
the form and changes nothing. Parametrized over appeals.workflow.ACTIONS: a new action without a
case here fails test_every_action_is_covered."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from minqing.appeals import services
from minqing.appeals import workflow as wf
from minqing.appeals.models import Appeal, AppealEvent
from tests.web_pages.test_merge_and_files import png_bytes

pytestmark = pytest.mark.django_db

FUTURE = (timezone.localdate() + dt.timedelta(days=20)).isoformat()

# action: (stage, actor, valid payload, invalid payload, Chinese message of the invalid one)
CASES = {
    "review": ("registered", "cadre_a", {"decision": "solve_on_spot", "what": "当场清理了积水"},
               {"decision": "", "opinion": "再看看"}, "研判缺少必填项：研判结论"),
    "solve_on_spot": ("registered", "cadre_a", {"what": "当场修好", "satisfaction": "satisfied"}, {},
                      "现场解决缺少必填项：现场处理情况"),
    "assign": ("registered", "cadre_a", {"unit": "@housing", "person": "@dept_handler", "measures": "派人维修",
                                         "due": FUTURE},
               {"unit": "@housing", "person": "@dept_handler", "measures": "派人维修", "due": "2020-01-01"},
               "办理期限必须晚于交办时间"),
    "explain_policy": ("registered", "cadre_a", {"text": "按政策不属于补助范围，已当面解释"}, {},
                       "政策解答缺少必填项：内容"),
    "escalate": ("registered", "cadre_a", {"reason": "需镇上协调资金"}, {"opinion": "无"}, "上报缺少必填项：理由"),
    "add_progress": ("assigned", "dept_handler", {"note": "已派施工队进场", "cost": "8000", "fund_source": "县财政"},
                     {"note": "买了水泥", "cost": "800"}, "填写了金额，请同时填写资金来源"),
    "remind": ("assigned", "township_leader", {"note": "请本周内完成"}, None, "当前状态“已登记”下不能催办"),
    "supervise": ("assigned", "township_leader", {"note": "镇党委挂牌督办"}, {"level": "galaxy"}, "督办层级无效"),
    "request_extension": ("assigned", "dept_handler", {"days": "10", "reason": "雨季无法施工"},
                          {"days": "十天", "reason": "雨季"}, "延期天数必须是正整数"),
    "approve_extension": ("extension_requested", "township_leader", {"days": "5", "note": "同意延期5天"},
                          {"days": "99"}, "批准的延期天数必须是正整数且不超过申请天数"),
    "reject_extension": ("extension_requested", "township_leader", {"reason": "理由不充分"}, {},
                         "驳回延期缺少必填项：理由"),
    "suspend": ("assigned", "dept_handler", {"reason": "等待司法鉴定"}, {}, "中止办理缺少必填项：理由"),
    "refer": ("assigned", "dept_handler", {"body": "宣汉县人民法院", "reason": "双方同意诉讼解决"},
              {"body": "宣汉县人民法院"}, "导入法定途径缺少必填项：理由"),
    "resume": ("suspended", "dept_handler", {"note": "鉴定已出"}, {"due": "下个月"}, "新的办理期限格式无效"),
    "submit_result": ("assigned", "dept_handler", {"result": "路面已修复并验收"}, {"evidence": "照片"},
                      "报结缺少必填项：办理结果"),
    "verify": ("submitted", "cadre_a", {"passed": "1", "note": "现场看过"}, {"note": "还没看"},
               "核查缺少必填项：核查结论"),
    "return_visit": ("verified", "cadre_a", {"satisfaction": "satisfied", "method": "电话回访"},
                     {"satisfaction": "很好"}, "满意度只能是非常满意、满意、基本满意、不满意或非常不满意"),
    "return_visit_failed": ("verified", "cadre_a", {"method": "电话回访", "note": "无人接听"}, None,
                            "当前状态“已登记”下不能回访未联系上"),
    "close": ("visited", "cadre_a", {"outcome": "solved", "note": "群众满意"}, {"outcome": "unsolved"},
              "未解决办结须说明原因"),
    "merge_into": ("registered", "cadre_a", {"target": "@other", "note": "同一问题"}, {"target": "511722-0000-9"},
                   "合并目标不存在或不在您的管辖范围内"),
    "unmerge": ("merged", "cadre_a", {"reason": "合并错了"}, {}, "取消合并缺少必填项：理由"),
    "reopen": ("closed", "cadre_a", {"reason": "群众再次反映路又坏了"}, {}, "重新办理缺少必填项：理由"),
    "flag_accountability": ("assigned", "township_leader", {"reason": "逾期未办", "persons": "张三、李四"}, {},
                            "追责问责缺少必填项：理由"),
}


def _resolve(payload: dict, county, stages) -> dict:
    out = {}
    for key, value in payload.items():
        if value == "@housing":
            value = county.units["housing"].pk
        elif value == "@dept_handler":
            value = county.dept_handler.pk
        elif value == "@other":
            value = stages.registered().number
        out[key] = value
    return out


# Issue 16's dispatch actions need stages this table has none of (a co-unit, a pending 退单 or referral, a
# closed petition): their forms run in Chromium (tests/browser/test_dispatch.py) and every one through the
# API (tests/appeals/test_api_every_action.py).
ELSEWHERE = {"add_co_unit", "co_reply", "return", "approve_return", "reject_return", "transfer", "confirm_refer",
             "reject_refer", "request_recheck", "recheck", "request_reexamine", "reexamine"}


def test_every_action_is_covered():
    assert set(CASES) == set(wf.ACTIONS) - {"register"} - ELSEWHERE


@pytest.mark.parametrize("action", sorted(CASES))
def test_the_form_is_offered_and_a_valid_post_moves_the_case_on(county, stages, login, action):
    stage, actor, valid, _invalid, _msg = CASES[action]
    appeal = getattr(stages, stage)()
    client = login(getattr(county, actor))
    page = client.get(f"/appeals/{appeal.pk}/").content.decode()
    assert f'id="act-{action}"' in page, f"{action} is not offered to {actor}"
    data = _resolve(valid, county, stages)  # first: a case registered for it may mark this one repeated
    before = AppealEvent.objects.filter(appeal=appeal).count()
    response = client.post(f"/appeals/{appeal.pk}/actions/{action}/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    events = AppealEvent.objects.filter(appeal=appeal).order_by("id")
    assert events.count() == before + 1 and events.last().action == action
    followed = client.get(response["Location"]).content.decode()
    assert f"已{wf.ACTIONS[action].label}" in followed


@pytest.mark.parametrize("action", sorted(CASES))
def test_an_invalid_post_shows_the_chinese_message_and_changes_nothing(county, stages, login, action):
    stage, actor, _valid, invalid, msg = CASES[action]
    # No payload is wrong for these: they are refused at a stage where they do not apply.
    appeal = stages.registered() if invalid is None else getattr(stages, stage)()
    version = Appeal.objects.get(pk=appeal.pk).version
    client = login(getattr(county, actor))
    response = client.post(f"/appeals/{appeal.pk}/actions/{action}/", _resolve(invalid or {}, county, stages))
    assert response.status_code == 422
    text = response.content.decode()
    assert msg in text
    assert 'class="form-error"' in text
    assert Appeal.objects.get(pk=appeal.pk).version == version


def test_htmx_posts_get_the_detail_back_in_place(county, stages, login):
    appeal = stages.assigned()
    client = login(county.dept_handler)
    headers = {"HX-Request": "true", "HX-Target": "appeal-detail"}
    bad = client.post(f"/appeals/{appeal.pk}/actions/submit_result/", {}, headers=headers)
    assert bad.status_code == 200  # htmx swaps 2xx only: the error must come back as a page part
    text = bad.content.decode()
    assert text.lstrip().startswith('<div id="appeal-detail">') and "<html" not in text
    assert "报结缺少必填项：办理结果" in text and 'id="act-submit_result" open' in text
    ok = client.post(f"/appeals/{appeal.pk}/actions/submit_result/", {"result": "已修好"}, headers=headers)
    assert ok.status_code == 200 and "已报结" in ok.content.decode() and "待核查" in ok.content.decode()


def test_the_handler_may_not_verify_their_own_result(county, stages, login):
    appeal = stages.submitted()
    response = login(county.dept_handler).post(f"/appeals/{appeal.pk}/actions/verify/", {"passed": "1"})
    assert response.status_code == 422
    assert "您的岗位不能对该诉求执行“核查”" in response.content.decode()


def test_actions_a_post_may_not_take_are_not_offered(county, stages, login):
    appeal = stages.assigned()
    page = login(county.dept_handler).get(f"/appeals/{appeal.pk}/").content.decode()
    assert 'id="act-submit_result"' in page
    assert 'id="act-supervise"' not in page and 'id="act-approve_extension"' not in page


def test_an_unknown_action_is_404(county, stages, login):
    appeal = stages.registered()
    assert login(county.cadre_a).post(f"/appeals/{appeal.pk}/actions/register/", {}).status_code == 404
    assert login(county.cadre_a).post(f"/appeals/{appeal.pk}/actions/fly/", {}).status_code == 404


def test_progress_with_a_photo_attaches_it(county, stages, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    appeal = stages.assigned()
    photo = SimpleUploadedFile("现场.png", png_bytes(), content_type="image/png")
    response = login(county.dept_handler).post(f"/appeals/{appeal.pk}/actions/add_progress/",
                                               {"note": "拍照留档", "files": photo})
    assert response.status_code == 302
    att = appeal.attachments.get()
    assert att.progress is not None and att.name == "现场.png"


def _unit_options(page: str, action: str) -> set[str]:
    form = re.search(rf'<details class="action[^"]*" id="act-{action}".*?</details>', page, re.S).group(0)
    select = re.search(r'<select id="f-[a-z_]+-unit" name="unit">(.*?)</select>', form, re.S).group(1)
    return set(re.findall(r"<option value=\"\d+\"[^>]*>([^<]+)</option>", select))


def test_a_village_cadre_assigns_to_their_village_or_township_not_a_county_bureau(county, stages, login):
    appeal = stages.registered()
    village = _unit_options(login(county.cadre_a).get(f"/appeals/{appeal.pk}/").content.decode(), "assign")
    assert {"甲村村委会", "甲村调解委员会", "甲镇党委政府", "甲镇民政办"} <= village
    assert not village & {"县住建局", "县委县政府", "县纪委监委", "乙村村委会"}, village
    township = _unit_options(login(county.township_leader).get(f"/appeals/{appeal.pk}/").content.decode(), "assign")
    assert {"县住建局", "甲镇民政办", "甲村村委会"} <= township and "乙村村委会" not in township


def test_the_dispatch_catalogues_county_unit_is_still_offered_to_the_village_cadre(county, login):
    from minqing.accounts.models import Post, User
    from minqing.appeals import dispatch
    from minqing.appeals.models import Category

    admin = User.objects.create(username="sys-admin", display_name="县系统管理员", county=county.county)
    Post.objects.create(user=admin, unit=county.units["leadership"], role="sysadmin", region=county.county,
                        started_on=dt.date(2020, 1, 1))
    road = Category.objects.create(code="T0101", name="道路塌陷", level=1)
    dispatch.save_rule(actor=admin, county=county.county, category_id=road.pk, region_code=county.county.code,
                       unit_id=county.units["housing"].pk)
    appeal = services.register_appeal(actor=county.cadre_a, region=county.village_a.code, kind="problem",
                                      channel="visit", title="村道塌陷", text="村道塌了一个坑", category=road.pk)
    page = login(county.cadre_a).get(f"/appeals/{appeal.pk}/").content.decode()
    for action in ("assign", "review"):
        options = _unit_options(page, action)
        assert "县住建局" in options and "县委县政府" not in options, (action, options)
    assert f'<option value="{county.units["housing"].pk}" selected>县住建局</option>' in page
