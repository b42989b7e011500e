"""Every workflow action through services.py: columns, events, audit, Chinese errors."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from minqing.appeals import deadlines, services
from minqing.appeals.categories import seed_categories
from minqing.appeals.models import Appeal, AppealEvent, DeadlineRule, HolidayOverride, Report, ReturnVisit
from minqing.audit.log import verify
from minqing.audit.models import Event
from minqing.lib.workdays import TZ
from tests.conftest import PHONE_A

pytestmark = pytest.mark.django_db


def _assigned(county, clock, register, **extra):
    a = register()
    return services.do_assign(a, actor=county.cadre_a, unit=county.units["housing"], person=county.dept_handler,
                              measures="修补路面", due=clock() + dt.timedelta(days=10), now=clock(), **extra)


def test_it_registers_with_deadlines_columns_and_events(county, register):
    a = register()
    assert a.number.startswith("511722-2025-") and a.status == "registered" and a.group == "open"
    assert a.level == a.max_level == "village" and a.sensitivity == "normal"
    assert a.response_due_at - a.received_at == dt.timedelta(hours=24)  # default: 24 hours
    assert a.due_at > a.received_at + dt.timedelta(days=15)  # 15 working days
    report = a.reports.get()
    assert report.phone_masked == "138****5678" and PHONE_A not in report.phone_enc
    assert AppealEvent.objects.get(appeal=a).action == "register"
    events = Event.objects.filter(action="appeal.register", object_id=str(a.pk))
    assert events.count() == 1 and PHONE_A not in str(events.get().changes)


def test_the_same_client_id_returns_the_same_appeal(county, register):
    first = register(client_id="phone-1-abc")
    again = register(client_id="phone-1-abc")
    assert first.pk == again.pk and Appeal.objects.count() == 1


def test_intake_errors_are_chinese(county, register):
    with pytest.raises(ValidationError, match="请填写诉求内容"):
        register(text=" ")
    with pytest.raises(ValidationError, match="诉求类型"):
        register(kind="rumour")
    with pytest.raises(ValidationError, match="电话号码无效"):
        register(phone="12345")
    with pytest.raises(ValidationError, match="区划代码"):
        register(region="5117x")
    with pytest.raises(PermissionDenied):
        register(county.cadre_b)  # village B's cadre registering in village A


def test_anonymous_appeals_keep_no_reporter(county, register):
    a = register(anonymous=True, channel="mailbox")
    r = a.reports.get()
    assert r.anonymous and r.reporter_name == "" and r.phone_masked == "" and a.household_id is None


def test_sensitivity_is_derived(county, register):
    cats = seed_categories()
    assert register(kind="misconduct").sensitivity == "misconduct"
    assert register(kind="dispute", category=cats["S06.04"].pk).sensitivity == "family"
    assert register(kind="dispute", category=cats["S06.01"].pk).sensitivity == "normal"


def test_solve_on_spot_closes_on_time_with_satisfaction(county, register, clock):
    a = register()
    a = services.do_solve_on_spot(a, actor=county.cadre_a, what="当场协调", satisfaction="satisfied", now=clock())
    assert (a.status, a.group, a.triage, a.satisfaction) == ("solved_on_spot", "solved", "solve_on_spot", "satisfied")
    assert a.closed_on_time is True and a.responded_at is not None
    assert a.reports.get().notified_at is None  # notification is done by close; on-spot told in person


def test_explained_is_closed_not_solved(county, register, clock):
    a = services.do_explain_policy(register(), actor=county.cadre_a, text="不符合政策", now=clock())
    assert (a.status, a.group, a.triage) == ("explained", "closed_unsolved", "explain")


def test_the_whole_loop_with_a_reopen(county, register, clock):
    a = _assigned(county, clock, register)
    assert (a.status, a.unit_id, a.handler_id, a.triage) == ("assigned", county.units["housing"].pk,
                                                             county.dept_handler.pk, "assign")
    a = services.do_add_progress(a, actor=county.dept_handler, note="已进场", cost="80000", fund_source="县级财政",
                                 now=clock())
    assert a.status == "in_progress" and a.cost == Decimal("80000")
    a = services.do_submit_result(a, actor=county.dept_handler, result="已修复", now=clock())
    with pytest.raises(PermissionDenied):  # a department handler's post does not verify
        services.do_verify(a, actor=county.dept_handler, passed=True, now=clock())
    a = services.do_verify(a, actor=county.cadre_a, passed=True, now=clock())
    assert a.status == "awaiting_return_visit"
    a = services.do_return_visit(a, actor=county.cadre_a, satisfaction="unsatisfied", now=clock())
    assert a.status == "in_progress" and a.reopen_count == 1
    a = services.do_add_progress(a, actor=county.dept_handler, note="返工", cost=5000, fund_source="乡镇自筹",
                                 now=clock())
    assert a.cost == Decimal("85000") and "县级财政" in a.fund_source and "乡镇自筹" in a.fund_source
    a = services.do_submit_result(a, actor=county.dept_handler, result="已返工", now=clock())
    a = services.do_verify(a, actor=county.cadre_a, passed=True, now=clock())
    a = services.do_return_visit(a, actor=county.cadre_a, satisfaction="basically_satisfied", now=clock())
    assert a.status == "awaiting_closure"
    a = services.do_close(a, actor=county.cadre_a, outcome="solved", told="电话", now=clock())
    assert (a.status, a.group, a.satisfaction, a.closed_on_time) == ("closed_solved", "solved",
                                                                     "basically_satisfied", True)
    report = a.reports.get()
    assert (report.notified_at, report.notified_method) == (a.closed_at, "电话")  # staff said how they told them
    assert ReturnVisit.objects.filter(appeal=a).count() == 2
    actions = list(a.events.values_list("action", flat=True))
    assert actions[0] == "register" and actions[-1] == "close" and actions.count("verify") == 2
    assert Event.objects.filter(object_id=str(a.pk), action__startswith="appeal.").count() == len(actions)
    assert verify() == []


def test_the_handler_never_verifies_their_own_work(county, register, clock):
    a = register()
    a = services.do_assign(a, actor=county.cadre_a, unit=county.units["town_office"], person=county.township_leader,
                           measures="协调", now=clock())
    a = services.do_submit_result(a, actor=county.township_leader, result="已协调", now=clock())
    with pytest.raises(ValidationError, match="核查人不能是承办人本人"):
        services.do_verify(a, actor=county.township_leader, passed=True, now=clock())
    a = services.do_verify(a, actor=county.cadre_a, passed=False, note="未到位", now=clock())
    assert a.status == "in_progress"


def test_close_needs_verification_and_a_visit_or_a_reason(county, register, clock):
    a = _assigned(county, clock, register)
    with pytest.raises(ValidationError, match="不能办结"):
        services.do_close(a, actor=county.cadre_a, outcome="solved", now=clock())
    a = services.do_submit_result(a, actor=county.dept_handler, result="已修复", now=clock())
    a = services.do_verify(a, actor=county.cadre_a, passed=True, now=clock())
    with pytest.raises(ValidationError, match="未回访办结须选择原因"):
        services.do_close(a, actor=county.cadre_a, outcome="solved", now=clock())
    with pytest.raises(ValidationError, match="至少尝试3次"):
        services.do_close(a, actor=county.cadre_a, outcome="solved", reason="unreachable", now=clock())
    for _ in range(3):
        a = services.do_return_visit_failed(a, actor=county.cadre_a, method="电话", now=clock())
    a = services.do_close(a, actor=county.cadre_a, outcome="solved", reason="unreachable", now=clock())
    assert a.status == "closed_solved" and ReturnVisit.objects.filter(appeal=a, reached=False).count() == 3


def test_late_or_unsolved_closures_flag_accountability(county, register, clock):
    a = register()
    a = services.do_assign(a, actor=county.cadre_a, unit=county.units["housing"], person=county.dept_handler,
                           measures="修补", due=clock() + dt.timedelta(hours=2), now=clock())
    a = services.do_submit_result(a, actor=county.dept_handler, result="部分完成", now=clock(48))
    a = services.do_verify(a, actor=county.cadre_a, passed=True, now=clock())
    a = services.do_return_visit(a, actor=county.cadre_a, satisfaction="unsatisfied", reopen=False, now=clock())
    with pytest.raises(ValidationError, match="未解决办结须说明原因"):
        services.do_close(a, actor=county.cadre_a, outcome="unsolved", now=clock())
    a = services.do_close(a, actor=county.cadre_a, outcome="unsolved", note="超出政策", now=clock())
    assert a.group == "closed_unsolved" and a.accountability and a.closed_on_time is False
    assert set(a.events.get(action="close").payload["flags"]) == {"unsolved", "unsatisfied", "overdue"}
    a = services.do_flag_accountability(a, actor=county.inspector, reason="群众不满意", persons=["dept_handler"],
                                        now=clock())
    assert a.events.filter(action="flag_accountability").exists()


def test_escalation_funnel_and_review_at_each_level(county, register, clock):
    a = register()
    a = services.do_escalate(a, actor=county.cadre_a, reason="村级无法解决", now=clock())
    assert (a.status, a.level, a.max_level, a.triage) == ("escalated", "township", "township", "escalate")
    with pytest.raises(PermissionDenied):  # the village can no longer decide it
        services.do_explain_policy(a, actor=county.cadre_a, text="x", now=clock())
    a = services.do_escalate(a, actor=county.township_leader, reason="涉及县级部门", now=clock())
    assert a.level == "county"
    with pytest.raises(ValidationError, match="已在县级"):
        services.do_escalate(a, actor=county.county_leader, reason="x", now=clock())
    a = services.do_review(a, actor=county.county_leader, decision="assign", unit=county.units["housing"].pk,
                           person=county.dept_handler.pk, measures="县住建局牵头", now=clock())
    assert (a.status, a.unit_id, a.triage, a.max_level) == ("assigned", county.units["housing"].pk, "assign", "county")
    levels = list(a.events.filter(action="escalate").values_list("level", flat=True))
    assert levels == ["township", "county"]
    with pytest.raises(ValidationError, match="研判结论"):
        services.do_review(register(), actor=county.cadre_a, decision="ignore", now=clock())


def test_assign_without_a_due_takes_the_county_rule(county, register, clock):
    DeadlineRule.objects.create(stage="resolve", kind="problem", amount=3, unit="calendar_days")
    a = register()
    at = clock()
    a = services.do_assign(a, actor=county.cadre_a, unit=county.units["committee_a"].pk, person="李四",
                           measures="清理", now=at)
    assert a.due_at.astimezone(TZ).date() == (at + dt.timedelta(days=3)).date()
    assert a.handler_id is None and a.handler_name == "李四"
    with pytest.raises(ValidationError, match="责任单位不存在"):
        services.do_assign(a, actor=county.cadre_a, unit=999999, person="李四", measures="x", now=clock())


def test_supervise_remind_extension_suspend_resume(county, register, clock):
    a = _assigned(county, clock, register)
    a = services.do_supervise(a, actor=county.county_leader, now=clock())
    assert a.supervised_by_id == county.county_leader.pk and a.supervise_level == "county"
    with pytest.raises(PermissionDenied):
        services.do_supervise(a, actor=county.cadre_a, now=clock())
    a = services.do_remind(a, actor=county.township_leader, note="请加快", now=clock())
    assert a.remind_count == 1
    due = a.due_at
    a = services.do_request_extension(a, actor=county.dept_handler, days=10, reason="资金审批", now=clock())
    assert a.status == "extension_requested"
    with pytest.raises(PermissionDenied):  # a handler approves nothing (the unit head or a leader does)
        services.do_approve_extension(a, actor=county.dept_handler, now=clock())
    a = services.do_approve_extension(a, actor=county.county_leader, days=7, now=clock())
    # 7 WORKING days after the old deadline's day (issue 16: extensions count working days)
    assert a.due_at == deadlines.calendar().add_workdays(due, 7).due and a.status == "assigned"
    with pytest.raises(ValidationError, match="延期次数已达上限"):
        services.do_request_extension(a, actor=county.dept_handler, days=3, reason="再延", now=clock())
    a = services.do_suspend(a, actor=county.dept_handler, reason="雨季停工", now=clock())
    assert (a.status, a.group) == ("suspended", "paused")
    before = a.due_at
    a = services.do_resume(a, actor=county.dept_handler, now=clock(24))
    assert a.status == "assigned" and a.due_at == before + dt.timedelta(hours=24)


def test_petition_deadlines_are_statutory_and_capped(county, register, clock):
    a = register(kind="petition", channel="letter")
    local = a.received_at.astimezone(TZ).date()
    assert a.response_due_at.astimezone(TZ).date() == local + dt.timedelta(days=15)
    assert a.due_at.astimezone(TZ).date() == local + dt.timedelta(days=60)
    DeadlineRule.objects.create(stage="resolve", kind="petition", amount=90, unit="calendar_days")
    policy = deadlines.rule_for("resolve", kind="petition", category_id=None, urgency="normal")
    assert (policy.amount, policy.unit) == (60, "calendar_days")  # the county cannot lengthen the statute
    a = services.do_assign(a, actor=county.cadre_a, unit=county.units["housing"], person=county.dept_handler,
                           measures="调查", now=clock())
    with pytest.raises(ValidationError, match="延期不得超过30日"):
        services.do_request_extension(a, actor=county.dept_handler, days=45, reason="复杂", now=clock())


def test_the_most_specific_rule_wins_and_holidays_are_editable(county):
    cats = seed_categories()
    DeadlineRule.objects.create(stage="resolve", kind="", amount=20, unit="workdays")
    DeadlineRule.objects.create(stage="resolve", kind="problem", amount=10, unit="workdays")
    DeadlineRule.objects.create(stage="resolve", kind="problem", category=cats["S06"], amount=4, unit="workdays")
    DeadlineRule.objects.create(stage="resolve", kind="problem", category=cats["S06.01"], amount=2, unit="workdays")
    assert deadlines.rule_for("resolve", kind="help", category_id=None, urgency="normal").amount == 20
    assert deadlines.rule_for("resolve", kind="problem", category_id=None, urgency="normal").amount == 10
    assert deadlines.rule_for("resolve", kind="problem", category_id=cats["S06.02"].pk, urgency="normal").amount == 4
    assert deadlines.rule_for("resolve", kind="problem", category_id=cats["S06.01"].pk, urgency="normal").amount == 2
    start = dt.datetime(2031, 3, 3, 9, tzinfo=TZ)  # a Monday in a year nobody has entered
    due = deadlines.due_for("resolve", kind="help", category_id=None, urgency="normal", start=start)
    assert due.estimated
    HolidayOverride.objects.create(date=dt.date(2031, 3, 4), is_workday=False, name="县定休息日")
    later = deadlines.due_for("resolve", kind="help", category_id=None, urgency="normal", start=start)
    assert later.due - due.due == dt.timedelta(days=1) or later.due.weekday() == 0


def test_merge_moves_reports_and_counts_once(county, register, clock):
    target = register()
    dup = register(reporter_name="李四", phone="13987654321")
    dup = services.merge(dup, target, actor=county.cadre_a, note="同一问题", now=clock())
    assert (dup.status, dup.group, dup.merged_into_id) == ("merged", "merged", target.pk)
    assert Report.objects.filter(appeal=target).count() == 2 and not Report.objects.filter(appeal=dup).exists()
    counted = Appeal.objects.exclude(group="merged").filter(pk__in=[target.pk, dup.pk]).count()
    assert counted == 1
    assert target.events.filter(action="merge_received").exists()
    with pytest.raises(ValidationError, match="不能合并到诉求本身"):
        services.merge(target, target, actor=county.cadre_a, now=clock())
    with pytest.raises(ValidationError, match="只能合并到未办结"):
        services.merge(register(), dup, actor=county.cadre_a, now=clock())
    # Closing the target tells every reporter, the merged one included.
    target = services.do_solve_on_spot(target, actor=county.cadre_a, what="修好了", now=clock())
    dup = services.do_unmerge(dup, actor=county.cadre_a, reason="不是同一问题", now=clock())
    assert dup.status == "registered" and dup.merged_into_id is None
    assert Report.objects.filter(appeal=dup).count() == 1 and Report.objects.filter(appeal=target).count() == 1


def test_merge_through_perform_accepts_a_number(county, register, clock):
    target, dup = register(), register()
    dup = services.perform(dup, "merge_into", actor=county.cadre_a, payload={"target": target.number}, now=clock())
    assert dup.merged_into_id == target.pk
    with pytest.raises(ValidationError, match="合并目标不存在"):
        services.perform(register(), "merge_into", actor=county.cadre_a, payload={"target": "nope"}, now=clock())


def test_perform_reports_missing_and_unknown_fields_in_chinese(county, register, clock):
    a = register()
    with pytest.raises(ValidationError, match="缺少必填项：unit"):
        services.perform(a, "assign", actor=county.cadre_a, payload={"person": "x", "measures": "y"}, now=clock())
    with pytest.raises(ValidationError, match="不接受字段"):
        services.perform(a, "escalate", actor=county.cadre_a, payload={"reason": "x", "bogus": 1}, now=clock())
    with pytest.raises(ValidationError, match="当前状态“已登记”下不能核查"):
        services.perform(a, "verify", actor=county.cadre_a, payload={"passed": True}, now=clock())
    with pytest.raises(ValidationError, match="未知操作"):
        services.perform(a, "teleport", actor=county.cadre_a, payload={}, now=clock())


class _Upload(io.BytesIO):
    def __init__(self, name: str, content: bytes):
        super().__init__(content)
        self.name, self.size = name, len(content)


def _picture(fmt: str) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(out, fmt)
    return out.getvalue()


def test_attachments_are_validated(county, register, clock, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    a = _assigned(county, clock, register)
    png = _Upload("现场.png", _picture("PNG"))
    att = services.add_attachment(a, actor=county.dept_handler, upload=png, now=clock())
    assert att.content_type == "image/png" and att.size > 0 and len(att.sha256) == 64
    with pytest.raises(ValidationError, match="损坏"):  # a "picture" that does not decode
        services.add_attachment(a, actor=county.dept_handler, now=clock(),
                                upload=_Upload("坏.png", b"\x89PNG\r\n\x1a\n" + b"0" * 50))
    with pytest.raises(ValidationError, match="类型不支持"):
        services.add_attachment(a, actor=county.dept_handler, upload=_Upload("病毒.exe", b"MZ"), now=clock())
    with pytest.raises(ValidationError, match="内容与扩展名不符"):
        services.add_attachment(a, actor=county.dept_handler, upload=_Upload("假.pdf", b"GIF89a"), now=clock())
    big = _Upload("大.jpg", b"\xff\xd8\xff")
    big.size = 11 * 1024 * 1024
    with pytest.raises(ValidationError, match="超过10MB"):
        services.add_attachment(a, actor=county.dept_handler, upload=big, now=clock())
    a = services.do_add_progress(a, actor=county.dept_handler, note="附照片", now=clock(),
                                 files=[_Upload("进度.jpg", _picture("JPEG"))])
    assert a.attachments.filter(progress__isnull=False).count() == 1


def test_event_payloads_mask_phones_in_free_text(county, register, clock):
    a = register()
    a = services.do_escalate(a, actor=county.cadre_a, reason=f"群众电话{PHONE_A}，请联系", now=clock())
    event = a.events.get(action="escalate")
    assert PHONE_A not in str(event.payload) and PHONE_A not in event.reason
    assert PHONE_A not in str(Event.objects.filter(object_id=str(a.pk)).values_list("changes", "reason"))
