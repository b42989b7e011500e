"""The briefing's sentences on the other parts' sections (field work, 两不愁三保障, 联系企业,
矛盾纠纷), written from the figures those parts register (minqing.lib.figures) and nothing else.
A sentence states an action (督促, 督办 …) only when a recorded event says it was taken: these
sections record none, so none is stated."""

from __future__ import annotations

import datetime as dt
from typing import Any

from minqing.dashboards.figures import pct
from minqing.lib import figures as registry
from minqing.lib.periods import Period

CHECKLIST_ITEMS = 3  # the failing items a checklist sentence names


def fieldwork_sentences(word: str, scope_word: str, data: dict[str, Any]) -> list[str]:
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
        text += f"，其中{len(short)}人未达标" if short else "，均按要求完成任务"
        parts.append(text)
    if not parts:
        return []
    return [f"{scope_word}，{word}" + "；".join(parts) + "。"]


def dispute_sentences(word: str, scope_word: str, data: Any) -> list[str]:
    """矛盾纠纷 from minqing.disputes.metrics.summary, in the seeds' words."""
    if not isinstance(data, dict) or not data.get("found"):
        return []
    text = data.get("sentence")
    if not data.get("solved") or not isinstance(text, str) or not text:
        text = dispute_text(data)
    return [f"{scope_word}，{word}{text}。"]


def checklist_sentences(word: str, scope_word: str, totals: Any, items: Any) -> list[str]:
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


def checklist_year(code: str, period: Period, user: Any, totals: Any) -> dict[str, Any] | None:
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


def checklist_year_sentences(word: str, data: dict[str, Any] | None) -> list[str]:
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


def liaison_sentences(word: str, scope_word: str, data: Any) -> list[str]:
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


def liaison(data: dict[str, Any] | None) -> dict[str, Any] | None:
    if not data:
        return None
    rows = data["rows"]
    return {"enterprises": data["enterprises"], "visits": data["visits"], "people": len(rows),
            "behind": sum(1 for r in rows if r["status"] in ("red", "yellow")), "green": data["green"],
            "required": data["required"], "done": data["done"]}


def dispute_text(data: dict[str, Any]) -> str:
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




def table_rows(field_data: dict[str, Any], cl_totals: Any, cl_items: Any, cl_year: dict[str, Any] | None,
               liaison_data: dict[str, Any] | None, disputes: Any) -> list[Any]:
    """The 主要指标 rows of the parts' sections, from the same figures as their sentences."""
    from .compose import Row

    table = []
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
    if liaison_data and liaison_data.get("enterprises"):
        table.append(Row("县级领导联系重点企业（项目）", f"{liaison_data['enterprises']}个",
                         f"走访{liaison_data['visits']}次"))
        table.append(Row("联系领导按月走访", f"{liaison_data['green']}人达标",
                         f"{liaison_data['behind']}人未按要求走访；按月应走访{liaison_data['required']}次，"
                         f"已走访{liaison_data['done']}次"))
    if isinstance(disputes, dict) and isinstance(disputes.get("found"), int) and disputes["found"]:
        table.append(Row("排查矛盾纠纷", f"{disputes['found']}件", f"解决{disputes.get('solved', 0)}件"))
        if disputes.get("referred"):
            table.append(Row("矛盾纠纷依法导入诉讼、仲裁等程序", f"{disputes['referred']}件"))
        if disputes.get("open"):
            table.append(Row("矛盾纠纷正在化解", f"{disputes['open']}件",
                             f"已明确时限和责任人{disputes.get('open_with_deadline_and_owner', 0)}件"))
    return table


def _num(value: Any) -> Any:
    """A figure as the text prints it: whole numbers without a decimal point."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


class _Said:
    """The clauses of one sentence and the figures they state, by name."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.stated: dict[str, Any] = {}

    def add(self, text: str, **figures: Any) -> None:
        self.parts.append(text)
        self.stated |= figures


def _contact(v: dict[str, Any], m: dict[str, Any]) -> _Said:
    said = _Said()
    if v.get("people"):
        said.add(f"走访群众{v['people']}人次", visit_people=v["people"])
    if m.get("sessions"):
        said.add(f"开展活动{m['sessions']}场次", meeting_sessions=m["sessions"])
        if m.get("people"):
            said.parts[-1] += f"、参与群众{m['people']}人次"
            said.stated["meeting_people"] = m["people"]
    return said


def _help(h: dict[str, Any]) -> _Said:
    said = _Said()
    money, goods = _num(h.get("condolence_money") or 0), h.get("goods") or 0
    given = ([f"慰问金{money}元"] if money else []) + ([f"慰问物资{goods}件"] if goods else [])
    if given:
        said.add("发放" + "、".join(given), **({"help_money": money} if money else {}),
                 **({"help_goods": goods} if goods else {}))
    if h.get("survival_checks"):
        said.add(f"上门办理养老保险生存认证{h['survival_checks']}人次", survival_checks=h["survival_checks"])
    if h.get("relief"):
        said.add(f"发放临时救助{h['relief']}户次", relief=h["relief"])
        if h.get("relief_amount"):
            said.parts[-1] += f"{_num(h['relief_amount'])}元"
            said.stated["relief_amount"] = _num(h["relief_amount"])
    return said


def _petitions(petitions: dict[str, Any]) -> _Said:
    """到县 / 到市集访: batches and people, and the change in batches on the same span a year before."""
    said = _Said()
    for level, label in (("county", "到县"), ("city", "到市")):
        p = petitions.get(level) or {}
        now, before = p.get("batches") or 0, p.get("year_before_batches") or 0
        if not now and not before:
            continue
        key = f"group_{level}"
        if now:
            said.add(f"{label}集访{now}批{p['people']}人次", **{f"{key}_batches": now, f"{key}_people": p["people"]})
        else:
            said.add(f"无{label}集访")
        if before and now != before:
            change = pct(abs(float(p["change"])))
            said.parts[-1] += f"，同比{'下降' if now < before else '上升'}{change}"
            said.stated[f"{key}_change"] = change
        elif before:
            said.parts[-1] += "，与去年同期持平"
    return said


def people_sentences(word: str, scope_word: str, data: Any) -> list[tuple[str, dict[str, Any]]]:
    """人次、场次, help at the door, 集访, 带案下访 and 为民办实事 from minqing.fieldwork.people.section,
    each sentence with the figures it states by name (the consistency test recounts them)."""
    if not isinstance(data, dict):
        return []
    out: list[tuple[str, dict[str, Any]]] = []
    for said, lead, joint in ((_contact(data.get("visits") or {}, data.get("meetings") or {}), word, "，"),
                              (_help(data.get("help") or {}), f"{word}干部入户", "，"),
                              (_petitions(data.get("group_petitions") or {}), f"{word}群众", "；")):
        if said.parts:
            out.append((f"{scope_word}，{lead}" + joint.join(said.parts) + "。", said.stated))
    down = data.get("cases_down") or {}
    if down.get("leaders") and down.get("cases"):
        said = _Said()
        said.add(f"{down['leaders']}名县级领导带案下访{down['cases']}件", down_leaders=down["leaders"],
                 down_cases=down["cases"])
        if down.get("solved"):
            said.add(f"已化解{down['solved']}件", down_solved=down["solved"])
        out.append((f"{scope_word}，" + "，".join(said.parts) + "。", said.stated))
    deeds = data.get("deeds") or {}
    if deeds.get("count"):
        said = _Said()
        said.add(f"{word}为民办实事{deeds['count']}件", deeds=deeds["count"])
        if deeds.get("beneficiaries"):
            said.add(f"惠及群众{deeds['beneficiaries']}人", deed_beneficiaries=deeds["beneficiaries"])
        if deeds.get("with_case"):
            said.add(f"其中回应群众诉求{deeds['with_case']}件", deeds_with_case=deeds["with_case"])
        out.append((f"{scope_word}，" + "，".join(said.parts) + "。", said.stated))
    return out


def people_rows(data: Any) -> list[Any]:
    """The 主要指标 rows of the same figures."""
    from .compose import Row

    if not isinstance(data, dict):
        return []
    v, m, h = data.get("visits") or {}, data.get("meetings") or {}, data.get("help") or {}
    rows = []
    if v.get("visits"):
        rows.append(Row("走访群众", f"{v['people']}人次", f"走访{v['visits']}次，涉及{v['households']}户"))
    if m.get("sessions"):
        rows.append(Row("开展群众活动", f"{m['sessions']}场次", f"参与群众{m['people']}人次"))
    if h.get("households"):
        rows.append(Row("发放慰问金", f"{_num(h['condolence_money'])}元",
                        f"慰问物资{h['goods']}件，惠及{h['households']}户"))
        rows.append(Row("生存认证", f"{h['survival_checks']}人次"))
        rows.append(Row("临时救助", f"{h['relief']}户次", f"{_num(h['relief_amount'])}元"))
    for level, label in (("county", "到县集访"), ("city", "到市集访")):
        p = (data.get("group_petitions") or {}).get(level) or {}
        if p.get("batches") or p.get("year_before_batches"):
            rows.append(Row(label, f"{p['batches']}批{p['people']}人次",
                            f"去年同期{p['year_before_batches']}批{p['year_before_people']}人次"))
    down = data.get("cases_down") or {}
    if down.get("cases"):
        rows.append(Row("县级领导带案下访", f"{down['cases']}件",
                        f"{down['leaders']}名县级领导，已化解{down['solved']}件"))
    deeds = data.get("deeds") or {}
    if deeds.get("count"):
        rows.append(Row("为民办实事", f"{deeds['count']}件", f"惠及群众{deeds['beneficiaries']}人"))
    care = data.get("care") or {}
    if care.get("open"):
        rows.append(Row("关爱服务对象", f"{care['open']}人"))
    return rows
