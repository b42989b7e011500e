"""The appeals API: list filters, detail with timeline, create, actions, outsiders, the schema."""

from __future__ import annotations

import datetime as dt

import pytest

from minqing.appeals import services
from tests.conftest import PHONE_A

pytestmark = pytest.mark.django_db


def _post(client, url, headers, data):
    return client.post(url, data, content_type="application/json", headers=headers)


def test_it_lists_with_filters(county, register, clock, client, bearer):
    a = register()
    b = register(county.cadre_b, region=county.village_b.code, kind="help")
    services.do_solve_on_spot(b, actor=county.cadre_b, what="已解决", now=clock())
    h = bearer(county.township_leader)
    data = client.get("/api/v1/appeals", headers=h).json()
    assert data["count"] == 2 and {i["id"] for i in data["items"]} == {a.pk, b.pk}
    assert client.get(f"/api/v1/appeals?region={county.village_a.code[:12]}", headers=h).json()["count"] == 1
    assert client.get("/api/v1/appeals?region=511722100", headers=h).json()["count"] == 2  # short form
    assert client.get("/api/v1/appeals?status=solved_on_spot", headers=h).json()["items"][0]["id"] == b.pk
    assert client.get("/api/v1/appeals?group=open", headers=h).json()["count"] == 1
    assert client.get("/api/v1/appeals?kind=help", headers=h).json()["count"] == 1
    assert client.get(f"/api/v1/appeals?q={a.title}", headers=h).json()["count"] == 1
    assert client.get("/api/v1/appeals?from=2025-03-03&to=2025-03-03", headers=h).json()["count"] == 2
    assert client.get("/api/v1/appeals?from=2025-03-04", headers=h).json()["count"] == 0
    assert client.get("/api/v1/appeals?overdue=true", headers=h).json()["count"] == 1  # a is past its 2025 due
    assert client.get("/api/v1/appeals?region=5x", headers=h).status_code == 422
    # village A's cadre sees only village A's
    assert client.get("/api/v1/appeals", headers=bearer(county.cadre_a)).json()["count"] == 1


def test_detail_has_timeline_and_available_actions(county, register, client, bearer):
    a = register()
    data = client.get(f"/api/v1/appeals/{a.pk}", headers=bearer(county.cadre_a)).json()
    assert data["number"] == a.number and data["events"][0]["action"] == "register"
    assert data["events"][0]["label"] == "登记"
    assert {"solve_on_spot", "assign", "escalate", "explain_policy"} <= set(data["available_actions"])
    assert "verify" not in data["available_actions"]
    dept = client.get(f"/api/v1/appeals/{a.pk}", headers=bearer(county.township_leader)).json()
    assert "supervise" in dept["available_actions"]


def test_outsiders_get_404(county, register, client, bearer):
    a = register()
    for user in (county.cadre_b, county.outsider, county.dept_handler):
        h = bearer(user)
        assert client.get(f"/api/v1/appeals/{a.pk}", headers=h).status_code == 404
        assert client.get(f"/api/v1/appeals/{a.pk}/reports", headers=h).status_code == 404
        r = _post(client, f"/api/v1/appeals/{a.pk}/actions/escalate", h, {"reason": "x"})
        assert r.status_code == 404
    assert client.get(f"/api/v1/appeals/{a.pk}").status_code == 401


def test_create_and_run_the_loop_through_the_api(county, client, bearer):
    h = bearer(county.cadre_a)
    r = _post(client, "/api/v1/appeals", h, {"region": county.village_a.code, "kind": "problem", "channel": "meeting",
                                             "title": "路灯坏了", "text": "村道路灯坏了五盏", "phone": PHONE_A,
                                             "reporter_name": "王五", "client_id": "offline-42"})
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    again = _post(client, "/api/v1/appeals", h, {"region": county.village_a.code, "kind": "problem",
                                                 "channel": "meeting", "title": "路灯坏了", "text": "重复提交",
                                                 "client_id": "offline-42"})
    assert again.json()["id"] == pk
    url = f"/api/v1/appeals/{pk}/actions"
    due = (dt.date.today() + dt.timedelta(days=20)).isoformat()
    r = _post(client, f"{url}/assign", h, {"unit": county.units["housing"].pk, "person": county.dept_handler.pk,
                                           "measures": "更换灯具", "due": due})
    assert r.status_code == 200 and r.json()["status"] == "assigned", r.content
    hd = bearer(county.dept_handler)
    assert _post(client, f"{url}/add_progress", hd, {"note": "已更换", "cost": "8000", "fund_source": "县级财政"}
                 ).json()["cost"] == "8000.00"
    assert _post(client, f"{url}/submit_result", hd, {"result": "完成"}).json()["status"] == "awaiting_verification"
    r = _post(client, f"{url}/escalate", hd, {"reason": "x"})
    assert r.status_code == 403  # visible to the department, but not its decision
    r = _post(client, f"{url}/verify", h, {})
    assert r.status_code == 422 and "passed" in str(r.json()["detail"])  # the schema requires it
    assert _post(client, f"{url}/verify", h, {"passed": True}).json()["status"] == "awaiting_return_visit"
    assert _post(client, f"{url}/return_visit", h, {"satisfaction": "satisfied"}).json()["status"] == "awaiting_closure"
    data = _post(client, f"{url}/close", h, {"outcome": "solved"}).json()
    assert data["status"] == "closed_solved" and data["closed_on_time"] is True
    assert [e["action"] for e in data["events"]][-1] == "close"
    reports = client.get(f"/api/v1/appeals/{pk}/reports", headers=h).json()
    assert reports["count"] == 1 and reports["items"][0]["phone"] == "138****5678"
    assert PHONE_A not in str(reports)
    rid = reports["items"][0]["id"]
    assert _post(client, f"/api/v1/appeals/{pk}/reports/{rid}/reveal", h, {}).status_code == 403
    assert _post(client, f"/api/v1/appeals/{pk}/reports/{rid}/reveal", hd, {}).json() == {"phone": PHONE_A}


def test_unknown_action_names_are_rejected(county, register, client, bearer):
    a = register()
    r = _post(client, f"/api/v1/appeals/{a.pk}/actions/teleport", bearer(county.cadre_a), {})
    assert r.status_code == 404  # one route per action: no route, no action


def test_a_refused_transition_is_422_in_chinese(county, register, client, bearer):
    a = register()
    r = _post(client, f"/api/v1/appeals/{a.pk}/actions/close", bearer(county.cadre_a), {"outcome": "solved"})
    assert r.status_code == 422 and "下不能办结" in r.json()["detail"]


def test_openapi_documents_one_route_and_one_schema_per_action(client, county, bearer):
    from minqing.appeals import services, workflow

    schema = client.get("/api/v1/openapi.json", headers=bearer(county.cadre_a)).json()
    paths, components = schema["paths"], schema["components"]["schemas"]
    for path in ("/api/v1/appeals", "/api/v1/appeals/{appeal_id}", "/api/v1/appeals/{appeal_id}/reports"):
        assert path in paths, path
    assert set(services.ACTION_FUNCTIONS) == set(workflow.ACTIONS) - {"register"}  # every action callable
    bodies = set()
    for action in services.ACTION_FUNCTIONS:
        op = paths[f"/api/v1/appeals/{{appeal_id}}/actions/{action}"]["post"]
        bodies.add(op["requestBody"]["content"]["application/json"]["schema"]["$ref"])
    assert len(bodies) == len(services.ACTION_FUNCTIONS)  # one schema per action
    refer = components["AppealReferIn"]
    assert refer["required"] == ["body", "reason"] and "note" in refer["properties"]
    assert components["AppealVerifyIn"]["required"] == ["passed"]
    assert set(components["AppealCloseIn"]["properties"]["reason"]["anyOf"][0]["enum"]) == {
        "anonymous", "unreachable", "declined"}
    # registration is documented with its own fields, not the checklists' {text}
    create = paths["/api/v1/appeals"]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert {"region", "kind", "channel", "title", "text"} <= set(components[create.rsplit("/", 1)[1]]["required"])


def test_every_schema_name_is_unique():
    """django-ninja names a component after its class: two classes of one name overwrite each other."""
    from ninja import Schema

    from minqing.api.root import api

    api.get_openapi_schema()  # imports every router
    seen: dict[str, type] = {}
    todo = list(Schema.__subclasses__())
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if cls.__module__.startswith("minqing."):
            other = seen.setdefault(cls.__name__, cls)
            assert other is cls, f"{cls.__name__}: {other.__module__} and {cls.__module__}"


def test_refer_is_callable_through_the_api(county, register, client, bearer):
    a = register()
    h = bearer(county.cadre_a)
    missing = _post(client, f"/api/v1/appeals/{a.pk}/actions/refer", h, {"reason": "属劳动争议"})
    assert missing.status_code == 422
    r = _post(client, f"/api/v1/appeals/{a.pk}/actions/refer", h, {"body": "县劳动人事争议仲裁委员会",
                                                                    "reason": "属劳动争议，依法申请仲裁"})
    assert r.status_code == 200, r.content
    # not closed yet: verified by someone else and visited first
    assert r.json()["status"] == "awaiting_verification" and r.json()["events"][-1]["action"] == "refer"


def test_docs_load_swagger_ui_from_the_site(client, county, login):
    page = login(county.cadre_a).get("/api/v1/docs").content.decode()
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in page and "/static/api/swagger-init.js" in page
    assert "cdn" not in page.lower() and "https://" not in page


def test_it_uploads_a_photo_and_refuses_a_disguised_file(county, register, client, bearer, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from minqing.appeals.models import Attachment

    settings.MEDIA_ROOT = tmp_path
    a = register()
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (4, 4), (10, 120, 200)).save(out, "PNG")
    png = out.getvalue()  # a real picture: a stored photo must decode
    h = bearer(county.cadre_a)
    ok = client.post(f"/api/v1/appeals/{a.pk}/attachments", {"file": SimpleUploadedFile("路灯.png", png)}, headers=h)
    assert ok.status_code == 201 and ok.json()["content_type"] == "image/png" and ok.json()["size"] == len(png)
    fake = SimpleUploadedFile("报告.pdf", b"MZ\x90\x00not a pdf")
    bad = client.post(f"/api/v1/appeals/{a.pk}/attachments", {"file": fake}, headers=h)
    assert bad.status_code == 422 and Attachment.objects.count() == 1
    outsider = client.post(f"/api/v1/appeals/{a.pk}/attachments", {"file": SimpleUploadedFile("x.png", png)},
                           headers=bearer(county.cadre_b))
    assert outsider.status_code == 404
