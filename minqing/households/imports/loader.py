"""Load a 花名册 into households and residents: all or nothing, idempotent, memory flat in file size.

How: one pass over the file, rows grouped into households as they come (a household's rows stand
together, as in every roster), households written in chunks inside ONE transaction. The first bad row
stops the writing; the rest of the file is still checked so the report names every bad row; then the
transaction is rolled back. Cross-row checks (an ID number twice, a household's rows apart) keep 12
bytes per resident (arrays of 64-bit digests and line numbers), never the rows.

Idempotence: a household is its village and 户号, a person their ID number's keyed hash. An unchanged
row writes nothing; a changed one updates that person (name, relation, phone, household). Nobody is
removed because a file leaves them out: leaving needs a reason (services.set_resident_status).

Audit: one event ``households.import`` per written chunk, listing the ids it created and updated (no
personal data) with the batch and file; thousands of single-record events for one act would drown the
trail (the ledger importer's reasoning). A chunk that changes nothing records nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from minqing.audit.log import record
from minqing.lib import idcard, regioncode
from minqing.lib.masking import mask_id_number, mask_phone
from minqing.regions import jurisdiction
from minqing.regions.models import Region, VillageGroup

from .. import crypto
from ..models import Household, Resident, ResidentStatus, Tag
from . import columns as cols
from .columns import Person
from .reading import CellError, iter_rows

CHUNK = 1000  # residents per write
MAX_ERRORS = 200
Progress = Callable[[int], None]  # lines read so far
_CN = "零一二三四五六七八九"


class HouseholdImportError(Exception):
    """Nothing was written; ``errors`` lists (line, column header, message), line 0 = the whole file."""

    def __init__(self, errors: list[tuple[int, str, str]], total: int | None = None) -> None:
        self.errors = sorted(errors, key=lambda e: (e[0], e[1]))[:MAX_ERRORS]
        self.total = total if total is not None else len(errors)
        super().__init__(self.report())

    def report(self) -> str:
        lines = [f"导入失败，未写入任何记录（共 {self.total} 处错误）："]
        for line, column, message in self.errors:
            where = f"第{line}行" if line else "文件"
            lines.append(f"{where} “{column}”：{message}" if column else f"{where}：{message}")
        if self.total > len(self.errors):
            lines.append(f"……另有 {self.total - len(self.errors)} 处错误未列出")
        return "\n".join(lines)


@dataclass
class ImportResult:
    rows: int = 0
    households_created: int = 0
    households_updated: int = 0
    residents_created: int = 0
    residents_updated: int = 0
    dry_run: bool = False
    batch: str = ""

    @property
    def changed(self) -> int:
        return self.households_created + self.households_updated + self.residents_created + self.residents_updated

    def summary(self) -> str:
        what = "试导入（未写入）" if self.dry_run else "已导入"
        return (f"{what}：共 {self.rows} 人；新增 {self.households_created} 户、{self.residents_created} 人，"
                f"更新 {self.households_updated} 户、{self.residents_updated} 人，其余未变")


@dataclass
class _House:
    """The rows of one household, as read."""

    people: list[Person] = field(default_factory=list)
    broken: bool = False  # one of its rows could not be read: that row's error is the report

    @property
    def first(self) -> Person:
        return self.people[0]


def _digest(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


def _group_name(n: int) -> str:
    if n < 10:
        return f"{_CN[n]}组"
    if n < 100:
        tens, ones = divmod(n, 10)
        return f"{'' if tens == 1 else _CN[tens]}十{_CN[ones] if ones else ''}组"
    return f"{n}组"


class _Loader:
    def __init__(self, region: Region, actor: Any, path: Path, now: dt.datetime, batch: str) -> None:
        self.region, self.actor, self.path, self.now, self.batch = region, actor, path, now, batch
        self.scope = jurisdiction.scope_of(actor) if actor is not None else None
        self.errors: list[tuple[int, str, str]] = []
        self.error_count = 0
        self.result = ImportResult(batch=batch)
        low, high = regioncode.subtree_range(region.code)
        self.villages: dict[tuple[str, str], list[str]] = {}
        villages = list(Region.objects.filter(code__gte=low, code__lte=high, level=regioncode.VILLAGE,
                                              is_active=True).values_list("code", "name", "parent_id"))
        names = dict(Region.objects.filter(code__in={p for _c, _n, p in villages}).values_list("code", "name"))
        for code, name, parent in villages:
            self.villages.setdefault((names.get(parent, ""), name), []).append(code)
        self.tags = dict(Tag.objects.values_list("name", "code"))
        self.tag_ids = dict(Tag.objects.values_list("code", "pk"))
        # 12 bytes a resident: digests of ID numbers and household keys with their lines, checked at the end.
        self.id_digests, self.id_lines = array("Q"), array("I")
        self.house_digests, self.house_lines = array("Q"), array("I")

    # --- errors -------------------------------------------------------------------------------

    def error(self, line: int, column: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append((line, column, message))

    # --- a household's rows → checked -------------------------------------------------------------

    def check_house(self, house: _House) -> tuple[str, int | None, list[str]] | None:
        """Its village code, group number and tag codes, or None after naming what is wrong."""
        first = house.first
        ok = not house.broken
        for p in house.people[1:]:
            if (p.township, p.village) != (first.township, first.village):
                self.error(p.line, cols.header_of("village"),
                           f"与同户（户号“{first.number}”）第{first.line}行的乡镇、村不一致")
                ok = False
        codes = self.villages.get((first.township, first.village), [])
        code = codes[0] if len(codes) == 1 else ""
        if not codes:
            self.error(first.line, cols.header_of("village"),
                       f"在{self.region.name}内找不到“{first.township}{first.village}”")
            ok = False
        elif len(codes) > 1:
            self.error(first.line, cols.header_of("village"), f"“{first.township}{first.village}”不止一处")
            ok = False
        elif self.scope is not None and not self.scope.sees_place(code):
            self.error(first.line, cols.header_of("village"), "不在您的管辖范围内")
            ok = False
        heads = [p.line for p in house.people if p.relation == "head"]
        if not heads and not house.broken:
            self.error(first.line, cols.header_of("relation"), f"户号“{first.number}”这一户没有户主")
            ok = False
        elif len(heads) > 1:
            self.error(heads[1], cols.header_of("relation"),
                       f"户号“{first.number}”有两个户主（第{heads[0]}行、第{heads[1]}行）")
            ok = False
        groups = {p.group for p in house.people if p.group is not None}
        if len(groups) > 1:
            self.error(first.line, cols.header_of("group"), f"户号“{first.number}”各成员的村民小组不一致")
            ok = False
        tag_codes: set[str] = set()
        for p in house.people:
            for name in p.tags:
                if name not in self.tags:
                    self.error(p.line, cols.header_of("tags"),
                               f"未知的户类别“{name[:20]}”（可填：{'、'.join(self.tags)}）")
                    ok = False
                else:
                    tag_codes.add(self.tags[name])
        key = f"{code or first.township + first.village}|{first.number}"
        self.house_digests.append(_digest(key))
        self.house_lines.append(first.line)
        return (code, next(iter(groups)) if groups else None, sorted(tag_codes)) if ok else None

    # --- writing one chunk ----------------------------------------------------------------------

    def write(self, chunk: list[tuple[_House, str, int | None, list[str]]]) -> None:
        now = self.now
        codes = {c for _h, c, _g, _t in chunk}
        groups = {(c, g) for _h, c, g, _t in chunk if g is not None}
        group_ids = {(r, n): pk for pk, r, n in VillageGroup.objects.filter(region_id__in=codes)
                     .values_list("pk", "region_id", "number")}
        missing = [VillageGroup(region_id=c, number=g, name=_group_name(g)) for c, g in groups - set(group_ids)]
        if missing:
            VillageGroup.objects.bulk_create(missing)
            group_ids.update({(r, n): pk for pk, r, n in VillageGroup.objects.filter(region_id__in=codes)
                              .values_list("pk", "region_id", "number")})
        numbers = {h.first.number for h, *_ in chunk}
        existing = {(h.region_id, h.number): h for h in Household.objects.filter(region_id__in=codes,
                                                                                  number__in=numbers)}
        tags_now: dict[int, set[str]] = {}
        through = Household.tags.through
        for hid, code in through.objects.filter(household_id__in=[h.pk for h in existing.values()]).values_list(
                "household_id", "tag__code"):
            tags_now.setdefault(hid, set()).add(code)
        hashes = {p.id_hash: p for h, *_ in chunk for p in h.people}
        people = {r.id_number_hash: r for r in Resident.objects.filter(id_number_hash__in=list(hashes),
                                                                        deleted_at__isnull=True)}
        new_households: list[Household] = []
        changed_households: list[Household] = []
        tag_rows: dict[int | None, list[str]] = {}
        plan: list[tuple[_House, Household]] = []
        seen: set[tuple[str, str]] = set()
        for house, code, group, tag_codes in chunk:
            if (code, house.first.number) in seen:  # its rows stand apart: check_repeats names them
                continue
            seen.add((code, house.first.number))
            head = next(p for p in house.people if p.relation == "head")
            address = next((p.address for p in house.people if p.address), "")
            group_id = group_ids.get((code, group)) if group is not None else None
            h = existing.get((code, house.first.number))
            if h is not None and h.deleted_at is not None:
                self.error(house.first.line, cols.header_of("number"), f"户号“{h.number}”的户已注销，不能再导入")
                continue
            if h is None:
                h = Household(region_id=code, group_id=group_id, number=house.first.number[:30],
                              head_name=head.name, address=address or self._default_address(code, group),
                              created_at=now, updated_at=now)
                new_households.append(h)
            else:
                wanted = {"head_name": head.name, "group_id": group_id if group is not None else h.group_id}
                if address:
                    wanted["address"] = address
                if any(getattr(h, k) != v for k, v in wanted.items()) or set(tag_codes) != tags_now.get(h.pk, set()):
                    for k, v in wanted.items():
                        setattr(h, k, v)
                    h.version += 1
                    h.updated_at = now
                    changed_households.append(h)
            plan.append((house, h))
            tag_rows[id(h)] = tag_codes
        if self.error_count:
            return
        Household.objects.bulk_create(new_households, batch_size=500)
        self._fill_keys(new_households)
        Household.objects.bulk_update(changed_households, ["head_name", "group_id", "address", "version",
                                                           "updated_at"], batch_size=500)
        retag = [h for h in changed_households if set(tag_rows[id(h)]) != tags_now.get(h.pk, set())]
        through.objects.filter(household_id__in=[h.pk for h in retag]).delete()  # link rows, not records
        through.objects.bulk_create([through(household_id=h.pk, tag_id=self.tag_ids[c])
                                     for h in [*new_households, *retag] for c in tag_rows[id(h)]], batch_size=1000)
        created, updated = self._residents(plan, people)
        self.result.households_created += len(new_households)
        self.result.households_updated += len(changed_households)
        if new_households or changed_households or created or updated:
            lines = [p.line for house, _h in plan for p in house.people]
            record("households.import", actor=self.actor, object_type="households.import", object_id=self.batch,
                   region_code=self.region.code, reason="导入花名册", at=now,
                   changes={"file": self.path.name, "lines": [min(lines), max(lines)],
                            "households_created": [h.pk for h in new_households],
                            "households_updated": [h.pk for h in changed_households],
                            "residents_created": created, "residents_updated": updated})

    def _default_address(self, code: str, group: int | None) -> str:
        name = next((n for (_t, n), cs in self.villages.items() if code in cs), "")
        return f"{name}{_group_name(group) if group is not None else ''}"

    @staticmethod
    def _fill_keys(households: list[Household]) -> None:
        if households and households[0].pk is None:  # a backend that does not return keys
            keys = {(r, n): pk for r, n, pk in Household.objects.filter(
                region_id__in={h.region_id for h in households}, number__in=[h.number for h in households])
                .values_list("region_id", "number", "pk")}
            for h in households:
                h.pk = h.id = keys[(h.region_id, h.number)]

    def _residents(self, plan: list[tuple[_House, Household]], people: dict[str, Resident]) -> tuple[list, list]:
        now = self.now
        new: list[Resident] = []
        changed: list[Resident] = []
        for house, h in plan:
            for p in house.people:
                phone_hash = crypto.lookup_hash(p.phone)
                r = people.get(p.id_hash)
                if r is None:
                    new.append(Resident(
                        household_id=h.pk, region_id=h.region_id, name=p.name, relation=p.relation,
                        gender=idcard.gender(p.id_number), birth_date=idcard.birth_date(p.id_number),
                        id_number_enc=crypto.encrypt(p.id_number), id_number_hash=p.id_hash,
                        id_number_masked=mask_id_number(p.id_number), phone_enc=crypto.encrypt(p.phone),
                        phone_hash=phone_hash, phone_masked=mask_phone(p.phone) if p.phone else "",
                        created_at=now, updated_at=now))
                    continue
                if self.scope is not None and not self.scope.sees_place(r.region_id):
                    self.error(p.line, cols.header_of("id_number"),
                               "此人已登记在您的管辖范围之外，请与其所在村核实后再迁入")
                    continue
                if r.status == ResidentStatus.DECEASED:
                    self.error(p.line, cols.header_of("id_number"), "此人已登记为死亡，请核实后再导入")
                    continue
                same = (r.household_id == h.pk and r.name == p.name and r.relation == p.relation
                        and (not p.phone or r.phone_hash == phone_hash) and r.status == ResidentStatus.LIVING)
                if same:
                    continue
                r.household_id, r.region_id, r.name, r.relation = h.pk, h.region_id, p.name, p.relation
                r.status, r.status_on = ResidentStatus.LIVING, None  # listed again: back (e.g. moved back)
                if p.phone and r.phone_hash != phone_hash:
                    r.phone_enc, r.phone_hash, r.phone_masked = crypto.encrypt(p.phone), phone_hash, mask_phone(p.phone)
                r.updated_at = now
                changed.append(r)
        if self.error_count:
            return [], []
        Resident.objects.bulk_create(new, batch_size=500)
        Resident.objects.bulk_update(changed, ["household_id", "region_id", "name", "relation", "phone_enc",
                                               "phone_hash", "phone_masked", "status", "status_on", "updated_at"],
                                     batch_size=500)
        self.result.residents_created += len(new)
        self.result.residents_updated += len(changed)
        created = [r.pk for r in new if r.pk is not None]
        return created, [r.pk for r in changed]

    # --- the end: checks across the whole file ---------------------------------------------------

    def check_repeats(self) -> None:
        self._repeats(self.id_digests, self.id_lines, cols.header_of("id_number"),
                      "与第{first}行的身份证号码相同：同一人只能出现一次")
        self._repeats(self.house_digests, self.house_lines, cols.header_of("number"),
                      "与第{first}行是同一户：同一户的成员须排在一起")

    def _repeats(self, digests: array, lines: array, column: str, message: str) -> None:
        """Equal digests, found by sorting one sixteenth of them at a time (by their top four bits): the
        sort's Python list then costs a sixteenth of the file, not the whole."""
        for bucket in range(16):
            ordered = [i for i, d in enumerate(digests) if d >> 60 == bucket]
            ordered.sort(key=digests.__getitem__)
            for a, b in zip(ordered, ordered[1:], strict=False):
                if digests[a] == digests[b]:
                    first, later = sorted((lines[a], lines[b]))
                    self.error(later, column, message.format(first=first))


def _number_cell(raw: list[Any], columns: dict[str, int]) -> str:
    i = columns["number"]
    try:
        return cols.cells.identifier(raw[i]) if i < len(raw) else ""
    except Exception:  # noqa: BLE001 - only a hint for grouping; the row's own error is reported
        return ""


def _rows(path: Path) -> Iterator[tuple[int, list[Any]]]:
    for number, raw in enumerate(iter_rows(path), start=1):
        yield number, list(raw)


def import_roster(path: str | Path, *, region: str, actor: Any = None, mapping: dict[str, str] | None = None,
                  dry_run: bool = False, progress: Progress | None = None, now: dt.datetime | None = None,
                  chunk: int = CHUNK) -> ImportResult:
    """Import ``path`` into ``region`` (a county, township or village the actor works in). Raises
    HouseholdImportError, with nothing written, when any row is bad. ``mapping`` names, per field
    (columns.COLUMNS), the file's header when it differs from the documented ones."""
    path = Path(path)
    now = now or timezone.now()
    try:
        code = regioncode.normalize(region)
    except regioncode.RegionCodeError as exc:
        raise HouseholdImportError([(0, "", str(exc))]) from exc
    place = Region.objects.filter(code=code).first()
    if place is None:
        raise HouseholdImportError([(0, "", f"区划“{region}”不存在")])
    if actor is not None and not jurisdiction.scope_of(actor).sees_place(code):
        raise HouseholdImportError([(0, "", f"{place.name}不在您的管辖范围内")])
    loader = _Loader(place, actor, path, now, uuid.uuid4().hex[:12])
    try:
        rows = _rows(path)
        _header, _headers, columns = cols.find_header(rows, mapping or {})
    except CellError as exc:
        raise HouseholdImportError([(0, "", str(exc))]) from exc
    except OSError as exc:
        raise HouseholdImportError([(0, "", f"无法读取文件：{exc.strerror or exc}")]) from exc
    with transaction.atomic():
        _run(loader, rows, columns, chunk, progress)
        if loader.error_count:
            transaction.set_rollback(True)
            raise HouseholdImportError(loader.errors, loader.error_count)
        if dry_run:
            transaction.set_rollback(True)
    loader.result.dry_run = dry_run
    return loader.result


def _run(loader: _Loader, rows: Iterator[tuple[int, list[Any]]], columns: dict[str, int], chunk_size: int,
         progress: Progress | None) -> None:
    house: _House | None = None
    broken_number: str | None = None  # the 户号 of an unreadable row not yet matched to its household
    chunk: list[tuple[_House, str, int | None, list[str]]] = []
    size = 0
    line = 0

    def finish(h: _House) -> None:
        nonlocal size
        checked = loader.check_house(h)
        if checked is not None and not loader.error_count:
            chunk.append((h, *checked))
            size += len(h.people)

    for line, raw in rows:
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in raw):
            continue
        loader.result.rows += 1
        person, errors = cols.read_row(line, raw, columns)
        for column, message in errors:
            loader.error(line, column, message)
        if person is None:
            broken_number = _number_cell(raw, columns)
            if house is not None and house.first.number == broken_number:
                house.broken = True
                broken_number = None
            continue
        person.id_hash = crypto.lookup_hash(person.id_number)
        loader.id_digests.append(int(person.id_hash[:16], 16))
        loader.id_lines.append(line)
        if house is not None and house.first.number != person.number:
            finish(house)
            house = None
            if size >= chunk_size:
                if not loader.error_count:
                    loader.write(chunk)
                chunk.clear()
                size = 0
                if progress:
                    progress(line)
        if house is None:
            house = _House(broken=person.number == broken_number)
            broken_number = None
        house.people.append(person)
    if house is not None:
        finish(house)
    if chunk and not loader.error_count:
        loader.write(chunk)
    if loader.result.rows == 0:
        loader.error(0, "", "文件中没有居民数据")
    loader.check_repeats()
    if progress:
        progress(line)
