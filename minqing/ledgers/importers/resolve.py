"""Names in a ledger → rows in the database, within the import region's county; errors per row.

A place is found by its full path ("甲镇/梅岩村"), its code, or a name that is unique in the region:
a county has villages of the same name in different townships, so a bare "梅岩村" that is not unique
is refused with a request for the township, never guessed."""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict

from minqing.accounts.models import Unit
from minqing.appeals.models import Category
from minqing.lib import regioncode
from minqing.lib.cells import CellError
from minqing.regions.models import Region

_SEPARATORS = re.compile(r"[/\\／、>＞]+")


class Resolver:
    def __init__(self, region: Region) -> None:
        self.region = region
        self.names: dict[str, str] = {region.code: region.name}
        self.by_name: dict[str, list[str]] = defaultdict(list)
        low, high = regioncode.subtree_range(region.code)
        for code, name in Region.objects.filter(code__gte=low, code__lte=high).values_list("code", "name"):
            self.names[code] = name
            self.by_name[name].append(code)
        c_low, c_high = regioncode.subtree_range(regioncode.county_of(region.code))
        self.units: dict[str, list[int]] = defaultdict(list)
        for pk, name in Unit.objects.filter(region_id__gte=c_low, region_id__lte=c_high).values_list("pk", "name"):
            self.units[name].append(pk)
        self.categories: dict[tuple[str, str], Category] = {}
        # Every category read once (a county has hundreds): by (scheme, name) and by name, the first
        # level first, as a per-name query would order them.
        self._by_scheme: dict[tuple[str, str], Category] = {}
        self._by_name: dict[str, Category] = {}
        for cat in Category.objects.order_by("level", "code"):
            self._by_scheme.setdefault((cat.scheme, cat.name), cat)
            self._by_name.setdefault(cat.name, cat)
        self._regions: dict[str, Region] = {}
        self._places: dict[str, str | CellError] = {}

    def region_of(self, code: str) -> Region:
        """An unsaved Region standing for a place of the import region (code and name)."""
        if code not in self._regions:
            self._regions[code] = Region(code=code, name=self.names[code])
        return self._regions[code]

    def _path(self, code: str) -> list[str]:
        """Names from the import region down to ``code`` (both included)."""
        names = []
        while code and code in self.names:
            names.append(self.names[code])
            if code == self.region.code:
                break
            code = regioncode.parent_code(code) or ""
        return names[::-1]

    def place(self, text: str) -> str:
        """The code a place text names (a ledger names a few hundred places over and over: each text
        is resolved once, its answer or its error kept)."""
        found = self._places.get(text)
        if found is None:
            try:
                found = self._place(text)
            except CellError as exc:
                found = exc
            self._places[text] = found
        if isinstance(found, CellError):
            raise CellError(str(found))
        return found

    def _place(self, text: str) -> str:
        if not text:
            return self.region.code
        t = text.strip()
        if re.fullmatch(r"\d{6}|\d{9}|\d{12}", t):
            code = regioncode.normalize(t)
            if code in self.names:
                return code
            raise CellError(f"区划代码“{t}”不在{self.region.name}内")
        parts = [p.strip() for p in _SEPARATORS.split(t) if p.strip()]
        codes = list(self.by_name.get(parts[-1], []))
        if len(parts) > 1:  # every name before the last must be a place above it, in order
            codes = [c for c in codes if _in_order(parts[:-1], self._path(c)[:-1])]
        if len(codes) == 1:
            return codes[0]
        if len(codes) > 1:
            raise CellError(f"“{parts[-1]}”在{self.region.name}内不止一处，请写明所属乡镇（如“某镇/{parts[-1]}”）")
        raise CellError(f"在{self.region.name}内找不到“{t[:30]}”")

    def unit(self, name: str) -> int | None:
        if not name:
            return None
        pks = self.units.get(name, [])
        if len(pks) != 1:
            raise CellError(f"找不到单位“{name[:30]}”" if not pks else f"单位“{name[:30]}”不止一个，请写全称")
        return pks[0]

    def category(self, name: str, scheme: str) -> Category | None:
        """A category by name (the scheme's first level first); a new name becomes a first-level
        category of that scheme (unsaved until the import writes), so the county can re-file it later."""
        if not name:
            return None
        key = (scheme, name)
        if key not in self.categories:
            found = self._by_scheme.get(key) or self._by_name.get(name)
            if found is None:
                code = f"{scheme}-{hashlib.sha256(name.encode()).hexdigest()[:12]}"
                found = Category(code=code, name=name[:60], scheme=scheme)
            self.categories[key] = found
        return self.categories[key]


def _in_order(wanted: list[str], path: list[str]) -> bool:
    it = iter(path)
    return all(any(name == p for p in it) for name in wanted)
