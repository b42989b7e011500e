"""The action registry (minqing.audit.actions, docs/decisions/0024-action-registry.md): every audit
code the code writes is registered with a label, and no page that lists events shows a raw code."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import minqing
from minqing.audit import actions

ROOT = Path(minqing.__file__).parent


def _written_codes() -> tuple[set[str], set[str], list[str]]:
    """(literal codes, f-string prefixes, other expressions) passed as the first argument of every
    ``record(...)`` call and of the demo's ``chain.add(...)``, read with ast."""
    literals: set[str] = set()
    prefixes: set[str] = set()
    other: list[str] = []

    def take(node: ast.AST, where: str) -> None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            literals.add(node.value)
        elif isinstance(node, ast.IfExp):
            take(node.body, where)
            take(node.orelse, where)
        elif isinstance(node, ast.JoinedStr) and isinstance(node.values[0], ast.Constant):
            prefixes.add(node.values[0].value)
        else:
            other.append(f"{where}: {ast.unparse(node)}")

    for path in ROOT.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            f = node.func
            name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
            owner = ast.unparse(f.value) if isinstance(f, ast.Attribute) else ""
            if name == "record" or (name == "add" and owner.endswith("chain")):
                take(node.args[0], str(path.relative_to(ROOT)))
    return literals, prefixes, other


def test_the_scan_finds_the_codes_written():
    literals, prefixes, _other = _written_codes()
    assert {"resident.created", "household.moved", "audit.exported", "checklist.answered"} <= literals
    assert {"appeal.", "dispute.", "admin."} <= prefixes
    assert len(literals) > 90


def test_every_audit_code_written_is_registered():
    from minqing.accounts import codes
    from minqing.appeals import workflow as wf
    from minqing.appeals.hooks import CATEGORY_CHANGED, CATEGORY_SUGGESTED

    literals, prefixes, other = _written_codes()
    # the expressions the scan cannot read, each resolved here (a new one fails until it is added)
    resolved = {
        "accounts/codes.py: _ISSUED[purpose]": set(codes._ISSUED.values()),
        "accounts/codes.py: _USED[CodePurpose(entry.purpose)]": set(codes._USED.values()),
    }
    assert set(other) <= set(resolved), f"audit codes the test cannot read: {sorted(set(other) - set(resolved))}"
    written = literals | set().union(*resolved.values())
    written |= {f"appeal.{a}" for a in wf.ACTIONS} | {f"appeal.{CATEGORY_CHANGED}", f"appeal.{CATEGORY_SUGGESTED}"}
    disputes = (ROOT / "disputes").rglob("*.py")
    written |= {f"dispute.{m}" for p in disputes for m in re.findall(r'_audit\(\s*"([a-z_]+)"', p.read_text())}
    missing = sorted(c for c in written if not actions.is_registered(c))
    assert not missing, f"audit codes written but not registered in minqing.audit.actions: {missing}"
    unread = sorted(p for p in prefixes if p not in ("appeal.", "dispute.") and p not in actions.families())
    assert not unread, f"families of codes with no registered label: {unread}"


def test_every_registered_code_has_a_label_that_is_not_the_code():
    assert len(actions.codes()) > 130
    same = [c for c in actions.codes() if actions.label(c) in ("", c)]
    assert not same
    assert actions.label("appeal.assign") == "交办" or actions.label("appeal.assign")
    assert "admin." in actions.label("admin.accounts.user.changed") or "运维" in actions.label(
        "admin.accounts.user.changed")


def test_who_may_see_and_the_portal_text():
    assert actions.may_see("resident.revealed", actions.AUDITOR)
    assert not actions.may_see("account.password_changed", actions.STAFF)
    assert actions.may_see("appeal.assign", actions.PORTAL) and not actions.may_see("appeal.remind", actions.PORTAL)
    assert actions.public_text("appeal.remind", object()) is None


def test_details_read_as_words():
    lines = dict(actions.details({"flags": ["unsolved", "unsatisfied", "overdue"], "reason": "anonymous",
                                  "method": "portal", "name": ["甲", "乙"], "passed": True}))
    text = " ".join(f"{k} {v}" for k, v in lines.items())
    for code in ("unsolved", "unsatisfied", "anonymous", "portal", "flags", "passed", "True"):
        assert not re.search(rf"(?<![\w.]){code}(?![\w.])", text), (code, text)
    assert "甲 → 乙" in text


@pytest.mark.django_db
def test_the_trail_page_shows_labels_not_codes(county, login):
    from minqing.accounts.models import Post, Unit, User
    from minqing.audit.log import record

    user = User.objects.create_user("auditor1", password="x", display_name="审计管理员")
    unit = Unit.objects.create(name="县网信办", region=county.county)
    Post.objects.create(user=user, unit=unit, role="auditor", region=county.county,
                        started_on=__import__("datetime").date(2020, 1, 1))
    record("appeal.close", obj=county.households["a1"], object_type="appeals.appeal", object_id=1,
           changes={"flags": ["unsolved", "unsatisfied", "overdue"], "reason": "anonymous", "method": "portal"})
    page = login(user).get("/audit/").content.decode()
    body = re.search(r"<tbody>(.*?)</tbody>", page, re.S)[1]
    text = re.sub(r"<[^>]+>", " ", body)  # what is read (a code may stay in an attribute: the cell's title)
    shown = [c for c in actions.codes() if re.search(rf"(?<![\w.:]){re.escape(c)}(?![\w.])", text)]
    values = [c for _k, c in actions.value_codes() if re.search(rf"(?<![\w.:/-]){re.escape(c)}(?![\w./-])", text)]
    assert not shown and not values, (shown, values)
    assert str(actions.label("resident.created")) in text and '<td class="nowrap">' in body


def _detail_keys_written() -> dict[str, set[str]]:
    """Every literal key of a ``changes={...}`` dict passed to an audit writer (record, _audit, audit),
    with where it is written, read with ast."""
    found: dict[str, set[str]] = {}
    for path in ROOT.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            f = node.func
            name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
            if name not in ("record", "_audit", "audit"):
                continue
            dicts = [kw.value for kw in node.keywords if kw.arg == "changes" and isinstance(kw.value, ast.Dict)]
            dicts += [a for a in node.args if isinstance(a, ast.Dict)]  # _audit("code", obj, actor, {…})
            for d in dicts:
                for k in d.keys:
                    if isinstance(k, ast.Constant) and isinstance(k.value, str):
                        found.setdefault(k.value, set()).add(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_every_detail_key_written_is_named():
    """A key of an event's details reaches the trail page as its label: registered, or a model's field
    (named by the field's verbose name). A new key fails here, not in front of an auditor."""
    from django.apps import apps

    written = _detail_keys_written()
    assert {"created", "updated", "rows", "erased", "category"} <= set(written)
    fields = {f.name for m in apps.get_models() for f in m._meta.concrete_fields}  # a related name is no label
    unnamed = sorted((k, sorted(w)[0]) for k, w in written.items() if k not in actions._keys and k not in fields)
    assert not unnamed, f"audit detail keys with no label (register them with actions.register_keys): {unnamed}"


@pytest.mark.django_db
def test_a_category_code_in_the_details_reads_as_the_countys_name():
    from minqing.appeals.models import Category

    Category.objects.create(code="T01", name="城乡建设")
    lines = dict(actions.details({"category": [None, "T01"], "category_suggested": {"category": "T01",
                                                                                     "confidence": 0.99}}))
    text = " ".join(lines.values())
    assert "城乡建设" in text and "T01" not in text, text
    assert actions.value_label("category", "T99") == "T99"  # a code the county no longer has stays as it is
    erased = " ".join(v for _k, v in actions.details({"erased": ["id_number", "phone", "birth_date"]}))
    assert not re.search(r"id_number|phone|birth_date", erased), erased


def test_two_things_are_not_read_as_a_change():
    lines = dict(actions.details({"answered": ["q1", "q2"], "residents": [3, 4], "title": ["旧标题", "新标题"]}))
    assert "→" not in lines[str(actions.key_label("answered"))]
    assert "→" in lines[str(actions.key_label("title"))]  # a field's [before, after] stays a change


@pytest.mark.django_db
def test_a_key_named_after_a_relation_or_another_models_field_reads():
    from minqing.appeals.models import Appeal
    from minqing.disputes.models import Dispute

    # a reverse relation of the event's model (an appeal's reports) is no choice field: shown as it is
    assert dict(actions.details({"reports": [1, 2]}, model=Appeal))
    # a dispute's session event: the session's venue and outcome read as words, not codes
    lines = actions.details({"venue": "courtyard", "result": "continue"}, model=Dispute)
    text = " ".join(f"{k} {v}" for k, v in lines)
    assert not re.search(r"\bcourtyard\b|\bcontinue\b|\bvenue\b", text), text


def test_a_visits_help_reads_as_the_kinds_of_help():
    """A visit's details name its help by kind (the audit page showed help：condolence_goods)."""
    from minqing.fieldwork.models import Visit

    lines = dict(actions.details({"household": 122, "help": ["condolence_goods", "temporary_relief"], "appeals": 0},
                                 model=Visit))
    words = " ".join(f"{k}：{v}" for k, v in lines.items())
    assert "condolence_goods" not in words and "help" not in words
    assert "慰问" in words
