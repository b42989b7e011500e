"""The category tree a county starts from: the seeds' 5 problem classes and dispute kinds (always),
plus the 15-class three-level tree of ../shared/data/taidi2020c/附件1 when that folder is there
(it has no licence: read from disk, never shipped). Each class names the unit function that
usually handles it, a routing hint for 限期办理."""

from __future__ import annotations

import csv
from pathlib import Path

from django.db import transaction

from .models import Category

# The seeds: "村集体经济发展、人居环境整治、基础设施建设等5大类问题"; the other two are ours.
SEED_CLASSES: list[tuple[str, str, str]] = [  # code, name, default unit function
    ("S01", "村集体经济发展", "rural_revitalisation"),
    ("S02", "人居环境整治", "housing"),
    ("S03", "基础设施建设", "transport"),
    ("S04", "民生保障", "civil_affairs"),
    ("S05", "其他", ""),
]
# The seeds' disputes: "邻里矛盾、土地纠纷、赡养争议" and 婚姻家庭 (a family dispute: narrower access).
DISPUTE_ROOT = ("S06", "矛盾纠纷", "justice")
DISPUTES: list[tuple[str, str, str]] = [
    ("S06.01", "邻里矛盾", "justice"), ("S06.02", "土地纠纷", "land"), ("S06.03", "赡养争议", "justice"),
    ("S06.04", "婚姻家庭", "justice"), ("S06.05", "其他纠纷", "justice"),
]
TAIDI_FUNCTIONS = {
    "城乡建设": "housing", "交通运输": "transport", "农村农业": "agriculture", "劳动和社会保障": "social_security",
    "卫生计生": "health", "国土资源": "land", "政法": "justice", "教育文体": "education", "民政": "civil_affairs",
    "环境保护": "housing", "纪检监察": "discipline", "经济管理": "economy", "党务政务": "", "商贸旅游": "",
    "科技与信息产业": "",
}  # fmt: skip


def _upsert(code: str, name: str, parent: Category | None, level: int, scheme: str, function: str,
            existing: dict[str, Category]) -> Category:
    found = existing.get(code)
    if found is not None:
        return found
    cat = Category.objects.create(code=code, name=name, parent=parent, level=level, scheme=scheme,
                                  default_unit_function=function)
    existing[code] = cat
    return cat


@transaction.atomic
def seed_categories(shared: Path | None = None) -> dict[str, Category]:
    """Create what is missing (idempotent); returns every category by code."""
    existing = {c.code: c for c in Category.objects.all()}
    for code, name, fn in SEED_CLASSES:
        _upsert(code, name, None, 1, "seeds", fn, existing)
    root = _upsert(*DISPUTE_ROOT[:2], None, 1, "seeds", DISPUTE_ROOT[2], existing)
    for code, name, fn in DISPUTES:
        _upsert(code, name, root, 2, "seeds", fn, existing)
    tree = (shared / "taidi2020c" / "附件1.csv") if shared else None
    if tree is not None and tree.is_file():
        _load_taidi(tree, existing)
    return existing


def _load_taidi(path: Path, existing: dict[str, Category]) -> None:
    firsts: dict[str, Category] = {}
    seconds: dict[tuple[str, str], Category] = {}
    third_count: dict[tuple[str, str], int] = {}
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            a, b, c = (row.get("一级分类") or "").strip(), (row.get("二级分类") or "").strip(), \
                (row.get("三级分类") or "").strip()
            if not a:
                continue
            if a not in firsts:
                firsts[a] = _upsert(f"T{len(firsts) + 1:02d}", a, None, 1, "taidi", TAIDI_FUNCTIONS.get(a, ""),
                                    existing)
            first = firsts[a]
            if b and (a, b) not in seconds:
                n = sum(1 for k in seconds if k[0] == a) + 1
                seconds[(a, b)] = _upsert(f"{first.code}.{n:02d}", b, first, 2, "taidi",
                                          first.default_unit_function, existing)
            if b and c:
                third_count[(a, b)] = third_count.get((a, b), 0) + 1
                second = seconds[(a, b)]
                _upsert(f"{second.code}.{third_count[(a, b)]:03d}", c, second, 3, "taidi",
                        first.default_unit_function, existing)
