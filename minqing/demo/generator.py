"""The demo county: 宣汉县 (511722) with its 37 real townships, invented villages (the seeds' real
names where they fit), households, residents and staff. Deterministic for a seed and an anchor
date; dates run two years back from the anchor."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import transaction

from minqing.accounts.models import User
from minqing.audit.log import record
from minqing.households import crypto
from minqing.households.models import BUILTIN_TAGS, Household, Resident, ResidentStatus, Tag
from minqing.lib import idcard, regioncode
from minqing.lib.masking import mask_id_number, mask_phone
from minqing.regions.importer import import_divisions, shipped_divisions
from minqing.regions.models import Level, Region, VillageGroup

from . import bulk, names
from .models import DemoRun
from .people import build_pairings_and_teams, build_staff, person_name
from .sources import shared_data_dir

COUNTY = "511722000000"
DEMO_TOWNSHIP_NAME = "天生镇"
TZ = ZoneInfo("Asia/Shanghai")


class DemoError(Exception):
    pass


@dataclass
class DemoOptions:
    seed: int = 2024
    anchor: dt.date | None = None
    households: int = 5000
    villages_per_township: int = 10
    extensions: bool = True  # the later parts' demo data (appeals …); benchmarks may measure without
    # The demo's 'now': nothing is dated after it. Default: the moment it loads (so a case acted on
    # right after loading is never "earlier than the last record"); with --anchor, 09:00 of that day.
    now: dt.datetime | None = None
    # The search index and the category model built in the background once the site answers (`minqing
    # demo` when it serves: minqing.demo.finish); False builds them inline (--load-only, tests).
    deferred: bool = False


def demo_now(options: DemoOptions) -> tuple[dt.date, dt.datetime]:
    """(anchor, now): the real load time unless an anchor or a moment is given."""
    if options.now is not None:
        now = options.now.astimezone(TZ)
        return options.anchor or now.date(), now
    if options.anchor is not None:
        return options.anchor, dt.datetime.combine(options.anchor, dt.time(9, 0), TZ)
    now = dt.datetime.now(TZ).replace(second=0, microsecond=0)
    return now.date(), now


Progress = Callable[[str], None]


def load_demo(options: DemoOptions, progress: Progress = print) -> DemoRun:
    anchor, now = demo_now(options)
    existing = DemoRun.objects.first()
    if existing:
        if (existing.seed, existing.anchor, existing.households) == (options.seed, anchor, options.households):
            progress("演示数据已按相同参数加载，未做任何改动")
            return existing
        raise DemoError(
            f"数据库中已有演示数据（seed={existing.seed}, anchor={existing.anchor}, "
            f"households={existing.households}）；"
            "请换一个空数据库（删除 var/minqing.sqlite3 或设置 DATABASE_URL）")
    if User.objects.exists():
        raise DemoError("数据库已有正式账号，演示数据只能加载到空数据库")

    shared = shared_data_dir()
    divisions = (shared / "divisions") if shared else shipped_divisions()
    progress(f"导入区划：{divisions}")
    import_divisions(divisions)
    rng = random.Random(options.seed)
    with transaction.atomic():
        county = Region.objects.get(code=COUNTY)
        townships = list(Region.objects.filter(parent=county).order_by("code"))
        villages = _make_villages(rng, townships, options.villages_per_township)
        progress(f"{len(townships)} 个乡镇，{sum(len(v) for v in villages.values())} 个村（社区）")
        demo_township = next(t for t in townships if t.name == DEMO_TOWNSHIP_NAME)
        demo_villages = (villages[demo_township.code][0].code, villages[demo_township.code][1].code)
        staffing = build_staff(rng, county, townships, villages, now, demo_township.code, demo_villages)
        progress(f"{len(staffing.users)} 个工作人员账号")
        by_village = _make_households(rng, villages, options.households, anchor, progress)
        build_pairings_and_teams(rng, staffing, townships, villages, by_village, anchor.year, county, now)
        run = DemoRun.objects.create(seed=options.seed, anchor=anchor, households=options.households,
                                     loaded_at=now, source="shared" if shared else "package")
        steps = (_extensions(deferred=True) if options.deferred else _extensions()) if options.extensions else []
        for step in steps:
            step(rng=rng, anchor=anchor, now=now, staffing=staffing, villages=villages, shared=shared,
                 progress=progress)
        if options.extensions and options.deferred:
            _queue_background(staffing, shared, progress)
        from minqing.appeals import rollup_store  # the demo writes its cases in bulk: the figures from them

        rollup_store.rebuild()
        record("demo.loaded", object_type="demo.demorun", object_id=run.pk, region_code=COUNTY,
               reason=f"演示县：{options.households}户，演示日期{anchor}，随机种子{options.seed}", at=now)
    _refresh_statistics()
    return run


def _refresh_statistics() -> None:
    """Tell the planner what was just written. Tables filled in one go still carry the statistics of
    empty tables until autovacuum comes round; PostgreSQL then plans the dashboard's EXISTS over visits
    as a nested loop (estimated 1 row, really 600 × 1 000 households): 3.3 s of SQL for the county
    page instead of 1.0 s (bench/RESULTS.md, bench/dashboard_demo.py)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _queue_background(staffing, shared, progress: Progress) -> None:
    """The search index, then the category model, as background jobs of the demo administrator (seen
    under 后台任务): the index first, because a search before it is built finds nothing (~12 s), while a
    case registered before the model only lacks a suggestion. The objects the load touched need no
    indexing at commit: the index job reads all."""
    from minqing.jobs import runner
    from minqing.nlp import jobs
    from minqing.nlp.follow import forget_pending

    owner = staffing.users.get("demo-admin") or next(iter(staffing.users.values()))
    runner.queue(jobs.INDEX, owner=owner)
    runner.queue(jobs.MODEL, owner=owner, params={"shared": str(shared or "")})
    forget_pending()
    progress("检索索引与分类模型：站点启动后在后台建立（后台任务）")


def _extensions(deferred: bool = False) -> list[Callable]:
    """Later parts add their demo data here, in this order (each may use what the earlier ones made);
    `deferred`: without the category model and the search index (built after the site answers)."""
    from minqing.appeals.demo import load as appeals
    from minqing.checklists.demo import load as checklists
    from minqing.disputes.demo import load as disputes
    from minqing.enterprises.demo import load as enterprises
    from minqing.fieldwork.demo import load as fieldwork
    from minqing.nlp.demo import load as search_index
    from minqing.nlp.demo import train_model
    from minqing.notices.demo import load as notices
    from minqing.portal.demo import load as portal

    # the category model right after the appeals it learns from: later steps' cases get its suggestion
    if deferred:
        return [appeals, fieldwork, checklists, enterprises, disputes, portal, notices]
    return [appeals, train_model, fieldwork, checklists, enterprises, disputes, portal, search_index, notices]


def _village_names(rng: random.Random, township: Region, count: int) -> list[str]:
    street = township.name.endswith("街道")
    chosen = list(names.SEED_VILLAGES.get(township.name, []))
    while len(chosen) < count:
        if street:
            name = rng.choice(names.COMMUNITY_PARTS) + "社区"
        else:
            name = rng.choice(names.VILLAGE_PARTS_A) + rng.choice(names.VILLAGE_PARTS_B) + "村"
        if name not in chosen:
            chosen.append(name)
    return chosen[:count]


def _make_villages(rng: random.Random, townships: list[Region], per: int) -> dict[str, list[Region]]:
    out: dict[str, list[Region]] = {}
    rows: list[Region] = []
    groups: list[VillageGroup] = []
    for t in townships:
        base = regioncode.prefix(t.code)
        vs = []
        for i, name in enumerate(_village_names(rng, t, per), start=1):
            # Statistics convention: 0xx for communities (居委会), 2xx for villages (村委会).
            code = base + (f"{i:03d}" if name.endswith("社区") else f"{200 + i:03d}")
            vs.append(Region(code=code, name=name, level=Level.VILLAGE, parent=t))
        out[t.code] = vs
        rows.extend(vs)
    Region.objects.bulk_create(rows)
    for v in rows:
        for n in range(1, rng.randint(4, 8) + 1):
            groups.append(VillageGroup(region=v, number=n, name=names.group_name(n)))
    VillageGroup.objects.bulk_create(groups, batch_size=5000)
    return out


HOUSEHOLD_COLUMNS = ["id", "region", "group", "number", "head_name", "address", "latitude", "longitude", "note",
                     "created_at", "updated_at", "version"]
RESIDENT_COLUMNS = ["id", "household", "region", "name", "gender", "birth_date", "relation", "id_number_enc",
                    "id_number_hash", "id_number_masked", "phone_enc", "phone_hash", "phone_masked", "status",
                    "created_at", "updated_at"]
TAG_ODDS = {"dibao": 0.08, "tekun": 0.02, "tuopin": 0.15, "jiance": 0.04, "canji": 0.05,
            "dujulaoren": 0.8, "liushouertong": 0.3, "xingdongbubian": 0.04}  # the last three: where they fit


def _tags_that_fit(family: list[dict], anchor: dt.date) -> dict[str, bool]:
    """独居老人 only on a one-person household of 60 or more, 留守儿童 only where a child lives,
    行动不便 only where someone is 70 or more: a tag the household's members contradict is never set."""
    ages = [anchor.year - m["birth"].year for m in family]
    return {"dujulaoren": len(family) == 1 and ages[0] >= 60, "liushouertong": any(a < 16 for a in ages),
            "xingdongbubian": any(a >= 70 for a in ages)}


def _id_number(rng: random.Random, region6: str, birth: dt.date, gender: str) -> str:
    seq = rng.randint(0, 99) * 10 + (rng.choice((1, 3, 5, 7, 9)) if gender == "M" else rng.choice((0, 2, 4, 6, 8)))
    first17 = f"{region6}{birth:%Y%m%d}{seq:03d}"
    return first17 + idcard.check_digit(first17)


def _phone(rng: random.Random) -> str:
    return rng.choice(("13", "15", "17", "18", "19")) + "".join(str(rng.randint(0, 9)) for _ in range(9))


def _make_households(rng: random.Random, villages: dict[str, list[Region]], total: int, anchor: dt.date,
                     progress: Progress) -> dict[str, list[int]]:
    tags = {}
    for code, name, per_year in BUILTIN_TAGS:
        tags[code], _ = Tag.objects.get_or_create(code=code, defaults={"name": name, "is_builtin": True,
                                                                       "visits_per_year": per_year})
    all_villages = [v for vs in villages.values() for v in vs]
    groups_by_village: dict[str, list[int]] = {}
    for gid, code in VillageGroup.objects.filter(region__in=all_villages).values_list("id", "region_id"):
        groups_by_village.setdefault(code, []).append(gid)
    by_village: dict[str, list[int]] = {}
    created = 0
    batch = 5000
    start = dt.datetime.combine(anchor - dt.timedelta(days=730), dt.time(9), TZ)
    hid, rid = bulk.next_id(Household), bulk.next_id(Resident)
    through = Household.tags.through
    while created < total:
        n = min(batch, total - created)
        households, residents, links = [], [], []
        for k in range(n):
            index = created + k
            v = all_villages[index % len(all_villages)]
            head_gender = "M" if rng.random() < 0.8 else "F"
            head = person_name(rng, head_gender)
            group_ids = groups_by_village[v.code]
            when = start + dt.timedelta(minutes=rng.randint(0, 60 * 24 * 30))
            gid = rng.choice(group_ids)
            households.append((
                hid, v.code, gid, f"{index // len(all_villages) + 1:04d}", head,
                f"{v.name}{group_ids.index(gid) + 1}组{rng.randint(1, 120)}号",
                round(31.35 + rng.random() * 0.6, 6), round(107.6 + rng.random() * 0.7, 6), "", when, when, 1))
            by_village.setdefault(v.code, []).append(hid)
            family = _family(rng, head, head_gender, anchor)
            for m in family:
                idn = _id_number(rng, "511722", m["birth"], m["gender"]) if m["birth"].year < anchor.year - 16 \
                    or rng.random() < 0.5 else ""
                phone = _phone(rng) if m["birth"].year < anchor.year - 14 and rng.random() < 0.85 else ""
                residents.append((
                    rid, hid, v.code, m["name"], m["gender"], m["birth"], m["relation"],
                    crypto.encrypt(idn), crypto.lookup_hash(idn), mask_id_number(idn),
                    crypto.encrypt(phone), crypto.lookup_hash(phone), mask_phone(phone), ResidentStatus.LIVING, when,
                    when))
                rid += 1
            fits = _tags_that_fit(family, anchor)
            links.extend((hid, tags[c].pk) for c, p in TAG_ODDS.items() if rng.random() < p and fits.get(c, True))
            hid += 1
        bulk.insert_rows(Household, HOUSEHOLD_COLUMNS, households)
        bulk.insert_rows(Resident, RESIDENT_COLUMNS, residents)
        bulk.insert_rows(through, ["household", "tag"], links)
        created += n
        if created % 20000 == 0 or created == total:
            progress(f"户 {created}/{total}")
    bulk.reset_sequences(Household, Resident, through)
    return by_village


def _family(rng: random.Random, head: str, head_gender: str, anchor: dt.date) -> list[dict]:
    def born(lo: int, hi: int) -> dt.date:
        return dt.date(anchor.year - rng.randint(lo, hi), rng.randint(1, 12), rng.randint(1, 28))

    surname = head[0]
    head_birth = born(28, 85)
    people = [{"name": head, "gender": head_gender, "birth": head_birth, "relation": "head"}]
    age = anchor.year - head_birth.year
    if age >= 65 and rng.random() < 0.3:  # an old person living alone: 独居老人
        return people
    if rng.random() < 0.8:
        g = "F" if head_gender == "M" else "M"
        people.append({"name": person_name(rng, g), "gender": g, "birth": born(max(20, age - 6), age + 4),
                       "relation": "spouse"})
    for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
        g = rng.choice("MF")
        lo = max(0, age - 45)
        people.append({"name": surname + person_name(rng, g)[1:], "gender": g,
                       "birth": born(lo, max(lo, age - 20)), "relation": "child"})
    if age < 50 and rng.random() < 0.3:
        g = rng.choice("MF")
        people.append({"name": person_name(rng, g), "gender": g, "birth": born(age + 22, age + 35),
                       "relation": "parent"})
    return people
