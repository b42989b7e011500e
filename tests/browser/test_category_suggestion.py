"""A cadre sees a category the model applied at registration marked 模型建议 and corrects it on the
case page. Screenshot under test-artifacts/web_pages/ for review."""

from __future__ import annotations

from pathlib import Path

import pytest

from minqing.appeals import services
from minqing.appeals.models import Appeal, Category
from minqing.nlp import classify
from minqing.nlp.textmodel import train
from tests.browser.conftest import log_in
from tests.nlp.test_classify import examples

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web_pages"


def test_a_cadre_corrects_the_model_s_category(live_server, county, phone_page, settings, tmp_path):
    settings.NLP_MODEL_PATH = str(tmp_path / "category.pkl")
    for code, name in (("T01", "城乡建设"), ("T02", "教育文体"), ("T03", "卫生计生")):
        Category.objects.create(code=code, name=name, level=1, scheme="taidi")
    classify.attach(train(examples()))
    try:
        a = services.register_appeal(actor=county.cadre_a, region=county.village_a.code, kind="problem",
                                     channel="visit", title="学校门口路灯坏了", text="小区路灯坏了没人修，晚上很黑")
    finally:
        classify._cache.update(path=None, mtime=None, model=None)
    page, base = phone_page, live_server.url
    log_in(page, base, "cadre-a")
    page.goto(f"{base}/appeals/{a.pk}/")
    page.get_by_text("模型建议").first.wait_for()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "category_suggested.png"), full_page=True)
    page.select_option("select[name=category]", label="教育文体")
    page.get_by_role("button", name="保存", exact=True).click()
    page.get_by_text("类别已保存").wait_for()
    assert Appeal.objects.get(pk=a.pk).category_source == "person"
    assert page.get_by_text("模型建议").count() == 0
