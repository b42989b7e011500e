"""The action registry: every code an event or an audit entry carries, with its Chinese label, who may
see it and how its details read (docs/decisions/0024-action-registry.md).

One table drives every place a code reaches a person: the case timeline, the portal's progress, the
API's labels and the audit trail page. Each part registers its own codes in its AppConfig.ready()
(as it registers its jurisdiction rules), so the registry knows no part and no part knows another's
codes; tests/test_action_codes.py scans the code for every audit code written and fails on one that
is not registered, and checks that no rendered timeline or trail page shows a raw code.

- ``register(part, {code: label})``: codes of one part (an appeal's event ``assign`` is the audit
  code ``appeal.assign``; the timeline asks for that code).
- ``register_family(prefix, label)``: codes made of a prefix and a name the registry cannot list,
  e.g. ``admin.<model>.<verb>`` written by the operator's admin site.
- ``register_values(key, {value: label})``: codes inside an event's details (追责标记 ``unsolved``,
  理由 ``anonymous``, 回访方式 ``portal``); ``register_keys({key: label})`` names the details' keys.
- ``set_public(code, text)``: what the resident reads on the portal for that event, or None to keep
  one occurrence private. Only codes with such a text are ``PORTAL``-visible.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from django.utils import timezone

STAFF = "staff"  # the case's handlers, on the case page and through the API
AUDITOR = "auditor"  # the audit administrator and the 纪委, on the trail page
PORTAL = "portal"  # the resident, on the portal's progress page
STAFF_AND_AUDITOR = frozenset({STAFF, AUDITOR})
AUDITOR_ONLY = frozenset({AUDITOR})

PublicText = Callable[[Any], "str | None"]  # the event (or its payload holder) → the resident's text


@dataclass(frozen=True)
class Action:
    code: str
    label: Any  # a lazy translation
    part: str
    seen_by: frozenset[str] = STAFF_AND_AUDITOR
    public: PublicText | None = field(default=None, compare=False)


_actions: dict[str, Action] = {}
_families: dict[str, Callable[[str], Any]] = {}
_values: dict[str, dict[str, Any]] = {}
_keys: dict[str, Any] = {}
_lookups: dict[str, Mapping[str, Any]] = {}
_lists: set[str] = set()  # keys whose value is a list of things, never a [before, after] change


def register(part: str, codes: Mapping[str, Any], *, seen_by: Iterable[str] = STAFF_AND_AUDITOR) -> None:
    """Register (or replace: ready() may run twice in tests) a part's codes with their labels."""
    for code, label in codes.items():
        old = _actions.get(code)
        public = old.public if old else None  # a portal text set earlier stays
        _actions[code] = Action(code, label, part, frozenset(seen_by) | ({PORTAL} if public else set()), public)


def register_family(prefix: str, label: Callable[[str], Any]) -> None:
    """Codes ``prefix`` + a name: ``label(name)`` is their label."""
    _families[prefix] = label


def register_values(key: str, labels: Mapping[str, Any]) -> None:
    """The labels of the codes a detail ``key`` may hold (several parts may add to one key)."""
    _values.setdefault(key, {}).update(labels)


def register_lookup(key: str, names: Mapping[str, Any]) -> None:
    """Codes of a detail ``key`` named by a table read when a page shows it (the county's categories),
    not at start-up: ``names.get(code)`` is asked only for a code no static table names."""
    _lookups[key] = names


def register_lists(keys: Iterable[str]) -> None:
    """Keys whose two-item value is two things (two items answered, two residents moved), not a change:
    ``details`` would otherwise read ``["q1", "q2"]`` as ``q1 → q2``."""
    _lists.update(keys)


def register_keys(labels: Mapping[str, Any]) -> None:
    _keys.update(labels)


def set_public(code: str, text: PublicText) -> None:
    """What the portal says for ``code`` (the code must be registered): makes it PORTAL-visible."""
    a = _actions[code]
    _actions[code] = replace(a, seen_by=a.seen_by | {PORTAL}, public=text)


# --- reading -----------------------------------------------------------------------------------


def find(code: str) -> Action | None:
    return _actions.get(code)


def is_registered(code: str) -> bool:
    return code in _actions or any(code.startswith(p) and len(code) > len(p) for p in _families)


def codes() -> dict[str, Action]:
    return dict(_actions)


def families() -> tuple[str, ...]:
    return tuple(_families)


def value_codes() -> Iterable[tuple[str, str]]:
    """Every (key, code) with a label: what the pages must never show raw."""
    for key, table in _values.items():
        for code in table:
            yield key, code


def label(code: str) -> str:
    """The Chinese name of a code (the code itself only for one nobody registered: a test forbids it)."""
    a = _actions.get(code)
    if a is not None:
        return str(a.label)
    for prefix, fn in _families.items():
        if code.startswith(prefix) and len(code) > len(prefix):
            return str(fn(code[len(prefix):]))
    return code


def may_see(code: str, audience: str) -> bool:
    a = _actions.get(code)
    return a is not None and audience in a.seen_by


def public_text(code: str, event: Any) -> str | None:
    """What the resident reads for this event on the portal, or None (not shown there)."""
    a = _actions.get(code)
    if a is None or a.public is None:
        return None
    return a.public(event)


def value_label(key: str, value: Any) -> str:
    """One detail's value in words (lists joined with 、); a value that is no code shows as it is."""
    if isinstance(value, list | tuple):
        return "、".join(value_label(key, v) for v in value)
    if isinstance(value, bool):  # the key's own words (通过/不通过), else 是/否
        word = str(value).lower()
        return str(_values.get(key, {}).get(word) or _values.get("bool", {}).get(word, value))
    if value is None:
        return ""
    word = _values.get(key, {}).get(str(value))
    if word is None and key in _lookups:
        word = _lookups[key].get(str(value))
    return str(value if word is None else word)


def key_label(key: str, model: Any = None) -> str:
    """A detail's key in words: the field's verbose name on the event's model (a personal field by its
    masked column), else the registered label, else a field of that name on another model (a dispute's
    event naming its session's 调解地点), else the key."""
    for name in (key, f"{key}_masked") if model is not None else ():
        try:
            return str(model._meta.get_field(name).verbose_name)
        except Exception:  # noqa: BLE001 - FieldDoesNotExist: a key that is no field
            continue
    if key in _keys:
        return str(_keys[key])
    field = _field_elsewhere(key, model)
    return str(field.verbose_name) if field is not None else key


def _field_elsewhere(name: str, model: Any) -> Any:
    """A concrete field of that name on some model, one of the event's own part first; None if none."""
    fields = _fields_by_name().get(name, [])
    app = getattr(getattr(model, "_meta", None), "app_label", None)
    return next((f for f in fields if f.model._meta.app_label == app), fields[0] if fields else None)


@lru_cache(maxsize=1)
def _fields_by_name() -> dict[str, list[Any]]:
    from django.apps import apps

    out: dict[str, list[Any]] = {}
    for m in apps.get_models():
        for f in m._meta.concrete_fields:
            out.setdefault(f.name, []).append(f)
    return out


def model_of(object_type: str) -> Any:
    """The model an audit event's ``object_type`` (app_label.model) names, or None."""
    from django.apps import apps

    try:
        return apps.get_model(object_type) if object_type.count(".") == 1 else None
    except (LookupError, ValueError):
        return None


def _short(value: Any) -> str:
    if isinstance(value, Mapping):
        return "；".join(f"{key_label(k)}：{_words(k, v, None)}" for k, v in value.items())
    if isinstance(value, str) and len(value) >= 19 and value[4:5] == "-" and value[10:11] == "T":
        try:  # an ISO time in a payload: as the page shows times
            at = dt.datetime.fromisoformat(value)
            return (timezone.localtime(at) if timezone.is_aware(at) else at).strftime("%Y-%m-%d %H:%M")
        except ValueError:
            return value
    return str(value)


def _choice(model: Any, key: str, value: Any) -> Any:
    """A model field's choice code in words (性别 F → 女, 与户主关系 head → 户主); a key that is no field
    of the event's model is looked for on the other models (a session's venue courtyard → 院坝)."""
    if isinstance(value, list | dict | bool) or value is None:
        return value
    try:
        field = model._meta.get_field(key)
    except Exception:  # noqa: BLE001 - FieldDoesNotExist or no model: a key that is no field of it
        field = _field_elsewhere(key, model)
    choices = getattr(field, "flatchoices", None)  # a reverse relation (reports, attachments) has none
    if not choices:
        return value
    return dict(choices).get(value, value)


def _words(key: str, value: Any, model: Any) -> str:
    if isinstance(value, list):
        return "、".join(w for v in value if (w := _words(key, v, model)))
    if isinstance(value, Mapping):
        return _short(value)
    return _short(value_label(key, _choice(model, key, value)))


def details(changes: Mapping[str, Any] | None, *, skip: Iterable[str] = (), model: Any = None) -> list[tuple[str, str]]:
    """An event's details as (label, words) lines: keys named, coded values in words, a change
    ``[before, after]`` of a field as ``before → after``."""
    out: list[tuple[str, str]] = []
    skipped = set(skip)
    for key, value in (changes or {}).items():
        if key in skipped or value in (None, "", [], {}):
            continue
        if (isinstance(value, list) and len(value) == 2 and key not in _values and key not in _lists  # a diff
                and not all(isinstance(v, int) for v in value)  # not two ids
                and not any(isinstance(v, dict) for v in value)):
            words = f"{_words(key, value[0], model) or '—'} → {_words(key, value[1], model) or '—'}"
        else:
            words = _words(key, value, model)
        out.append((key_label(key, model), words))
    return out
