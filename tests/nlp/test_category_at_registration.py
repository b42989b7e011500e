"""The model's confident category is applied at registration on every channel, marked as suggested; a
person's correction goes back to the model as feedback. appeals asks through its hooks, never nlp."""

from __future__ import annotations

import pytest
from django.test import override_settings

from minqing.appeals import services
from minqing.appeals.models import Category
from minqing.audit.models import Event
from minqing.nlp import classify
from minqing.nlp.models import CategoryFeedback
from minqing.nlp.textmodel import train
from tests.nlp.test_classify import examples

pytestmark = pytest.mark.django_db


@pytest.fixture
def model(county, tmp_path, settings):
    settings.NLP_MODEL_PATH = str(tmp_path / "models" / "category.pkl")
    cats = {name: Category.objects.create(code=code, name=name, level=1, scheme="taidi")
            for code, name in (("T01", "城乡建设"), ("T02", "教育文体"), ("T03", "卫生计生"))}
    classify.attach(train(examples()))
    yield cats
    classify._cache.update(path=None, mtime=None, model=None)


def _register(county, title, text, **extra):
    return services.register_appeal(actor=county.cadre_a, region=county.village_a.code, kind="problem",
                                    channel=extra.pop("channel", "visit"), title=title, text=text, **extra)


@pytest.mark.parametrize("channel", ["visit", "phone", "letter", "meeting"])
def test_a_confident_suggestion_is_applied_and_marked(county, model, channel):
    a = _register(county, "小区路灯坏了", "小区路灯坏了没人修，晚上很黑", channel=channel)
    assert a.category == model["城乡建设"] and a.category_source == "model"
    event = Event.objects.get(action="appeal.category_suggested", object_id=str(a.pk))
    assert event.changes["category"] == [None, "T01"] and 0.6 <= float(event.changes["confidence"]) <= 1


def test_a_person_s_category_wins_and_an_unsure_model_leaves_it_empty(county, model):
    chosen = _register(county, "小区路灯坏了", "小区路灯坏了没人修", category="T02")
    assert (chosen.category, chosen.category_source) == (model["教育文体"], "person")
    unsure = _register(county, "反映一件事", "想反映一下情况")  # no word the model knows: below 0.6
    assert (unsure.category, unsure.category_source) == (None, "")
    with override_settings(MINQING_CATEGORY_CONFIDENCE=1.01):  # a county that never lets the model choose
        never = _register(county, "小区路灯坏了", "小区路灯坏了没人修")
    assert (never.category, never.category_source) == (None, "")
    assert not Event.objects.filter(action="appeal.category_suggested").exists()


def test_no_model_no_category(county, settings, tmp_path):
    settings.NLP_MODEL_PATH = str(tmp_path / "none.pkl")
    a = _register(county, "小区路灯坏了", "小区路灯坏了没人修")
    assert (a.category, a.category_source) == (None, "")


def test_correcting_a_suggestion_is_feedback(county, model):
    a = _register(county, "学校门口路灯坏了", "小区路灯坏了没人修")
    assert a.category_source == "model"
    services.change_category(a, actor=county.cadre_a, category="T02", reason="实为学校设施")
    a.refresh_from_db()
    assert (a.category, a.category_source) == (model["教育文体"], "person")
    fb = CategoryFeedback.objects.get()
    assert (fb.appeal, fb.suggested, fb.chosen, fb.accepted) == (a, model["城乡建设"], model["教育文体"], False)
    changed = Event.objects.get(action="appeal.category_changed", object_id=str(a.pk))
    assert changed.changes == {"category": ["T01", "T02"], "was_suggested": True}
    # a person's own category corrected again is not the model's mistake: no more feedback
    services.change_category(a, actor=county.cadre_a, category="T03")
    assert CategoryFeedback.objects.count() == 1


def test_changing_the_category_needs_a_post_that_handles_the_case(county, model):
    from django.core.exceptions import PermissionDenied

    a = _register(county, "小区路灯坏了", "小区路灯坏了没人修")
    with pytest.raises(PermissionDenied):
        services.change_category(a, actor=county.cadre_b, category="T02")


def test_the_page_marks_a_suggestion_and_takes_a_correction(county, model, login):
    a = _register(county, "小区路灯坏了", "小区路灯坏了没人修，晚上很黑")
    client = login(county.cadre_a)
    body = client.get(f"/appeals/{a.pk}/").content.decode()
    assert "城乡建设" in body and "模型建议" in body and "更正类别" in body
    r = client.post(f"/appeals/{a.pk}/category/", {"category": model["教育文体"].pk})
    assert r.status_code == 302
    a.refresh_from_db()
    assert (a.category, a.category_source) == (model["教育文体"], "person")
    assert CategoryFeedback.objects.get().suggested == model["城乡建设"]
    assert "模型建议" not in client.get(f"/appeals/{a.pk}/").content.decode()
    # outside the village: not even the page
    assert login(county.cadre_b).post(f"/appeals/{a.pk}/category/", {"category": model["卫生计生"].pk}
                                      ).status_code == 404


def test_training_takes_a_person_s_latest_category_once_and_never_the_model_s_own_guess(county, model):
    """county_sources (what `minqing model train` reads): a category the model applied and nobody
    reviewed is not a label; a corrected case is one example with its latest category (it was two,
    the first correction contradicting the second); of two feedback rows on one text the newest wins."""
    import datetime as dt

    from minqing.nlp.textmodel import prepare
    from minqing.nlp.training import county_sources

    guessed = _register(county, "小区路灯坏了", "小区路灯坏了没人修，晚上很黑")
    assert guessed.category_source == "model"
    corrected = _register(county, "学校门口路灯坏了", "小区路灯坏了没人修")
    services.change_category(corrected, actor=county.cadre_a, category="T02")
    services.change_category(corrected, actor=county.cadre_a, category="T03")  # on second thought
    chosen = _register(county, "医院排队太久", "看病排队要等半天", category="T03")
    at = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    for code, days in (("T01", 0), ("T02", 1)):  # feedback through the API, no case: the newest counts
        classify.record_feedback(county.cadre_a, region_code=county.village_a.code, title="校车超载",
                                 text="校车每天超载，很危险", chosen=code, now=at + dt.timedelta(days=days))
    src = county_sources()
    assert sorted((e.text, e.label) for e in src.labelled) == sorted([
        (prepare(corrected.title, corrected.text), "卫生计生"), (prepare(chosen.title, chosen.text), "卫生计生"),
        (prepare("校车超载", "校车每天超载，很危险"), "教育文体")])
    assert [e.text for e in src.unlabelled] == [prepare(guessed.title, guessed.text)]
    assert src.notes["county feedback"] == 2  # the correction and the API's text
