"""Staff, units and posts through the audited services; one-time codes; the county boundary."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from minqing.accounts import codes, services
from minqing.accounts.models import ApiToken, Post, SetupCode, User
from minqing.audit.models import Event
from minqing.regions import jurisdiction

pytestmark = pytest.mark.django_db


def test_a_sysadmin_creates_an_office_and_a_cadre_who_sets_her_own_password(county, sysadmin):
    unit = services.create_unit(actor=sysadmin, name="乙镇党委政府", kind="township_office",
                                region=county.regions["town2"].code)
    user = services.create_staff(actor=sysadmin, county="511722", username="wang-li", display_name="王丽")
    assert not user.has_usable_password()
    services.add_post(actor=sysadmin, user=user, unit=unit, role="township_head", region=None)
    code = services.issue_setup_code(user, actor=sysadmin)
    setup = SetupCode.objects.get(user=user)
    assert code not in setup.code_hash and len(code) == 14
    codes.redeem(username="wang-li", code=code.lower(), password="qingshan-2027-x",
                               password2="qingshan-2027-x")
    user.refresh_from_db()
    assert user.check_password("qingshan-2027-x")
    assert jurisdiction.scope_of(User.objects.get(pk=user.pk)).sees_place(county.regions["village_c"].code)
    # one-time: the same code does not work twice
    with pytest.raises(ValidationError):
        codes.redeem(username="wang-li", code=code, password="another-pass-9", password2="another-pass-9")
    actions = list(Event.objects.filter(object_id__in=[str(user.pk), str(unit.pk)]).values_list("action", flat=True))
    for a in ("unit.created", "staff.created", "staff.setup_code_issued", "staff.password_set"):
        assert a in actions
    assert Event.objects.filter(action="post.created").count() == 1


def test_a_code_expires_and_locks_after_five_wrong_tries(county, sysadmin):
    user = services.create_staff(actor=sysadmin, county="511722", username="li-si", display_name="李四")
    code = services.issue_setup_code(user, actor=sysadmin)
    for _ in range(5):
        with pytest.raises(ValidationError):
            codes.redeem(username="li-si", code="AAAA-BBBB-CCCC", password="x" * 12, password2="x" * 12)
    assert SetupCode.objects.get(user=user).failed_attempts == 5
    with pytest.raises(ValidationError):  # locked, even with the right code
        codes.redeem(username="li-si", code=code, password="qingshan-2027-x", password2="qingshan-2027-x")
    late = dt.datetime.now(dt.UTC) + dt.timedelta(hours=services.SETUP_CODE_HOURS + 1)
    code2 = services.issue_setup_code(user, actor=sysadmin)
    with pytest.raises(ValidationError):
        codes.redeem(username="li-si", code=code2, password="qingshan-2027-x",
                                   password2="qingshan-2027-x", now=late)
    assert not User.objects.get(pk=user.pk).has_usable_password()


def test_a_weak_or_mistyped_password_is_refused_and_the_code_stays_usable(county, sysadmin):
    user = services.create_staff(actor=sysadmin, county="511722", username="zhao", display_name="赵")
    code = services.issue_setup_code(user, actor=sysadmin)
    with pytest.raises(ValidationError):
        codes.redeem(username="zhao", code=code, password="short", password2="short")
    with pytest.raises(ValidationError, match="不一致"):
        codes.redeem(username="zhao", code=code, password="qingshan-2027-x", password2="qingshan-2027-y")
    codes.redeem(username="zhao", code=code, password="qingshan-2027-x", password2="qingshan-2027-x")


def test_deactivating_ends_posts_and_tokens_and_keeps_the_account(county, sysadmin):
    cadre = county.cadre_a
    cadre.county = county.regions["county"]
    cadre.save()
    raw, _token = ApiToken.objects.issue(cadre)
    with pytest.raises(ValidationError):
        services.deactivate_staff(cadre, actor=sysadmin, reason="")
    services.deactivate_staff(cadre, actor=sysadmin, reason="调离")
    cadre.refresh_from_db()
    assert not cadre.is_active and User.objects.filter(pk=cadre.pk).exists()
    assert not Post.objects.filter(user=cadre, ended_on__isnull=True).exists()
    assert ApiToken.objects.user_for(raw) is None
    event = Event.objects.get(action="staff.deactivated")
    assert event.reason == "调离" and event.actor_id == sysadmin.pk


def test_another_countys_admin_and_ordinary_cadres_are_refused(county, sysadmin, other_sysadmin):
    with pytest.raises(PermissionDenied):
        services.create_unit(actor=other_sysadmin, name="甲镇某站", kind="township_station",
                             region=county.regions["town"].code)
    with pytest.raises(PermissionDenied):
        services.create_staff(actor=county.township_leader, county="511722", username="x", display_name="x")
    with pytest.raises(PermissionDenied):
        services.add_post(actor=other_sysadmin, user=county.cadre_b, unit=county.units["committee_b"],
                          role="grid_worker")
    assert not Event.objects.filter(action__in=["unit.created", "staff.created", "post.created"]).exists()


def test_a_unit_with_people_in_post_is_not_closed(county, sysadmin):
    with pytest.raises(ValidationError, match="在岗"):
        services.set_unit_active(county.units["committee_a"], actor=sysadmin, active=False, reason="撤并")
    unit = services.create_unit(actor=sysadmin, name="乙镇社保站", kind="township_station",
                                region=county.regions["town2"].code, function="social_security")
    services.set_unit_active(unit, actor=sysadmin, active=False, reason="撤并")
    unit.refresh_from_db()
    assert not unit.is_active
    with pytest.raises(ValidationError, match="已有"):
        services.create_unit(actor=sysadmin, name="乙镇社保站", kind="township_station",
                             region=county.regions["town2"].code)


def test_the_first_admin_of_a_county_from_the_command_line(county, capsys):
    from django.core.management import call_command

    call_command("createadmin", "--region", "511722", "--username", "xh-admin", "--name", "张三")
    out = capsys.readouterr().out
    code = out.split("一次性验证码：")[1][:14]
    user = User.objects.get(username="xh-admin")
    post = Post.objects.get(user=user)
    assert post.role == "sysadmin" and post.region_id == "511722000000" and post.unit.kind == "leadership"
    codes.redeem(username="xh-admin", code=code, password="qingshan-2027-x", password2="qingshan-2027-x")
    from minqing.accounts.admins import county_of

    assert county_of(User.objects.get(pk=user.pk)) == "511722000000"


def test_only_a_sysadmin_post_on_the_leadership_unit_at_the_county_counts(county):
    from minqing.accounts.admins import county_of

    user = User.objects.create(username="half-admin", county=county.regions["county"])
    Post.objects.create(user=user, unit=county.units["housing"], role="sysadmin", region=county.regions["county"])
    assert county_of(User.objects.get(pk=user.pk)) is None  # a department is not the county's leadership
    Post.objects.create(user=user, unit=county.units["leadership"], role="sysadmin", region=county.regions["town"])
    assert county_of(User.objects.get(pk=user.pk)) is None  # a township is not the county
    with pytest.raises(ValidationError, match="县委县政府"):
        services.add_post(actor=None, user=user, unit=county.units["housing"], role="sysadmin",
                          region=county.regions["county"].code)


def test_staff_import_from_excel_by_command_all_or_nothing(county, tmp_path, capsys):
    import xlsxwriter
    from django.core.management import call_command
    from django.core.management.base import CommandError

    path = tmp_path / "人员.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["宣汉县干部花名册"])  # a title row above the headers, as townships keep them
    sheet.write_row(1, 0, ["登录名", "姓名", "单位", "职务", "辖区代码"])
    sheet.write_row(2, 0, ["chen", "陈一", "甲村村委会", "网格员", "511722100201"])
    sheet.write_row(3, 0, ["zhou", "周二", "甲镇民政办", "Township station staff", ""])
    sheet.write_row(4, 0, ["wu", "", "甲镇民政办", "乡镇长", "511722101000"])
    book.close()
    with pytest.raises(CommandError) as err:
        call_command("staff", "import", str(path), "--region", "511722")
    assert "第5行 “姓名”" in str(err.value) and not User.objects.filter(username__in=["chen", "zhou"]).exists()

    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["登录名", "姓名", "单位", "职务"])
    sheet.write_row(1, 0, ["chen", "陈一", "甲村村委会", "网格员"])
    sheet.write_row(2, 0, ["zhou", "周二", "甲镇民政办", "Township station staff"])
    book.close()
    call_command("staff", "import", str(path), "--region", "511722", "--dry-run")
    assert "试导入" in capsys.readouterr().out and not User.objects.filter(username="chen").exists()
    call_command("staff", "import", str(path), "--region", "511722")
    assert "新建账号 2 个" in capsys.readouterr().out
    assert Post.objects.get(user__username="zhou").region_id == county.regions["town"].code
    call_command("staff", "code", "zhou")
    assert "一次性验证码" in capsys.readouterr().out
