"""Demo data of this part; called by minqing.demo.generator after the other parts (last step):
build the search index over what was bulk-loaded, then train and attach the category model from
what is available (the demo county's categorised appeals, plus taidi2020c when present)."""

from __future__ import annotations

import time


def load(**context) -> None:
    """context: rng, anchor, now, staffing, villages, shared, progress (see minqing/demo/generator.py)."""
    from . import classify, search
    from .textmodel import TrainOptions, train
    from .training import Sources, county_sources, shared_sources

    progress = context.get("progress") or print
    started = time.perf_counter()
    counts = search.rebuild()
    progress(f"检索索引：{sum(counts.values())} 条，用时 {time.perf_counter() - started:.1f} 秒")
    started = time.perf_counter()
    src = Sources()
    src.extend(county_sources())
    src.extend(shared_sources(context.get("shared")))
    try:
        model = train(src.labelled + src.base, (), opts=TrainOptions())
    except ValueError as exc:
        progress(f"分类模型未训练：{exc}")
        return
    model.meta["sources"] = src.notes
    classify.attach(model)
    progress(f"分类模型：{len(model.classes)} 类，{model.meta['labelled']} 条训练数据，"
             f"用时 {time.perf_counter() - started:.1f} 秒")
