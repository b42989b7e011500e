"""工作简报: the monthly briefing of a region, written from live figures as a township office writes
it. Pure Python (no web code): ``compose(region_code, period, user=None)`` answers a ``Briefing``
(masthead, title, paragraphs, the table of figures behind them, typical cases); ``docx.write``
prints it.

One set of figures, computed once (``_appeal_figures`` from minqing.appeals.metrics, the other
parts' sections from the figures registry), and every sentence and every table row is rendered
from it; each paragraph keeps the figures it states (``Briefing.claims``) so a test can read the
numbers back out of the text. Each sentence names the cases it counts — 本期受理的 (received in the
period), 本期到期应办结的 (deadline in the period), 本期办结的 (closed in the period) — because
these are different cases and two sentences must never seem to count one thing twice.

Rules of the text: every number carries its unit (条, 户, 件, %); a sentence whose figure is absent
or zero is left out rather than printed as "0条"; the place names itself by its level (全县, 全镇,
全乡, 全村 …); an action (挂牌督办, 督促) is stated only when a recorded event says it was taken.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils import timezone

from minqing.appeals import metrics
from minqing.appeals import workflow as wf
from minqing.appeals.models import Appeal, AppealEvent, Triage
from minqing.dashboards.figures import level_word, part, pct
from minqing.lib import figures as registry
from minqing.lib import regioncode
from minqing.lib.periods import Period
from minqing.regions import jurisdiction
from minqing.regions.models import Region

from . import sections as sec
from .masthead import Masthead, masthead

TYPICAL_CASES = 3
GENERIC_CATEGORIES = ("其他", "其它", "综合", "未分类")  # counted, never named as an example
UNCLASSIFIED = "未分类"  # metrics' name for cases without a category: never printed as a class
CN_DIGITS = "〇一二三四五六七八九"
_PHONE = re.compile(r"1[3-9]\d{9}")
_ID = re.compile(r"\d{17}[\dXx]|\d{15}")
# Anonymised places of public data sets ("A7县", "K市", "B2区"): never in a printed case.
_PLACEHOLDER = re.compile(r"(?<![A-Za-z])[A-Z]\d{0,3}(?:省|市|县|区|镇|乡|村|街道|社区|小区)")
# The local units that handle any class of problem in their own place.
_LOCAL_UNIT_KINDS = ("township_office", "village_committee")


@dataclass
class Row:
    label: str
    value: str
    note: str = ""


@dataclass
class Case:
    title: str
    text: str


@dataclass
class Briefing:
    region_code: str
    region_name: str
    word: str  # 全县 / 全镇 / 全村
    period: Period
    title: str
    subtitle: str
    paragraphs: list[str]
    table: list[Row]
    cases: list[Case] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)
    masthead: Masthead | None = None
    # per paragraph: the figures it states, in the order it states them (name → value)
    claims: list[dict[str, Any]] = field(default_factory=list)

    def text(self) -> str:
        """The briefing as plain text (on screen, tests, the CLI without --out)."""
        lines = []
        if self.masthead:
            m = self.masthead
            lines += [m.series, m.issue, f"{m.issuer}　　　　{m.date_text}", "—" * 20]
        lines += [self.title, self.subtitle, ""]
        lines += [f"　　{p}" for p in self.paragraphs]
        if self.cases:
            lines += ["", "典型案例"]
            lines += [f"　　{c.title}{c.text}" for c in self.cases]
        lines += ["", "主要指标"]
        lines += [f"{r.label}：{r.value}{'（' + r.note + '）' if r.note else ''}" for r in self.table]
        if self.masthead:
            m = self.masthead
            lines += ["—" * 20, f"报：{m.report_to}", f"送：{m.copy_to}", f"发：{m.send_to}",
                      f"{m.issuer}　　　　{m.date_text}印发"]
        return "\n".join(lines)


def cn_number(n: int) -> str:
    """1 → 一, 12 → 十二, 5 → 五: for 第一季度 / 等五大类 style counts below 100."""
    if n < 10:
        return CN_DIGITS[n]
    if n < 20:
        return "十" + (CN_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return CN_DIGITS[n // 10] + "十" + (CN_DIGITS[n % 10] if n % 10 else "")
    return str(n)


def _scrub(text: str) -> str:
    """Typical cases are printed: no phone or ID number even if someone typed one into a title."""
    return _ID.sub("（略）", _PHONE.sub("（略）", text or "")).strip()


def _as_of(period: Period, today: dt.date) -> str:
    if period.end >= today:
        return "截至目前"
    return f"截至{period.end.month}月{period.end.day}日"


def _on_spot_done(code: str, period: Period, user: Any) -> int:
    """立行立改 cases of the period already closed solved (metrics.received counts them all)."""
    return metrics.on_spot_done(code, period.start, period.end, user=user)


def _belongs(a: Appeal) -> bool:
    """A case fit to be cited: classified, no anonymised place name, and handled on the spot, by
    the place's own office or by the department whose work its class is."""
    if not a.category_id or a.category.name in GENERIC_CATEGORIES:
        return False
    if _PLACEHOLDER.search(a.title or "") or _PLACEHOLDER.search((a.text or "")[:400]):
        return False
    if a.triage == Triage.ON_SPOT or not a.unit_id:  # no unit recorded: no unit to contradict the class
        return True
    if a.unit.kind in _LOCAL_UNIT_KINDS:
        return True
    wanted = a.category.default_unit_function or (a.category.parent.default_unit_function
                                                  if a.category.parent_id else "")
    return bool(wanted) and a.unit.function == wanted


def _typical_cases(code: str, period: Period, user: Any, names: dict[str, str]) -> list[Case]:
    """A few cases solved in the period, the ones a leader would cite: supervised or escalated
    first, then assigned with measures, each a case whose class and unit belong together, at most
    one per class. Title, place, unit and outcome only — no personal data."""
    low, high = metrics.bounds(period.start, period.end)
    qs = jurisdiction.visible(user, Appeal) if user is not None else Appeal.objects.filter(deleted_at__isnull=True)
    qs = (qs.filter(jurisdiction.region_q([code]), group=wf.Group.SOLVED.value, closed_at__gte=low,
                    closed_at__lt=high, category__isnull=False)
          .exclude(kind=wf.Kind.MISCONDUCT.value).exclude(sensitivity__in=("misconduct", "family"))
          .annotate(supervised=Exists(AppealEvent.objects.filter(appeal=OuterRef("pk"), action="supervise")))
          .select_related("category", "category__parent", "unit", "region"))
    fit = [a for a in qs.order_by("-closed_at")[:300] if _belongs(a)]
    ranked = sorted(fit, key=lambda a: (not a.supervised, a.max_level == wf.Level.VILLAGE.value,
                                        a.triage != Triage.ASSIGN, -a.closed_at.timestamp()))
    picked: list[Appeal] = []
    for a in ranked:  # one case per class: typical of the period, not three of one kind
        if all(p.category_id != a.category_id for p in picked):
            picked.append(a)
        if len(picked) == TYPICAL_CASES:
            break
    tz = timezone.get_default_timezone()
    out = []
    for a in picked:
        place = names.get(a.region_id) or a.region.name
        title = _scrub(a.title).rstrip("。")
        closed = a.closed_at.astimezone(tz)
        supervised = "，领导挂牌督办" if a.supervised else ""  # a recorded 挂牌督办 event, never assumed
        if a.triage == Triage.ON_SPOT:
            how = "干部入户时现场解决"
        elif a.unit_id:
            how = f"由{a.unit.name}限期办理{supervised}"
        else:
            how = f"经限期办理{supervised}"
        if a.max_level == wf.Level.COUNTY.value:
            how = "经逐级研判报送县级，" + how
        elif a.max_level == wf.Level.TOWNSHIP.value:
            how = "经提交乡镇研判，" + how
        satisfied = {wf.Satisfaction.VERY_SATISFIED.value: "，群众表示非常满意",
                     wf.Satisfaction.SATISFIED.value: "，群众表示满意",
                     wf.Satisfaction.BASICALLY_SATISFIED.value: "，群众表示基本满意"}.get(a.satisfaction, "")
        out.append(Case(title=f"{place}：{title}（{a.category.name}）。",
                        text=f"{how}，于{closed.month}月{closed.day}日办结{satisfied}。"))
    return out


def _place_names(region: Region, codes: list[str]) -> dict[str, str]:
    """Village → "甲镇甲村" style names below the briefing's region, for the cases."""
    wanted = set(codes)
    for c in codes:
        p = regioncode.parent_code(c)
        if p and regioncode.contains(region.code, p) and p != region.code:
            wanted.add(p)
    names = dict(Region.objects.filter(code__in=sorted(wanted)).values_list("code", "name"))
    out = {}
    for c in codes:
        p = regioncode.parent_code(c)
        prefix = names.get(p, "") if p and p != region.code and regioncode.contains(region.code, p) else ""
        out[c] = prefix + names.get(c, "") if c != region.code else region.name
    return out


def _appeal_figures(code: str, period: Period, user: Any) -> dict[str, Any]:
    """The appeals' figures of the briefing, computed once: every sentence and row reads these."""
    s = metrics.county_summary(code, period.start, period.end, user=user)
    named = {k: v for k, v in s.by_category.items() if k != UNCLASSIFIED and v}
    b, f = s.backlog, s.funnel
    c = s.satisfaction_counts
    return {
        "summary": s,
        "received": s.received, "classified": sum(named.values()), "unclassified": s.by_category.get(UNCLASSIFIED, 0),
        "categories": len(named), "by_category": named,
        "top": [n for n in named if n not in GENERIC_CATEGORIES][:3],
        "on_spot": s.on_spot, "on_spot_done": _on_spot_done(code, period, user) if s.on_spot else 0,
        "assigned": s.assigned, "assigned_done": s.assigned_done, "assigned_open": s.assigned - s.assigned_done,
        "due": s.closure.denominator, "due_closed": int(s.closure.numerator), "closure_pct": s.closure.percent,
        "due_on_time": int(s.on_time.numerator), "on_time_pct": s.on_time.percent,
        "closed": s.resolution.denominator, "solved": int(s.resolution.numerator),
        "resolution_pct": s.resolution.percent, "explained": s.explained,
        "responded": int(s.response.numerator), "response_pct": s.response.percent,
        "backlog": b.at_end, "backlog_year_before": b.year_before,
        "backlog_change_pct": pct(abs(b.change_rate)) if b.change_rate is not None else None,
        "visits": s.satisfaction.denominator, "visits_satisfied": c["satisfied"], "visits_basic": c["basic"],
        "visits_unsatisfied": c["unsatisfied"], "satisfaction_pct": s.satisfaction.percent,
        "found": f.found, "found_households": f.found_households, "to_township": f.to_township,
        "to_county": f.to_county,
    }


class _Text:
    """Paragraphs and the figures each states, in order (Briefing.claims)."""

    def __init__(self) -> None:
        self.paragraphs: list[str] = []
        self.claims: list[dict[str, Any]] = []

    def add(self, text: str, **stated: Any) -> None:
        self.paragraphs.append(text)
        self.claims.append(stated)


def _appeal_paragraphs(out: _Text, F: dict[str, Any], word: str, sw: str, as_of: str) -> None:
    # 1. 收集意见建议 N 条，已归类的涉及…等 K 大类
    if F["received"]:
        text, stated = f"{as_of}，{word}{sw}收集意见建议{F['received']}条", {"received": F["received"]}
        if F["categories"] and F["top"]:
            k, top = F["categories"], F["top"]
            listed = "、".join(top) + ("等" if k > len(top) else "")
            classes = "两" if k == 2 else cn_number(k)  # 两大类, not 二大类
            text += f"，涉及{listed}{classes}大类问题"
            if F["unclassified"]:
                text += f"{F['classified']}条，另有{F['unclassified']}条尚待归类"
                stated |= {"classified": F["classified"], "unclassified": F["unclassified"]}
        out.add(text + "。", **stated)

    # 2. 本期受理的: 立行立改 / 限期整改
    parts, stated = [], {}
    if F["on_spot"]:
        if F["on_spot_done"] >= F["on_spot"]:
            parts.append(f"立行立改事项{F['on_spot']}条，已全部整改到位")
            stated |= {"on_spot": F["on_spot"]}
        else:
            parts.append(f"立行立改事项{F['on_spot']}条，已整改到位{F['on_spot_done']}条")
            stated |= {"on_spot": F["on_spot"], "on_spot_done": F["on_spot_done"]}
    if F["assigned"]:
        if not F["assigned_open"]:
            parts.append(f"限期整改事项{F['assigned']}条，已全部办结")
            stated |= {"assigned": F["assigned"]}
        elif F["assigned_done"]:
            parts.append(f"限期整改事项{F['assigned']}条，已办结{F['assigned_done']}条，"
                         f"其余{F['assigned_open']}条正在一线全力推进中")
            stated |= {"assigned": F["assigned"], "assigned_done": F["assigned_done"],
                       "assigned_open": F["assigned_open"]}
        else:
            parts.append(f"限期整改事项{F['assigned']}条正在一线全力推进中")
            stated |= {"assigned": F["assigned"]}
    if parts:
        out.add(f"{word}建立查摆问题整改台账，{sw}受理的诉求中，" + "；".join(parts) + "。", **stated)

    # 3. 本期到期应办结的 (办结率, 按期办结率) and 本期办结的 (解决率); 响应率 on those received
    rates, stated = [], {}
    if F["due"]:
        rates.append(f"办理期限在{sw}届满（含提前办结）的事项{F['due']}件，已办结{F['due_closed']}件，"
                     f"办结率{F['closure_pct']}")
        stated |= {"due": F["due"], "due_closed": F["due_closed"], "closure_pct": F["closure_pct"]}
        if F["due_on_time"]:
            rates.append(f"其中按期办结{F['due_on_time']}件，按期办结率{F['on_time_pct']}")
            stated |= {"due_on_time": F["due_on_time"], "on_time_pct": F["on_time_pct"]}
    if F["closed"]:
        rates.append(f"{sw}办结诉求{F['closed']}件（含往期受理），其中实际解决{F['solved']}件，"
                     f"问题解决率{F['resolution_pct']}")
        stated |= {"closed": F["closed"], "solved": F["solved"], "resolution_pct": F["resolution_pct"]}
        if F["explained"]:
            rates.append(f"另对{F['explained']}件不符合政策的诉求做好政策解答和思想疏导")
            stated |= {"explained": F["explained"]}
    if F["responded"]:
        rates.append(f"{sw}受理诉求按时响应率{F['response_pct']}")
        stated |= {"response_pct": F["response_pct"]}
    if rates:
        out.add(f"{word}" + "；".join(rates) + "。", **stated)

    # 4. 积案存量同比
    now, before = F["backlog"], F["backlog_year_before"]
    if before and not now:
        out.add(f"目前，{word}信访积案已全部化解清零，去年同期为{before}件。", backlog_year_before=before)
    elif before and now != before:
        direction = "下降" if now < before else "上升"
        out.add(f"目前，{word}信访积案存量{now}件，同比{direction}{F['backlog_change_pct']}。",
                backlog=now, backlog_change_pct=F["backlog_change_pct"])
    elif before:
        out.add(f"目前，{word}信访积案存量{now}件，与去年同期持平。", backlog=now)
    elif now:
        out.add(f"目前，{word}信访积案存量{now}件。", backlog=now)

    # 5. 满意度
    if F["visits"]:
        said, stated = [], {"visits": F["visits"]}
        for key, label in (("visits_satisfied", "满意"), ("visits_basic", "基本满意"),
                           ("visits_unsatisfied", "不满意")):
            if F[key]:
                said.append(f"{label}{F[key]}人次")
                stated[key] = F[key]
        out.add(f"{sw}回访群众{F['visits']}人次，其中{'、'.join(said)}，群众满意度{F['satisfaction_pct']}。",
                **stated, satisfaction_pct=F["satisfaction_pct"])

    # 6. 逐级研判: found → township → county (the cases received in the period)
    if F["found"]:
        text, stated = f"{sw}摸排问题{F['found']}条", {"found": F["found"]}
        if F["found_households"]:
            text += f"（涉及{F['found_households']}户）"
            stated["found_households"] = F["found_households"]
        if F["to_township"]:
            text += f"，提交乡镇研判{F['to_township']}条"
            stated["to_township"] = F["to_township"]
            if F["to_county"]:
                text += f"，报送县级{F['to_county']}条"
                stated["to_county"] = F["to_county"]
            text += "，其余由村级研判处理"
        else:
            text += "，均在村级就地研判处理"
        out.add(text + "。", **stated)


def _numbers(sentences: list[str]) -> list[str]:
    """The figures a sentence states, dates left out (used for the parts' claims)."""
    text = re.sub(r"\d+年|\d+月\d+日|\d+月|第\d+期", "", "".join(sentences))
    return re.findall(r"\d+(?:\.\d+)?%?", text)


def compose(region_code: str, period: Period, *, user: Any = None, today: dt.date | None = None) -> Briefing:
    """The briefing of one region subtree and period; ``user`` limits it to their figures."""
    code = regioncode.normalize(region_code)
    region = Region.objects.get(code=code)
    today = today or timezone.localdate()
    word = level_word(region)
    sw = period.scope_word
    F = _appeal_figures(code, period, user)
    out = _Text()
    _appeal_paragraphs(out, F, word, sw, _as_of(period, today))
    repeat = part("repeats", code, period, user)  # 重复诉求率 (appeals/repeats.py), with its numerator
    if isinstance(repeat, dict) and repeat.get("repeats"):  # said only when there are some (dashboard: always)
        rate = f"{repeat['repeat_rate'] * 100:.2f}%"  # as the briefing prints its other rates
        out.add(f"{sw}{word}收到诉求{repeat['appeals']}件中重复诉求{repeat['repeats']}件，重复诉求率{rate}。",
                repeat_base=repeat["appeals"], repeats=repeat["repeats"], repeat_rate=rate)

    # 7. 走访、两不愁三保障、联系企业与矛盾纠纷: the sections the other parts register
    parts = {name: part(name, code, period, user) for name in ("fieldwork", "people", "checklists", "liaison",
                                                                 "disputes", "dispatch")}
    unavailable = [v for v in parts.values() if isinstance(v, registry.Unavailable)]
    parts = {k: None if isinstance(v, registry.Unavailable) else v for k, v in parts.items()}
    field_data = parts["fieldwork"] or {}
    checklists = parts["checklists"] or {}
    cl_totals, cl_items = checklists.get("households"), checklists.get("items")
    cl_year = sec.checklist_year(code, period, user, cl_totals)
    liaison = sec.liaison(parts["liaison"])
    disputes: Any = parts["disputes"]
    said = {"fieldwork": sec.fieldwork_sentences(word, sw, field_data),
            "checklists": sec.checklist_sentences(word, sw, cl_totals, cl_items),
            "checklists_year": sec.checklist_year_sentences(word, cl_year),
            "liaison": sec.liaison_sentences(word, sw, liaison), "disputes": sec.dispute_sentences(word, sw, disputes)}
    for name, sentences in said.items():
        for j, text in enumerate(sentences):  # the parts' figures as their sections word them
            out.add(text, **{f"{name}{j}.{i}": n for i, n in enumerate(_numbers([text]))})
        if name == "fieldwork":  # then 人次、场次、慰问、集访、带案下访、实事, each figure named
            for text, stated in sec.people_sentences(word, sw, parts["people"]):
                out.add(text, **stated)
    for u in unavailable:  # a part that failed is named, never silently left out
        out.add(f"{u.label}：{u.message}。")

    s = F["summary"]
    table = [
        Row("收集意见建议", f"{F['received']}条", f"其中尚待归类{F['unclassified']}条" if F["unclassified"] else ""),
        Row("立行立改", f"{F['on_spot']}条", f"已整改到位{F['on_spot_done']}条" if F["on_spot"] else ""),
        Row("限期整改", f"{F['assigned']}条", f"已办结{F['assigned_done']}条" if F["assigned"] else ""),
        Row("政策解答", f"{F['explained']}件"),
        Row("响应率", F["response_pct"] or "—", _rate_note(s.response)),
        Row("办结率", F["closure_pct"] or "—", _rate_note(s.closure)),
        Row("按期办结率", F["on_time_pct"] or "—", _rate_note(s.on_time)),
        Row("解决率", F["resolution_pct"] or "—", _rate_note(s.resolution)),
        Row("满意率", F["satisfaction_pct"] or "—", _rate_note(s.satisfaction)),
        Row("信访积案存量", f"{F['backlog']}件", f"去年同期{F['backlog_year_before']}件" + _change_note(s.backlog)),
        Row("摸排发现问题", f"{F['found']}条", _households(F["found_households"])),
        Row("提交乡镇研判", f"{F['to_township']}条", _households(s.funnel.to_township_households)),
        Row("报送县级", f"{F['to_county']}条", _households(s.funnel.to_county_households)),
    ]
    table += sec.table_rows(field_data, cl_totals, cl_items, cl_year, liaison, disputes)
    table += sec.people_rows(parts["people"])
    returns = (parts["dispatch"] or {}).get("return_rate")  # 退单率 (appeals/dispatch_metrics.py)
    if isinstance(returns, dict) and returns.get("denominator"):
        table.append(Row("退单率", returns.get("percent") or "—",
                         f"退单{returns['numerator']}件/收到交办（含协办）{returns['denominator']}件"))
    for name, n in F["by_category"].items():
        table.append(Row(f"问题分类：{name}", f"{n}条"))
    table += [Row(str(u.label), u.message) for u in unavailable]

    cases = []
    if F["solved"]:
        low, high = metrics.bounds(period.start, period.end)
        codes = list(metrics.appeals(code, user=user).filter(group=wf.Group.SOLVED.value, closed_at__gte=low,
                                                             closed_at__lt=high)
                     .values_list("region_id", flat=True).distinct()[:500])
        cases = _typical_cases(code, period, user, _place_names(region, codes))

    title = f"{region.name}{period.label}民情工作简报"
    subtitle = f"（统计期间：{period.start.year}年{period.start.month}月{period.start.day}日至" \
               f"{period.end.year}年{period.end.month}月{period.end.day}日）"
    if not out.paragraphs:
        out.add(f"{sw}{word}未收集到群众诉求。")
    figures = {k: v for k, v in F.items() if k != "summary"} | {"metrics": s.as_dict()}
    if isinstance(repeat, dict) and repeat.get("repeats"):
        figures |= {"repeats": repeat["repeats"], "repeat_rate": f"{repeat['repeat_rate'] * 100:.2f}%"}
    return Briefing(region_code=code, region_name=region.name, word=word, period=period, title=title,
                    subtitle=subtitle, paragraphs=out.paragraphs, table=table, cases=cases, figures=figures,
                    masthead=masthead(region, period, today), claims=out.claims)


def _households(n: int) -> str:
    return f"涉及{n}户" if n else ""


def _change_note(b: metrics.Backlog) -> str:
    if b.change_rate is None:
        return ""
    if not b.change:
        return "，同比持平"
    return f"，同比{'下降' if b.change < 0 else '上升'}{pct(abs(b.change_rate))}"


def _rate_note(rate: metrics.Rate) -> str:
    n = int(rate.numerator) if float(rate.numerator).is_integer() else round(rate.numerator, 2)
    return f"{n}/{rate.denominator}" if rate.denominator else "本期无统计对象"
