"""Synonyms and near-words of the field for search (噪音 finds 扰民): a county's own list, set up by
its system administrator; until it has one, the seed list below. One atomic function per change,
each with its audit entry; a group is never deleted, only deactivated."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import transaction

from minqing.accounts.admins import check_county, county_code_of, county_of
from minqing.audit.log import diff, record
from minqing.lib import regioncode
from minqing.regions import jurisdiction

from .models import SynonymGroup

# Common words of residents' messages and the words cadres file them under (each group one meaning).
SEED: tuple[str, ...] = (
    "噪音 噪声 扰民", "路灯 照明", "低保 最低生活保障", "垃圾 生活垃圾", "污水 废水", "臭味 异味 恶臭",
    "停水 断水 没水", "停电 断电 没电", "漏水 渗水", "拖欠工资 欠薪 讨薪", "医保 医疗保险", "社保 社会保险",
    "养老金 养老保险", "危房 D级危房", "拆迁 征收", "宅基地 建房用地", "广场舞 跳舞", "占道 占用道路",
    "乱搭乱建 违章建筑 违建", "油烟 餐饮油烟", "积水 内涝", "坑洼 路面破损", "扶贫 帮扶", "户口 户籍",
    "公交 公共汽车", "网络 宽带", "信号 手机信号", "物业 物业公司", "学位 入学", "残疾人 残疾",
    "五保 特困供养", "污染 排污",
)
MAX_WORDS = 8
_WORD = re.compile(r"^[\u4e00-\u9fffA-Za-z0-9]{1,20}$")
FIELDS = ("words", "is_active")


def _county_of_user(user) -> str | None:
    """The county whose list a user's searches use: the county of their widest place."""
    home = jurisdiction.scope_of(user).home_code()
    if not home or regioncode.level_of(home) < regioncode.COUNTY:
        return None
    return county_code_of(home)


def groups_for(county_code: str | None) -> list[tuple[str, ...]]:
    """The active groups of a county (the seed list while the county has none of its own)."""
    if county_code:
        rows = list(SynonymGroup.objects.filter(county_id=county_code).values_list("words", "is_active"))
        if rows:
            return [tuple(words.split()) for words, active in rows if active]
    return [tuple(g.split()) for g in SEED]


def lookup_for(user) -> dict[str, tuple[str, ...]]:
    """word → every word of its group (the word itself first), for the user's county."""
    out: dict[str, tuple[str, ...]] = {}
    for group in groups_for(_county_of_user(user)):
        for w in group:
            out.setdefault(w.lower(), tuple(dict.fromkeys([w.lower(), *(x.lower() for x in group)])))
    return out


def parse_words(text: str) -> list[str]:
    """Words typed with spaces, commas, 、 or slashes between them; each checked, each once."""
    words = list(dict.fromkeys(w for w in re.split(r"[\s,，、/／;；]+", (text or "").strip()) if w))
    bad = [w for w in words if not _WORD.match(w)]
    if bad:
        raise ValidationError(f"“{bad[0]}”不是一个词：只能用汉字、字母或数字，每个词至多 20 字")
    if len(words) < 2:
        raise ValidationError("一组同义词至少要有两个词，用空格或顿号隔开")
    if len(words) > MAX_WORDS:
        raise ValidationError(f"一组至多 {MAX_WORDS} 个词：意思不同的词请另建一组")
    return words


def _admin_county(actor) -> str:
    """The county a system administrator keeps the list of (the command line names its county)."""
    code = county_of(actor) if actor is not None else None
    if not code:
        raise ValidationError("只有县系统管理员可以维护同义词表")
    return code


@transaction.atomic
def adopt_seed(*, actor, county_code: str | None = None, reason: str = "", ip: str | None = None) -> int:
    """Copy the seed list into the county's own list (the first edit of a county starts from it)."""
    county = county_code or _admin_county(actor)
    check_county(actor, county)
    if SynonymGroup.objects.filter(county_id=county).exists():
        return 0
    made = SynonymGroup.objects.bulk_create([SynonymGroup(county_id=county, words=g) for g in SEED])
    record("search_synonyms.seeded", actor=actor, object_type="nlp.synonymgroup", object_id=county,
           region_code=county, changes={"groups": [None, len(made)]}, reason=reason, ip=ip)
    return len(made)


@transaction.atomic
def save_group(group: SynonymGroup | None, *, actor, words: str, reason: str = "",
               ip: str | None = None) -> SynonymGroup:
    """Create (group None) or change a group. A word may stand in one active group of the county only."""
    county = group.county_id if group else _admin_county(actor)
    check_county(actor, county)
    adopt_seed(actor=actor, county_code=county, ip=ip)
    listed = parse_words(words)
    taken = {w.lower(): g for g in SynonymGroup.objects.filter(county_id=county, is_active=True)
             .exclude(pk=getattr(group, "pk", None)) for w in g.word_list()}
    clash = next((w for w in listed if w.lower() in taken), None)
    if clash:
        raise ValidationError(f"“{clash}”已在同义词组“{taken[clash.lower()].words}”中：一个词只能属于一组")
    before = {f: getattr(group, f) for f in FIELDS} if group else {}
    if group is None:
        group = SynonymGroup(county_id=county)
    group.words = " ".join(listed)
    group.save()
    record("search_synonyms.saved" if before else "search_synonyms.created", actor=actor, obj=group,
           region_code=county, changes=diff(before, {f: getattr(group, f) for f in FIELDS}), reason=reason, ip=ip)
    return group


@transaction.atomic
def set_active(group: SynonymGroup, *, actor, active: bool, reason: str = "", ip: str | None = None) -> SynonymGroup:
    check_county(actor, group.county_id)
    before = {f: getattr(group, f) for f in FIELDS}
    if active:
        taken = {w.lower() for g in SynonymGroup.objects.filter(county_id=group.county_id, is_active=True)
                 .exclude(pk=group.pk) for w in g.word_list()}
        clash = next((w for w in group.word_list() if w.lower() in taken), None)
        if clash:
            raise ValidationError(f"“{clash}”已在另一组启用的同义词中：请先修改其中一组")
    group.is_active = active
    group.save(update_fields=["is_active", "updated_at"])
    record("search_synonyms.reactivated" if active else "search_synonyms.deactivated", actor=actor, obj=group,
           region_code=group.county_id, changes=diff(before, {f: getattr(group, f) for f in FIELDS}), reason=reason,
           ip=ip)
    return group
