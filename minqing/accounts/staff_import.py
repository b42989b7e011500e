"""Bulk import of staff from Excel/CSV: one row per post (a person with two posts has two rows).

Columns: 登录名, 姓名, 单位, 职务 (the post's Chinese name, e.g. 村党组织书记 or its code), and
optionally 辖区代码 (the post's region code; the unit's place when empty) and the cadre's 党员
(是/否, 中共党员/预备党员/群众), 出生年份 and 职级 (its Chinese name or code); an empty cell leaves
what was entered before. All or nothing: every
row is checked first and errors name 第N行 “列名” as the ledger importer does; then one
transaction creates the accounts (no password: each person sets it with a one-time code) and
posts through the same service functions the pages use. A row whose person and post already exist
changes nothing, so a second import of the same file is harmless."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation

from minqing.lib import regioncode
from minqing.lib.cells import CellError, LedgerImportError, read_sheet, text

from . import services
from .admins import check_county
from .models import Post, Unit, User
from .roles import Rank, Role

COLUMNS = ("登录名", "姓名", "单位", "职务")
OPTIONAL = ("辖区代码", "党员", "出生年份", "职级")
PARTY_WORDS = {"是": True, "党员": True, "中共党员": True, "预备党员": True, "yes": True, "1": True,
               "否": False, "群众": False, "非党员": False, "no": False, "0": False}


@dataclass
class StaffImportResult:
    rows: int
    accounts_created: int
    posts_created: int
    dry_run: bool

    def summary(self) -> str:
        what = "试导入（未写入）" if self.dry_run else "已导入"
        return f"{what}：共 {self.rows} 行，新建账号 {self.accounts_created} 个，新建岗位 {self.posts_created} 个"


def _roles() -> dict[str, str]:
    """Post names in Chinese and English, and their codes, to the code."""
    return _names(Role)


def _names(choices) -> dict[str, str]:
    out = {r.value: r.value for r in choices}
    for lang in ("zh-hans", "en"):
        with translation.override(lang):
            out.update({str(r.label): r.value for r in choices})
    return out


def _attributes(party: str, year: str, rank: str, ranks: dict[str, str]) -> tuple[dict, list[tuple[str, str]]]:
    """The cadre's attributes given on the row (an empty cell: not given) and the problems found."""
    given: dict = {}
    problems: list[tuple[str, str]] = []
    if party:
        if party.lower() in PARTY_WORDS:
            given["party_member"] = PARTY_WORDS[party.lower()]
        else:
            problems.append(("党员", f"无法识别“{party}”，请填是或否"))
    if year:
        try:
            given["birth_year"] = int(float(year))
        except ValueError:
            problems.append(("出生年份", f"“{year}”不是年份"))
    if rank:
        if rank in ranks:
            given["rank"] = ranks[rank]
        else:
            problems.append(("职级", f"无法识别“{rank}”"))
    return given, problems


@dataclass
class _Row:
    number: int
    username: str
    name: str
    unit: Unit
    role: str
    region: str
    attributes: dict


def import_staff(path: str | Path, *, actor, county: str, dry_run: bool = False) -> StaffImportResult:
    check_county(actor, county)
    try:
        sheet = read_sheet(path, [set(COLUMNS)])
    except CellError as exc:
        raise LedgerImportError([(0, "", str(exc))]) from None
    col = {h: i for i, h in enumerate(sheet.headers)}
    low, high = regioncode.subtree_range(county)
    units = {u.name: u for u in Unit.objects.filter(region_id__gte=low, region_id__lte=high, is_active=True)}
    roles = _roles()
    ranks = _names(Rank)
    errors: list[tuple[int, str, str]] = []
    rows: list[_Row] = []
    seen: dict[str, str] = {}
    for number, cells in sheet.rows:
        idx = [col.get(c) for c in (*COLUMNS, *OPTIONAL)]
        username, name, unit_name, role_text, code, party, year, rank = (
            text(cells[i]) if i is not None and i < len(cells) else "" for i in idx)
        attributes, problems = _attributes(party, year, rank, ranks)
        if not username:
            problems.append(("登录名", "不能为空"))
        elif seen.get(username, name) != name:
            problems.append(("姓名", f"同一登录名“{username}”前面的姓名是“{seen[username]}”"))
        other = User.objects.filter(username__iexact=username).exclude(county_id=county).first() if username else None
        if other is not None:
            problems.append(("登录名", f"“{username}”已被其他县或系统账号使用"))
        if not name:
            problems.append(("姓名", "不能为空"))
        unit = units.get(unit_name)
        if unit is None:
            missing = f"本县没有名为“{unit_name}”的单位，请先在单位页面建立"
            problems.append(("单位", missing if unit_name else "不能为空"))
        role = roles.get(role_text)
        if role is None:
            problems.append(("职务", f"无法识别“{role_text}”" if role_text else "不能为空"))
        region = ""
        if code:
            try:
                region = regioncode.normalize(code)
                if not regioncode.contains(county, region):
                    problems.append(("辖区代码", f"“{code}”不在本县"))
            except (regioncode.RegionCodeError, ValueError) as exc:
                problems.append(("辖区代码", str(exc)))
        errors += [(number, c, m) for c, m in problems]
        if not problems and unit is not None and role is not None:
            seen[username] = name
            rows.append(_Row(number, username, name, unit, role, region or unit.region_id, attributes))
    if errors:
        raise LedgerImportError(errors)
    result = StaffImportResult(rows=len(rows), accounts_created=0, posts_created=0, dry_run=dry_run)
    try:
        with transaction.atomic():
            _write(rows, actor=actor, county=county, result=result)
            if dry_run:
                transaction.set_rollback(True)
    except (ValidationError, PermissionDenied) as exc:
        text_ = "；".join(getattr(exc, "messages", [str(exc)]))
        raise LedgerImportError([(getattr(exc, "row", 0), "", text_)]) from None
    return result


def _write(rows: list[_Row], *, actor, county: str, result: StaffImportResult) -> None:
    users: dict[str, User] = {}
    for row in rows:
        user = users.get(row.username) or User.objects.filter(username=row.username).first()
        try:
            if user is None:
                user = services.create_staff(actor=actor, county=county, username=row.username, display_name=row.name,
                                             reason="人员导入")
                result.accounts_created += 1
            users[row.username] = user
            if row.attributes:
                current = {f: getattr(user, f) for f in services.ATTRIBUTE_FIELDS}
                services.set_attributes(user, actor=actor, **(current | row.attributes), reason="人员导入")
            if not Post.objects.filter(user=user, unit=row.unit, role=row.role, region_id=row.region,
                                       ended_on__isnull=True).exists():
                services.add_post(actor=actor, user=user, unit=row.unit, role=row.role, region=row.region,
                                  reason="人员导入")
                result.posts_created += 1
        except ValidationError as exc:
            exc.row = row.number  # type: ignore[attr-defined]
            raise
