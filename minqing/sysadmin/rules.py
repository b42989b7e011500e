"""The county's rules, written by its system administrator: categories, deadline rules, the
holiday/调休 table and quotas. One atomic function per change, each with its audit event.

Categories, deadline rules and the holiday table are the installation's (one county per
installation, as the demo and the docs assume); quotas belong to a county and are checked."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from minqing.accounts.admins import check_county, county_of
from minqing.accounts.roles import Role
from minqing.appeals import deadlines
from minqing.appeals import workflow as wf
from minqing.appeals.models import Appeal, Category, DeadlineRule, HolidayOverride, Urgency
from minqing.audit.log import diff, record
from minqing.fieldwork.models import QuotaMeasure, QuotaPeriod, QuotaRule, VisitPolicy
from minqing.lib import schedule

CATEGORY_FIELDS = ("code", "name", "parent_id", "level", "gbt_code", "default_unit_function", "is_active")
RULE_FIELDS = ("stage", "kind", "category_id", "urgency", "amount", "unit", "is_active")
QUOTA_FIELDS = ("code", "name", "roles", "measure", "target", "period", "yellow_ratio", "is_active")


def _state(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {f: getattr(obj, f) for f in fields}


def _admin(actor) -> str | None:
    """The actor's county; the command line (None) may write the installation's rules."""
    if actor is None:
        return None
    code = county_of(actor)
    check_county(actor, code)
    return code


# -- categories -----------------------------------------------------------------------------------

def _next_code(parent: Category | None) -> str:
    base = f"{parent.code}." if parent else "county."
    taken = set(Category.objects.filter(code__startswith=base).values_list("code", flat=True))
    n = 1
    while f"{base}{n:02d}" in taken:
        n += 1
    return f"{base}{n:02d}"


@transaction.atomic
def save_category(category: Category | None, *, actor, name: str, parent_id: int | None = None,
                  gbt_code: str = "", default_unit_function: str = "", reason: str = "",
                  ip: str | None = None) -> Category:
    """Create (category None) or edit one class of the tree. A class cannot move under itself."""
    county = _admin(actor)
    name = (name or "").strip()
    if not name:
        raise ValidationError("请填写类别名称")
    parent = Category.objects.filter(pk=parent_id).first() if parent_id else None
    if parent_id and parent is None:
        raise ValidationError("上级类别不存在")
    node = parent
    while node is not None and category is not None:
        if node.pk == category.pk:
            raise ValidationError("上级类别不能是它自己或它的下级")
        node = node.parent
    before = _state(category, CATEGORY_FIELDS) if category else {}
    if category is None:
        category = Category(code=_next_code(parent), scheme=parent.scheme if parent else "county")
    category.name, category.parent = name[:60], parent
    category.level = parent.level + 1 if parent else 1
    category.gbt_code = (gbt_code or "").strip()[:20]
    category.default_unit_function = (default_unit_function or "").strip()[:30]
    category.save()
    record("category.saved" if before else "category.created", actor=actor, obj=category, region_code=county,
           changes=diff(before, _state(category, CATEGORY_FIELDS)), reason=reason, ip=ip)
    return category


@transaction.atomic
def set_category_active(category: Category, *, actor, active: bool, reason: str = "",
                        ip: str | None = None) -> Category:
    """停用 a class (and its subtree): new appeals cannot choose it; old ones keep it."""
    county = _admin(actor)
    ids, frontier = [category.pk], [category.pk]
    while frontier and not active:
        frontier = list(Category.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids += frontier
    before = _state(category, CATEGORY_FIELDS)
    Category.objects.filter(pk__in=ids).update(is_active=active)
    category.refresh_from_db()
    record("category.deactivated" if not active else "category.reactivated", actor=actor, obj=category,
           region_code=county, changes=diff(before, _state(category, CATEGORY_FIELDS)) | {"subtree": ids},
           reason=reason, ip=ip)
    return category


# -- deadline rules -------------------------------------------------------------------------------

@transaction.atomic
def save_deadline_rule(rule: DeadlineRule | None, *, actor, stage: str, amount: int, unit: str, kind: str = "",
                       category_id: int | None = None, urgency: str = "", reason: str = "",
                       ip: str | None = None) -> DeadlineRule:
    county = _admin(actor)
    if stage not in DeadlineRule.Stage.values:
        raise ValidationError("请选择环节")
    if unit not in DeadlineRule.Unit.values:
        raise ValidationError("请选择时限单位")
    if kind and kind not in [k.value for k in wf.Kind]:
        raise ValidationError("诉求类型无效")
    if urgency and urgency not in Urgency.values:
        raise ValidationError("紧急程度无效")
    if amount is None or int(amount) < 1 or int(amount) > 3650:
        raise ValidationError("时限须在 1 到 3650 之间")
    if category_id and not Category.objects.filter(pk=category_id).exists():
        raise ValidationError("类别不存在")
    before = _state(rule, RULE_FIELDS) if rule else {}
    rule = rule or DeadlineRule()
    rule.stage, rule.kind, rule.category_id, rule.urgency = stage, kind or "", category_id or None, urgency or ""
    rule.amount, rule.unit, rule.is_active = int(amount), unit, True
    clash = DeadlineRule.objects.filter(is_active=True, stage=rule.stage, kind=rule.kind, urgency=rule.urgency,
                                        category_id=rule.category_id).exclude(pk=rule.pk)
    if clash.exists():
        raise ValidationError("已有一条条件完全相同的时限规则，请修改那一条")
    rule.save()
    record("deadline_rule.saved" if before else "deadline_rule.created", actor=actor, obj=rule, region_code=county,
           changes=diff(before, _state(rule, RULE_FIELDS)), reason=reason, ip=ip)
    return rule


@transaction.atomic
def withdraw_deadline_rule(rule: DeadlineRule, *, actor, reason: str = "", ip: str | None = None) -> DeadlineRule:
    """A withdrawn rule stops applying to new appeals; it stays on file."""
    county = _admin(actor)
    before = _state(rule, RULE_FIELDS)
    rule.is_active = False
    rule.save(update_fields=["is_active"])
    record("deadline_rule.withdrawn", actor=actor, obj=rule, region_code=county,
           changes=diff(before, _state(rule, RULE_FIELDS)), reason=reason, ip=ip)
    return rule


# -- holidays -------------------------------------------------------------------------------------

def years_to_enter(today: dt.date | None = None) -> list[int]:
    """This year and next, when neither the library nor the county's table knows them."""
    today = today or timezone.localdate()
    cal = deadlines.calendar()
    return [y for y in (today.year, today.year + 1) if y not in cal.known_years]


def year_days(year: int) -> list[schedule.Day]:
    """The year's holidays and 调休 days as deadlines use them (announced ones and the county's)."""
    cal = deadlines.calendar()
    return [schedule.Day(d, w, n) for d, w, n in cal.rows() if d.year == year]


@transaction.atomic
def enter_year_schedule(*, actor, year: int, text: str, reason: str = "", ip: str | None = None) -> dict:
    """Set a year's 节假日/调休 table from the notice's text, then recompute the deadlines of open
    appeals that were estimated. Rows of that year no longer named revert to the weekday rule
    (kept, not deleted: Mon–Fri work, Sat–Sun rest)."""
    county = _admin(actor)
    if not 2000 <= int(year) <= 2100:
        raise ValidationError("年份无效")
    try:
        days = schedule.parse(text, int(year))
    except schedule.ScheduleError as exc:
        raise ValidationError(str(exc).splitlines()) from None
    wanted = {d.date: d for d in days}
    existing = {h.date: h for h in HolidayOverride.objects.select_for_update().filter(date__year=year)}
    changes: dict[str, list] = {}
    for day in days:
        row = existing.get(day.date)
        if row is None:
            HolidayOverride.objects.create(date=day.date, is_workday=day.is_workday, name=day.name)
            changes[str(day.date)] = [None, f"{'班' if day.is_workday else '休'} {day.name}".strip()]
        elif (row.is_workday, row.name) != (day.is_workday, day.name):
            changes[str(day.date)] = [f"{'班' if row.is_workday else '休'} {row.name}".strip(),
                                      f"{'班' if day.is_workday else '休'} {day.name}".strip()]
            row.is_workday, row.name = day.is_workday, day.name
            row.save(update_fields=["is_workday", "name"])
    for d, row in existing.items():
        plain = d.weekday() < 5
        if d not in wanted and (row.is_workday != plain or row.name):
            changes[str(d)] = [f"{'班' if row.is_workday else '休'} {row.name}".strip(), "平日"]
            row.is_workday, row.name = plain, ""
            row.save(update_fields=["is_workday", "name"])
    record("holidays.year_entered", actor=actor, object_type="appeals.holidayoverride", object_id=year,
           region_code=county, changes=changes, reason=reason, ip=ip)
    recomputed = recompute_estimated_deadlines(actor=actor, ip=ip)
    return {"days": len(days), "changed": len(changes), "recomputed": recomputed}


@transaction.atomic
def recompute_estimated_deadlines(*, actor, ip: str | None = None) -> int:
    """Open appeals whose deadline was estimated get it again from the rules on today's calendar.
    A case already assigned carries the deadline of its 限期办理 (typed, or counted at that time);
    it is left as it is: the workflow owns it."""
    cal = deadlines.calendar()
    count = 0
    for a in Appeal.objects.select_for_update().filter(group="open", due_estimated=True):
        if (a.state or {}).get("due"):
            continue
        kw = {"kind": a.kind, "category_id": a.category_id, "urgency": a.urgency, "start": a.received_at, "cal": cal}
        response = deadlines.due_for(deadlines.RESPONSE, **kw)
        resolve = deadlines.due_for(deadlines.RESOLVE, **kw)
        before = {"response_due_at": a.response_due_at, "due_at": a.due_at, "due_estimated": a.due_estimated}
        a.response_due_at, a.due_at = response.due, resolve.due
        a.due_estimated = response.estimated or resolve.estimated
        after = {"response_due_at": a.response_due_at, "due_at": a.due_at, "due_estimated": a.due_estimated}
        if after != before:
            a.save(update_fields=["response_due_at", "due_at", "due_estimated"])
            record("appeal.deadline_recomputed", actor=actor, obj=a, changes=diff(before, after),
                   reason="节假日安排已录入", ip=ip)
            count += 1
    return count


# -- quotas ---------------------------------------------------------------------------------------

@transaction.atomic
def save_quota(quota: QuotaRule | None, *, actor, county: str, code: str, name: str, roles: list[str],
               measure: str, target: int, period: str, yellow_ratio: float = 0.5, reason: str = "",
               ip: str | None = None) -> QuotaRule:
    check_county(actor, county)
    code, name = (code or "").strip(), (name or "").strip()
    if not code or not name:
        raise ValidationError("请填写代码和名称")
    if measure not in QuotaMeasure.values or period not in QuotaPeriod.values:
        raise ValidationError("请选择计量内容和周期")
    bad = [r for r in roles if r not in Role.values]
    if bad or not roles:
        raise ValidationError("请选择受约束的职务")
    if not 1 <= int(target) <= 366:
        raise ValidationError("目标须在 1 到 366 之间")
    if not 0 < float(yellow_ratio) <= 1:
        raise ValidationError("黄灯比例须在 0 到 1 之间")
    if QuotaRule.objects.filter(region_id=county, code=code).exclude(pk=getattr(quota, "pk", None)).exists():
        raise ValidationError(f"代码“{code}”已被使用")
    before = _state(quota, QUOTA_FIELDS) if quota else {}
    quota = quota or QuotaRule(region_id=county)
    quota.code, quota.name, quota.roles, quota.measure = code[:40], name[:100], sorted(roles), measure
    quota.target, quota.period, quota.yellow_ratio = int(target), period, round(float(yellow_ratio), 2)
    quota.save()
    record("quota.saved" if before else "quota.created", actor=actor, obj=quota,
           changes=diff(before, _state(quota, QUOTA_FIELDS)), reason=reason, ip=ip)
    return quota


@transaction.atomic
def set_quota_active(quota: QuotaRule, *, actor, active: bool, reason: str = "", ip: str | None = None) -> QuotaRule:
    check_county(actor, quota.region_id)
    before = _state(quota, QUOTA_FIELDS)
    quota.is_active = active
    quota.save(update_fields=["is_active"])
    record("quota.deactivated" if not active else "quota.reactivated", actor=actor, obj=quota,
           changes=diff(before, _state(quota, QUOTA_FIELDS)), reason=reason, ip=ip)
    return quota


@transaction.atomic
def save_visit_policy(*, actor, county: str, default_visits_per_year: int, reason: str = "",
                      ip: str | None = None) -> VisitPolicy:
    """走访频次: visits a year for a household with no tag that sets its own frequency."""
    check_county(actor, county)
    if not 1 <= int(default_visits_per_year) <= 52:
        raise ValidationError("每年走访次数须在 1 到 52 之间")
    policy = VisitPolicy.objects.select_for_update().filter(region_id=county).first()
    before = {"default_visits_per_year": policy.default_visits_per_year} if policy else {}
    policy = policy or VisitPolicy(region_id=county)
    policy.default_visits_per_year = int(default_visits_per_year)
    policy.save()
    record("visit_policy.saved", actor=actor, obj=policy, region_code=county, reason=reason, ip=ip,
           changes=diff(before, {"default_visits_per_year": policy.default_visits_per_year}))
    return policy
