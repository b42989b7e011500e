"""A checklist's items as text, one per line, for the set-up page (plain Python):

    两不愁/food | 吃穿不愁 | 是否 | 是
    三保障/income | 人均纯收入 | 数字 | >= 7000 | 元
    三保障/house | 住房安全等级 | 选择 | A,B,C,D | A,B
    note | 其他情况 | 备注

group/code | question | type (是否, 数字, 选择, 备注) | pass rule | (unit, or the passing choices).
The checklists service validates the result and answers in Chinese."""

from __future__ import annotations

import re
from typing import Any

TYPES = {"是否": "yes_no", "数字": "number", "选择": "choice", "备注": "note",
         "yes_no": "yes_no", "number": "number", "choice": "choice", "note": "note"}


class ItemTextError(ValueError):
    pass


def parse(text: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for n, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.strip().startswith("#"):
            continue
        cells = [c.strip() for c in re.split(r"[|｜]", raw)]
        if len(cells) < 3:
            raise ItemTextError(f"第{n}行：至少要有“编码 | 问题 | 类型”三栏")
        group, _sep, code = cells[0].rpartition("/")
        kind = TYPES.get(cells[2])
        if kind is None:
            raise ItemTextError(f"第{n}行：类型“{cells[2]}”无效，应为 是否、数字、选择 或 备注")
        item: dict[str, Any] = {"code": code, "group": group, "label": cells[1], "answer_type": kind}
        rule = cells[3] if len(cells) > 3 else ""
        if kind == "yes_no":
            item["pass_value"] = rule not in ("否", "no")
        elif kind == "number":
            m = re.fullmatch(r"(>=|≥|<=|≤)?\s*(-?\d+(?:\.\d+)?)", rule)
            if not m:
                raise ItemTextError(f"第{n}行：数字项的达标线应写成“>= 7000”或“<= 3”")
            item["comparison"] = "lte" if m.group(1) in ("<=", "≤") else "gte"
            item["threshold"] = m.group(2)
            item["unit"] = cells[4] if len(cells) > 4 else ""
        elif kind == "choice":
            item["choices"] = [c for c in re.split(r"[,，、]", rule) if c.strip()]
            item["passing_choices"] = [c for c in re.split(r"[,，、]", cells[4] if len(cells) > 4 else "") if c.strip()]
        items.append(item)
    return items


def render(items) -> str:
    lines = []
    names = {v: k for k, v in TYPES.items() if not k.isascii()}
    for i in items:
        head = f"{i.group}/{i.code}" if i.group else i.code
        cells = [head, i.label, names[i.answer_type]]
        if i.answer_type == "yes_no":
            cells.append("是" if i.pass_value else "否")
        elif i.answer_type == "number":
            cells.append(f"{'<=' if i.comparison == 'lte' else '>='} {i.threshold.normalize():f}")
            cells += [i.unit] if i.unit else []
        elif i.answer_type == "choice":
            cells += [",".join(i.choices), ",".join(i.passing_choices)]
        lines.append(" | ".join(cells))
    return "\n".join(lines)
