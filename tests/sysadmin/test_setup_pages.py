"""The 系统设置 pages, as the county's system administrator and as others."""

import datetime as dt

import pytest

from minqing.accounts.models import Post, Unit, User
from minqing.appeals.models import Category, DeadlineRule
from minqing.audit.models import Event
from minqing.fieldwork.models import QuotaRule

pytestmark = pytest.mark.django_db

PAGES = ["/setup/", "/setup/staff/", "/setup/staff/new/", "/setup/staff/import/", "/setup/units/",
         "/setup/units/new/", "/setup/categories/", "/setup/categories/new/", "/setup/deadlines/",
         "/setup/deadlines/new/", "/setup/holidays/", "/setup/holidays/?year=2027", "/setup/quotas/",
         "/setup/quotas/new/"]


def test_every_setup_page_opens_for_the_sysadmin_and_for_nobody_else(county, sysadmin, login, client):
    for user in (county.township_leader, county.cadre_a):
        login(user)
        assert client.get("/setup/").status_code == 403
        assert "系统设置" not in client.get("/").content.decode()
    login(sysadmin)
    for url in PAGES:
        page = client.get(url)
        assert page.status_code == 200, url
        assert "系统设置" in page.content.decode()
    assert client.get(f"/setup/staff/{county.cadre_a.pk}/").status_code == 404  # not one of this county's accounts


def test_creating_a_unit_a_cadre_a_post_and_a_code_in_pages(county, sysadmin, login, client):
    login(sysadmin)
    page = client.post("/setup/units/new/", {"name": "乙镇党委政府", "kind": "township_office",
                                             "region": county.regions["town2"].code})
    assert page.status_code == 302
    unit = Unit.objects.get(name="乙镇党委政府")
    page = client.post("/setup/staff/new/", {"username": "wang-li", "display_name": "王丽"})
    user = User.objects.get(username="wang-li")
    assert page.status_code == 302 and user.county_id == "511722000000"
    client.post(f"/setup/staff/{user.pk}/", {"do": "post", "unit": unit.pk, "role": "township_head", "region": ""})
    assert Post.objects.get(user=user).region_id == county.regions["town2"].code
    client.post(f"/setup/staff/{user.pk}/code/")
    shown = client.get(f"/setup/staff/{user.pk}/").content.decode()
    assert 'data-testid="setup-code"' in shown
    assert 'data-testid="setup-code"' not in client.get(f"/setup/staff/{user.pk}/").content.decode()  # once


def test_bad_input_says_why_in_chinese_and_writes_nothing(county, sysadmin, login, client):
    login(sysadmin)
    before = Event.objects.count()
    page = client.post("/setup/staff/new/", {"username": "cadre-a", "display_name": "重名"}, follow=True)
    assert "已被使用" in page.content.decode()
    page = client.post("/setup/units/new/", {"name": "", "kind": "township_office",
                                             "region": county.regions["town2"].code})
    assert "请填写" in page.content.decode()
    assert Event.objects.count() == before


def test_staff_import_all_or_nothing_with_rows_named(county, sysadmin, login, client, tmp_path):
    login(sysadmin)
    bad = tmp_path / "staff.csv"
    bad.write_text("登录名,姓名,单位,职务\nzhang,张三,甲镇党委政府,乡镇党委书记\nli,李四,不存在的单位,网格员\n"
                   "wu,吴五,甲村村委会,村长\n", encoding="utf-8")
    with bad.open("rb") as f:
        page = client.post("/setup/staff/import/", {"file": f}).content.decode()
    assert "第3行 “单位”" in page and "第4行 “职务”" in page
    assert not User.objects.filter(username__in=["zhang", "li", "wu"]).exists()
    good = tmp_path / "good.csv"
    good.write_text("登录名,姓名,单位,职务,辖区代码\nzhang,张三,甲镇党委政府,乡镇党委书记,\n"
                    "li,李四,甲村村委会,网格员,511722100201\nli,李四,乙村村委会,网格员,511722100202\n",
                    encoding="utf-8")
    for _ in range(2):  # a second import of the same file changes nothing
        with good.open("rb") as f:
            client.post("/setup/staff/import/", {"file": f})
    assert Post.objects.filter(user__username="li").count() == 2
    assert User.objects.get(username="zhang").county_id == "511722000000"
    assert Event.objects.filter(action="staff.created").count() == 2


def test_rules_pages_write_through_audited_services(county, sysadmin, login, client):
    login(sysadmin)
    client.post("/setup/categories/new/", {"name": "住房安全", "gbt_code": "0305"})
    top = Category.objects.get(name="住房安全")
    client.post("/setup/categories/new/", {"name": "危房改造", "parent": top.pk})
    child = Category.objects.get(name="危房改造")
    assert child.level == 2 and child.code.startswith(top.code) and top.gbt_code == "0305"
    client.post("/setup/deadlines/new/", {"stage": "resolve", "kind": "", "category": child.pk, "urgency": "",
                                          "amount": 10, "unit": "workdays"})
    rule = DeadlineRule.objects.get(category=child)
    client.post(f"/setup/categories/{top.pk}/active/", {"reason": "并入"})
    assert not Category.objects.get(pk=child.pk).is_active
    client.post(f"/setup/deadlines/{rule.pk}/withdraw/", {"reason": "试行结束"})
    rule.refresh_from_db()
    assert not rule.is_active and DeadlineRule.objects.filter(pk=rule.pk).exists()
    client.post("/setup/quotas/new/", {"code": "frontline", "name": "下基层", "roles": ["township_head"],
                                       "measure": "frontline_days", "target": 4, "period": "month",
                                       "yellow_ratio": "0.5"})
    assert QuotaRule.objects.get(code="frontline").region_id == "511722000000"
    actions = set(Event.objects.values_list("action", flat=True))
    assert {"category.created", "category.deactivated", "deadline_rule.created", "deadline_rule.withdrawn",
            "quota.created"} <= actions
    assert Event.objects.filter(action="category.created").first().actor_id == sysadmin.pk
    assert dt.date.today()  # pages above all answered; the audit names the actor


def test_pairings_and_visit_teams_in_pages(county, sysadmin, login, client):
    from minqing.accounts.models import Pairing, VisitTeam

    cadre = county.cadre_a
    cadre.county = county.regions["county"]
    cadre.save()
    login(sysadmin)
    assert client.get("/setup/pairings/").status_code == 200 and client.get("/setup/teams/").status_code == 200
    client.post("/setup/pairings/", {"cadre": cadre.pk, "region": county.regions["village_b"].code})
    pairing = Pairing.objects.get(cadre=cadre, region=county.regions["village_b"])
    page = client.post("/setup/pairings/", {"cadre": cadre.pk, "region": county.regions["village_b"].code},
                       follow=True)
    assert "已包联" in page.content.decode() and Pairing.objects.filter(cadre=cadre).count() == 1
    client.post(f"/setup/pairings/{pairing.pk}/end/", {"reason": "轮换"})
    pairing.refresh_from_db()
    assert pairing.ended_on is not None
    page = client.post("/setup/teams/", {"name": "甲镇五人走访组", "year": 2026,
                                         "villages": [county.regions["village_a"].code,
                                                      county.regions["village_b"].code]})
    team = VisitTeam.objects.get(name="甲镇五人走访组")
    assert page.status_code == 302 and team.villages.count() == 2
    client.post(f"/setup/teams/{team.pk}/", {"user": cadre.pk, "role": "village_committee"})
    assert team.members.get().user_id == cadre.pk
    actions = set(Event.objects.values_list("action", flat=True))
    assert {"pairing.created", "pairing.ended", "visit_team.created", "visit_team.member_added"} <= actions


def test_visit_plan_and_enterprises_with_their_leaders(county, sysadmin, login, client):
    from minqing.enterprises.models import Enterprise, LiaisonPairing
    from minqing.fieldwork.models import VisitPolicy

    login(sysadmin)
    client.post("/setup/quotas/", {"default_visits_per_year": 6})
    assert VisitPolicy.objects.get(region_id="511722000000").default_visits_per_year == 6
    page = client.post("/setup/quotas/", {"default_visits_per_year": 0}).content.decode()
    assert VisitPolicy.objects.get(region_id="511722000000").default_visits_per_year == 6 and "errorlist" in page
    client.post("/setup/enterprises/", {"name": "宣汉天然气净化厂", "kind": "enterprise",
                                        "region": county.regions["town"].code, "phone": "13800001111"})
    ent = Enterprise.objects.get(name="宣汉天然气净化厂")
    leader = county.county_leader
    leader.county = county.regions["county"]
    leader.save()
    client.post(f"/setup/enterprises/{ent.pk}/", {"leader": leader.pk})
    pairing = LiaisonPairing.objects.get(enterprise=ent)
    assert pairing.leader_id == leader.pk
    page = client.post(f"/setup/enterprises/{ent.pk}/", {"leader": sysadmin.pk}, follow=True).content.decode()
    assert "县级领导或县级部门主要负责人" in page  # a sysadmin is not a liaison leader
    client.post(f"/setup/enterprises/pairings/{pairing.pk}/end/")
    pairing.refresh_from_db()
    assert pairing.ended_on is not None
    assert "13800001111" not in client.get("/setup/enterprises/").content.decode()
    actions = set(Event.objects.values_list("action", flat=True))
    assert {"visit_policy.saved", "enterprise.created", "enterprise.paired", "enterprise.unpaired"} <= actions


CHECKLIST = """两不愁/food | 吃穿不愁 | 是否 | 是
三保障/income | 人均纯收入 | 数字 | >= 7000 | 元
三保障/house | 住房安全等级 | 选择 | A,B,C,D | A,B
note | 其他情况 | 备注
"""


def test_checklists_as_text_with_versions(county, sysadmin, login, client):
    from minqing.checklists.models import Checklist, ChecklistItem

    login(sysadmin)
    page = client.post("/setup/checklists/", {"code": "lbcsbz", "name": "两不愁三保障", "tags": ["dibao"],
                                              "items": "food | 吃穿不愁 | 大概"}, follow=True).content.decode()
    assert "第1行" in page and not Checklist.objects.exists()
    client.post("/setup/checklists/", {"code": "lbcsbz", "name": "两不愁三保障", "tags": ["dibao"],
                                       "items": CHECKLIST})
    checklist = Checklist.objects.get(code="lbcsbz")
    income = ChecklistItem.objects.get(version__checklist=checklist, code="income")
    assert (income.comparison, income.threshold, income.unit, income.group) == ("gte", 7000, "元", "三保障")
    assert ChecklistItem.objects.get(code="house").passing_choices == ["A", "B"]
    page = client.get(f"/setup/checklists/{checklist.pk}/").content.decode()
    assert "三保障/income | 人均纯收入 | 数字 | &gt;= 7000 | 元" in page  # the form shows the items as text again
    client.post(f"/setup/checklists/{checklist.pk}/", {"items": CHECKLIST + "water | 饮水安全 | 是否 | 是\n",
                                                       "note": "加饮水"})
    assert checklist.versions.count() == 2
    assert {"checklist.created", "checklist.version_created"} <= set(Event.objects.values_list("action", flat=True))
