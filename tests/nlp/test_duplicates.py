import datetime as dt

import pytest
from django.utils import timezone

from minqing.nlp.duplicates import similar_open

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(county, appeal_in):
    return {
        "lamp": appeal_in("village_a", "村口路灯不亮", "甲村村口的路灯不亮了，晚上走路看不见"),
        "ditch": appeal_in("village_a", "水渠堵塞", "二组水渠堵塞，灌溉困难"),
        "lamp_c": appeal_in("village_c", "村口路灯不亮", "丙村村口的路灯不亮了，晚上走路看不见"),
        "lamp_b": appeal_in("village_b", "村口路灯不亮", "甲村村口的路灯不亮了，晚上走路看不见"),
    }


def test_exact_near_and_paraphrase(county, cases):
    found = similar_open(county.cadre_a, "甲村村口的路灯不亮了，晚上走路看不见", region_code=county.village_a.code)
    assert [(m.appeal.pk, m.kind) for m in found] == [(cases["lamp"].pk, "exact")]
    near = similar_open(county.cadre_a, "甲村村口的路灯不亮了，晚上走路都看不见啊")
    assert near[0].appeal == cases["lamp"] and near[0].kind == "near"
    para = similar_open(county.cadre_a, "村口路灯坏了，晚上看不见路")
    assert para and para[0].appeal == cases["lamp"] and para[0].kind == "paraphrase"
    assert similar_open(county.cadre_a, "低保申请") == []


def test_jurisdiction_and_place_weigh_in(county, cases):
    found = similar_open(county.township_leader, "村口路灯坏了，晚上看不见路", region_code=county.village_a.code)
    ids = [m.appeal.pk for m in found]
    assert cases["lamp_c"].pk not in ids  # another township: not the township leader's
    assert ids.index(cases["lamp"].pk) < ids.index(cases["lamp_b"].pk)  # the same village first
    assert cases["lamp_b"].pk not in [m.appeal.pk for m in similar_open(county.cadre_a, "村口路灯不亮")]


def test_recently_closed_cases_are_shown_long_closed_and_excluded_ones_are_not(county, cases):
    lamp = cases["lamp"]
    assert similar_open(county.cadre_a, lamp.text, exclude_id=lamp.pk) == []
    from minqing.appeals.models import Appeal

    Appeal.objects.filter(pk=lamp.pk).update(group="solved", closed_at=timezone.now() - dt.timedelta(days=10))
    found = similar_open(county.cadre_a, lamp.text)
    assert [(m.appeal.pk, m.closed) for m in found] == [(lamp.pk, True)]
    assert similar_open(county.cadre_a, lamp.text, include_closed=False) == []  # the merge page
    Appeal.objects.filter(pk=lamp.pk).update(closed_at=timezone.now() - dt.timedelta(days=200))
    assert similar_open(county.cadre_a, lamp.text) == []


# --- meaning (word LSA shipped in the model file) ---------------------------------------------

LAMP_TITLE = "路灯长期不亮"  # a message of 附件3 (A7县宁华路), the place left out: the case's village says it
LAMP_TEXT = "有200米左右路段路灯长期不亮,晚上散步乌漆麻黑、小学生早上上学也不安全"
# The same complaint in other words: no word of substance in common (照明 is 路灯 in the synonym list)
OTHER_TITLE = "照明坏了"
OTHER_TEXT = "这条路照明坏了好几个月，天黑以后黑灯瞎火，孩子放学回家很危险"


@pytest.fixture(scope="session")
def meaning_model(shared_data_dir):
    from minqing.nlp import meaning
    from minqing.nlp.duplicates import fold_groups
    from minqing.nlp.synonyms import SEED
    from minqing.nlp.taidi import read_messages
    from minqing.nlp.textmodel import prepare

    folder = shared_data_dir / "taidi2020c"
    texts = [prepare(m.title, m.text) for m in read_messages(folder / "附件3.csv")]
    return meaning.fit(texts, [*SEED, *fold_groups()])


@pytest.fixture
def meaning_file(tmp_path, settings, meaning_model):
    from minqing.nlp import classify
    from minqing.nlp.textmodel import Example, train

    settings.NLP_MODEL_PATH = str(tmp_path / "category.pkl")
    rows = [Example(t, label) for label, texts in (("城乡建设", ["路灯坏了", "道路破损", "垃圾清运", "小区停水"]),
                                                   ("教育文体", ["入学难", "补课收费", "幼儿园学位", "校车安全"]))
            for t in texts]
    model = train(rows, calibrate=False)
    model.meaning = meaning_model
    classify.attach(model)
    yield model
    classify._cache.update(path=None, mtime=None, model=None)


def test_same_meaning_in_other_words_is_suggested_in_the_same_village(county, appeal_in, meaning_file):
    lamp = appeal_in("village_a", LAMP_TITLE, LAMP_TEXT)
    appeal_in("village_a", "水渠堵塞", "二组水渠堵塞，灌溉困难")
    found = similar_open(county.cadre_a, OTHER_TEXT, title=OTHER_TITLE, region_code=county.village_a.code)
    assert [(m.appeal.pk, m.kind) for m in found] == [(lamp.pk, "meaning")]
    assert found[0].similarity >= 0.6
    # the characters alone do not find it (the model file without meaning vectors)
    meaning_file.meaning = None
    from minqing.nlp import classify

    classify.attach(meaning_file)
    assert similar_open(county.cadre_a, OTHER_TEXT, title=OTHER_TITLE, region_code=county.village_a.code) == []


def test_meaning_matches_stay_in_the_users_places_and_the_same_village(county, appeal_in, meaning_file):
    far = appeal_in("village_c", LAMP_TITLE, LAMP_TEXT)  # another township
    near_b = appeal_in("village_b", LAMP_TITLE, LAMP_TEXT)  # the same township, another village
    assert similar_open(county.township_leader, OTHER_TEXT, title=OTHER_TITLE, region_code=county.village_c.code) == []
    found = similar_open(county.county_leader, OTHER_TEXT, title=OTHER_TITLE, region_code=county.village_c.code)
    assert [m.appeal.pk for m in found] == [far.pk]  # the county sees it; the other village is not the same place
    assert near_b.pk not in [m.appeal.pk for m in similar_open(
        county.township_leader, OTHER_TEXT, title=OTHER_TITLE, region_code=county.village_a.code)]


def test_meaning_travels_in_the_signed_model_file_and_needs_enough_messages(meaning_file, settings):
    from pathlib import Path

    from minqing.nlp import classify
    from minqing.nlp.textmodel import Example, TextModel
    from minqing.nlp.training import Sources, fit_meaning

    loaded = TextModel.load(Path(settings.NLP_MODEL_PATH), classify.model_key())
    v = loaded.meaning.vectors([f"{LAMP_TITLE} {LAMP_TEXT}", f"{OTHER_TITLE} {OTHER_TEXT}", "二组水渠堵塞，灌溉困难"])
    assert v.shape == (3, 150) and v[0] @ v[1] > v[0] @ v[2]
    assert fit_meaning(Sources(unlabelled=[Example("路灯坏了", ""), Example("照明坏了", "")])) is None


# --- the stored signatures (nlp.models.TextSignature, docs/decisions/0066) --------------------------


def test_a_registered_case_has_its_signature_and_a_case_without_one_compares_the_same(county, cases):
    from minqing.nlp import duplicates
    from minqing.nlp.models import TextSignature

    lamp = cases["lamp"]
    row = TextSignature.objects.get(appeal_id=lamp.pk)
    expected = (duplicates.FOLDS, *duplicates.signature(lamp.title, lamp.text))
    assert (row.folds, row.folded, row.key, row.key_full) == expected
    queries = ["甲村村口的路灯不亮了，晚上走路看不见", "甲村村口的路灯不亮了，晚上走路都看不见啊",
               "村口路灯坏了，晚上看不见路"]

    def found():
        return [[(m.appeal.pk, m.kind, m.similarity, m.score) for m in similar_open(county.township_leader, q,
                                                                                    region_code=county.village_a.code)]
                for q in queries]

    stored = found()
    assert (lamp.pk, "exact", 1.0, 1.0) in stored[0] and len(stored[2]) >= 2
    TextSignature.objects.filter(appeal_id=lamp.pk).update(folds="old", folded="x")  # an older fold: not used
    TextSignature.objects.exclude(appeal_id=lamp.pk).delete()  # imported before signatures: from the text
    assert found() == stored
    assert duplicates.fill_signatures(region=county.village_a.code) == 2  # lamp (outdated) and ditch
    assert duplicates.fill_signatures() == 2  # lamp_b, lamp_c
    assert duplicates.fill_signatures() == 0
    assert TextSignature.objects.get(appeal_id=lamp.pk).folded == row.folded
    assert found() == stored


def test_the_signature_is_written_with_the_case_and_rolls_back_with_it(county):
    from django.db import transaction

    from minqing.appeals import services
    from minqing.appeals.models import Appeal
    from minqing.nlp.models import TextSignature

    before = TextSignature.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.register_appeal(actor=None, region=county.village_a.code, kind="problem", channel="visit",
                                 title="路灯", text="路灯不亮", reporter_name="")
        assert TextSignature.objects.count() == before + 1  # inside the registration's transaction
        raise RuntimeError
    assert TextSignature.objects.count() == before and not Appeal.objects.filter(title="路灯").exists()
