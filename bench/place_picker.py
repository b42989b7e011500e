"""The searchable place picker (minqing/static/minqing/places.js) on a county-sized list: milliseconds from a
keystroke to the drawn list, in Chromium, for N places grouped by township as {% place_select %} renders them.

    .venv/bin/python bench/place_picker.py [--villages 500 3000] [--runs 20]

No server and no database: a page of its own holds the select (30 townships, the villages spread over them,
two of every name that ends in 岩村) and the project's own places.js and site.css, loaded from files.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
STATIC = REPO / "minqing" / "static" / "minqing"
TOWNS = 30
QUERIES = ["梅", "梅岩", "黄金镇", "村", "黄金镇 梅岩", "乌有"]
WORDS = "梅岩桃花青龙白马石门金竹长岭松林柏树杨柳新华太平永安和平红星双河三合".replace("", " ").split()


def page(villages: int) -> str:
    per_town = max(1, villages // TOWNS)
    groups = []
    for t in range(TOWNS):
        town = "黄金镇" if t == 0 else f"{WORDS[t % len(WORDS)]}{WORDS[(t * 7) % len(WORDS)]}镇{t}"
        options = [f'<option value="5117221{t:02d}000">{town}（全镇）</option>']
        for v in range(per_town):
            name = f"{WORDS[v % len(WORDS)]}{WORDS[(v // len(WORDS)) % len(WORDS)]}岩村" if v % 9 == 0 else \
                f"{WORDS[v % len(WORDS)]}{WORDS[(v * 3 + t) % len(WORDS)]}{v}村"
            options.append(f'<option value="5117221{t:02d}{200 + v:03d}">{name}</option>')
        groups.append(f'<optgroup label="{town}">{"".join(options)}</optgroup>')
    data = ('data-label="地点" data-hint="输入村（社区）或乡镇名称查找" data-none="您管辖的地点中没有“{q}”" '
            'data-found="找到 {n} 个地点" data-more="共 {n} 个，只列出前 {shown} 个，请多输入几个字" '
            'data-invalid="请从列表中选择地点" data-required="请选择地点"')
    return (f'<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8">'
            f'<link rel="stylesheet" href="{STATIC / "site.css"}"></head><body><main id="main">'
            f'<form class="filters"><label for="place-region">地点</label> '
            f'<select name="region" id="place-region" class="place-select" {data}>'
            f'<option value="511722000000" selected>宣汉县</option>{"".join(groups)}</select>'
            f'<button type="submit">查看</button></form></main>'
            f'<script src="{STATIC / "places.js"}"></script></body></html>')


MEASURE = """([query, runs]) => {
    const box = document.getElementById('place-region'), times = [];
    for (let i = 0; i < runs; i++) {
        box.value = ''; box.dispatchEvent(new Event('input', {bubbles: true}));
        document.getElementById('place-region-list').getBoundingClientRect();  // that list laid out first
        box.value = query;
        const t = performance.now();
        box.dispatchEvent(new Event('input', {bubbles: true}));  // the handler filters and draws synchronously
        document.getElementById('place-region-list').getBoundingClientRect();  // and the layout it causes
        times.push(performance.now() - t);
    }
    return [times, document.querySelectorAll('#place-region-list [role=option]').length];
}"""


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--villages", type=int, nargs="+", default=[500, 3000])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with sync_playwright() as p, tempfile.TemporaryDirectory() as tmp:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        tab = browser.new_page(viewport={"width": 1366, "height": 768})
        print("| villages | HTML of the select | query | shown | median ms | max ms |")
        print("|---:|---:|---|---:|---:|---:|")
        for villages in args.villages:
            html = page(villages)
            path = Path(tmp) / f"picker-{villages}.html"
            path.write_text(html, encoding="utf-8")
            tab.goto(path.as_uri())
            tab.focus("#place-region")
            size = len(html.encode()) // 1024
            for query in QUERIES:
                times, shown = tab.evaluate(MEASURE, [query, args.runs])
                print(f"| {villages} | {size} KiB | {query} | {shown} | {statistics.median(times):.2f} "
                      f"| {max(times):.2f} |")
        browser.close()


if __name__ == "__main__":
    main()
