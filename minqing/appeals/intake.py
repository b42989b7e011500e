"""Intake: registering an appeal (every channel: page, phone sync, portal, import, API), one more
reporter on a case (附议), and the case's category — set by a person, or suggested by the model at
registration when it is confident (marked as such; a person's later correction goes back to it)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from minqing.accounts.models import User
from minqing.audit.log import record
from minqing.households import crypto
from minqing.households.models import Household, Resident
from minqing.lib import regioncode
from minqing.lib.masking import mask_phone
from minqing.lib.phone import PhoneError, clean_phone
from minqing.lib.workdays import TZ
from minqing.regions import jurisdiction
from minqing.regions.models import Region

from . import access, deadlines, hooks, repeats
from . import workflow as wf
from .models import Appeal, Category, Channel, Report, Sensitivity, Urgency
from .snapshot import actor_key, sync_columns
from .transition import check, locked_now, notify, write_events

REGION_LEVEL = {regioncode.VILLAGE: wf.Level.VILLAGE, regioncode.TOWNSHIP: wf.Level.TOWNSHIP,
                regioncode.COUNTY: wf.Level.COUNTY}
FAMILY_CATEGORY = "婚姻家庭"
# The model's suggestion is applied at registration only from this confidence up (the county may set it).
DEFAULT_SUGGESTION_CONFIDENCE = 0.9


def _region(region: Region | str) -> Region:
    if isinstance(region, Region):
        return region
    try:
        code = regioncode.normalize(region)
    except regioncode.RegionCodeError as exc:
        raise ValidationError(str(exc)) from exc
    found = Region.objects.filter(code=code).first()
    if found is None:
        raise ValidationError(f"区划“{region}”不存在")
    return found


def _category(category: Category | int | str | None) -> Category | None:
    if category is None or category == "":
        return None
    if isinstance(category, Category):
        return category
    found = (Category.objects.filter(pk=category).first() if str(category).isdigit()
             else Category.objects.filter(code=category).first())
    if found is None:
        raise ValidationError(f"类别“{category}”不存在")
    return found


def sensitivity_of(kind: str, category: Category | None) -> str:
    if kind == wf.Kind.MISCONDUCT:
        return Sensitivity.MISCONDUCT
    if kind == wf.Kind.DISPUTE and category is not None:
        node: Category | None = category
        while node is not None:
            if node.name == FAMILY_CATEGORY:
                return Sensitivity.FAMILY
            node = node.parent
    return Sensitivity.NORMAL


def _choice(value: str, choices: Iterable[str], label: str) -> str:
    if value not in set(choices):
        raise ValidationError(f"{label}“{value}”无效")
    return value


def appeal_number(region_code: str, received_at: dt.datetime, pk: int) -> str:
    return f"{region_code[:6]}-{received_at.astimezone(TZ):%Y}-{pk:07d}"


@transaction.atomic
def register_appeal(*, actor, region: Region | str, kind: str, channel: str, title: str, text: str,
                    category: Category | int | str | None = None, urgency: str = Urgency.NORMAL,
                    household: Household | int | None = None, resident: Resident | int | None = None,
                    reporter_name: str = "", phone: str = "", anonymous: bool = False,
                    client_id: str | None = None, received_at: dt.datetime | None = None,
                    reported_users: Iterable[User | int] = (), source_ref: str | None = None,
                    now: dt.datetime | None = None) -> Appeal:
    """登记. An offline client sends a client_id: the same id again returns the appeal it made."""
    if client_id:
        existing = Report.objects.filter(client_id=client_id).select_related("appeal").first()
        if existing is not None:
            return existing.appeal
    now = now or timezone.now()
    received_at = received_at or now
    if received_at > now + dt.timedelta(minutes=5):
        raise ValidationError("受理时间不能晚于当前时间")
    place = _region(region)
    depth = regioncode.level_of(place.code)
    if depth not in REGION_LEVEL:
        raise ValidationError("诉求须登记到县、乡镇或村（社区）")
    if actor is not None and not access.may_register(jurisdiction.scope_of(actor), place.code):
        raise PermissionDenied("不在您的管辖范围内")
    _choice(kind, [k.value for k in wf.Kind], "诉求类型")
    _choice(channel, Channel.values, "来源渠道")
    _choice(urgency, Urgency.values, "紧急程度")
    title, text = (title or "").strip(), (text or "").strip()
    if not title:
        raise ValidationError("请填写诉求标题")
    if not text:
        raise ValidationError("请填写诉求内容")
    for label, value, limit in (("诉求标题", title, 200), ("反映人姓名", reporter_name or "", 50)):
        if len(value) > limit:  # refused with its limit, never cut silently
            raise ValidationError(f"{label}不能超过 {limit} 个字（现为 {len(value)} 个字）")
    cat = _category(category)
    hh = Household.objects.filter(pk=getattr(household, "pk", household)).first() if household else None
    person = Resident.objects.filter(pk=getattr(resident, "pk", resident)).first() if resident else None
    if household and hh is None or resident and person is None:
        raise ValidationError("所选户或群众不存在")
    if person is not None and hh is None:
        hh = person.household
    if hh is not None and not regioncode.contains(place.code, hh.region_id):
        raise ValidationError("所选户不在诉求所在地")
    clean_phone_value = ""
    if phone and not anonymous:
        try:
            clean_phone_value = clean_phone(phone)
        except PhoneError as exc:
            raise ValidationError(str(exc)) from exc
    if anonymous:
        hh = person = None
        reporter_name = ""
    name = (reporter_name or (person.name if person else "") or (hh.head_name if hh else "")).strip()
    suggestion = None if cat is not None else _confident_suggestion(title, text, place.code)
    if suggestion is not None:
        cat = suggestion[0]

    level = REGION_LEVEL[depth]
    response = deadlines.due_for(deadlines.RESPONSE, kind=kind, category_id=cat.pk if cat else None,
                                 urgency=urgency, start=received_at)
    resolve = deadlines.due_for(deadlines.RESOLVE, kind=kind, category_id=cat.pk if cat else None,
                                urgency=urgency, start=received_at)
    payload = {"kind": kind, "level": level.value, "channel": channel, "anonymous": anonymous,
               "category": cat.code if cat else None, "urgency": urgency}
    try:
        state, event = wf.apply(None, wf.Action("register", actor_key(actor), received_at,
                                                {k: v for k, v in payload.items() if v is not None}))
    except wf.TransitionError as exc:
        raise ValidationError(str(exc)) from exc
    a = Appeal(number=f"~{uuid.uuid4().hex[:30]}", kind=kind, region=place, household=hh, channel=channel,
               category=cat, category_source=("model" if suggestion else "person") if cat else "",
               urgency=urgency, sensitivity=sensitivity_of(kind, cat), title=title, text=text,
               anonymous=anonymous, received_at=received_at, registered_by=actor if getattr(actor, "pk", None)
               else None, response_due_at=response.due, due_at=resolve.due,
               due_estimated=response.estimated or resolve.estimated, source_ref=source_ref, updated_at=now)
    sync_columns(a, state, event)
    a.save()
    a.number = appeal_number(place.code, received_at, a.pk)
    a.save(update_fields=["number"])
    if reported_users:
        a.reported_users.set([getattr(u, "pk", u) for u in reported_users])
    report = Report.objects.create(
        appeal=a, region=place, channel=channel, resident=person, household=hh, reporter_name=name,
        phone_enc=crypto.encrypt(clean_phone_value), phone_hash=crypto.lookup_hash(clean_phone_value),
        phone_masked=mask_phone(clean_phone_value), anonymous=anonymous, text=text, received_at=received_at,
        received_by=actor if getattr(actor, "pk", None) else None, client_id=client_id or None)
    written = write_events(a, event, actor, state)
    if suggestion is not None:
        record(f"appeal.{hooks.CATEGORY_SUGGESTED}", actor=actor, obj=a, at=received_at,
               changes={"category": [None, cat.code], "confidence": suggestion[1], "model": suggestion[2]})
    repeats.detect(a, report, actor=actor, now=max(now, received_at))  # 重复件: linked, with events
    notify(a, hooks.REGISTERED, actor=actor, at=received_at, event=written, created=True, report=report)
    return a


def _confident_suggestion(title: str, text: str, region_code: str, *,
                          categories: dict[str, Category | None] | None = None
                          ) -> tuple[Category, float, str] | None:
    """The model's category when it is confident enough to apply (marked as suggested), else None.
    ``categories``: a cache by code, for many cases at once (appeals.bulk)."""
    answer = hooks.suggest_category(title, text, region_code)
    if answer is None:
        return None
    code, confidence, model = answer
    threshold = float(getattr(settings, "MINQING_CATEGORY_CONFIDENCE", DEFAULT_SUGGESTION_CONFIDENCE))
    if categories is not None and code in categories:
        found = categories[code]
    else:
        found = Category.objects.filter(code=code, is_active=True).first() if code else None
        if categories is not None:
            categories[code] = found
    if found is None or confidence < threshold:
        return None
    return found, round(float(confidence), 4), model


@transaction.atomic
def change_category(appeal: Appeal, *, actor, category: Category | int | str, reason: str = "",
                    now: dt.datetime | None = None) -> Appeal:
    """A person sets or corrects the category. When the model had suggested it, the parts above
    hear of the correction (the nlp part keeps it as training feedback)."""
    row, now = locked_now(appeal, now)
    check(actor, row, "add_progress")
    cat = _category(category)
    if cat is None:
        raise ValidationError("请选择类别")
    before = {"category": row.category_id, "category_source": row.category_source}
    if cat.pk == row.category_id and row.category_source == "person":
        return appeal
    old_code = row.category.code if row.category_id else None
    row.category, row.category_source = cat, "person"
    row.sensitivity = sensitivity_of(row.kind, cat)
    row.version += 1
    row.updated_at = now
    row.save(update_fields=["category", "category_source", "sensitivity", "version", "updated_at"])
    record(f"appeal.{hooks.CATEGORY_CHANGED}", actor=actor, obj=row, reason=reason, at=now,
           changes={"category": [old_code, cat.code], "was_suggested": before["category_source"] == "model"})
    for f in ("category_id", "category_source", "sensitivity", "version", "updated_at"):
        setattr(appeal, f, getattr(row, f))
    notify(appeal, hooks.CATEGORY_CHANGED, actor=actor, at=now, before=before)
    return appeal


@transaction.atomic
def add_report(appeal: Appeal, *, actor, channel: str, text: str = "", reporter_name: str = "", phone: str = "",
               household: Household | None = None, resident: Resident | None = None, anonymous: bool = False,
               client_id: str | None = None, now: dt.datetime | None = None) -> Report:
    """One more resident raising the same case (附议): attached, told of the outcome, counted once."""
    if client_id and (found := Report.objects.filter(client_id=client_id).first()):
        return found
    now = now or timezone.now()
    check(actor, appeal, "merge_into")
    _choice(channel, Channel.values, "来源渠道")
    clean = ""
    if phone and not anonymous:
        try:
            clean = clean_phone(phone)
        except PhoneError as exc:
            raise ValidationError(str(exc)) from exc
    report = Report.objects.create(
        appeal=appeal, region_id=appeal.region_id, channel=channel, resident=resident, household=household,
        reporter_name="" if anonymous else reporter_name, phone_enc=crypto.encrypt(clean),
        phone_hash=crypto.lookup_hash(clean), phone_masked=mask_phone(clean), anonymous=anonymous, text=text,
        received_at=now, received_by=actor if getattr(actor, "pk", None) else None, client_id=client_id or None)
    record("appeal.report_added", actor=actor, obj=appeal, changes={"report": report.pk, "channel": channel,
                                                                     "phone": mask_phone(clean)}, at=now)
    notify(appeal, hooks.REPORT_ADDED, actor=actor, at=now, report=report)
    return report

