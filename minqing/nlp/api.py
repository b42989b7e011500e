"""JSON API of this part: /api/v1/nlp (suggest, feedback, duplicates, hot spots, reply score) and
/api/v1/search. Thin: parse → one domain function → answer."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from ninja import Field, Query, Router, Schema, Status

from minqing.api.schemas import window
from minqing.lib import regioncode
from minqing.regions import jurisdiction

from . import classify, duplicates, jobs, replies, reports, search

router = Router(tags=["nlp"])
search_router = Router(tags=["nlp"])


# --- search ----------------------------------------------------------------------------------


class HitOut(Schema):
    object_type: str
    object_id: int
    title: str
    snippet: str = Field(description="HTML：已转义，匹配词用 <mark> 标出")
    score: float
    region_code: str
    appeal_id: int | None
    url: str
    place: str = Field("", description="乡镇、村的名称")


class SearchIn(Schema):
    q: str
    kinds: list[str] | None = None
    limit: int = 20
    offset: int = 0


def _hits(user, q: str, kinds, limit: int, offset: int) -> dict[str, Any]:
    limit, offset = window(limit, offset, most=100)
    found = search.find(user, q, kinds=kinds, limit=limit, offset=offset)
    items = [{**h.__dict__, "url": search.url_for(h)} for h in found.hits]
    return {"items": items, "count": len(items), "more": offset + len(items) < found.total, "total": found.total,
            "total_estimated": found.estimated, "indexing": jobs.index_building()}


class SearchOut(Schema):
    items: list[HitOut]
    count: int
    more: bool
    total: int = Field(0, description="找到的件数（每件诉求一条）")
    total_estimated: bool = Field(False, description="件数过多时为索引中的估计数")
    indexing: bool = Field(False, description="检索索引正在后台建立，结果可能不全")


@search_router.get("", response=SearchOut, url_name="nlp_search")
def nlp_search(request, q: str, kinds: str = "", limit: int = 20, offset: int = 0):
    """全文检索（诉求、进展、走访日记）。完整的电话或身份证号不要放在 URL 里：请用 POST。"""
    if search.is_whole_number(q):
        raise ValidationError("完整的电话或身份证号请用 POST 提交，不要放在网址里")
    return _hits(request.auth, q, [k for k in kinds.split(",") if k] or None, limit, offset)


@search_router.post("", response=SearchOut, url_name="nlp_search_post")
def nlp_search_post(request, body: SearchIn):
    """同上；号码检索（按密钥哈希精确匹配）用这个入口。"""
    return _hits(request.auth, body.q, body.kinds, body.limit, body.offset)


# --- categories ------------------------------------------------------------------------------


class SuggestIn(Schema):
    text: str
    title: str = ""
    region: str | None = None
    top: int = 3


class SuggestionOut(Schema):
    code: str
    name: str
    confidence: float
    category_id: int | None
    unit_id: int | None
    unit_name: str


class SuggestOut(Schema):
    suggestions: list[SuggestionOut]
    model: dict[str, Any] | None


@router.post("/suggest", response=SuggestOut, url_name="nlp_suggest")
def nlp_suggest(request, body: SuggestIn):
    """智能分拨：建议一级分类和责任单位（含置信度）。尚未训练模型时 suggestions 为空。"""
    region = regioncode.normalize(body.region) if body.region else None
    found = classify.suggest(body.text, title=body.title, region_code=region, top=max(1, min(body.top, 10)))
    model = classify.current_model()
    info = {"trained_at": model.meta.get("trained_at"), "classes": model.classes} if model else None
    return {"suggestions": [s.__dict__ for s in found], "model": info}


class FeedbackIn(Schema):
    text: str
    title: str = ""
    region: str
    chosen: str = Field(description="选定分类的 id 或编码")
    suggested: str | None = None
    confidence: float | None = None
    appeal: int | None = None


class FeedbackOut(Schema):
    id: int
    accepted: bool
    chosen: str


@router.post("/feedback", response={201: FeedbackOut}, url_name="nlp_feedback")
def nlp_feedback(request, body: FeedbackIn):
    """采纳或纠正分类建议：记为训练数据（下次 minqing model train 时使用）。"""
    fb = classify.record_feedback(request.auth, region_code=regioncode.normalize(body.region), text=body.text,
                                  title=body.title, chosen=body.chosen, suggested=body.suggested,
                                  confidence=body.confidence, appeal=body.appeal)
    return Status(201, {"id": fb.pk, "accepted": fb.accepted, "chosen": fb.chosen.code})


# --- duplicates ------------------------------------------------------------------------------


class MatchOut(Schema):
    appeal_id: int
    number: str
    title: str
    region_code: str
    status: str
    score: float
    similarity: float
    kind: str = Field(description="exact 文字相同 | near 文字几乎相同 | paraphrase 措辞相近 | "
                                  "meaning 意思相近（同一村/社区）")
    closed: bool = Field(False, description="近期已办结（在重复件期限内）：可参考，不能合并")
    merge_url: str = Field(description="合并本诉求到该诉求：POST 此地址，正文 {\"target\": appeal_id}")


def _matches(found: list[duplicates.Match], source_id: int | None = None) -> list[dict[str, Any]]:
    merge = f"/api/v1/appeals/{source_id}/actions/merge_into" if source_id else ""
    return [{"appeal_id": m.appeal.pk, "number": m.appeal.number, "title": m.appeal.title,
             "region_code": m.appeal.region_id, "status": m.appeal.status, "score": m.score,
             "similarity": m.similarity, "kind": m.kind, "closed": m.closed,
             "merge_url": "" if m.closed else merge} for m in found]


@router.get("/duplicates", response=list[MatchOut], url_name="nlp_duplicates")
def nlp_duplicates(request, text: str, region: str | None = None, title: str = "", limit: int = 5):
    """登记时查重：辖区内说同一件事的未办结或近期办结的诉求（exact / near / paraphrase / meaning），同一地点优先。"""
    code = regioncode.normalize(region) if region else None
    return _matches(duplicates.similar_open(request.auth, text, title=title, region_code=code,
                                            limit=max(1, min(limit, 20))))


@router.get("/appeals/{appeal_id}/duplicates", response=list[MatchOut], url_name="nlp_appeal_duplicates")
def nlp_appeal_duplicates(request, appeal_id: int, limit: int = 5):
    """一件诉求的疑似重复（合并用 POST /api/v1/appeals/{id}/actions/merge_into）。"""
    from minqing.appeals.models import Appeal

    a = jurisdiction.get_visible_or_404(request.auth, Appeal, pk=appeal_id)
    found = duplicates.similar_open(request.auth, a.text, title=a.title, region_code=a.region_id, exclude_id=a.pk,
                                    limit=max(1, min(limit, 20)), around=a.received_at)
    return _matches(found, a.pk)


# --- hot spots -------------------------------------------------------------------------------


class HotspotOut(Schema):
    title: str
    place: str
    people: str
    start: str
    end: str
    heat: float
    count: int
    residents: int
    households: int
    likes: int
    peak_7d: int
    description: str
    message_ids: list[str]


class HotspotsOut(Schema):
    region: str
    start: dt.date
    end: dt.date
    hotspots: list[HotspotOut]


class HotspotFilter(Schema):
    region: str
    start: dt.date | None = Field(None, alias="from")
    end: dt.date | None = Field(None, alias="to")
    top: int = 10


@router.get("/hotspots", response=HotspotsOut, url_name="nlp_hotspots")
def nlp_hotspots(request, filters: Query[HotspotFilter]):
    """区域热点：一段时间内群众反映集中的问题，按热度排序（message_ids 为诉求 id）。"""
    code, start, end = reports.period(filters.region, filters.start, filters.end)
    spots = reports.region_hotspots(request.auth, code, start, end, top=max(1, min(filters.top, 50)))
    return {"region": code, "start": start, "end": end, "hotspots": [h.as_dict() for h in spots]}


class PersistentOut(HotspotOut):
    months: int
    span_days: int
    idle_days: int
    score: float


class PersistentListOut(Schema):
    region: str
    start: dt.date
    end: dt.date
    persistent: list[PersistentOut]


@router.get("/hotspots/persistent", response=PersistentListOut, url_name="nlp_hotspots_persistent")
def nlp_hotspots_persistent(request, filters: Query[HotspotFilter]):
    """长期反复反映的问题：同一地点或同一诉求跨月份反复出现（默认近两年），按人数、月份数、时长和近况排序。"""
    code, start, end = reports.period(filters.region, filters.start, filters.end, reports.PERSISTENT_DAYS)
    found = reports.region_persistent(request.auth, code, start, end, top=max(1, min(filters.top, 50)))
    return {"region": code, "start": start, "end": end, "persistent": [p.as_dict() for p in found]}


class HotspotActionIn(Schema):
    region: str
    kind: str = Field("courtyard", description="courtyard（院坝会）或 research（调研课题）")
    title: str
    description: str = ""
    appeal_ids: list[int] = []


class HotspotActionOut(Schema):
    object_type: str
    object_id: int
    title: str


@router.post("/hotspots/actions", response={201: HotspotActionOut}, url_name="nlp_hotspot_action")
def nlp_hotspot_action(request, body: HotspotActionIn):
    """把一个热点一键转为院坝会（courtyard）或调研课题（research）。"""
    obj_type, obj = reports.turn_into(request.auth, region_code=regioncode.normalize(body.region), kind=body.kind,
                                      title=body.title, description=body.description, appeal_ids=body.appeal_ids)
    return Status(201, {"object_type": obj_type, "object_id": obj.pk, "title": body.title})


# --- replies ---------------------------------------------------------------------------------


class ReplyIn(Schema):
    message: str
    reply: str
    title: str = ""
    asked_at: dt.datetime | None = None
    replied_at: dt.datetime | None = None


class ReplyOut(Schema):
    timeliness: float | None
    relevance: float
    completeness: float
    overall: float
    days: float | None
    present: list[str]
    missing: list[str]


@router.post("/reply-score", response=ReplyOut, url_name="nlp_reply_score")
def nlp_reply_score(request, body: ReplyIn):
    """答复质量：及时性、相关性、完整性（0..1），missing 列出缺少的要素。"""
    if not body.reply.strip():
        raise ValidationError("请填写答复内容")
    return replies.score_reply(body.message, body.reply, title=body.title, asked_at=body.asked_at,
                               replied_at=body.replied_at).__dict__
