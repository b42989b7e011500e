"""The county's search synonyms, set up in /setup/synonyms/ by its system administrator: the
common list until the county keeps its own, each change audited, nothing deleted."""

import pytest

from minqing.audit.models import Event
from minqing.nlp import search
from minqing.nlp.models import SynonymGroup

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


def test_only_the_sysadmin_opens_it(county, sysadmin, login, client):
    login(county.township_leader)
    assert client.get("/setup/synonyms/").status_code == 403
    login(sysadmin)
    body = client.get("/setup/synonyms/").content.decode()
    assert "噪音 · 噪声 · 扰民" in body  # the common list, in use until the county keeps its own


def test_adopt_edit_and_deactivate(county, sysadmin, other_sysadmin, login, client, committed):
    from minqing.appeals import services

    a = committed(services.register_appeal, actor=None, region=county.regions["village_a"], kind="problem",
                  channel="visit", title="吵闹", text="楼下商铺音响吵闹到深夜", reporter_name="")
    login(sysadmin)
    assert client.post("/setup/synonyms/adopt/").status_code == 302
    assert SynonymGroup.objects.filter(county=county.regions["county"]).count() >= 30
    noise = SynonymGroup.objects.get(county=county.regions["county"], words="噪音 噪声 扰民")
    assert [h.appeal_id for h in search.search(county.cadre_a, "噪音")] == []
    r = client.post(f"/setup/synonyms/{noise.pk}/", {"words": "噪音、噪声、扰民、吵闹"})
    assert r.status_code == 302
    assert [h.appeal_id for h in search.search(county.cadre_a, "噪音")] == [a.pk]
    # a word already in another active group: refused with the reason, nothing changed
    r = client.post("/setup/synonyms/new/", {"words": "吵闹 喧哗"}, follow=True)
    assert "已在同义词组" in r.content.decode()
    assert not SynonymGroup.objects.filter(words__contains="喧哗").exists()
    assert client.post(f"/setup/synonyms/{noise.pk}/active/", {"reason": "误判多"}).status_code == 302
    noise.refresh_from_db()
    assert not noise.is_active and SynonymGroup.objects.filter(pk=noise.pk).exists()
    assert search.search(county.cadre_a, "噪音") == []
    actions = set(Event.objects.filter(object_type="nlp.synonymgroup").values_list("action", flat=True))
    assert {"search_synonyms.seeded", "search_synonyms.saved", "search_synonyms.deactivated"} <= actions
    login(other_sysadmin)
    assert client.get(f"/setup/synonyms/{noise.pk}/").status_code == 404
