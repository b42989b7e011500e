"""工作简报: the monthly briefing of a region, written from live figures as a township office writes
it. Pure Python (no web code): ``compose(region_code, period, user=None)`` answers a ``Briefing``
(title, paragraphs, the table of figures behind them, typical cases); ``docx.write`` prints it.

Rules of the text: every number carries its unit (条, 户, 件, %); a sentence whose figure is absent
or zero is left out rather than printed as "0条"; the place names itself by its level (全县, 全镇,
全乡, 全村 …). Figures come from minqing.appeals.metrics (and, when present, field work, household
checklists, enterprise liaison and disputes), so the briefing says what the dashboard shows.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from minqing.appeals import metrics
from minqing.appeals import workflow as wf
from minqing.appeals.models import Appeal, Triage
from minqing.dashboards.figures import level_word, part, pct
from minqing.lib import figures as registry
from minqing.lib import regioncode
from minqing.lib.periods import Period
from minqing.regions import jurisdiction
from minqing.regions.models import Region

TYPICAL_CASES = 3
CHECKLIST_ITEMS = 3  # the failing items a checklist sentence names
GENERIC_CATEGORIES = ("其他", "其它", "综合")  # counted among the classes, never named as an example
CN_DIGITS = "〇一二三四五六七八九"
_PHONE = re.compile(r"1[3-9]\d{9}")
_ID = re.compile(r"\d{17}[\dXx]|\d{15}")


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

    def text(self) -> str:
        """The briefing as plain text (on screen, tests, the CLI without --out)."""
        lines = [self.title, self.subtitle, ""]
        lines += [f"　　{p}" for p in self.paragraphs]
        if self.cases:
            lines += ["", "典型案例"]
            lines += [f"　　{c.title}{c.text}" for c in self.cases]
        lines += ["", "主要指标"]
        lines += [f"{r.label}：{r.value}{'（' + r.note + '）' if r.note else ''}" for r in self.table]
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
    low, high = metrics.bounds(period.start, period.end)
    return (metrics.appeals(code, user=user)
            .filter(received_at__gte=low, received_at__lt=high, triage=Triage.ON_SPOT,
                    group=wf.Group.SOLVED.value, closed_at__lt=high).count())


def _typical_cases(code: str, period: Period, user: Any, names: dict[str, str]) -> list[Case]:
    """A few cases solved in the period, the ones a leader would cite: supervised or escalated
    first, then assigned with measures. Title, place, unit and outcome only — no personal data."""
    low, high = metrics.bounds(period.start, period.end)
    qs = jurisdiction.visible(user, Appeal) if user is not None else Appeal.objects.filter(deleted_at__isnull=True)
    qs = (qs.filter(jurisdiction.region_q([code]), group=wf.Group.SOLVED.value, closed_at__gte=low,
                    closed_at__lt=high)
          .exclude(kind=wf.Kind.MISCONDUCT.value).exclude(sensitivity__in=("misconduct", "family"))
          .select_related("category", "unit", "region"))
    picked = sorted(qs[:200], key=lambda a: (a.supervised_by_id is None, a.max_level == wf.Level.VILLAGE.value,
                                              a.triage != Triage.ASSIGN, -a.closed_at.timestamp()))[:TYPICAL_CASES]
    tz = timezone.get_default_timezone()
    out = []
    for a in picked:
        place = names.get(a.region_id) or a.region.name
        category = f"（{a.category.name}）" if a.category_id else ""
        title = _scrub(a.title).rstrip("。")
        closed = a.closed_at.astimezone(tz)
        if a.triage == Triage.ON_SPOT:
            how = "干部入户时现场解决"
        elif a.unit_id:
            how = f"由{a.unit.name}限期办理" + ("，领导挂牌督办" if a.supervised_by_id else "")
        else:
            how = "经限期办理" + ("，领导挂牌督办" if a.supervised_by_id else "")
        if a.max_level == wf.Level.COUNTY.value:
            how = "经逐级研判报送县级，" + how.removeprefix("经")
        elif a.max_level == wf.Level.TOWNSHIP.value:
            how = "经提交乡镇研判，" + how.removeprefix("经")
        satisfied = {wf.Satisfaction.VERY_SATISFIED.value: "，群众表示非常满意",
                     wf.Satisfaction.SATISFIED.value: "，群众表示满意",
                     wf.Satisfaction.BASICALLY_SATISFIED.value: "，群众表示基本满意"}.get(a.satisfaction, "")
        out.append(Case(title=f"{place}：{title}{category}。",
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


def _fieldwork_sentences(word: str, scope_word: str, data: dict[str, Any]) -> list[str]:
    """Visits, visit rounds and quotas from minqing.fieldwork.metrics (omitted when absent or zero)."""
    parts = []
    cov = data.get("coverage")
    if isinstance(cov, dict) and isinstance(cov.get("visited"), int) and cov["visited"]:
        text = f"干部入户走访{cov['visited']}户"
        if isinstance(cov.get("households"), int) and cov["households"] and cov.get("rate") is not None:
            text += f"，走访覆盖率{pct(float(cov['rate']))}"
        parts.append(text)
    rounds = data.get("funnel")
    if isinstance(rounds, dict) and rounds.get("found"):
        text = f"通过“五人大走访”摸排问题共{rounds['found']}户"
        if rounds.get("township"):
            text += f"，提交乡镇研判{rounds['township']}户"
        if rounds.get("county"):
            text += f"，报送县级{rounds['county']}户"
        parts.append(text)
    rows = data.get("quota_report")
    if isinstance(rows, list) and rows and all(isinstance(r, dict) and "status" in r for r in rows):
        people = {r.get("user_id") for r in rows}
        short = {r.get("user_id") for r in rows if r["status"] == "red"}
        text = f"纳入走访任务考核的干部{len(people)}人"
        text += f"，其中{len(short)}人未达标，已督促整改" if short else "，均按要求完成任务"
        parts.append(text)
    if not parts:
        return []
    return [f"{scope_word}，{word}" + "；".join(parts) + "。"]


def _dispute_sentences(word: str, scope_word: str, data: Any) -> list[str]:
    """矛盾纠纷 from minqing.disputes.metrics.summary, in the seeds' words."""
    if not isinstance(data, dict) or not data.get("found"):
        return []
    text = data.get("sentence")
    if not data.get("solved") or not isinstance(text, str) or not text:
        text = _dispute_text(data)
    return [f"{scope_word}，{word}{text}。"]


def _checklist_sentences(word: str, scope_word: str, totals: Any, items: Any) -> list[str]:
    """两不愁三保障 from minqing.checklists.metrics (household_totals, item_counts), in households."""
    if not isinstance(totals, dict) or not totals.get("checked") or not isinstance(items, list):
        return []
    names = list(dict.fromkeys(r.get("checklist_name") or r.get("checklist") for r in items)) or ["清单"]
    text = f"{scope_word}，{word}共对{totals['checked']}户开展{'、'.join(names)}排查"
    found, cleared, still = totals.get("failing", 0), totals.get("cleared", 0), totals.get("open", 0)
    if not found:
        return [text + "，均未发现问题。"]
    text += f"，发现问题{found}户"
    worst = sorted((r for r in items if r.get("failing")), key=lambda r: -r["failing"])[:CHECKLIST_ITEMS]
    if worst:
        text += "（涉及" + "、".join(f"{r['label']}{r['failing']}户" for r in worst) + \
            ("等" if sum(1 for r in items if r.get("failing")) > len(worst) else "") + "）"
    if not still:
        text += "，已全部清零"
    elif cleared:
        text += f"，已清零{cleared}户，其余{still}户正在整改"
    else:
        text += "，正在逐户整改"
    return [text + "。"]


def _checklist_year(code: str, period: Period, user: Any, totals: Any) -> dict[str, Any] | None:
    """The year so far (household_totals from 1 January to the period's end: found, and cleared since),
    said when the period starts after 1 January and the year reads differently from the period."""
    if period.start == dt.date(period.start.year, 1, 1) or not isinstance(totals, dict):
        return None
    first = dt.date(period.end.year, 1, 1)
    data = registry.compute("checklists", code, first, period.end, user=user)
    if not isinstance(data, dict):
        return None
    year, items = data["households"], data["items"]
    if not year.get("failing"):
        return None
    if (year["failing"], year["cleared"]) == (totals.get("failing"), totals.get("cleared")):
        return None
    names = list(dict.fromkeys(r.get("checklist_name") or r.get("checklist") for r in items)) or ["清单"]
    return {"year": period.end.year, "found": year["failing"], "cleared": year["cleared"], "open": year["open"],
            "names": "、".join(names)}


def _checklist_year_sentences(word: str, data: dict[str, Any] | None) -> list[str]:
    if not data:
        return []
    text = f"{data['year']}年以来，{word}{data['names']}排查累计发现问题{data['found']}户"
    if not data["open"]:
        text += "，已全部清零"
    elif data["cleared"]:
        text += f"，已清零{data['cleared']}户，其余{data['open']}户正在整改"
    else:
        text += "，正在逐户整改"
    return [text + "。"]


def _liaison_sentences(word: str, scope_word: str, data: Any) -> list[str]:
    """一张表、心连心 from minqing.enterprises.metrics.liaison_section:
    said only when the place has key enterprises (projects) with a paired leader."""
    if not isinstance(data, dict) or not data.get("enterprises"):
        return []
    text = f"{word}县级领导联系重点企业（项目）{data['enterprises']}个"
    if data.get("visits"):
        text += f"，{scope_word}走访{data['visits']}次"
    behind = data.get("behind", 0)
    if behind:
        text += f"，{behind}名领导未按要求走访"
    elif data.get("people"):
        text += "，联系领导均按要求走访"
    return [text + "。"]


def _liaison(data: dict[str, Any] | None) -> dict[str, Any] | None:
    if not data:
        return None
    rows = data["rows"]
    return {"enterprises": data["enterprises"], "visits": data["visits"], "people": len(rows),
            "behind": sum(1 for r in rows if r["status"] != "green"), "green": data["green"],
            "required": data["required"], "done": data["done"]}


def _dispute_text(data: dict[str, Any]) -> str:
    """disputes.metrics.sentence without its zero figures (nothing solved yet: no "解决0件")."""
    text = f"共排查矛盾纠纷{data['found']}件"
    if data.get("solved"):
        text += f"，解决{data['solved']}件"
    if data.get("referred"):
        text += f"，依法导入诉讼、仲裁等程序{data['referred']}件"
    still, owned = data.get("open") or 0, data.get("open_with_deadline_and_owner") or 0
    if not still:
        return text
    if data.get("solved") or data.get("referred"):
        text += f"，其余{still}件正在化解"
    else:  # every dispute found is still being mediated
        text += "，均正在化解" if still > 1 else "，正在化解"
    if owned == still:
        text += "并已明确时限和责任人"
    elif owned:
        text += f"，其中{owned}件已明确时限和责任人"
    return text


def compose(region_code: str, period: Period, *, user: Any = None, today: dt.date | None = None) -> Briefing:
    """The briefing of one region subtree and period; ``user`` limits it to their figures."""
    code = regioncode.normalize(region_code)
    region = Region.objects.get(code=code)
    today = today or timezone.localdate()
    word = level_word(region)
    s = metrics.county_summary(code, period.start, period.end, user=user)
    sw = period.scope_word
    paragraphs: list[str] = []
    figures: dict[str, Any] = {"received": s.received}

    # 1. 收集意见建议 N 条，查摆出涉及…等 K 大类问题 M 条
    if s.received:
        named = {k: v for k, v in s.by_category.items() if k != "未分类" and v}
        first = f"{_as_of(period, today)}，{word}{sw}收集意见建议{s.received}条"
        if named:
            k, m = len(named), sum(named.values())
            top = [n for n in named if n not in GENERIC_CATEGORIES][:3]
            listed = "、".join(top) + ("等" if k > len(top) else "")
            classes = "两" if k == 2 else cn_number(k)  # 两大类, not 二大类
            first += f"，共查摆出涉及{listed}{classes}大类问题{m}条" if top else f"，共查摆出问题{m}条"
            figures.update(categories=k, problems=m)
        paragraphs.append(first + "。")

    # 2. 立行立改 / 限期整改
    parts = []
    if s.on_spot:
        done = _on_spot_done(code, period, user)
        figures["on_spot_done"] = done
        parts.append(f"立行立改事项{s.on_spot}条已全部整改到位" if done >= s.on_spot
                     else f"立行立改事项{s.on_spot}条，已整改到位{done}条")
    if s.assigned:
        open_ = s.assigned - s.assigned_done
        if not open_:
            parts.append(f"限期整改事项{s.assigned}条已全部办结")
        elif s.assigned_done:
            parts.append(f"限期整改事项{s.assigned}条，已办结{s.assigned_done}条，其余{open_}条正在一线全力推进中")
        else:
            parts.append(f"限期整改事项{s.assigned}条正在一线全力推进中")
    if parts:
        paragraphs.append(f"{word}建立查摆问题整改台账，" + "，".join(parts) + "。")

    # 3. 办结率 / 按期办结率 / 解决率 / 响应率
    rates = []
    if s.closure.denominator:
        rates.append(f"应办结事项{s.closure.denominator}件，已办结{s.closure.numerator}件，办结率{s.closure.percent}")
        if s.on_time.numerator:
            rates.append(f"其中按期办结{s.on_time.numerator}件，按期办结率{s.on_time.percent}")
    if s.resolution.denominator:
        rates.append(f"办结的{s.resolution.denominator}件中实际解决{s.resolution.numerator}件，"
                     f"问题解决率{s.resolution.percent}")
        if s.explained:
            rates.append(f"另对{s.explained}件不符合政策的诉求做好政策解答和思想疏导")
    if s.response.numerator:
        rates.append(f"诉求按时响应率{s.response.percent}")
    repeat = part("repeats", code, period, user)  # 重复诉求率 (appeals/repeats.py), with its numerator
    if isinstance(repeat, dict) and repeat.get("repeats"):  # said only when there are some (dashboard: always)
        rate = f"{repeat['repeat_rate'] * 100:.2f}%"  # as the briefing prints its other rates
        rates.append(f"收到诉求{repeat['appeals']}件中重复诉求{repeat['repeats']}件，重复诉求率{rate}")
        figures.update(repeats=repeat["repeats"], repeat_rate=rate)
    if rates:
        paragraphs.append(f"{sw}{word}" + "；".join(rates) + "。")

    # 4. 积案存量同比
    b = s.backlog
    if b.year_before and not b.at_end:
        paragraphs.append(f"目前，{word}信访积案已全部化解清零，去年同期为{b.year_before}件。")
    elif b.year_before and b.at_end != b.year_before:
        direction = "下降" if b.change < 0 else "上升"
        paragraphs.append(f"目前，{word}信访积案存量{b.at_end}件，同比{direction}{pct(abs(b.change_rate or 0))}。")
        figures["backlog_change"] = pct(b.change_rate)
    elif b.year_before and b.at_end == b.year_before:
        paragraphs.append(f"目前，{word}信访积案存量{b.at_end}件，与去年同期持平。")
    elif b.at_end:
        paragraphs.append(f"目前，{word}信访积案存量{b.at_end}件。")

    # 5. 满意度
    if s.satisfaction.denominator:
        c = s.satisfaction_counts
        said = [f"{label}{c[key]}人次" for key, label in (("satisfied", "满意"), ("basic", "基本满意"),
                                                          ("unsatisfied", "不满意")) if c[key]]
        paragraphs.append(f"{sw}回访群众{s.satisfaction.denominator}人次，其中{'、'.join(said)}，"
                          f"群众满意度{s.satisfaction.percent}。")

    # 6. 逐级研判: found → township → county
    f = s.funnel
    if f.found:
        text = f"{sw}摸排问题{f.found}条"
        if f.found_households:
            text += f"（涉及{f.found_households}户）"
        if f.to_township:
            text += f"，提交乡镇研判{f.to_township}条"
            if f.to_county:
                text += f"，报送县级{f.to_county}条"
            text += "，其余由村级研判处理"
        else:
            text += "，均在村级就地研判处理"
        paragraphs.append(text + "。")

    # 7. 走访、两不愁三保障、联系企业与矛盾纠纷: the sections the other parts register
    sections = {name: part(name, code, period, user) for name in ("fieldwork", "checklists", "liaison", "disputes",
                                                                    "dispatch")}
    unavailable = [v for v in sections.values() if isinstance(v, registry.Unavailable)]
    sections = {k: None if isinstance(v, registry.Unavailable) else v for k, v in sections.items()}
    field_data = sections["fieldwork"] or {}
    paragraphs += _fieldwork_sentences(word, sw, field_data)
    checklists = sections["checklists"] or {}
    cl_totals, cl_items = checklists.get("households"), checklists.get("items")
    paragraphs += _checklist_sentences(word, sw, cl_totals, cl_items)
    cl_year = _checklist_year(code, period, user, cl_totals)
    paragraphs += _checklist_year_sentences(word, cl_year)
    liaison = _liaison(sections["liaison"])
    paragraphs += _liaison_sentences(word, sw, liaison)
    disputes: Any = sections["disputes"]
    paragraphs += _dispute_sentences(word, sw, disputes)
    # a part that failed is named, never silently left out
    paragraphs += [f"{u.label}：{u.message}。" for u in unavailable]

    table = [
        Row("收集意见建议", f"{s.received}条"),
        Row("立行立改", f"{s.on_spot}条", f"已整改到位{figures.get('on_spot_done', 0)}条" if s.on_spot else ""),
        Row("限期整改", f"{s.assigned}条", f"已办结{s.assigned_done}条" if s.assigned else ""),
        Row("政策解答", f"{s.explained}件"),
        Row("响应率", s.response.percent or "—", _rate_note(s.response)),
        Row("办结率", s.closure.percent or "—", _rate_note(s.closure)),
        Row("按期办结率", s.on_time.percent or "—", _rate_note(s.on_time)),
        Row("解决率", s.resolution.percent or "—", _rate_note(s.resolution)),
        Row("满意率", s.satisfaction.percent or "—", _rate_note(s.satisfaction)),
        Row("信访积案存量", f"{b.at_end}件", f"去年同期{b.year_before}件" + _change_note(b)),
        Row("摸排发现问题", f"{f.found}条", _households(f.found_households)),
        Row("提交乡镇研判", f"{f.to_township}条", _households(f.to_township_households)),
        Row("报送县级", f"{f.to_county}条", _households(f.to_county_households)),
    ]
    cov = field_data.get("coverage")
    if isinstance(cov, dict) and isinstance(cov.get("households"), int) and cov["households"]:
        table.append(Row("走访覆盖率", pct(cov.get("rate")) or "—",
                         f"已走访{cov.get('visited', 0)}户/应走访{cov['households']}户"))
    if isinstance(cl_totals, dict) and cl_totals.get("checked"):
        table.append(Row("两不愁三保障排查", f"{cl_totals['checked']}户",
                         f"发现问题{cl_totals['failing']}户，已清零{cl_totals['cleared']}户"))
        for r in cl_items or []:
            if r.get("failing"):
                table.append(Row(f"排查未达标：{r['label']}", f"{r['failing']}户",
                                 f"已清零{r['cleared']}户，已排查{r['checked']}户"))
    if cl_year:
        table.append(Row(f"{cl_year['year']}年累计排查发现问题", f"{cl_year['found']}户",
                         f"已清零{cl_year['cleared']}户"))
    if liaison and liaison.get("enterprises"):
        table.append(Row("县级领导联系重点企业（项目）", f"{liaison['enterprises']}个", f"走访{liaison['visits']}次"))
        table.append(Row("联系领导按月走访", f"{liaison['green']}人达标",
                         f"{liaison['behind']}人未按要求走访；按月应走访{liaison['required']}次，"
                         f"已走访{liaison['done']}次"))
    if isinstance(disputes, dict) and isinstance(disputes.get("found"), int) and disputes["found"]:
        table.append(Row("排查矛盾纠纷", f"{disputes['found']}件", f"解决{disputes.get('solved', 0)}件"))
        if disputes.get("referred"):
            table.append(Row("矛盾纠纷依法导入诉讼、仲裁等程序", f"{disputes['referred']}件"))
        if disputes.get("open"):
            table.append(Row("矛盾纠纷正在化解", f"{disputes['open']}件",
                             f"已明确时限和责任人{disputes.get('open_with_deadline_and_owner', 0)}件"))
    returns = (sections["dispatch"] or {}).get("return_rate")
    if isinstance(returns, dict) and returns.get("denominator"):
        table.append(Row("退单率", returns.get("percent") or "—",
                         f"退单{returns['numerator']}件/收到交办（含协办）{returns['denominator']}件"))
        figures["return_rate"] = returns.get("text")
    for name, n in s.by_category.items():
        table.append(Row(f"问题分类：{name}", f"{n}条"))
    table += [Row(str(u.label), u.message) for u in unavailable]

    cases = []
    if s.resolution.numerator:
        low, high = metrics.bounds(period.start, period.end)
        codes = list(metrics.appeals(code, user=user).filter(group=wf.Group.SOLVED.value, closed_at__gte=low,
                                                             closed_at__lt=high)
                     .values_list("region_id", flat=True).distinct()[:500])
        cases = _typical_cases(code, period, user, _place_names(region, codes))

    title = f"{region.name}{period.label}民情工作简报"
    subtitle = f"（统计期间：{period.start.year}年{period.start.month}月{period.start.day}日至" \
               f"{period.end.year}年{period.end.month}月{period.end.day}日）"
    if not paragraphs:
        paragraphs.append(f"{sw}{word}未收集到群众诉求。")
    figures.update(s.as_dict())
    return Briefing(region_code=code, region_name=region.name, word=word, period=period, title=title,
                    subtitle=subtitle, paragraphs=paragraphs, table=table, cases=cases, figures=figures)


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
