"""Demo enterprise liaison (一张表、心连心): a dozen key enterprises and projects of the demo county,
each county leader and department head paired with at least one, and a year of their monthly
visits — most leaders go every month, some miss months (yellow), a few rarely go (red). A few
recent visits raise appeals of the enterprise, registered like any other.

Bulk inserts for the visits (minqing.demo.bulk) with bulk audit events; deterministic for the rng
and anchor.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

from minqing.accounts.models import Post, User
from minqing.accounts.roles import Role
from minqing.appeals.models import Category
from minqing.demo import bulk
from minqing.regions.models import Region

from . import services
from .models import EnterpriseVisit

COUNTY = "511722000000"
ENTERPRISES = [
    ("普光天然气净化厂", "enterprise", "能源化工"),
    ("宣汉锂钾综合开发项目", "project", "矿产开发"),
    ("巴山大峡谷旅游开发项目", "project", "文化旅游"),
    ("宣汉黄牛产业园", "enterprise", "农产品加工"),
    ("桃花米业有限公司", "enterprise", "农产品加工"),
    ("宣汉县玻璃纤维新材料公司", "enterprise", "新材料"),
    ("达州普光物流园", "project", "物流"),
    ("宣汉脆李种植合作社", "enterprise", "特色农业"),
    ("县城污水处理厂扩建工程", "project", "基础设施"),
    ("宣汉茶叶加工厂", "enterprise", "农产品加工"),
    ("宣汉县电子元件产业园", "enterprise", "电子制造"),
    ("乡村振兴示范片建设项目", "project", "乡村振兴"),
]
RAISED = ["用工紧张，希望协调招工", "进厂道路破损，货车通行困难", "用地手续办理进度慢", "希望协调电力增容",
          "融资困难，希望对接银行", "环保验收需要指导", "产品销路需要帮助对接", "项目征地补偿有遗留问题",
          "水电气报装周期长", "技术人才引进政策咨询", ""]
# the category a liaison leader files each under (first-level names of the county's scheme); a name the county's
# scheme lacks leaves the appeal to the classifier at registration
RAISED_CATEGORY = {
    "用工紧张，希望协调招工": "劳动和社会保障", "进厂道路破损，货车通行困难": "交通运输",
    "用地手续办理进度慢": "国土资源", "希望协调电力增容": "城乡建设",
    "融资困难，希望对接银行": "经济管理", "环保验收需要指导": "环境保护",
    "产品销路需要帮助对接": "商贸旅游", "项目征地补偿有遗留问题": "国土资源",
    "水电气报装周期长": "城乡建设", "技术人才引进政策咨询": "科技与信息产业",
}


def _month_starts(start: dt.date, anchor: dt.date) -> list[dt.date]:
    out, first = [], start.replace(day=1)
    while first <= anchor:
        out.append(first)
        first = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return out


def load(*, rng: random.Random, anchor: dt.date, now: dt.datetime, staffing: Any = None, villages: Any = None,
         shared: Path | None = None, progress: Callable[[str], None] = print, **_: Any) -> None:
    from minqing.fieldwork.demo import Chain  # the field-work demo's bulk audit chain (same hashing)

    tz = now.tzinfo
    start = anchor - dt.timedelta(days=364)
    registered = dt.datetime.combine(start - dt.timedelta(days=10), dt.time(9), tz)
    townships = list(Region.objects.filter(parent_id=COUNTY).order_by("code").values_list("code", flat=True))
    enterprises = []
    for name, kind, sector in ENTERPRISES:
        place = rng.choice(townships) if rng.random() < 0.75 else COUNTY
        phone = f"13{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}"
        contact = f"{rng.choice('王李张刘陈杨赵')}经理"
        enterprises.append(services.register_enterprise(actor=None, region=place, name=name, kind=kind, sector=sector,
                                                        contact_name=contact, phone=phone, now=registered))
    leader_roles = [str(r) for r in (Role.COUNTY_SECRETARY, Role.COUNTY_HEAD, Role.COUNTY_LEADER, Role.DEPT_HEAD)]
    posts = Post.objects.filter(role__in=leader_roles, region_id=COUNTY)
    leaders = sorted(set(posts.values_list("user_id", flat=True)))
    users = User.objects.in_bulk(leaders)
    paired: dict[int, list[int]] = {}
    order = list(enterprises)
    rng.shuffle(order)
    for n, uid in enumerate(leaders):
        ents = [order[n % len(order)]]
        if rng.random() < 0.25:
            ents.append(order[(n + 5) % len(order)])
        for e in ents:
            services.pair_leader(e, users[uid], actor=None, started_on=start, now=registered)
        paired[uid] = [e.pk for e in ents]
    by_pk = {e.pk: e for e in enterprises}
    names = {pk: u.display_name or u.username for pk, u in users.items()}
    chain = Chain(names)
    vid = bulk.next_id(EnterpriseVisit)
    rows, recent = [], []
    for uid in leaders:
        r = rng.random()
        diligence = 1.0 if r < 0.5 else rng.uniform(0.7, 0.9) if r < 0.8 else rng.uniform(0.2, 0.5)
        for first in _month_starts(start, anchor):
            last = min(anchor, first.replace(day=calendar.monthrange(first.year, first.month)[1]))
            for ent in paired[uid]:
                if rng.random() > diligence:
                    continue
                day = first + dt.timedelta(days=rng.randint(0, (last - first).days))
                at = min(dt.datetime.combine(day, dt.time(rng.randint(9, 16), rng.choice((0, 30))), tz),
                         now - dt.timedelta(hours=1))
                raised = rng.choice(RAISED)
                region = by_pk[ent].region_id
                rows.append((vid, None, None, ent, region, uid, at, raised, "", "demo", uid, at, at, 1))
                chain.add("enterprise.visited", "enterprises.enterprisevisit", vid, region, uid, at,
                          {"enterprise": ent, "visited_at": at, "appeals": 0})
                if raised and (now - at).days <= 20:
                    recent.append((vid, ent, uid, at, raised))
                vid += 1
    bulk.insert_rows(EnterpriseVisit, ["id", "deleted_at", "client_id", "enterprise", "region", "visitor",
                                       "visited_at", "raised", "note", "device", "created_by", "created_at",
                                       "updated_at", "version"], rows)
    bulk.reset_sequences(EnterpriseVisit)
    events = chain.save()
    appeals = 0
    by_name = {c.name: c for c in Category.objects.filter(level=1, name__in=set(RAISED_CATEGORY.values()))}
    for pk, ent, uid, at, raised in recent[:12]:  # what recent visits raised: appeals of the enterprise
        visit = EnterpriseVisit.objects.get(pk=pk)
        services.raise_appeal(by_pk[ent], actor=users[uid], title=raised[:20],
                              text=f"{by_pk[ent].name}反映：{raised}。", visit=visit,
                              category=by_name.get(RAISED_CATEGORY.get(raised, "")),
                              now=max(at, now - dt.timedelta(days=1)))
        appeals += 1
    progress(f"重点企业（项目）{len(enterprises)} 个，联系领导 {len(leaders)} 名，走访企业 {len(rows)} 次，"
             f"企业诉求 {appeals} 件（审计事件 {events} 条）")
