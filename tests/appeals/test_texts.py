"""Demo texts and the category tree: our own texts always; the shared messages when present."""

from __future__ import annotations

import pytest

from minqing.appeals.categories import SEED_CLASSES, seed_categories
from minqing.appeals.demo import load_texts
from minqing.appeals.models import Category
from minqing.appeals.texts import TEXTS

pytestmark = pytest.mark.django_db


def test_our_own_texts_cover_the_seed_classes_and_kinds():
    cats = seed_categories(None)
    assert {code for code, _n, _f in SEED_CLASSES} <= set(cats)
    assert Category.objects.filter(scheme="taidi").count() == 0
    texts = load_texts(None, cats)
    assert len(texts) == len(TEXTS) >= 36
    assert {t.category for t in texts} <= set(cats)
    assert {"problem", "suggestion", "help", "consultation", "dispute", "petition", "misconduct"} <= {
        t.kind for t in texts}
    assert any(t.category == "S06.04" for t in texts)  # family disputes exist for the demo
    assert seed_categories(None).keys() == cats.keys()  # idempotent


@pytest.mark.shared_data
def test_the_shared_tree_and_messages_load(shared_data_dir):
    cats = seed_categories(shared_data_dir)
    firsts = Category.objects.filter(scheme="taidi", level=1)
    assert firsts.count() == 15
    assert Category.objects.filter(scheme="taidi", level=2).count() == 118  # (first, second) pairs; 103 names
    assert Category.objects.filter(scheme="taidi", level=3).count() == 517  # one per row
    assert firsts.get(name="民政").default_unit_function == "civil_affairs"
    texts = load_texts(shared_data_dir, cats)
    replies = [t for t in texts if t.answer and t.category.startswith("T")]
    assert len(replies) > 2000  # 附件4 messages carry the government's replies
    assert all("\t" not in t.text and "\n" not in t.text for t in texts[:200])
