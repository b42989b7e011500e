"""GET /api/v1/field/households: the household directory the phone keeps so a cadre can record a visit
to a household that is not due (docs/decisions/0005-offline-first.md)."""

from __future__ import annotations

import datetime as dt
import gzip
import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from minqing.accounts.models import Post
from minqing.fieldwork import directory, services
from minqing.households import services as hh
from minqing.households.models import Resident
from minqing.regions.models import VillageGroup
from tests.conftest import ID_A, ID_A2, ID_B, ID_C, PHONE_A, PHONE_B, PHONE_C, REQUEST_OVERHEAD

from .conftest import cid

pytestmark = pytest.mark.django_db

URL = "/api/v1/field/households"


def _get(client, **headers):
    return client.get(URL, headers=headers)


def test_a_village_cadre_gets_every_household_of_the_village_and_nothing_else(county, login):
    body = _get(login(county.cadre_a)).json()
    assert [i["household"] for i in body["items"]] == [county.a1.pk, county.a2.pk]
    assert body["items"][0] == {"household": county.a1.pk, "village_code": county.village_a.code, "village": "甲村",
                                "group": "", "number": "0001", "head_name": "甲村户主1", "tags": ["dibao"],
                                "last_visit": None}
    assert body["tags"] == {"dibao": "低保户"}
    assert (body["count"], body["returned"], body["truncated"]) == (2, 2, False)
    assert body["limit"] == directory.MAX_HOUSEHOLDS and len(body["version"]) == 32
    other = _get(login(county.cadre_b)).json()
    assert [i["household"] for i in other["items"]] == [county.b1.pk, county.b2.pk]


def test_a_township_leader_gets_the_township_and_a_department_nothing(county, login):
    body = _get(login(county.township_leader)).json()
    assert [i["head_name"] for i in body["items"]] == ["甲村户主1", "甲村户主2", "乙村户主1", "乙村户主2"]
    assert body["count"] == 4  # not 丙村 of the other township
    # 县住建局 sees what is assigned to it, not the county's households
    assert _get(login(county.dept_handler)).json()["items"] == []
    assert Client().get(URL).status_code == 401


def test_households_not_due_are_in_it_with_their_last_visit(county, login):
    """The directory's point: a2, visited two days ago, is not in the plan but is in the directory."""
    when = timezone.now() - dt.timedelta(days=2)
    services.record_visit(actor=county.cadre_a, household=county.a2, visited_at=when)
    client = login(county.cadre_a)
    assert county.a2.pk not in [i["household"] for i in client.get("/api/v1/field/plan").json()["items"]]
    items = {i["household"]: i for i in _get(client).json()["items"]}
    assert items[county.a2.pk]["last_visit"] == timezone.localtime(when).date().isoformat()
    assert items[county.a1.pk]["last_visit"] is None


def test_no_phone_or_id_number_not_even_masked(county, login):
    client = login(county.township_leader)
    raw = _get(client).content.decode()
    masked = [v for r in Resident.objects.all() for v in (r.phone_masked, r.id_number_masked) if v]
    assert masked, "the fixture's residents have masked values to look for"
    for secret in [ID_A, ID_A2, ID_B, ID_C, PHONE_A, PHONE_B, PHONE_C, *masked]:
        assert secret not in raw, secret
    for word in ("phone", "id_number", "address", "resident", "甲村居民1"):
        assert word not in raw, word
    keys = {k for i in json.loads(raw)["items"] for k in i}
    assert keys == {"household", "village_code", "village", "group", "number", "head_name", "tags", "last_visit"}


def test_an_unchanged_directory_answers_304_and_a_change_a_new_version(county, login):
    client = login(county.cadre_a)
    first = _get(client)
    etag = first["ETag"]
    assert etag == f'"{first.json()["version"]}"' and "no-cache" in first["Cache-Control"]
    unchanged = _get(client, **{"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.content == b"" and unchanged["ETag"] == etag
    assert _get(client, **{"If-None-Match": f"W/{etag}"}).status_code == 304  # gzip's weak form
    assert _get(client, **{"If-None-Match": '"someone-else"'}).status_code == 200

    versions = {first.json()["version"]}

    def changed() -> dict:
        r = _get(client, **{"If-None-Match": etag})
        assert r.status_code == 200
        body = r.json()
        assert body["version"] not in versions
        versions.add(body["version"])
        return body

    visited_at = timezone.now() - dt.timedelta(hours=1)  # just after midnight this is yesterday
    services.record_visit(actor=county.cadre_a, household=county.a2, visited_at=visited_at)
    assert [i["last_visit"] for i in changed()["items"]][1] == timezone.localdate(visited_at).isoformat()
    hh.update_household(county.a2, actor=county.cadre_a, changes={"head_name": "甲村新户主"}, tags=["canji"])
    body = changed()
    assert body["items"][1]["head_name"] == "甲村新户主" and body["items"][1]["tags"] == ["canji"]
    assert body["tags"] == {"canji": "残疾", "dibao": "低保户"}
    hh.remove_household(county.a1, actor=county.cadre_a, reason="户籍迁出")
    assert [i["household"] for i in changed()["items"]] == [county.a2.pk]
    # the user's jurisdiction widens: the same phone gets village B too
    Post.objects.create(user=county.cadre_a, unit=county.units["committee_b"], role="village_secretary",
                        region=county.village_b, started_on=dt.date(2020, 1, 1))
    assert changed()["count"] == 3


def test_the_answer_is_gzipped_for_a_phone_that_takes_it(county, login):
    client = login(county.township_leader)
    zipped = _get(client, **{"Accept-Encoding": "gzip"})
    assert zipped["Content-Encoding"] == "gzip"
    body = json.loads(gzip.decompress(zipped.content))
    assert body["count"] == 4
    # gzip makes the ETag weak; sent back as it came, it still means "unchanged"
    assert _get(client, **{"If-None-Match": zipped["ETag"], "Accept-Encoding": "gzip"}).status_code == 304


def test_a_few_queries_whatever_the_size(make_county, login):
    county = make_county(households_per_village=30)
    for n in range(2, 6):
        VillageGroup.objects.create(region=county.village_a, number=n, name=f"{n}组")
    groups = list(VillageGroup.objects.filter(region=county.village_a).order_by("number"))
    for i, h in enumerate(county.households[f"a{n}"] for n in range(1, 31)):
        h.group = groups[i % len(groups)]
        h.save(update_fields=["group"])
        if i % 3 == 0:
            services.record_visit(actor=county.cadre_a, household=h,
                                  visited_at=timezone.now() - dt.timedelta(days=i + 1))
    client = login(county.township_leader)
    _get(client)
    with CaptureQueriesContext(connection) as queries:
        body = _get(client).json()
    assert body["count"] == 60
    # session, user, posts, then households (with their last visit) and tags: not one more per household
    assert len(queries) <= 5 + REQUEST_OVERHEAD, [q["sql"] for q in queries]
    a = [i for i in body["items"] if i["village"] == "甲村"]
    assert [i["group"] for i in a[:7]] == ["一组"] * 6 + ["2组"]  # visiting order: village, group, number
    assert sum(1 for i in a if i["last_visit"]) == 10


def test_a_directory_too_big_for_a_phone_is_cut_and_says_so(county, login, monkeypatch):
    monkeypatch.setattr(directory, "MAX_HOUSEHOLDS", 3)
    services.record_visit(actor=county.cadre_b, household=county.b2, visited_at=timezone.now() - dt.timedelta(hours=1))
    body = _get(login(county.township_leader)).json()
    assert (body["count"], body["returned"], body["truncated"], body["limit"]) == (4, 3, True, 3)
    assert [i["head_name"] for i in body["items"]] == ["甲村户主1", "甲村户主2", "乙村户主1"]
    assert body["items"][2]["tags"] == ["dibao"]


def test_a_visit_to_a_household_of_the_directory_syncs_like_a_planned_one(county, login):
    services.record_visit(actor=county.cadre_a, household=county.a2, visited_at=timezone.now() - dt.timedelta(days=2))
    client = login(county.cadre_a)
    assert county.a2.pk in [i["household"] for i in _get(client).json()["items"]]
    record = {"client_id": cid(), "type": "visit", "id": None, "base_version": None,
              "data": {"household": county.a2.pk, "visited_at": timezone.now().isoformat(), "note": "邻居叫我来"}}
    batch = {"device": "phone", "records": [record]}
    first = client.post("/api/v1/sync", data=json.dumps(batch), content_type="application/json").json()
    again = client.post("/api/v1/sync", data=json.dumps(batch), content_type="application/json").json()
    assert [r["status"] for r in first["results"] + again["results"]] == ["applied", "duplicate"]
    assert county.a2.visits.filter(note="邻居叫我来").count() == 1
