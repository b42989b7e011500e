"""Posts (职务) and what each one may see. Plain data: the jurisdiction filter reads it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COUNTY_SECRETARY = "county_secretary", _("County Party secretary")  # 县委书记
    COUNTY_HEAD = "county_head", _("County head")  # 县长
    COUNTY_LEADER = "county_leader", _("County leader")  # 其他县级领导
    DEPT_HEAD = "dept_head", _("Department head")  # 部门负责人
    DEPT_HANDLER = "dept_handler", _("Department handler")  # 办理人
    DISCIPLINE = "discipline", _("Discipline inspector")  # 纪委
    TOWNSHIP_SECRETARY = "township_secretary", _("Township Party secretary")  # 乡镇党委书记
    TOWNSHIP_HEAD = "township_head", _("Township head")  # 乡镇长
    TOWNSHIP_STAFF = "township_staff", _("Township station staff")  # 站所工作人员 (民政站, 社保站 …)
    VILLAGE_LEAD = "village_lead", _("Village-pairing leader")  # 包村领导
    FIRST_SECRETARY = "first_secretary", _("Resident first secretary")  # 驻村第一书记
    TEAM_LEADER = "team_leader", _("Village work team leader")  # 驻村工作队长
    VILLAGE_SECRETARY = "village_secretary", _("Village Party secretary")  # 村支书
    VILLAGE_DIRECTOR = "village_director", _("Village committee director")  # 村委会主任
    GRID_WORKER = "grid_worker", _("Grid worker")  # 网格员
    MEDIATOR = "mediator", _("Mediator")  # 调解员
    # 等保 三权分立: the three administrators of a county's system. None of them reads residents' cases.
    SYSADMIN = "sysadmin", _("System administrator")  # 系统管理员: people, places, units, rules
    SECADMIN = "secadmin", _("Security administrator")  # 安全管理员: accounts, tokens, log-in policy
    AUDITOR = "auditor", _("Audit administrator")  # 审计管理员: reads the audit trail only


# Posts that work by place: they see the personal data of the region subtree their post covers.
PLACE_ROLES = frozenset({
    Role.COUNTY_SECRETARY, Role.COUNTY_HEAD, Role.COUNTY_LEADER,
    Role.TOWNSHIP_SECRETARY, Role.TOWNSHIP_HEAD, Role.TOWNSHIP_STAFF, Role.VILLAGE_LEAD,
    Role.FIRST_SECRETARY, Role.TEAM_LEADER, Role.VILLAGE_SECRETARY, Role.VILLAGE_DIRECTOR,
    Role.GRID_WORKER, Role.MEDIATOR,
})
# Posts that work by assignment: their unit's cases, and aggregate figures of their region.
UNIT_ROLES = frozenset({Role.DEPT_HEAD, Role.DEPT_HANDLER, Role.DISCIPLINE})
# Posts that administer and never read residents' personal data or cases (等保 三权分立).
ADMIN_ROLES = frozenset({Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR})
LEADER_ROLES = frozenset({
    Role.COUNTY_SECRETARY, Role.COUNTY_HEAD, Role.COUNTY_LEADER, Role.TOWNSHIP_SECRETARY,
    Role.TOWNSHIP_HEAD, Role.VILLAGE_LEAD,
})
VILLAGE_CADRE_ROLES = frozenset({
    Role.FIRST_SECRETARY, Role.TEAM_LEADER, Role.VILLAGE_SECRETARY, Role.VILLAGE_DIRECTOR,
    Role.GRID_WORKER,
})


class Rank(models.TextChoices):
    """职级 as the seeds count cadres: civil-service levels, then the village's own cadres."""

    COUNTY_PRINCIPAL = "county_principal", _("County-level principal")  # 县处级正职
    COUNTY_DEPUTY = "county_deputy", _("County-level deputy")  # 县处级副职
    SECTION_PRINCIPAL = "section_principal", _("Section-level principal")  # 乡科级正职
    SECTION_DEPUTY = "section_deputy", _("Section-level deputy")  # 乡科级副职
    CHIEF_CLERK = "chief_clerk", _("Chief clerk")  # 主任科员（一至四级）
    CLERK = "clerk", _("Clerk")  # 科员、办事员
    VILLAGE = "village", _("Village cadre")  # 村（社区）干部
    OTHER = "other", _("Other")  # 事业编制、聘用人员


class UnitKind(models.TextChoices):
    LEADERSHIP = "leadership", _("County leadership")  # 县委县政府
    DEPARTMENT = "department", _("County department")  # 县直部门
    DISCIPLINE = "discipline", _("Discipline commission")  # 纪委监委
    TOWNSHIP_OFFICE = "township_office", _("Township government")  # 乡镇党委政府
    TOWNSHIP_STATION = "township_station", _("Township station")  # 站所
    VILLAGE_COMMITTEE = "village_committee", _("Village committee")  # 村两委
    MEDIATION_COMMITTEE = "mediation_committee", _("Mediation committee")  # 调解委员会


# Units whose staff may reveal residents' personal data (docs/domain.md "Privacy"): the village's
# cadres, the township's 民政/社保 stations, the county 民政局. Matched on the unit's `function`
# together with its kind: a township station of these functions, a county department of
# REGISTER_FUNCTIONS only (民政局 — not 人社局).
REVEAL_FUNCTIONS = frozenset({"civil_affairs", "social_security"})
REGISTER_FUNCTIONS = frozenset({"civil_affairs"})


class TeamRole(models.TextChoices):
    COUNTY_LEADER = "county_leader", _("County leader")
    VILLAGE_LEAD = "village_lead", _("Village-pairing leader")
    TEAM_LEADER = "team_leader", _("Work team leader")
    FIRST_SECRETARY = "first_secretary", _("First secretary")
    VILLAGE_COMMITTEE = "village_committee", _("Village two committees")
