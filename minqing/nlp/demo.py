"""Demo data of this part, in two steps called by minqing.demo.generator:
- ``train_model`` right after the appeals: train and attach the category model from what is available
  (the demo county's categorised appeals, plus taidi2020c when present), so that the cases the later
  steps register (problems found on visits, at courtyard meetings) get the model's suggestion at intake
  as a county's would, instead of staying 未分类;
- ``load`` last: build the search index over everything bulk-loaded."""

from __future__ import annotations

import time


def train_model(**context) -> None:
    """context: rng, anchor, now, staffing, villages, shared, progress (see minqing/demo/generator.py)."""
    from . import classify
    from .textmodel import TrainOptions, train
    from .training import Sources, county_sources, shared_sources

    progress = context.get("progress") or print
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


def load(**context) -> None:
    from . import search

    progress = context.get("progress") or print
    started = time.perf_counter()
    counts = search.rebuild()
    progress(f"检索索引：{sum(counts.values())} 条，用时 {time.perf_counter() - started:.1f} 秒")
    from .duplicates import fill_signatures

    fill_signatures()  # the cases written in bulk: their similar-cases signatures
