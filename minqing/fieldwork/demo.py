"""Demo field work: a year of 四下基层 in the demo county, up to the anchor.

- door-to-door visits on each household's plan (monthly for 低保/监测/独居 …, quarterly for the
  rest), by its paired cadre, each cadre with their own diligence, and in the anchor's month the
  monthly visit of every paired household (the quota's month: green, yellow and red cadres);
  notes, GPS, help at the door (生存认证, 临时救助, 慰问);
- the appeals the appeals step registered by visit, meeting and reception (real messages when
  ../shared is there) linked to the visit or activity they were raised at; disputes solved on
  the spot become mediation sessions (田间法庭);
- courtyard and village meetings, outreach talks, evening schools, research under the county
  leaders' research topics, reception days of the county secretary (10th) and county head
  (20th), on-site office days of the county leaders, front-line days of department heads — each
  with a share of misses, so the quota report shows green, yellow and red;
- four visit rounds of each township's five-person team with the three lists of each village and
  a 215 → 104 → 25-like funnel.

Bulk inserts (minqing.demo.bulk), deterministic for the rng and anchor, audit events chained in
bulk as the appeals step does.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from django.db.models import Max

from minqing.accounts.models import Pairing, User, VisitTeam, VisitTeamMember
from minqing.appeals.models import Appeal
from minqing.audit import log as audit_log
from minqing.audit.models import AuditStream
from minqing.audit.models import Event as AuditEvent
from minqing.demo import bulk
from minqing.households.models import Household, Resident, Tag

from . import demo_people, plans, quotas
from .demo_texts import (
    CROPS,
    DECISIONS,
    FINDINGS,
    LIST_ITEMS,
    MEETING_TOPICS,
    MEMBERS,
    NIGHT_SCHOOL,
    NOTES,
    OUTREACH,
    POLICIES,
    TOPICS,
)
from .models import (
    Activity,
    FieldAppeal,
    ResearchSubtopic,
    ResearchTopic,
    VillageList,
    VillageListItem,
    Visit,
    VisitHelp,
    VisitPolicy,
    VisitRound,
)

COUNTY = "511722000000"



class Chain:
    """Audit events appended to the county's hash chain in bulk (the same hashing as audit.log)."""

    def __init__(self, names: dict[int, str]):
        self.rows: list[tuple[str, str, int, str, int | None, dt.datetime, dict]] = []
        self.names = names

    def add(self, action: str, object_type: str, object_id: int, region: str, actor: int | None,
            at: dt.datetime, changes: dict) -> None:
        self.rows.append((action, object_type, object_id, region, actor, at, changes))

    def save(self) -> int:
        if not self.rows:
            return 0
        key = audit_log.stream_for(COUNTY)
        AuditStream.objects.get_or_create(key=key)
        head = AuditStream.objects.select_for_update().get(key=key)
        seq, prev = head.last_seq, head.last_hash
        out = []
        for action, otype, oid, region, actor, at, changes in sorted(self.rows, key=lambda r: r[5]):
            seq += 1
            e = SimpleNamespace(stream=key, seq=seq, at=at, actor_id=actor, actor_name=self.names.get(actor, "system"),
                                ip=None, action=action, object_type=otype, object_id=str(oid), region_code=region,
                                changes=audit_log._canonical(changes), reason="")
            digest = audit_log._digest(prev, audit_log._hashed_fields(e))
            out.append((key, seq, at, actor, e.actor_name, None, action, otype, e.object_id, region,
                        json.dumps(e.changes, ensure_ascii=False), "", prev, digest))
            prev = digest
        bulk.insert_rows(AuditEvent, ["stream", "seq", "at", "actor", "actor_name", "ip", "action", "object_type",
                                      "object_id", "region_code", "changes", "reason", "prev_hash", "hash"], out)
        bulk.reset_sequences(AuditEvent)
        head.last_seq, head.last_hash = seq, prev
        head.save(update_fields=["last_seq", "last_hash"])
        return len(out)


class FieldDemo:
    def __init__(self, rng: random.Random, anchor: dt.date, now: dt.datetime, staffing: Any,
                 villages: dict[str, list[Any]]):
        self.rng, self.anchor, self.now, self.tz = rng, anchor, now, now.tzinfo
        self.staffing, self.villages = staffing, villages
        self.start = anchor - dt.timedelta(days=364)
        users = User.objects.values_list("pk", "display_name", "username")
        self.names = {pk: display or username for pk, display, username in users}
        self.chain = Chain(self.names)
        self.visit_id, self.activity_id = bulk.next_id(Visit), bulk.next_id(Activity)
        self.visits: list[tuple] = []
        self.helps: list[tuple] = []
        self.companions: list[tuple] = []
        self.activities: list[tuple] = []
        self.participants: list[tuple] = []
        self.links: list[FieldAppeal] = []
        self.met: list[tuple[int, int]] = []  # (visit, resident): the residents met (人次)
        self.attendees: list[tuple[int, int]] = []  # (activity, resident)
        self.visit_cases: list[tuple[int, int]] = []  # (visit, appeal): 带案下访, 上门家访
        self.activity_cases: list[tuple[int, int]] = []  # (activity, appeal): 接访, 现场办公
        self.members: dict[int, list[tuple[int, int]]] = defaultdict(list)  # household → [(resident, age)]
        self.village_residents: dict[str, list[int]] = defaultdict(list)
        self.cared: dict[int, tuple[int, str]] = {}  # household → (resident, care kind): set by demo_people
        self.diligence: dict[int, float] = {}
        self.village_names = {v.code: v.name for vs in villages.values() for v in vs}
        self.facts = self.household_facts()
        self.due_today: dict[int, dt.date] = {}  # households left due on the anchor: their last visit

    # -- helpers -------------------------------------------------------------------------
    def when(self, day: dt.date, low: int = 8, high: int = 18) -> dt.datetime:
        t = dt.datetime.combine(day, dt.time(self.rng.randint(low, high - 1), self.rng.choice((0, 10, 20, 30, 40, 50))),
                                self.tz)
        return min(t, self.now - dt.timedelta(minutes=30))

    def day_between(self, low: dt.date, high: dt.date) -> dt.date:
        high = min(high, self.anchor)
        return low + dt.timedelta(days=self.rng.randint(0, max(0, (high - low).days)))

    def cadre_diligence(self, uid: int) -> float:
        """Each cadre's share of planned visits made: a mix that gives green, yellow and red."""
        if uid not in self.diligence:
            r = self.rng.random()
            self.diligence[uid] = (self.rng.uniform(0.97, 1.0) if r < 0.45 else
                                   self.rng.uniform(0.8, 0.95) if r < 0.75 else self.rng.uniform(0.35, 0.75))
        return self.diligence[uid]

    def household_facts(self) -> dict[int, set[str]]:
        """household → the note conditions it meets (from its living members' number and ages)."""
        ages: dict[int, list[int]] = defaultdict(list)
        rows = Resident.objects.filter(status="living", deleted_at__isnull=True).order_by("household_id", "pk")
        for rid, hid, region, born in rows.values_list("pk", "household_id", "region_id", "birth_date"):
            age = self.anchor.year - born.year if born else 40
            ages[hid].append(age)
            self.members[hid].append((rid, age))
            self.village_residents[region].append(rid)
        facts = {}
        for hid, a in ages.items():
            f = {"any"}
            if len(a) > 1:
                f.add("family")
                if max(a) >= 60:
                    f.add("elder_family")
            elif a[0] >= 60:
                f.add("alone_elder")
            if min(a) < 16:
                f.add("child")
            facts[hid] = f
        return facts

    def note(self, household: int | None = None) -> str:
        fits = self.facts.get(household, {"any"}) if household is not None else {"any"}
        text = self.rng.choice([t for t, when in NOTES if when in fits])
        return text.format(crop=self.rng.choice(CROPS), member=self.rng.choice(MEMBERS),
                           policy=self.rng.choice(POLICIES))

    def add_visit(self, hh: tuple, visitor: int, at: dt.datetime, *, note: str | None = None, problems: bool = False,
                  help_kind: str | None = None, tags: list[str] | None = None, round_id: int | None = None,
                  subtopic: int | None = None, companions: Iterable[int] = ()) -> int:
        pk, region, lat, lng, _freq, _tags = hh
        gps = lat is not None and self.rng.random() < 0.65
        jitter = Decimal(self.rng.randint(-300, 300)) / Decimal(1_000_000)
        vid = self.visit_id
        self.visit_id += 1
        # Who opened the door: one member most often, two or three at a time now and then, and
        # sometimes a relative or neighbour who is not on the register.
        family = self.members.get(pk, [])
        met = self.rng.sample(family, min(len(family), self.rng.choice((1, 1, 1, 2, 2, 3))))
        people = max(1, len(met) + (1 if self.rng.random() < 0.08 else 0))
        self.met += [(vid, rid) for rid, _age in met]
        self.visits.append((vid, None, pk, region, visitor, None, round_id, subtopic, at,
                            (lat + jitter) if gps else None, (lng + jitter) if gps else None,
                            note if note is not None else self.note(pk), tags or [], [], problems, "demo", visitor,
                            at, at, 1, people))
        for uid in companions:
            if uid != visitor:
                self.companions.append((vid, uid))
        if help_kind:
            amount = {"temporary_relief": Decimal(self.rng.choice((300, 500, 800, 1000, 1500, 2000))),
                      "condolence_money": Decimal(self.rng.choice((200, 300, 500)))}.get(help_kind)
            goods, pieces = ("米一袋、油一桶", 2) if help_kind == "condolence_goods" else ("", 0)
            cared = self.cared.get(pk)
            elders = [rid for rid, age in family if age >= 60]
            person = cared[0] if cared else (elders[0] if help_kind == "survival_check" and elders else None)
            label = {"survival_check": "上门为老人完成养老保险生存认证", "temporary_relief": "发放临时救助金",
                     "condolence_money": "春节慰问", "condolence_goods": "送慰问品",
                     "paperwork": "代办医保报销材料"}.get(help_kind, "")
            self.helps.append((vid, region, help_kind, amount, goods, pieces, person, label))
        self.chain.add("field.visit.created", "fieldwork.visit", vid, region, visitor, at,
                       {"household": pk, "help": [help_kind] if help_kind else [], "appeals": int(problems)})
        return vid

    def add_activity(self, kind: str, region: str, at: dt.datetime, leader: int, *, place: str = "", topic: str = "",
                     documents: str = "", attendance: int | None = None, subtopic: int | None = None,
                     findings: str = "", decisions: str = "", note: str = "",
                     participants: Iterable[int] = (), attendees: Iterable[int] = ()) -> int:
        aid = self.activity_id
        self.activity_id += 1
        came = sorted(set(attendees))
        if came:
            attendance = max(attendance or 0, len(came))
            self.attendees += [(aid, rid) for rid in came]
        self.activities.append((aid, None, kind, region, at, place, topic, documents, attendance, leader, subtopic,
                                findings, decisions, note, "demo", leader, at, at, 1))
        for uid in sorted({leader, *participants}):
            self.participants.append((aid, uid))
        self.chain.add("field.activity.created", "fieldwork.activity", aid, region, leader, at,
                       {"kind": kind, "region": region, "held_at": at, "topic": topic})
        return aid

    def village_name(self, code: str) -> str:
        return self.village_names.get(code, "")


def _households() -> dict[str, list[tuple]]:
    """village → [(pk, region, lat, lng, visits a year, tag codes)]."""
    tag_codes = dict(Tag.objects.values_list("pk", "code"))
    tags_of: dict[int, list[str]] = defaultdict(list)
    for hid, tid in Household.tags.through.objects.values_list("household_id", "tag_id"):
        tags_of[hid].append(tag_codes[tid])
    out: dict[str, list[tuple]] = defaultdict(list)
    rows = (Household.objects.alive().annotate(freq=Max("tags__visits_per_year")).order_by("region_id", "pk")
            .values_list("pk", "region_id", "latitude", "longitude", "freq"))
    for pk, region, lat, lng, freq in rows:
        out[region].append((pk, region, lat, lng, max(freq or 0, 4), sorted(tags_of.get(pk, []))))
    return out


def load(*, rng: random.Random, anchor: dt.date, now: dt.datetime, staffing: Any, villages: dict[str, list[Any]],
         shared: Path | None = None, progress: Callable[[str], None] = print) -> None:
    began = time.monotonic()
    d = FieldDemo(rng, anchor, now, staffing, villages)
    quotas.install_defaults(COUNTY)
    VisitPolicy.objects.get_or_create(region_id=COUNTY, defaults={"default_visits_per_year": 4})
    by_village = _households()
    paired: dict[int, int] = dict(Pairing.objects.filter(household__isnull=False)
                                  .values_list("household_id", "cadre_id"))
    rounds = _rounds(d)
    care = demo_people.care_files(d, paired)  # before the visits: the people under care get their help
    _visits(d, by_village, paired, rounds)
    _field_appeals(d, by_village, paired)
    _activities(d)
    demo_people.cases_taken_down(d, by_village)
    _save(d)
    care.save()
    extra = demo_people.group_petitions(d) + demo_people.deeds(d)
    events = d.chain.save()
    progress(f"走访 {len(d.visits)} 次（{sum(v[-1] for v in d.visits)} 人次），集体活动 {len(d.activities)} 场，"
             f"现场诉求关联 {len(d.links)} 件，带案下访 {len(d.visit_cases) + len(d.activity_cases)} 件次，"
             f"关爱档案 {len(care.rows)} 份，集访与实事 {extra} 条，"
             f"走访轮次 {VisitRound.objects.count()} 个（审计事件 {events} 条），"
             f"用时 {time.monotonic() - began:.1f} 秒")


# --- visit rounds and the three lists -----------------------------------------------------------


Round = tuple[int, set[str], dt.date, dt.date, list[int]]


def _rounds(d: FieldDemo) -> list[Round]:
    """Four rounds a year per team (one a quarter, two weeks each); rounds not begun by the
    anchor are left out. Returns (round id, villages, first day, last day, team members)."""
    out = []
    teams = list(VisitTeam.objects.prefetch_related("villages").order_by("pk"))
    members: dict[int, list[int]] = defaultdict(list)
    leaders: dict[int, int] = {}  # 县级领导带队: the team's county-leader member leads its rounds
    for team_id, uid, role in VisitTeamMember.objects.order_by("pk").values_list("team_id", "user_id", "role"):
        members[team_id].append(uid)
        if role == "county_leader":
            leaders.setdefault(team_id, uid)
    round_id, list_id = bulk.next_id(VisitRound), bulk.next_id(VillageList)
    rounds, round_villages, lists, items = [], [], [], []
    for team in teams:
        codes = sorted(v.code for v in team.villages.all())
        for number in range(1, 5):
            first = d.start + dt.timedelta(days=91 * (number - 1) + d.rng.randint(10, 40))
            if first > d.anchor:
                continue
            last = first + dt.timedelta(days=13)
            finished = last < d.anchor
            at = d.when(first)
            rounds.append((round_id, team.pk, team.region_id, first.year, number, first, last if finished else None,
                           0, 0, 0, 0, "", leaders.get(team.pk), "", at, at))
            round_villages.extend((round_id, code) for code in codes)
            out.append((round_id, set(codes), first, last, members[team.pk]))
            for code in codes:
                lists.append((list_id, code, round_id, f"第{number}轮走访“三张清单”", first - dt.timedelta(days=3), at))
                for kind, texts in LIST_ITEMS.items():
                    for pos, text in enumerate(d.rng.sample(texts, 3)):
                        done = d.rng.random() < (0.92 if finished else 0.4)
                        when = d.when(d.day_between(first, last)) if done else None
                        items.append((list_id, code, kind, text, pos, when, "已落实" if done else ""))
                list_id += 1
            round_id += 1
    bulk.insert_rows(VisitRound, ["id", "team", "region", "year", "number", "started_on", "ended_on",
                                  "households_visited", "households_with_problems", "sent_to_township",
                                  "sent_to_county", "summary", "led_by", "correction_reason", "created_at",
                                  "updated_at"], rounds)
    bulk.insert_rows(VisitRound.villages.through, ["visitround", "region"], round_villages)
    bulk.insert_rows(VillageList, ["id", "region", "round", "title", "prepared_on", "created_at"], lists)
    bulk.insert_rows(VillageListItem, ["village_list", "region", "kind", "text", "position", "done_at", "done_note"],
                     items)
    bulk.reset_sequences(VisitRound, VillageList, VillageListItem, VisitRound.villages.through)
    return out


def _round_results(d: FieldDemo, rounds: list[Round], households: dict[str, list[tuple]]) -> None:
    """The team's counts, in households: found ≈ 17%, to the township ≈ 48% of those, to the county ≈ 24%."""
    def share(n: int, low: float, high: float) -> int:
        """n × a rate, rounded up or down at random in proportion (small villages still add up)."""
        x = n * d.rng.uniform(low, high)
        return int(x) + (d.rng.random() < x - int(x))

    for rid, codes, _first, last, _members in rounds:
        visited = sum(len(households.get(c, [])) for c in codes)
        if last >= d.anchor:
            visited = share(visited, 0.3, 0.7)
        found = share(visited, 0.12, 0.22)
        township = share(found, 0.4, 0.56)
        county = share(township, 0.16, 0.32)
        VisitRound.objects.filter(pk=rid).update(
            households_visited=visited, households_with_problems=found, sent_to_township=township,
            sent_to_county=county, correction_reason="走访组汇总自报：含未在系统逐户登记的走访",
            summary=f"本轮走访{visited}户，摸排问题{found}户，提交乡镇研判{township}户，报送县级{county}户。")


# --- visits ---------------------------------------------------------------------------------


def _visits(d: FieldDemo, by_village: dict[str, list[tuple]], paired: dict[int, int], rounds: list[Round]) -> None:
    round_at: dict[str, list[tuple[int, dt.date, dt.date, list[int]]]] = defaultdict(list)
    for rid, codes, first, last, members in rounds:
        for c in codes:
            round_at[c].append((rid, first, last, members))
    month_start = d.anchor.replace(day=1)
    demo_cadres = {u.pk for name, u in d.staffing.users.items() if name.startswith("demo-village")}
    for code, rows in by_village.items():
        cadres = [u.pk for u in d.staffing.village_cadres.get(code, [])]
        if not cadres:
            continue
        for i, hh in enumerate(rows):
            visitor = paired.get(hh[0], cadres[hh[0] % len(cadres)])
            if demo_cadres & set(cadres) and i % 3 == 0:
                # The README's cadres open /field/ on the day the demo loads: a third of their
                # households fall due that day (last visited one interval ago), so the plan has work.
                last = d.anchor - dt.timedelta(days=plans.interval_days(hh[4]))
                d.due_today[hh[0]] = last
                for k in range(3):
                    d.add_visit(hh, visitor, d.when(last - dt.timedelta(days=k * plans.interval_days(hh[4]))))
                continue
            p = d.cadre_diligence(visitor)
            step = 365 / hh[4]
            slots = int(365 // step)
            for k in range(slots):
                low = d.start + dt.timedelta(days=int(k * step))
                high = d.start + dt.timedelta(days=int((k + 1) * step) - 1)
                if low >= month_start:
                    break  # the anchor's month is the paired-visit month below
                if d.rng.random() > p:
                    continue
                day = d.day_between(low, high)
                rnd = next((r for r in round_at[code] if r[1] <= day <= r[2]), None)
                # In a round the team's members go along now and then (五人大走访).
                along = [d.rng.choice(rnd[3])] if rnd and rnd[3] and d.rng.random() < 0.25 else []
                tagged = bool(hh[5]) or hh[0] in d.cared
                help_kind = None
                if tagged and d.rng.random() < 0.12:
                    help_kind = d.rng.choice(("survival_check", "temporary_relief", "condolence_goods", "paperwork",
                                              "condolence_money"))
                elif day.month in (1, 2) and tagged and d.rng.random() < 0.5:
                    help_kind = d.rng.choice(("condolence_money", "condolence_goods"))
                elif day.month in (6, 9, 10) and hh[0] in d.cared and d.rng.random() < 0.5:
                    # 端午、中秋、重阳: the people under care are visited with a gift
                    help_kind = d.rng.choice(("condolence_money", "condolence_goods"))
                tags = [t for t in hh[5] if d.rng.random() < 0.05]
                d.add_visit(hh, visitor, d.when(day), help_kind=help_kind, tags=tags,
                            round_id=rnd[0] if rnd else None, companions=along)
            # The anchor's month: every paired household, as far as the cadre's diligence goes.
            if hh[0] in paired and (p >= 0.97 or d.rng.random() < p):
                d.add_visit(hh, visitor, d.when(d.day_between(month_start, d.anchor)))
    _round_results(d, rounds, by_village)


def _field_appeals(d: FieldDemo, by_village: dict[str, list[tuple]], paired: dict[int, int]) -> None:
    """The appeals registered by visit, meeting and reception in the year become field appeals."""
    low = dt.datetime.combine(d.start, dt.time(), d.tz)
    hh_index = {hh[0]: hh for rows in by_village.values() for hh in rows}
    appeals = (Appeal.objects.filter(received_at__gte=low, channel__in=("visit", "meeting", "reception"))
               .order_by("received_at", "pk")
               .values_list("pk", "region_id", "household_id", "channel", "kind", "triage", "registered_by_id",
                            "received_at", "title"))
    meetings: dict[tuple[str, int], int] = {}
    leaders = [u.pk for u in d.staffing.county_leaders]
    for pk, region, hh_id, channel, kind, triage, registrar, at, title in appeals:
        cadres = [u.pk for u in d.staffing.village_cadres.get(region, [])] or leaders
        solved = triage == "solve_on_spot"
        if kind == "dispute" and solved:
            mediator = registrar or cadres[0]
            aid = d.add_activity("mediation", region, at, mediator, place=f"{d.village_name(region)}田间",
                                 topic=f"现场调解：{title[:40]}", attendance=d.rng.randint(4, 15))
            d.links.append(FieldAppeal(appeal_id=pk, region_id=region, activity_id=aid, solved_on_spot=True,
                                       created_at=at))
        elif channel == "visit" and hh_id in hh_index and (
                at.astimezone(d.tz).date() <= d.due_today.get(hh_id, d.anchor)):  # kept due: no later visit
            visitor = registrar or paired.get(hh_id, cadres[0])
            vid = d.add_visit(hh_index[hh_id], visitor, at, problems=True,
                              note=f"入户走访，群众反映：{title[:60]}。已登记诉求。")
            d.links.append(FieldAppeal(appeal_id=pk, region_id=region, visit_id=vid, solved_on_spot=solved,
                                       created_at=at))
        elif channel == "meeting":
            week = (at.date() - d.start).days // 7
            key = (region, week)
            if key not in meetings:
                kind_m = d.rng.choice(("courtyard", "assembly", "field_council", "baba"))
                meetings[key] = d.add_activity(kind_m, region, at, registrar or cadres[0],
                                               place=f"{d.village_name(region) or '村'}院坝",
                                               topic=d.rng.choice(MEETING_TOPICS), attendance=d.rng.randint(20, 120))
            d.links.append(FieldAppeal(appeal_id=pk, region_id=region, activity_id=meetings[key],
                                       solved_on_spot=solved, created_at=at))
        elif channel == "reception":
            aid = d.add_activity("reception", region, at, registrar or d.rng.choice(leaders), place="信访接待室",
                                 topic="群众来访接待", attendance=1)
            d.links.append(FieldAppeal(appeal_id=pk, region_id=region, activity_id=aid, solved_on_spot=solved,
                                       created_at=at))


# --- group activities -----------------------------------------------------------------------


def _months(d: FieldDemo) -> list[dt.date]:
    out, m = [], d.start.replace(day=1)
    while m <= d.anchor:
        out.append(m)
        m = (m + dt.timedelta(days=32)).replace(day=1)
    return out


def _activities(d: FieldDemo) -> None:
    rng, users = d.rng, d.staffing.users
    townships = sorted(d.villages)
    months = _months(d)
    # Meetings, evening schools and outreach in every village / township through the year.
    for t in townships:
        vs = d.villages[t]
        leads = [u.pk for u in d.staffing.township_leads.get(t, [])]
        for v in vs:
            cadres = [u.pk for u in d.staffing.village_cadres.get(v.code, [])]
            if not cadres:
                continue
            for q in range(4):
                day = d.day_between(d.start + dt.timedelta(days=91 * q), d.start + dt.timedelta(days=91 * q + 90))
                number = rng.randint(25, 150)
                # A third of the meetings keep a sign-in roster from the register (the rest a head count).
                pool = d.village_residents.get(v.code, [])
                roster = rng.sample(pool, min(len(pool), number)) if pool and rng.random() < 0.35 else []
                d.add_activity(rng.choice(("courtyard", "assembly", "field_council", "baba")), v.code,
                               d.when(day, 18, 21), cadres[0],
                               place=v.name + rng.choice(("院坝", "村委会", "田间")),
                               topic=rng.choice(MEETING_TOPICS), attendance=number,
                               participants=cadres[1:2], attendees=roster)
            if rng.random() < 0.5:
                day = d.day_between(d.start, d.anchor)
                d.add_activity("night_school", v.code, d.when(day, 19, 21), cadres[0], place=f"{v.name}农民夜校",
                               topic=rng.choice(NIGHT_SCHOOL), attendance=rng.randint(20, 80))
        for m in months[::2]:
            topic, docs = rng.choice(OUTREACH)
            v = rng.choice(vs)
            d.add_activity("outreach", v.code, d.when(d.day_between(m, m + dt.timedelta(days=27))),
                           leads[0] if leads else d.staffing.county_leaders[0].pk, place=f"{v.name}党群服务中心",
                           topic=topic, documents=docs, attendance=rng.randint(40, 200))
    all_villages = [v for t in townships for v in d.villages[t]]
    # Reception days: the county secretary on the 10th, the county head on the 20th (some missed).
    secretary, head = d.staffing.county_leaders[0].pk, d.staffing.county_leaders[1].pk
    for uid, set_day, miss in ((secretary, 10, 0.1), (head, 20, 0.4)):
        for m in months:
            target = quotas.reception_day(m.year, m.month, set_day)
            if target > d.anchor or rng.random() < miss:
                continue
            d.add_activity("reception", COUNTY, d.when(target, 9, 12), uid, place="县信访接待中心",
                           topic="领导接访日", attendance=rng.randint(3, 12))
    # On-site office days: each county leader's quarters, with a mix of kept and missed ones.
    quarter_starts = sorted({dt.date(m.year, 3 * ((m.month - 1) // 3) + 1, 1) for m in months})
    for i, leader in enumerate(d.staffing.county_leaders):
        keep = (1.0, 0.8, 0.6, 0.4, 0.2)[i % 5]
        for q in quarter_starts:
            if rng.random() > keep:
                continue
            v = rng.choice(all_villages)
            day = d.day_between(max(q, d.start), q + dt.timedelta(days=88))
            d.add_activity("onsite_office", v.code, d.when(day), leader.pk, place=f"{v.name}村委会",
                           topic="现场办公", decisions=rng.choice(DECISIONS).format(v=v.name),
                           participants=[u.pk for u in d.staffing.township_leads.get(v.parent_id, [])[:1]])
    # Research: the county leaders' topics, sub-topics led by department heads, field research under them.
    dept_heads = sorted(u.pk for name, u in users.items() if name.startswith("d-") and name.endswith("-head"))
    subtopic_ids = []
    for i, (title, subs) in enumerate(TOPICS):
        leader = d.staffing.county_leaders[i % len(d.staffing.county_leaders)]
        topic = ResearchTopic.objects.create(region_id=COUNTY, title=title, leader=leader, year=d.anchor.year,
                                             plan=f"围绕“{title}”，分{len(subs)}个子课题，深入乡村开展蹲点调研。",
                                             created_at=d.when(d.start))
        for j, sub in enumerate(subs):
            owner = dept_heads[(i * 3 + j) % len(dept_heads)] if dept_heads else leader.pk
            st = ResearchSubtopic.objects.create(
                topic=topic, region_id=COUNTY, title=sub, leader_id=owner, plan=f"走访不少于20户，形成{sub}调研报告。",
                due_on=d.anchor + dt.timedelta(days=60), created_at=d.when(d.start),
                findings=rng.choice(FINDINGS).format(n=rng.randint(8, 60)) if rng.random() < 0.7 else "")
            subtopic_ids.append((st.pk, owner))
            d.chain.add("field.topic.created", "fieldwork.researchtopic", topic.pk, COUNTY, leader.pk,
                        d.when(d.start), {"title": title})
    # Department heads' front-line days: research, joint outreach and on-site days (a mix of 2–16 a year).
    for n, uid in enumerate(dept_heads):
        days = (rng.randint(11, 16), rng.randint(6, 9), rng.randint(2, 4))[n % 3]
        mine = [s for s, owner in subtopic_ids if owner == uid]
        for _ in range(days):
            v = rng.choice(all_villages)
            day = d.day_between(d.start, d.anchor)
            sub = rng.choice(mine) if mine and rng.random() < 0.6 else None
            d.add_activity("research", v.code, d.when(day), uid, place=f"{v.name}", subtopic=sub,
                           topic="蹲点调研" if sub else "下基层走访调研",
                           findings=rng.choice(FINDINGS).format(n=rng.randint(3, 30)))


# --- saving ---------------------------------------------------------------------------------

VISIT_COLUMNS = ["id", "client_id", "household", "region", "visitor", "team", "round", "subtopic", "visited_at",
                 "latitude", "longitude", "note", "tags_added", "tags_removed", "problems_found", "device",
                 "created_by", "created_at", "updated_at", "version", "people_met"]
ACTIVITY_COLUMNS = ["id", "client_id", "kind", "region", "held_at", "place", "topic", "documents", "attendance",
                    "leader", "subtopic", "findings", "decisions", "note", "device", "created_by", "created_at",
                    "updated_at", "version"]


def _json_rows(rows: list[tuple], indexes: tuple[int, ...]) -> Iterable[tuple]:
    """JSON columns as the backend stores them (insert_rows writes raw values)."""
    for row in rows:
        values = list(row)
        for i in indexes:
            values[i] = json.dumps(values[i], ensure_ascii=False)
        yield tuple(values)


def _save(d: FieldDemo) -> None:
    bulk.insert_rows(Activity, ACTIVITY_COLUMNS, d.activities)
    bulk.insert_rows(Activity.participants.through, ["activity", "user"], d.participants)
    bulk.insert_rows(Visit, VISIT_COLUMNS, _json_rows(d.visits, (12, 13)))
    bulk.insert_rows(Visit.companions.through, ["visit", "user"], d.companions)
    bulk.insert_rows(VisitHelp, ["visit", "region", "kind", "amount", "goods", "goods_count", "resident", "note"],
                     d.helps)
    bulk.insert_rows(Visit.residents_met.through, ["visit", "resident"], d.met)
    bulk.insert_rows(Activity.attendees.through, ["activity", "resident"], d.attendees)
    bulk.insert_rows(Visit.cases.through, ["visit", "appeal"], d.visit_cases)
    bulk.insert_rows(Activity.cases.through, ["activity", "appeal"], d.activity_cases)
    bulk.reset_sequences(Activity, Visit, Activity.participants.through, Visit.companions.through, VisitHelp,
                         Visit.residents_met.through, Activity.attendees.through, Visit.cases.through,
                         Activity.cases.through)
    FieldAppeal.objects.bulk_create(d.links, batch_size=5000)
