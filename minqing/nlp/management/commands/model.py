"""minqing model train [--exclude FILE ...] [--no-shared] [--no-county] [--json]
minqing model evaluate FILE.csv [--json] [--cv K] [--only-file]

train: the county's own history + ../shared/data/taidi2020c (when present) → var/models/category.pkl.
evaluate FILE: score the current model on FILE, refused when any FILE row was trained on.
evaluate FILE --cv K: cross-validate on FILE's folds (each fold predicted by a model trained on
the other folds plus the other sources, never on itself)."""

from __future__ import annotations

import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minqing.nlp import classify
from minqing.nlp.taidi import read_messages
from minqing.nlp.textmodel import TrainOptions, cross_validate, report, train
from minqing.nlp.training import Sources, county_sources, example_of, fit_meaning, shared_sources


def _file_examples(path: str):
    p = Path(path)
    if not p.is_file():
        raise CommandError(f"文件不存在：{path}")
    rows = [example_of(m, m.label) for m in read_messages(p)]
    labelled = [e for e in rows if e.label]
    if not labelled:
        raise CommandError("文件中没有已标注的留言（需要“一级分类”或“一级标签”列）")
    return labelled


class Command(BaseCommand):
    help = "分类模型：训练（train）或评估（evaluate FILE.csv [--cv K]）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        tr = sub.add_parser("train", help="训练并启用分类模型")
        tr.add_argument("--exclude", action="append", default=[], help="不参与训练的标注文件（留作评估），可多次")
        tr.add_argument("--train-file", action="append", default=[], help="额外的标注文件（附件2的列）")
        tr.add_argument("--no-shared", action="store_true", help="不读 ../shared/data/taidi2020c")
        tr.add_argument("--no-county", action="store_true", help="不读本县历史诉求与纠正记录")
        tr.add_argument("--self-train", type=int, default=0, metavar="ROUNDS",
                        help="自训练轮数（用未标注留言生成伪标签；默认0，交叉验证显示会降低F1）")
        tr.add_argument("--reply-labels", action="store_true", help="加入按答复中部门名推断的标签（附件4）")
        tr.add_argument("--no-meaning", action="store_true", help="不训练查重用的语义向量（词级LSA）")
        tr.add_argument("--json", action="store_true")
        ev = sub.add_parser("evaluate", help="评估：宏平均F1、各类精确率/召回率、混淆矩阵")
        ev.add_argument("file")
        ev.add_argument("--cv", type=int, default=0, help="K 折交叉验证（在 FILE 的各折上训练）")
        ev.add_argument("--only-file", action="store_true", help="交叉验证只用 FILE（不加共享数据和本县数据）")
        ev.add_argument("--self-train", type=int, default=0, metavar="ROUNDS")
        ev.add_argument("--reply-labels", action="store_true")
        ev.add_argument("--json", action="store_true")

    def _sources(self, *, shared: bool, county: bool) -> Sources:
        from minqing.demo.sources import shared_data_dir

        src = Sources()
        if shared:
            src.extend(shared_sources(shared_data_dir()))
        if county:
            src.extend(county_sources())
        return src

    def handle(self, *args, **opts) -> None:
        if opts["action"] == "train":
            self._train(opts)
        else:
            self._evaluate(opts)

    def _emit(self, data: dict, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=1))
            return
        for k, v in data.items():
            if k not in ("confusion", "per_class"):
                self.stdout.write(f"{k}: {v}")
        for c, m in data.get("per_class", {}).items():
            self.stdout.write(f"  {c}: P={m['precision']:.3f} R={m['recall']:.3f} F1={m['f1']:.3f} n={m['support']}")

    def _train(self, opts) -> None:
        started = time.perf_counter()
        src = self._sources(shared=not opts["no_shared"], county=not opts["no_county"])
        for path in opts["train_file"]:
            src.labelled += _file_examples(path)
        exclude = {e.key for path in opts["exclude"] for e in _file_examples(path)}
        if not src.labelled:
            raise CommandError("没有可训练的标注数据：本县诉求尚无分类，且未找到 ../shared/data/taidi2020c")
        try:
            extra = src.replies if opts["reply_labels"] else []
            model = train(src.labelled + src.base + extra, src.unlabelled, exclude=exclude,
                          opts=TrainOptions(rounds=opts["self_train"]))
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        model.meta["sources"] = src.notes
        model.meta["excluded"] = len(exclude)
        if not opts["no_meaning"]:
            model.meaning = fit_meaning(src)
            model.meta["meaning_words"] = len(model.meaning.vocabulary) if model.meaning else 0
        path = classify.attach(model)
        out = {"model": str(path), "classes": model.classes, "labelled": model.meta["labelled"],
               "unlabelled": model.meta["unlabelled"], "pseudo_labelled": model.meta["pseudo_labelled"],
               "sources": src.notes, "excluded": len(exclude), "scale": model.scale,
               "seconds": round(time.perf_counter() - started, 1)}
        self._emit(out, opts["json"])

    def _evaluate(self, opts) -> None:
        started = time.perf_counter()
        rows = _file_examples(opts["file"])
        if opts["cv"]:
            if opts["cv"] < 2:
                raise CommandError("--cv 至少为 2")
            src = Sources() if opts["only_file"] else self._sources(shared=True, county=True)
            keys = {e.key for e in rows}
            extra = src.replies if opts["reply_labels"] else []
            base = [e for e in src.labelled + src.base + extra if e.key not in keys]
            result = cross_validate(rows, opts["cv"], base=base, unlabelled=src.unlabelled,
                                    opts=TrainOptions(rounds=opts["self_train"]))
            result["mode"] = "cross-validation"
            result["extra_training_rows"] = len(base)
        else:
            model = classify.current_model()
            if model is None:
                raise CommandError("尚无分类模型：先运行 minqing model train")
            trained = set(model.meta.get("keys", []))
            overlap = [e for e in rows if e.key in trained]
            if overlap:
                raise CommandError(f"{len(overlap)} 条留言已用于训练当前模型，不能用来评估；"
                                   f"请先运行 minqing model train --exclude {opts['file']}")
            result = report([e.label for e in rows], model.predict([e.text for e in rows]))
            result["mode"] = "held-out file"
            result["model_trained_at"] = model.meta.get("trained_at")
        result["file"] = opts["file"]
        result["seconds"] = round(time.perf_counter() - started, 1)
        self._emit(result, opts["json"])
