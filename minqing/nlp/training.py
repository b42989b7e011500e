"""What the category model learns from: the county's own history (appeals with a category and the
corrections people made), plus ../shared/data/taidi2020c when it is there (附件2 labels, 附件1
names as seed text, replies in 附件4 that name the handling department, and every message of
附件3/附件4/测试数据 as unlabelled text for self-training)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .taidi import Message, read_leaves, read_messages
from .textmodel import Example, prepare
from .textnorm import text_hash

# A reply naming exactly one of these departments tells the message's first-level class.
DEPARTMENTS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"教育局|教育体育局|教体局"), "教育文体"),
    (re.compile(r"人社局|人力资源和社会保障|社保局|社会保险|医保局|医疗保障局|就业服务"), "劳动和社会保障"),
    (re.compile(r"卫健委|卫生健康|卫计|卫生和计划生育|卫生局"), "卫生计生"),
    (re.compile(r"交通运输局|交通局|公交公司|运输管理"), "交通运输"),
    (re.compile(r"住建|住房和城乡建设|城管|城市管理|规划局|规划分局|城乡建设|住房保障|市政局|物管办"), "城乡建设"),
    (re.compile(r"环保局|生态环境|环境保护"), "环境保护"),
    (re.compile(r"商务局|旅游局|文旅|市场监督|市场监管|工商局"), "商贸旅游"),
]
# Each named leaf of the category tree is one short training example of its first-level class. Weight 2
# and C=0.5 were chosen on the 5-fold CV of 附件2 (0.71 without leaves → 0.85; bench/RESULTS.md).
SEED_WEIGHT = 2.0
MIN_MEANING_TEXTS = 50
REPLY_WEIGHT = 0.7


def example_of(m: Message, label: str = "", weight: float = 1.0) -> Example:
    return Example(text=prepare(m.title, m.text), label=label, weight=weight, key=text_hash(m.title + " " + m.text))


def department_label(reply: str) -> str:
    head = reply[:300]
    found = {label for pattern, label in DEPARTMENTS if pattern.search(head)}
    return found.pop() if len(found) == 1 else ""


@dataclass
class Sources:
    labelled: list[Example] = field(default_factory=list)  # real labels (a person decided)
    base: list[Example] = field(default_factory=list)  # seed text of the category tree
    # Labels read off the department a reply names. Off by default: on 附件2 they lowered the
    # cross-validated macro-F1 (0.711 → 0.701–0.706); `--reply-labels` adds them.
    replies: list[Example] = field(default_factory=list)
    unlabelled: list[Example] = field(default_factory=list)
    notes: dict[str, int] = field(default_factory=dict)

    def extend(self, other: Sources) -> None:
        self.labelled += other.labelled
        self.base += other.base
        self.replies += other.replies
        self.unlabelled += other.unlabelled
        for k, v in other.notes.items():
            self.notes[k] = self.notes.get(k, 0) + v


def shared_sources(folder: Path | None) -> Sources:
    """The taidi2020c files, when present (read from disk; never shipped)."""
    out = Sources()
    if folder is None:
        return out
    d = folder / "taidi2020c" if (folder / "taidi2020c").is_dir() else folder
    if (d / "附件2_示例数据_dev.csv").is_file():
        out.labelled = [example_of(m, m.label) for m in read_messages(d / "附件2_示例数据_dev.csv") if m.label]
        out.notes["附件2"] = len(out.labelled)
    if (d / "附件1.csv").is_file():
        for first, leaves in read_leaves(d / "附件1.csv").items():
            out.base += [Example(text=leaf, label=first, weight=SEED_WEIGHT) for leaf in leaves]
        out.notes["附件1 seeds"] = len(out.base)
    for name in ("附件3.csv", "附件4.csv", "测试数据.csv"):
        if not (d / name).is_file():
            continue
        before = len(out.unlabelled)
        for m in read_messages(d / name):
            out.unlabelled.append(example_of(m))
            label = department_label(m.reply) if m.reply else ""
            if label:
                out.replies.append(example_of(m, label, REPLY_WEIGHT))
                out.notes["附件4 departments"] = out.notes.get("附件4 departments", 0) + 1
        out.notes[name] = len(out.unlabelled) - before
    return out


def county_sources() -> Sources:
    """The county's own labels: what a person decided, once per text, the latest word winning.

    - A case's category counts when a person set it. One the model applied at registration and
      nobody reviewed is the model's own guess: as a label it would teach the model its mistakes
      (self-training, which lowered F1 on 附件2); it is unlabelled text.
    - Accepted or corrected suggestions (CategoryFeedback) count, the newest per text; a corrected case
      also holds its category itself, so it counted twice, and a case corrected again kept its first
      correction as a second, contradicting label. The case's current category (by a person) wins.
    """
    from minqing.appeals.models import Appeal, Category

    from .models import CategoryFeedback

    out = Sources()
    labels: dict[str, Example] = {}
    for fb in CategoryFeedback.objects.select_related("chosen__parent__parent").order_by("at", "id"):
        first = first_level(fb.chosen)
        if first:
            key = text_hash(fb.title + " " + fb.text)
            labels[key] = Example(text=prepare(fb.title, fb.text), label=first.name, key=key)
    feedback = len(labels)
    unlabelled: dict[str, Example] = {}
    for a in Appeal.objects.filter(deleted_at__isnull=True).select_related("category__parent__parent"):
        first = first_level(a.category) if a.category_source != "model" else None
        key = text_hash(a.title + " " + a.text)
        if first:
            labels[key] = Example(text=prepare(a.title, a.text), label=first.name, key=key)
        else:
            unlabelled.setdefault(key, Example(text=prepare(a.title, a.text), label="", key=key))
    out.labelled = list(labels.values())
    out.unlabelled = [e for k, e in unlabelled.items() if k not in labels]
    for cat in Category.objects.filter(is_active=True, level__gte=2).exclude(scheme="taidi").select_related(
            "parent__parent"):
        first = first_level(cat)
        if first is not None and cat.name not in ("其他", "其他纠纷"):
            out.base.append(Example(text=cat.name, label=first.name, weight=SEED_WEIGHT))
    out.notes = {"county labelled": len(out.labelled), "county feedback": feedback,
                 "county unlabelled": len(out.unlabelled)}
    return out


def synonym_groups() -> list[tuple[str, ...]]:
    """The seed synonyms, the duplicate folds and every county's active groups (one model file serves
    the installation)."""
    from .duplicates import fold_groups
    from .models import SynonymGroup
    from .synonyms import SEED

    groups = [tuple(g.split()) for g in SEED] + fold_groups()
    groups += [tuple(w.split()) for w in SynonymGroup.objects.filter(is_active=True).values_list("words", flat=True)]
    return groups


def fit_meaning(src: Sources):
    """Word LSA for duplicate suggestions over every message read (labelled or not; no label used)."""
    from . import meaning

    texts = list(dict.fromkeys(e.text for e in src.labelled + src.unlabelled if e.text))
    if len(texts) < MIN_MEANING_TEXTS:
        return None  # too few messages to learn which words go together: duplicates use characters
    try:
        return meaning.fit(texts, synonym_groups())
    except ValueError:  # e.g. no word seen in two messages
        return None


def first_level(category):
    while category is not None and category.parent_id is not None:
        category = category.parent
    return category
