"""Realistic 花名册 files for tests, the browser test and the benchmark: valid ID numbers (unique per
row, correct check digits), phones, households of one to six people, tags on some households."""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Iterator, Sequence
from pathlib import Path

from minqing.lib.idcard import check_digit

from .columns import COLUMNS

HEADERS = [COLUMNS[k][0] for k in ("township", "village", "group", "number", "name", "relation", "id_number",
                                   "phone", "tags")]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "国建明华军平志伟芳秀英兰玉桂春德永海文光清福成荣强红丽霞燕云琴飞鹏超勇刚涛斌洪林"
TAGS = ["低保户", "脱贫户", "防返贫监测户", "残疾", "独居老人", "五保户/特困", "留守儿童"]
MEMBERS = [("配偶", 0, 1), ("长子", 25, 0), ("长女", 27, 1), ("次子", 29, 0), ("母亲", -25, 1), ("孙子", 50, 0)]


def id_number(serial: int, born: dt.date, male: bool, area: str = "511722") -> str:
    seq = serial % 500 * 2 + (1 if male else 0)  # odd sequence digit: male
    first17 = f"{area}{born:%Y%m%d}{seq:03d}"
    return first17 + check_digit(first17)


def _unique(serial: int, born: dt.date, male: bool, taken: set[str]) -> str:
    """An ID number not yet used in this file (a day later until free): real numbers are unique."""
    while (number := id_number(serial, born, male)) in taken:
        born -= dt.timedelta(days=1)
    taken.add(number)
    return number


def people(count: int, places: Sequence[tuple[str, str]], *, seed: int = 7) -> Iterator[list[str]]:
    """``count`` resident rows, grouped by household, spread over ``places`` (township, village)."""
    rnd = random.Random(seed)
    taken: set[str] = set()
    serial = 0
    house = 0
    while serial < count:
        house += 1
        township, village = places[house % len(places)]
        size = min(count - serial, rnd.choice((1, 2, 2, 3, 3, 4, 4, 5, 6)))
        group = f"{rnd.randint(1, 9)}组"
        tags = "、".join(rnd.sample(TAGS, rnd.choice((1, 2)))) if rnd.random() < 0.18 else ""
        surname = rnd.choice(SURNAMES)
        head_born = dt.date(1950, 1, 1) + dt.timedelta(days=rnd.randint(0, 14000))
        for k in range(size):
            relation, years, female = ("户主", 0, 0) if k == 0 else MEMBERS[k - 1]
            # The day offset grows with the serial, so (birth date, sequence) never repeats.
            born = min(head_born + dt.timedelta(days=365 * years), dt.date(2024, 12, 31))
            name = (surname if relation != "配偶" and relation != "母亲" else rnd.choice(SURNAMES)) + "".join(
                rnd.sample(GIVEN, rnd.choice((1, 2))))
            phone = f"1{rnd.choice('3589')}{rnd.randint(0, 999999999):09d}" if k < 2 else ""
            yield [township, village, group, f"{house:05d}", name, relation,
                   _unique(serial, born, not female, taken), phone, tags if k == 0 else ""]
            serial += 1


def write_csv(path: str | Path, count: int, places: Sequence[tuple[str, str]], *, seed: int = 7) -> Path:
    path = Path(path)
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(HEADERS)
        writer.writerows(people(count, places, seed=seed))
    return path


def write_xlsx(path: str | Path, count: int, places: Sequence[tuple[str, str]], *, seed: int = 7) -> Path:
    import xlsxwriter

    path = Path(path)
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("花名册")
    sheet.write_row(0, 0, HEADERS)
    for i, row in enumerate(people(count, places, seed=seed), start=1):
        sheet.write_row(i, 0, row)  # strings: ID numbers stay text, as a careful township keeps them
    book.close()
    return path
