"""Open311 GeoReport v2 under /open311/v2/ (JSON; https://wiki.open311.org/GeoReport_v2).

- services.json, services/{code}.json: the county's active categories (service_code = category code);
- requests.json GET: public, no login, privacy-safe — never a name, phone or the resident's own words:
  description is the category and kind (the free text of a case may name people), address the place's
  name, status open/closed; 举报 and family cases (sensitivity) and petitions are never listed;
- requests.json POST: a client with an API token (``api_key``, the same tokens as /api/v1) creates a
  case through the one intake service (channel open311); ``jurisdiction_id`` is the place's code
  (default: the token owner's own place);
- requests/{id}.json: one request by its service_request_id (the case number), as in the list.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, JsonResponse
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from minqing.accounts.models import ApiToken
from minqing.appeals import services
from minqing.appeals import workflow as wf
from minqing.appeals.models import Appeal, Category, Channel, Sensitivity
from minqing.lib import regioncode
from minqing.regions import jurisdiction

MAX_REQUESTS = 1000  # the spec's default cap
DEFAULT_DAYS = 90  # the spec: without dates, the last 90 days
PUBLIC_KINDS = (wf.Kind.PROBLEM.value, wf.Kind.SUGGESTION.value, wf.Kind.HELP.value, wf.Kind.CONSULTATION.value)


def _error(code: int, text: str) -> JsonResponse:
    return JsonResponse([{"code": code, "description": text}], status=code, safe=False,
                        json_dumps_params={"ensure_ascii": False})


def _json(data: Any, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def _service(c: Category) -> dict[str, Any]:
    return {"service_code": c.code, "service_name": c.name, "description": c.name, "metadata": False,
            "type": "realtime", "keywords": "", "group": c.parent.name if c.parent_id else c.name}


@require_GET
def service_list(request: HttpRequest) -> JsonResponse:
    cats = Category.objects.filter(is_active=True).select_related("parent").order_by("code")
    return _json([_service(c) for c in cats])


@require_GET
def service_definition(request: HttpRequest, code: str) -> JsonResponse:
    c = Category.objects.filter(is_active=True, code=code).first()
    if c is None:
        return _error(404, "没有这个服务类别")
    return _json({"service_code": c.code, "attributes": []})


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _request(a: Appeal, notes: str = "") -> dict[str, Any]:
    closed = a.closed_at is not None or a.group in (wf.Group.SOLVED.value, wf.Group.CLOSED_UNSOLVED.value)
    label = wf.KIND_LABELS.get(wf.Kind(a.kind), a.kind)
    category = a.category.name if a.category_id else ""
    return {
        "service_request_id": a.number, "status": "closed" if closed else "open",
        "status_notes": wf.STATUS_LABELS.get(wf.Status(a.status), a.status),
        "service_name": category or label, "service_code": a.category.code if a.category_id else "",
        "description": f"{label}：{category}" if category else label,
        "agency_responsible": a.unit.name if a.unit_id else "", "service_notice": "",
        "requested_datetime": _iso(a.received_at), "updated_datetime": _iso(a.updated_at),
        "expected_datetime": _iso(a.due_at), "address": a.region.name, "address_id": a.region_id, "zipcode": "",
        "lat": None, "long": None, "media_url": "",
    }


def _public() -> Any:
    return (Appeal.objects.filter(deleted_at__isnull=True, sensitivity=Sensitivity.NORMAL, kind__in=PUBLIC_KINDS)
            .exclude(group=wf.Group.MERGED.value).select_related("category", "unit", "region"))


def _when(value: str, label: str) -> dt.datetime:
    try:
        parsed = parse_datetime(value or "")
    except ValueError:  # well-formed but impossible, e.g. month 13
        parsed = None
    if parsed is None:
        raise ValidationError(f"{label}应为 ISO 8601 日期时间（w3 格式）")
    return parsed


def _list(request: HttpRequest) -> JsonResponse:
    q = request.GET
    qs = _public()
    if q.get("service_request_id"):
        return _json([_request(a) for a in qs.filter(number__in=q["service_request_id"].split(",")[:MAX_REQUESTS])])
    try:
        end = _when(q["end_date"], "end_date") if q.get("end_date") else None
        start = _when(q["start_date"], "start_date") if q.get("start_date") else None
    except ValidationError as exc:
        return _error(400, exc.messages[0])
    if start is None and end is None:
        start = dt.datetime.now(dt.UTC) - dt.timedelta(days=DEFAULT_DAYS)
    if start is not None:
        qs = qs.filter(received_at__gte=start)
    if end is not None:
        qs = qs.filter(received_at__lte=end)
    if q.get("service_code"):
        qs = qs.filter(category__code__in=q["service_code"].split(","))
    status = q.get("status", "")
    closed = [wf.Group.SOLVED.value, wf.Group.CLOSED_UNSOLVED.value]
    if status == "open":
        qs = qs.exclude(group__in=closed)
    elif status == "closed":
        qs = qs.filter(group__in=closed)
    elif status:
        return _error(400, "status 只能是 open 或 closed")
    if q.get("jurisdiction_id"):
        try:
            qs = qs.filter(jurisdiction.region_q([regioncode.normalize(q["jurisdiction_id"])], "region"))
        except regioncode.RegionCodeError as exc:
            return _error(400, str(exc))
    return _json([_request(a) for a in qs.order_by("-received_at", "-id")[:MAX_REQUESTS]])


def _create(request: HttpRequest) -> JsonResponse:
    data = request.POST
    user = ApiToken.objects.user_for(data.get("api_key", "")) if data.get("api_key") else None
    if user is None:
        return _error(403, "api_key 无效")
    code = data.get("service_code", "")
    category = Category.objects.filter(is_active=True, code=code).first()
    if category is None:
        return _error(400, "service_code 无效")
    text = (data.get("description") or "").strip()
    if not text:
        return _error(400, "description 不能为空")
    address = (data.get("address_string") or "").strip()
    place = data.get("jurisdiction_id") or jurisdiction.scope_of(user).home_code()
    if not place:
        return _error(400, "请提供 jurisdiction_id（区划代码）")
    name = " ".join(p for p in (data.get("last_name", ""), data.get("first_name", "")) if p).strip()
    try:
        appeal = services.register_appeal(
            actor=user, region=place, kind=wf.Kind.PROBLEM.value, channel=Channel.OPEN311.value,
            title=text.splitlines()[0][:60], text=text + (f"\n地点：{address}" if address else ""),
            category=category, reporter_name=name[:50], phone=data.get("phone", ""),
            client_id=f"open311:{data['device_id']}:{data['client_token']}"[:64]
            if data.get("device_id") and data.get("client_token") else None)
    except PermissionDenied as exc:
        return _error(403, str(exc) or "不在您的管辖范围内")
    except ValidationError as exc:
        return _error(400, "；".join(exc.messages))
    return _json([{"service_request_id": appeal.number, "service_notice": "", "account_id": None}], status=201)


@csrf_exempt  # a machine client with an api_key, never a browser session
@require_http_methods(["GET", "POST"])
def requests_view(request: HttpRequest) -> JsonResponse:
    return _create(request) if request.method == "POST" else _list(request)


@require_GET
def request_detail(request: HttpRequest, number: str) -> JsonResponse:
    a = _public().filter(number=number).first()
    if a is None:
        return _error(404, "没有这个请求")
    return _json([_request(a)])
