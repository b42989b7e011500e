"""The phone's outbox, applied on the server: POST /api/v1/sync.

One transaction per record (a rejected record never undoes the others). Each record carries the
phone's client_id; a record already applied answers "duplicate" with the original id and changes
nothing, a record out of the user's jurisdiction or invalid answers "rejected" with a Chinese
reason, an update whose base_version is not the current version answers "conflict" (the server's
copy is never overwritten). The fate of every record is reported; the batch itself is HTTP 200.

No record can jam the outbox: any error while applying one (a NUL byte PostgreSQL refuses, a date
SQLite cannot store, a bug) rolls back that record's savepoint and becomes its rejection with a
Chinese reason; only a busy database answers "retry", which the phone resends later. A client_id
already used by another user is refused without naming that user's record.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError, IntegrityError, OperationalError, transaction
from django.utils import timezone

from minqing.appeals.models import Appeal, Report
from minqing.lib.idempotent import TAKEN

from . import photos, services
from .models import Activity, FieldAppeal, SyncReceipt, Visit

APPLIED, DUPLICATE, REJECTED, CONFLICT, RETRY = "applied", "duplicate", "rejected", "conflict", "retry"
TYPES = ("visit", "activity", "appeal")
MAX_BATCH = 200
log = logging.getLogger(__name__)
BAD_CONTENT = "记录含有无法保存的内容（如空字符或超出范围的数值），请修改后重新提交"
OUT_OF_RANGE = "日期或数值超出可保存的范围，请修改后重新提交"
BUSY = "服务器繁忙，稍后自动重新发送"
FAILED = "服务器无法保存这条记录，请检查内容后重新提交，或删除这条记录"


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return str(exc) or "无权操作"


def _result(record: Mapping[str, Any], status: str, *, id: int | None = None,  # noqa: A002
            version: int | None = None, reason: str | None = None,
            appeals: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"client_id": record.get("client_id"), "type": record.get("type"), "status": status, "id": id,
            "version": version, "reason": reason, "appeals": appeals or []}


def _appeal_fates(links: list[FieldAppeal], sent: list[Mapping[str, Any]], created: bool) -> list[dict[str, Any]]:
    """Each appeal the phone sent → the case it became (matched on its client_id)."""
    by_client = {link.client_id: link for link in links if link.client_id}
    out = []
    for item in sent or ():
        cid = item.get("client_id") if isinstance(item, Mapping) else None
        link = by_client.get(cid)
        out.append({"client_id": cid, "id": link.appeal_id if link else None,
                    "status": (APPLIED if created else DUPLICATE) if link else REJECTED})
    return out


def _visit_kwargs(data: Mapping[str, Any]) -> dict[str, Any]:
    return {"household": data.get("household"), "visited_at": data.get("visited_at"), "note": data.get("note") or "",
            "lat": data.get("lat"), "lng": data.get("lng"), "tags_add": data.get("tags_add") or (),
            "tags_remove": data.get("tags_remove") or (), "help": data.get("help") or (),
            "appeals": data.get("appeals") or (), "residents": data.get("residents") or (),
            "others_met": data.get("others_met") or 0, "cases": data.get("cases") or ()}


def _activity_kwargs(data: Mapping[str, Any]) -> dict[str, Any]:
    return {"kind": data.get("kind") or "", "region": data.get("region"), "held_at": data.get("held_at"),
            "place": data.get("place") or "", "topic": data.get("topic") or "",
            "documents": data.get("documents") or "", "attendance": data.get("attendance"),
            "note": data.get("note") or "", "findings": data.get("findings") or "",
            "decisions": data.get("decisions") or "", "subtopic": data.get("subtopic"),
            "appeals": data.get("appeals") or (), "attendees": data.get("attendees") or (),
            "cases": data.get("cases") or ()}


def _check_lists(data: Mapping[str, Any]) -> None:
    for key in ("tags_add", "tags_remove", "help", "appeals", "residents", "attendees", "cases"):
        if data.get(key) is not None and not isinstance(data.get(key), list):
            raise ValidationError(f"“{key}”应为列表")


def _receipt(record: Mapping[str, Any], row: Any, user: Any, now: dt.datetime) -> dict[str, Any]:
    SyncReceipt.objects.create(client_id=record["client_id"], type=record["type"], object_id=row.pk,
                               version=row.version, region_id=row.region_id, user=user, at=now)
    return _result(record, APPLIED, id=row.pk, version=row.version)


def _apply_visit(record: Mapping[str, Any], user: Any, device: str, now: dt.datetime) -> dict[str, Any]:
    data, cid = record["data"], record["client_id"]
    if record.get("id"):
        v = services.update_visit(int(record["id"]), actor=user, base_version=record.get("base_version"),
                                  changes={k: data[k] for k in services.VISIT_EDITABLE if k in data}, now=now)
        return _receipt(record, v, user, now)
    _check_lists(data)
    pictures = photos.decode(data.get("photos"))  # checked before anything is stored
    visit, created = services.record_visit(actor=user, client_id=cid, device=device, now=now, **_visit_kwargs(data))
    if created and data.get("checklist") is not None:
        # Household checklist answered on this visit (issue 7, minqing.checklists): same transaction,
        # an invalid checklist rejects the whole record; a resend finds the first copy and its answers.
        apply = VISIT_PARTS.get("checklist")
        if apply is None:
            raise ValidationError("未安装清单模块，无法保存本次走访的清单答案")
        apply(visit, data["checklist"], actor=user, now=now)
    links = list(FieldAppeal.objects.filter(visit=visit).select_related("appeal"))
    if created and pictures:  # a resend ("duplicate") stores no photo twice
        photos.store_for_visit(visit, pictures, actor=user, now=now, appeals=[link.appeal for link in links])
    return _result(record, APPLIED if created else DUPLICATE, id=visit.pk, version=visit.version,
                   appeals=_appeal_fates(links, data.get("appeals") or [], created))


def _apply_activity(record: Mapping[str, Any], user: Any, device: str, now: dt.datetime) -> dict[str, Any]:
    data, cid = record["data"], record["client_id"]
    if record.get("id"):
        a = services.update_activity(int(record["id"]), actor=user, base_version=record.get("base_version"),
                                     changes={k: data[k] for k in services.ACTIVITY_EDITABLE if k in data}, now=now)
        return _receipt(record, a, user, now)
    _check_lists(data)
    activity, created = services.record_activity(actor=user, client_id=cid, device=device, now=now,
                                                 **_activity_kwargs(data))
    links = list(FieldAppeal.objects.filter(activity=activity))
    return _result(record, APPLIED if created else DUPLICATE, id=activity.pk, version=activity.version,
                   appeals=_appeal_fates(links, data.get("appeals") or [], created))


def _apply_appeal(record: Mapping[str, Any], user: Any, device: str, now: dt.datetime) -> dict[str, Any]:
    data, cid = record["data"], record["client_id"]
    if record.get("id"):
        raise ValidationError("诉求登记后请在诉求办理中修改，不能离线修改")
    pictures = photos.decode(data.get("photos"))
    link, created = services.raise_appeal(
        actor=user, region=data.get("region"), household=data.get("household"), title=data.get("title") or "",
        text=data.get("text") or "", kind=data.get("kind") or "problem",
        reporter_name=data.get("reporter_name") or "", phone=data.get("phone") or "", client_id=cid,
        received_at=data.get("received_at"), now=now)
    if created and pictures:
        photos.attach_before(link.appeal, pictures, actor=user, now=now)
    version = Appeal.objects.filter(pk=link.appeal_id).values_list("version", flat=True).first()
    return _result(record, APPLIED if created else DUPLICATE, id=link.appeal_id, version=version)


# What other parts store from a synced visit, in the visit's transaction, registered when they are
# ready (checklists: the answers of a household checklist, key "checklist"); fieldwork imports none.
VisitPart = Callable[..., Any]  # (visit, payload, *, actor, now)
VISIT_PARTS: dict[str, VisitPart] = {}


def register_visit_part(key: str, apply: VisitPart) -> None:
    VISIT_PARTS[key] = apply


APPLY = {"visit": _apply_visit, "activity": _apply_activity, "appeal": _apply_appeal}
MODELS = {"visit": Visit, "activity": Activity}


def _already(record: Mapping[str, Any]) -> dict[str, Any] | None:
    """A record already applied (or stored by a request that won the race on its client_id)."""
    kind, cid = record.get("type"), record.get("client_id")
    receipt = SyncReceipt.objects.filter(client_id=cid).first()
    if receipt is not None:
        return _result(record, DUPLICATE, id=receipt.object_id, version=receipt.version)
    if kind in MODELS:
        row = MODELS[kind].objects.filter(client_id=cid).first()
        if row is not None:
            return _result(record, DUPLICATE, id=row.pk, version=row.version)
    link = FieldAppeal.objects.filter(client_id=cid).first()
    if kind == "appeal" and link is not None:
        return _result(record, DUPLICATE, id=link.appeal_id)
    return None


def _owners(record: Mapping[str, Any]) -> set[int | None]:
    """Who stored the rows that already carry this record's client_id (or its appeals' ones)."""
    cid = record["client_id"]
    data = record.get("data") or {}
    nested = [a.get("client_id") for a in data.get("appeals") or () if isinstance(a, Mapping) and a.get("client_id")]
    keys = [cid, *[k for k in nested if isinstance(k, str)]]
    owners: set[int | None] = set(SyncReceipt.objects.filter(client_id=cid).values_list("user_id", flat=True))
    owners |= set(Visit.objects.filter(client_id=cid).values_list("visitor_id", flat=True))
    owners |= set(Activity.objects.filter(client_id=cid).values_list("created_by_id", flat=True))
    owners |= set(Report.objects.filter(client_id__in=keys).values_list("received_by_id", flat=True))
    return owners


def _taken(record: Mapping[str, Any], user: Any) -> bool:
    return any(owner != getattr(user, "pk", None) for owner in _owners(record))


def _unexpected(record: Mapping[str, Any], exc: Exception) -> dict[str, Any]:
    """An error no rule foresaw: this record is refused (or retried when the database is busy)."""
    if isinstance(exc, OperationalError):
        log.warning("sync record %s: database busy: %s", record.get("client_id"), exc)
        return _result(record, RETRY, reason=BUSY)
    log.exception("sync record %s (%s) failed", record.get("client_id"), record.get("type"))
    if isinstance(exc, DataError):
        return _result(record, REJECTED, reason=BAD_CONTENT)
    if isinstance(exc, (OverflowError, ValueError)):
        return _result(record, REJECTED, reason=OUT_OF_RANGE)
    return _result(record, REJECTED, reason=FAILED)


def _has_nul(value: Any) -> bool:
    """A NUL character: PostgreSQL cannot store it in text, so no database gets it."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, Mapping):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _validate_envelope(record: Any) -> str | None:
    if not isinstance(record, Mapping):
        return "记录格式无效"
    if _has_nul(record.get("data")):
        return "内容含有空字符（\\0），请删除后重新提交"
    cid = record.get("client_id")
    if not isinstance(cid, str) or not cid.strip() or len(cid) > 64:
        return "缺少有效的记录编号（client_id）"
    if record.get("type") not in TYPES:
        return f"未知记录类型“{record.get('type')}”"
    if not isinstance(record.get("data"), Mapping):
        return "记录内容（data）应为对象"
    if record.get("id") is not None:
        if record.get("type") == "appeal":
            return None
        if not isinstance(record.get("id"), int) or isinstance(record.get("id"), bool):
            return "记录 id 应为整数"
        if record.get("base_version") is None:
            return "修改记录须注明所依据的版本（base_version）"
    return None


def apply_record(record: Any, *, user: Any, device: str = "", now: dt.datetime | None = None) -> dict[str, Any]:
    """Apply one record in its own savepoint and report its fate; never raises for a bad record."""
    now = now or timezone.now()
    problem = _validate_envelope(record)
    if problem:
        return _result(record if isinstance(record, Mapping) else {}, REJECTED, reason=problem)
    try:
        if _taken(record, user):
            return _result(record, REJECTED, reason=TAKEN)
        if record.get("id") is not None:
            done = _already(record)  # an update sent again: answered from its receipt, not a conflict
            if done is not None:
                return done
        with transaction.atomic():
            return APPLY[record["type"]](record, user, device, now)
    except services.VersionConflict as exc:
        return _result(record, CONFLICT, id=record.get("id"), version=exc.current, reason=str(exc))
    except IntegrityError:
        # A simultaneous request stored this client_id first: answer with its record, if it is ours.
        if _taken(record, user):
            return _result(record, REJECTED, reason=TAKEN)
        again = _already(record)
        return again or _result(record, REJECTED, reason="记录编号与已有记录冲突，请重新提交")
    except (ValidationError, PermissionDenied) as exc:
        return _result(record, REJECTED, reason=_message(exc))
    except Exception as exc:  # noqa: BLE001 — one record's failure must never fail the batch
        return _unexpected(record, exc)


def apply_batch(payload: Mapping[str, Any], *, user: Any, now: dt.datetime | None = None) -> dict[str, Any]:
    records = payload.get("records")
    if not isinstance(records, list):
        raise ValidationError("records 应为列表")
    if len(records) > MAX_BATCH:
        raise ValidationError(f"一次最多提交 {MAX_BATCH} 条记录，请分批提交")
    device = str(payload.get("device") or "")[:100]
    return {"results": [apply_record(r, user=user, device=device, now=now) for r in records]}
