"""Units, staff, pairings and visit teams of the demo county."""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from minqing.accounts.models import Pairing, Post, Unit, User, VisitTeam, VisitTeamMember
from minqing.accounts.roles import Role, TeamRole, UnitKind
from minqing.regions.models import Region

from .names import GIVEN_FEMALE, GIVEN_MALE, SURNAMES

DEMO_PASSWORD = "Minqing-Demo-2026"  # passes the password rules (minqing/accounts/passwords.py)
DEPARTMENTS = [
    ("县民政局", "civil_affairs"), ("县住房和城乡建设局", "housing"), ("县交通运输局", "transport"),
    ("县教育局", "education"), ("县卫生健康局", "health"), ("县农业农村局", "agriculture"),
    ("县水利局", "water"), ("县人力资源和社会保障局", "social_security"), ("县自然资源局", "land"),
    ("县司法局", "justice"), ("县信访局", "petitions"), ("县乡村振兴局", "rural_revitalisation"),
    ("县医疗保障局", "medical_insurance"),
]
TOWNSHIP_STATIONS = [("民政办", "civil_affairs"), ("社保所", "social_security"),
                     ("经济综合服务中心", "economy"), ("村镇建设服务中心", "housing")]


def person_name(rng: random.Random, gender: str | None = None) -> str:
    gender = gender or rng.choice("MF")
    pool = GIVEN_MALE if gender == "M" else GIVEN_FEMALE
    return rng.choice(SURNAMES) + "".join(rng.choice(pool) for _ in range(rng.choice((1, 2, 2))))


@dataclass
class Staffing:
    users: dict[str, User]
    units: dict[str, Unit]
    village_cadres: dict[str, list[User]]  # village code → cadres
    township_leads: dict[str, list[User]]  # township code → 包村领导
    county_leaders: list[User]


# 职级 of a demo cadre by their (first) post.
DEMO_RANKS = {
    "county_secretary": "county_principal", "county_head": "county_principal", "county_leader": "county_deputy",
    "dept_head": "section_principal", "dept_handler": "clerk", "discipline": "chief_clerk",
    "township_secretary": "section_principal", "township_head": "section_principal",
    "village_lead": "section_deputy", "township_staff": "clerk", "first_secretary": "chief_clerk",
    "team_leader": "chief_clerk", "village_secretary": "village", "village_director": "village",
    "grid_worker": "village", "mediator": "village",
}


class StaffBuilder:
    """Creates accounts in bulk: only the demo log-ins get a (slow, argon2) password hash."""

    def __init__(self, rng: random.Random, now):
        self.rng = rng
        self.now = now
        self.users: list[User] = []
        self.posts: list[tuple[User, Unit, str, str]] = []
        self._names: set[str] = set()

    def user(self, username: str, display: str | None = None) -> User:
        u = User(username=username, display_name=display or person_name(self.rng), date_joined=self.now,
                 is_active=True, password=make_password(None))
        self.users.append(u)
        return u

    def post(self, user: User, unit: Unit, role: str, region_code: str) -> None:
        self.posts.append((user, unit, role, region_code))

    def _attributes(self) -> None:
        """党员, 出生年份 and 职级 of every demo cadre, from a generator of its own: the demo's other draws
        (cases, visits …) stay exactly as they were."""
        rng = random.Random(f"staff-attributes-{len(self.users)}")
        roles = {u.username: role for u, _unit, role, _code in self.posts}
        for u in self.users:
            rank = DEMO_RANKS.get(roles.get(u.username, ""), "other")
            u.rank = rank
            u.party_member = rank != "village" or rng.random() < 0.7
            youngest = self.now.year - (28 if rank.startswith(("county", "section")) else 22)
            u.birth_year = rng.randint(self.now.year - 58, youngest)

    def save(self) -> None:
        self._attributes()
        User.objects.bulk_create(self.users, batch_size=2000)
        by_name = dict(User.objects.filter(username__in=[u.username for u in self.users])
                       .values_list("username", "pk"))
        for u in self.users:
            u.pk = by_name[u.username]
        # In post since before the demo's two years of history, so reports of past periods have their people.
        since = self.now.date().replace(year=self.now.year - 3, day=1)
        Post.objects.bulk_create([Post(user=u, unit=unit, role=role, region_id=code, started_on=since)
                                  for u, unit, role, code in self.posts], batch_size=2000)


def build_staff(rng: random.Random, county: Region, townships: list[Region], villages: dict[str, list[Region]],
                now, demo_township: str, demo_villages: tuple[str, str]) -> Staffing:
    units: dict[str, Unit] = {}

    def unit(key: str, name: str, kind: str, region: Region, function: str = "", parent: Unit | None = None):
        units[key] = Unit(name=name, kind=kind, region=region, function=function, parent=parent)
        return units[key]

    leadership = unit("leadership", "中共宣汉县委、宣汉县人民政府", UnitKind.LEADERSHIP, county)
    unit("discipline", "宣汉县纪委监委", UnitKind.DISCIPLINE, county, "discipline")
    for name, fn in DEPARTMENTS:
        unit(f"dept:{fn}", name.replace("县", "宣汉县", 1), UnitKind.DEPARTMENT, county, fn)
    Unit.objects.bulk_create(list(units.values()))
    township_units: dict[str, Unit] = {}
    for t in townships:
        kind = "街道" if t.name.endswith("街道") else ""
        township_units[t.code] = unit(f"t:{t.code}", f"{t.name}{'党工委、办事处' if kind else '党委、政府'}",
                                      UnitKind.TOWNSHIP_OFFICE, t, parent=leadership)
    Unit.objects.bulk_create([u for k, u in units.items() if k.startswith("t:")])
    stations: list[Unit] = []
    for t in townships:
        for name, fn in TOWNSHIP_STATIONS:
            stations.append(unit(f"s:{t.code}:{fn}", f"{t.name}{name}", UnitKind.TOWNSHIP_STATION, t, fn,
                                 township_units[t.code]))
        for v in villages[t.code]:
            stations.append(unit(f"v:{v.code}", f"{v.name}{'居委会' if v.name.endswith('社区') else '村委会'}",
                                 UnitKind.VILLAGE_COMMITTEE, v, parent=township_units[t.code]))
            stations.append(unit(f"m:{v.code}", f"{v.name}人民调解委员会", UnitKind.MEDIATION_COMMITTEE, v,
                                 "mediation", township_units[t.code]))
    Unit.objects.bulk_create(stations, batch_size=2000)
    # 等保 三权分立: the county's system, security and audit administrators (no resident, no case).
    unit("admin", "宣汉县大数据发展中心", UnitKind.DEPARTMENT, county, "information").save()

    b = StaffBuilder(rng, now)
    named = {
        "demo-county": (units["leadership"], Role.COUNTY_SECRETARY, county.code, "县委书记 演示"),
        "demo-dept": (units["dept:housing"], Role.DEPT_HANDLER, county.code, "住建局 演示"),
        "demo-township": (township_units[demo_township], Role.TOWNSHIP_SECRETARY, demo_township,
                          "乡镇党委书记 演示"),
        "demo-village-a": (units[f"v:{demo_villages[0]}"], Role.VILLAGE_SECRETARY, demo_villages[0], "村支书 演示A"),
        "demo-village-b": (units[f"v:{demo_villages[1]}"], Role.VILLAGE_SECRETARY, demo_villages[1], "村支书 演示B"),
        "demo-jiwei": (units["discipline"], Role.DISCIPLINE, county.code, "纪委 演示"),
        # the set-up pages (系统设置) belong to a sysadmin post on the county's leadership unit
        "demo-admin": (units["leadership"], Role.SYSADMIN, county.code, "系统管理员 演示"),
        "demo-audit": (units["admin"], Role.AUDITOR, county.code, "审计管理员 演示"),
        "demo-secadmin": (units["admin"], Role.SECADMIN, county.code, "安全管理员 演示"),
    }
    demo_users = {}
    for username, (u_unit, role, code, display) in named.items():
        user = b.user(username, display)
        user.password = make_password(DEMO_PASSWORD)
        b.post(user, u_unit, role, code)
        demo_users[username] = user
    county_leaders = [demo_users["demo-county"]]
    for i, role in enumerate([Role.COUNTY_HEAD, Role.COUNTY_LEADER, Role.COUNTY_LEADER, Role.COUNTY_LEADER]):
        u = b.user(f"c-leader-{i + 1}")
        b.post(u, leadership, role, county.code)
        county_leaders.append(u)
    b.post(b.user("c-discipline-1"), units["discipline"], Role.DISCIPLINE, county.code)
    for _name, fn in DEPARTMENTS:
        b.post(b.user(f"d-{fn}-head"), units[f"dept:{fn}"], Role.DEPT_HEAD, county.code)
        b.post(b.user(f"d-{fn}-1"), units[f"dept:{fn}"], Role.DEPT_HANDLER, county.code)
    township_leads: dict[str, list[User]] = {}
    village_cadres: dict[str, list[User]] = {}
    for t in townships:
        office = township_units[t.code]
        if t.code != demo_township:
            b.post(b.user(f"t-{t.code}-sec"), office, Role.TOWNSHIP_SECRETARY, t.code)
        b.post(b.user(f"t-{t.code}-head"), office, Role.TOWNSHIP_HEAD, t.code)
        for _name, fn in TOWNSHIP_STATIONS[:2]:
            b.post(b.user(f"t-{t.code}-{fn}"), units[f"s:{t.code}:{fn}"], Role.TOWNSHIP_STAFF, t.code)
        leads = []
        for i in range(2):
            u = b.user(f"t-{t.code}-lead-{i + 1}")
            b.post(u, office, Role.VILLAGE_LEAD, t.code)
            leads.append(u)
        township_leads[t.code] = leads
        for v in villages[t.code]:
            committee = units[f"v:{v.code}"]
            cadres = []
            if v.code in demo_villages:
                cadres.append(demo_users["demo-village-a" if v.code == demo_villages[0] else "demo-village-b"])
            else:
                u = b.user(f"v-{v.code}-sec")
                b.post(u, committee, Role.VILLAGE_SECRETARY, v.code)
                cadres.append(u)
            u = b.user(f"v-{v.code}-dir")
            b.post(u, committee, Role.VILLAGE_DIRECTOR, v.code)
            cadres.append(u)
            u = b.user(f"v-{v.code}-grid")
            b.post(u, committee, Role.GRID_WORKER, v.code)
            cadres.append(u)
            b.post(b.user(f"v-{v.code}-med"), units[f"m:{v.code}"], Role.MEDIATOR, v.code)
            if rng.random() < 0.35:
                u = b.user(f"v-{v.code}-first")
                b.post(u, committee, Role.FIRST_SECRETARY, v.code)
                cadres.append(u)
            village_cadres[v.code] = cadres
    b.save()
    users = {u.username: u for u in b.users}
    return Staffing(users=users, units=units, village_cadres=village_cadres, township_leads=township_leads,
                    county_leaders=county_leaders)


def build_pairings_and_teams(rng: random.Random, staffing: Staffing, townships: list[Region],
                             villages: dict[str, list[Region]], households_by_village: dict[str, list[int]],
                             year: int, county: Region, now) -> None:
    pairings: list[Pairing] = []
    for t in townships:
        leads = staffing.township_leads[t.code]
        for i, v in enumerate(villages[t.code]):
            lead = leads[i % len(leads)]
            pairings.append(Pairing(cadre=lead, region=v, started_on=now.date()))
            cadres = staffing.village_cadres[v.code]
            for j, hid in enumerate(households_by_village.get(v.code, [])):
                pairings.append(Pairing(cadre=cadres[j % len(cadres)], region=v, household_id=hid,
                                        started_on=now.date()))
    Pairing.objects.bulk_create(pairings, batch_size=5000)
    members: list[VisitTeamMember] = []
    teams: list[tuple[VisitTeam, Region]] = []
    for i, t in enumerate(townships):
        team = VisitTeam.objects.create(name=f"{t.name}五人走访组", region=t, year=year)
        team.villages.set(villages[t.code])
        teams.append((team, t))
        v0 = villages[t.code][0]
        cadres = staffing.village_cadres[v0.code]
        chosen = [
            (staffing.county_leaders[i % len(staffing.county_leaders)], TeamRole.COUNTY_LEADER),
            (staffing.township_leads[t.code][0], TeamRole.VILLAGE_LEAD),
            (cadres[1], TeamRole.TEAM_LEADER),
            (cadres[-1], TeamRole.FIRST_SECRETARY),
            (cadres[0], TeamRole.VILLAGE_COMMITTEE),
        ]
        seen = set()
        for user, role in chosen:
            if user.pk not in seen:
                seen.add(user.pk)
                members.append(VisitTeamMember(team=team, user=user, role=role))
    VisitTeamMember.objects.bulk_create(members)
