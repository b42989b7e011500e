"""Demo records of work with the people, made beside the visits and activities of fieldwork.demo:

- 关爱服务档案 for the people the register shows in need (elders living alone, households of elders
  only, children with no parent of working age at home, a few children in difficulty), each with
  a carer; their households get festival gifts and survival checks on the visits (demo._visits);
- 带案下访: the county leaders' on-site office days take one to three open cases of the township
  down with them, and a share of the petitions with a household get a 上门家访 by a county leader;
  reception days are linked to the petitions received there;
- 集访: many of the petitions received at reception came as a group (the demo county is small), to
  the county or the city, more often in the year before the last (so the year-on-year change falls,
  as the seeds report);
- 为民办实事: about one practical thing a month in each township, some answering a solved case.

Deterministic for the demo's rng; audit events go on the demo's chain.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from minqing.appeals.models import Appeal
from minqing.demo import names as demo_names
from minqing.households.models import Household
from minqing.lib import regioncode

from .models import CareFile, CareKind, Deed, GroupPetition, PetitionLevel

DEEDS = ["为{v}硬化通组道路1.2公里", "为{v}安装太阳能路灯30盏", "为{v}整治山坪塘一口", "为{v}更换老化饮水管网",
         "在{v}设立便民服务代办点", "为{v}留守儿童开设“四点半课堂”", "为{v}独居老人安装烟感报警器",
         "为{v}新建文化活动广场", "帮助{v}打通“断头路”", "为{v}修复水毁便民桥"]


@dataclass
class CareFiles:
    chain: Any
    rows: list[CareFile] = field(default_factory=list)

    def save(self) -> None:
        """After the households' visits (the carers' names are the visits'); the events name the rows."""
        CareFile.objects.bulk_create(self.rows, batch_size=5000)
        for r in self.rows:
            self.chain.add("field.care.opened", "fieldwork.carefile", r.pk, r.region_id, r.created_by_id, r.created_at,
                           {"resident": r.resident_id, "kind": r.kind, "carer": r.carer_id, "opened_on": r.opened_on})


def _person_name(rng: Any) -> str:
    given = demo_names.GIVEN_MALE if rng.random() < 0.6 else demo_names.GIVEN_FEMALE
    return rng.choice(demo_names.SURNAMES) + "".join(rng.choice(given) for _ in range(rng.choice((1, 2))))


def _care_kind(rng: Any, family: list[tuple[int, int]]) -> tuple[int, str] | None:
    """The one person of a household the register shows in need of care, and the kind of care."""
    ages = [a for _r, a in family]
    if len(family) == 1 and ages[0] >= 65 and rng.random() < 0.8:
        return family[0][0], CareKind.LIVING_ALONE.value
    if len(family) >= 2 and min(ages) >= 60 and rng.random() < 0.5:
        return max(family, key=lambda m: m[1])[0], CareKind.LEFT_BEHIND_ELDER.value
    children = [m for m in family if m[1] < 16]
    if children and not any(20 <= a <= 50 for a in ages):
        return children[0][0], CareKind.LEFT_BEHIND_CHILD.value
    if children and rng.random() < 0.02:
        return children[0][0], CareKind.CHILD_IN_DIFFICULTY.value
    return None


def care_files(d: Any, paired: dict[int, int]) -> CareFiles:
    out = CareFiles(d.chain)
    region_of = dict(Household.objects.filter(deleted_at__isnull=True).values_list("pk", "region_id"))
    for hid in sorted(d.members):
        found = _care_kind(d.rng, d.members[hid])
        region = region_of.get(hid)
        if found is None or region is None:
            continue
        cadres = [u.pk for u in d.staffing.village_cadres.get(region, [])]
        carer = paired.get(hid) or (cadres[0] if cadres else None)
        opened = d.start - dt.timedelta(days=d.rng.randint(0, 700))
        at = d.when(opened)
        d.cared[hid] = found
        out.rows.append(CareFile(resident_id=found[0], household_id=hid, region_id=region, kind=found[1],
                                 carer_id=carer, opened_on=opened, created_by_id=carer, created_at=at,
                                 needs="定期上门探望，关注身体和生活状况"))
    return out


def _appeals(d: Any, since: dt.date) -> list[tuple]:
    low = dt.datetime.combine(since, dt.time(), d.tz)
    return list(Appeal.objects.filter(received_at__gte=low, deleted_at__isnull=True).exclude(group="merged")
                .order_by("received_at", "pk")
                .values_list("pk", "region_id", "household_id", "kind", "channel", "received_at", "closed_at",
                             "max_level", "title", "group"))


def cases_taken_down(d: Any, by_village: dict[str, list[tuple]]) -> None:
    """On-site office days and 上门家访 of the county leaders linked to the cases they took down;
    reception days linked to the petitions received there."""
    cases = _appeals(d, d.start - dt.timedelta(days=180))
    by_township: dict[str, list[tuple]] = defaultdict(list)
    for row in cases:
        parent = regioncode.parent_code(row[1]) or row[1]
        by_township[parent].append(row)
    for aid, _cid, kind, region, at, *_rest in list(d.activities):
        if kind != "onsite_office":
            continue
        township = regioncode.parent_code(region) or region
        open_then = [c for c in by_township.get(township, []) if c[5] < at and (c[6] is None or c[6] > at)]
        # the hard cases first: petitions and cases that reached the county
        open_then.sort(key=lambda c: (c[3] != "petition" and c[7] != "county", c[5]))
        for c in open_then[:d.rng.randint(1, 3)]:
            d.activity_cases.append((aid, c[0]))
    kinds = {a[0]: a[2] for a in d.activities}
    for link in d.links:
        if link.activity_id and kinds.get(link.activity_id) == "reception":
            d.activity_cases.append((link.activity_id, link.appeal_id))
    hh_index = {hh[0]: hh for rows in by_village.values() for hh in rows}
    leaders = [u.pk for u in d.staffing.county_leaders]
    for pk, _region, hh_id, kind, _channel, received, _closed, _level, title, _group in cases:
        if kind != "petition" or hh_id not in hh_index or received.date() < d.start or d.rng.random() > 0.3:
            continue
        if hh_id in d.due_today:  # left due on the anchor for the README's cadres: no later visit
            continue
        at = received + dt.timedelta(days=d.rng.randint(3, 20), hours=d.rng.randint(0, 5))
        if at >= d.now - dt.timedelta(hours=1):
            continue
        vid = d.add_visit(hh_index[hh_id], d.rng.choice(leaders), at,
                          note=f"县级领导带案下访，上门听取群众诉求：{title[:40]}，当面交流化解方案。")
        d.visit_cases.append((vid, pk))


def group_petitions(d: Any) -> int:
    """A share of the petitions received at reception came as a group (集访), fewer this year."""
    rows = []
    last_year = d.anchor - dt.timedelta(days=365)
    for pk, region, _hh, kind, channel, received, *_rest in _appeals(d, d.anchor - dt.timedelta(days=760)):
        if kind != "petition" or channel != "reception":
            continue
        day = received.astimezone(d.tz).date()
        if d.rng.random() > (0.5 if day > last_year else 0.9):
            continue
        level = PetitionLevel.COUNTY.value if d.rng.random() < 0.8 else PetitionLevel.CITY.value
        headcount = d.rng.choice((5, 6, 8, 10, 12, 15, 20, 26, 32, 40))
        reps = [_person_name(d.rng) for _ in range(d.rng.randint(1, 5))]
        rows.append(GroupPetition(appeal_id=pk, region_id=region, level=level, occurred_on=day, headcount=headcount,
                                  representatives="\n".join(reps), created_at=received))
    GroupPetition.objects.bulk_create(rows, batch_size=5000)
    for r in rows:
        d.chain.add("field.group_petition.recorded", "fieldwork.grouppetition", r.pk, r.region_id, None, r.created_at,
                    {"appeal": r.appeal_id, "level": r.level, "occurred_on": r.occurred_on, "headcount": r.headcount,
                     "representatives": len(r.representative_names())})
    return len(rows)


def deeds(d: Any) -> int:
    """为民办实事: about one a month in each township (some months none, some two), a share answering a
    case solved that month."""
    from .demo import _months

    solved: dict[tuple[str, dt.date], list[tuple[int, str, dt.date]]] = defaultdict(list)
    for pk, region, *_r, closed, _level, _title, group in _appeals(d, d.start - dt.timedelta(days=60)):
        if group == "solved" and closed is not None:
            day = closed.astimezone(d.tz).date()
            solved[(regioncode.parent_code(region) or region, day.replace(day=1))].append((pk, region, day))
    rows = []
    for township in sorted(d.villages):
        villages = d.villages[township]
        leads = [u.pk for u in d.staffing.township_leads.get(township, [])]
        for month in _months(d):
            for _ in range(d.rng.choice((0, 1, 1, 2))):
                case = None
                pool = solved.get((township, month))
                if pool and d.rng.random() < 0.4:
                    case = d.rng.choice(pool)
                if case:
                    region, day = case[1], case[2]
                else:
                    region = d.rng.choice(villages).code
                    day = d.day_between(month, (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1))
                name = d.village_name(region) or "村"
                at = d.when(day)
                lead = leads[0] if leads else None
                rows.append(Deed(region_id=region, title=d.rng.choice(DEEDS).format(v=name), done_on=day,
                                 beneficiaries=d.rng.choice((12, 30, 45, 80, 120, 260, 500)),
                                 cost=Decimal(d.rng.choice((0, 3000, 8000, 15000, 42000, 120000))),
                                 appeal_id=case[0] if case else None, leader_id=lead, created_by_id=lead,
                                 created_at=at, description="群众反映集中、迫切需要解决的实事，已办结并经群众认可。"))
    Deed.objects.bulk_create(rows, batch_size=5000)
    for r in rows:
        d.chain.add("field.deed.recorded", "fieldwork.deed", r.pk, r.region_id, r.created_by_id, r.created_at,
                    {"region": r.region_id, "title": r.title, "done_on": r.done_on, "appeal": r.appeal_id})
    return len(rows)
