"""好差评 from the return-visit SMS: a signed link per report (one resident), five levels.

The link carries the notices outbox's token (``notices.services.rating_token``: signed, salted,
timestamped, so it expires after LINK_DAYS and cannot be forged or pointed at another report) — one
scheme for the SMS that writes it and the page that reads it; it names no one and shows no personal
data. The outbox puts this link (``rating_url(report)``) in the return-visit SMS.

While the case awaits its return visit, the first rating IS the return visit: recorded through
``appeals.services.do_return_visit`` (method ``sms_link``: an AppealEvent, an audit entry, and 差评 —
不满意/非常不满意 — re-opens the case as a staff visit would). A rating arriving later is kept here
(counted=False), as the portal's letters' ratings are. One rating per report.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from minqing.appeals import services as appeals
from minqing.appeals import workflow as wf
from minqing.appeals.models import Appeal, Report
from minqing.audit.log import record
from minqing.cadres import ratings as cadre_ratings
from minqing.cadres.models import RatingSource
from minqing.lib.logfilter import scrub
from minqing.notices import services as notices

from . import throttle
from .models import Rating
from .services import COMMENT_MAX

LINK_DAYS = notices.RATING_DAYS
BAD_LINK = "评价链接无效或已过期，如需评价请拨打承办单位电话。"


# One token scheme for the link: the notices outbox's (it writes the SMS); the portal only reads it.
def make_token(report: Report | int) -> str:
    return notices.rating_token(report)


def rating_url(report: Report | int) -> str:
    """The path of the rating page for one report (the SMS adds the site's address in front)."""
    return notices.rating_link(report)


def report_of(token: str, *, now: dt.datetime | None = None) -> Report:
    pk = notices.report_of_token(token)
    report = Report.objects.select_related("appeal", "region").filter(pk=pk).first() if pk else None
    if report is None or report.appeal.deleted_at is not None:
        raise ValidationError(BAD_LINK)
    return report


@dataclass(frozen=True)
class RatePage:
    """What the page shows: the case's number, place and stage, never a name, phone or the text."""

    number: str
    place: str
    category: str
    closed: bool
    awaiting_visit: bool
    rating: str  # the label of the rating already given, or ""
    rated_at: dt.datetime | None
    cadre_unit: str = ""  # the unit of the cadre who handled it (群众评议 asks about them), "" when none


def page_of(report: Report) -> RatePage:
    appeal: Appeal = report.appeal
    given = Rating.objects.filter(report=report, deleted_at__isnull=True).first()
    labels = {s.value: label for s, label in wf.SATISFACTION_ZH.items()}
    served = cadre_ratings.served_by(appeal)
    unit = (appeal.unit.name if appeal.unit_id else "") if served else ""
    return RatePage(number=appeal.number, place=report.region.name, category=str(appeal.category or ""),
                    closed=appeal.closed_at is not None,
                    awaiting_visit=appeal.status == wf.Status.AWAITING_RETURN_VISIT.value,
                    rating=labels.get(given.satisfaction, "") if given else "", rated_at=given.at if given else None,
                    cadre_unit=unit or ("—" if served else ""))


def rate(token: str, *, satisfaction: str, comment: str = "", address_key: str, cadre_satisfaction: str = "",
         now: dt.datetime | None = None) -> Rating:
    """The resident's rating through the link, once per report (see the module's docstring), and
    optionally of the cadre who handled the case (群众评议, cadres.ratings), on the same five levels."""
    now = now or timezone.now()
    throttle.check("rate_addr", address_key, now=now)
    report = report_of(token)
    if satisfaction not in {s.value for s in wf.Satisfaction}:
        raise ValidationError({"satisfaction": "请选择非常满意、满意、基本满意、不满意或非常不满意"})
    if cadre_satisfaction and cadre_satisfaction not in {s.value for s in wf.Satisfaction}:
        raise ValidationError({"cadre_satisfaction": "请选择非常满意、满意、基本满意、不满意或非常不满意"})
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise ValidationError({"comment": f"评价意见不能超过{COMMENT_MAX}个字"})
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if Rating.objects.filter(report=locked).exists():
            raise ValidationError("您已经评价过了，感谢您的反馈。")
        appeal = Appeal.objects.get(pk=locked.appeal_id)
        counted = False
        if appeal.status == wf.Status.AWAITING_RETURN_VISIT.value:
            appeal = appeals.do_return_visit(appeal, actor=None, satisfaction=satisfaction, method="sms_link",
                                             note=scrub(comment), now=now)
            counted = True
        elif appeal.closed_at is None:
            raise ValidationError("办理完成后才能评价，届时会再发短信给您。")
        rating = Rating.objects.create(letter=None, report=locked, appeal=appeal, region_id=appeal.region_id,
                                       satisfaction=satisfaction, comment=scrub(comment), at=now, counted=counted)
        record("portal.rated_by_link", obj=appeal, actor=None, at=now,
               changes={"report": locked.pk, "satisfaction": satisfaction, "counted": counted})
        if cadre_satisfaction:
            cadre_ratings.rate_cadre(appeal, satisfaction=cadre_satisfaction, source=RatingSource.SMS_LINK,
                                     report=locked, now=now)
    return rating
