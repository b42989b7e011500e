"""Pages speak Simplified Chinese by default, English on request; time zone Asia/Shanghai."""

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_the_login_page_is_chinese_by_default(client):
    text = client.get("/login/").content.decode()
    assert 'lang="zh-hans"' in text
    assert "登录" in text  # needs the compiled zh_Hans catalogue (make messages)


def test_the_login_page_is_english_on_request(client):
    text = client.get("/login/", headers={"Accept-Language": "en"}).content.decode()
    assert 'lang="en"' in text and "Log in" in text and "登录" not in text


def test_the_language_cookie_wins(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    text = client.get("/login/", headers={"Accept-Language": "zh-hans"}).content.decode()
    assert "Log in" in text


def test_a_chinese_browser_gets_chinese(client):
    text = client.get("/login/", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).content.decode()
    assert 'lang="zh-hans"' in text and "登录" in text


def test_settings():
    assert settings.LANGUAGE_CODE == "zh-hans" and settings.TIME_ZONE == "Asia/Shanghai" and settings.USE_TZ


def _entries(po_text: str):
    """(flags, msgctxt, msgid, msgstr) of each entry of a .po file (multi-line strings joined)."""
    for block in po_text.split("\n\n"):
        lines = [ln for ln in block.splitlines() if not ln.startswith("#~")]
        flags = " ".join(ln for ln in lines if ln.startswith("#,"))
        parts: dict[str, str] = {}
        key = None
        for ln in lines:
            if ln.startswith(("msgid ", "msgstr ", "msgctxt ", "msgid_plural ", "msgstr[")):
                key, _, rest = ln.partition(" ")
                parts[key] = rest.strip('"')
            elif ln.startswith('"') and key:
                parts[key] += ln.strip('"')
        if "msgid" in parts:
            yield flags, parts.get("msgctxt"), parts["msgid"], parts.get("msgstr", parts.get("msgstr[0]", ""))


def test_every_chinese_catalogue_is_complete_and_compiled():
    """A fuzzy or empty entry, or a .mo not compiled from its .po, shows English to a Chinese user."""
    import gettext
    from pathlib import Path

    package = Path(__file__).resolve().parents[1] / "minqing"
    catalogues = sorted(package.glob("**/locale/zh_Hans/LC_MESSAGES/django.po"))
    assert len(catalogues) >= 10
    problems = []
    for po in catalogues:
        with po.with_suffix(".mo").open("rb") as fh:
            compiled = gettext.GNUTranslations(fh)._catalog  # noqa: SLF001 — the raw table is what we check
        for flags, context, msgid, msgstr in _entries(po.read_text(encoding="utf-8")):
            if not msgid:
                continue
            key = f"{context}\x04{msgid}" if context else msgid
            if "fuzzy" in flags or not msgstr:
                problems.append(f"{po.relative_to(package)}: untranslated {msgid[:40]}")
            elif "\\" not in msgid and key not in compiled and (key, 0) not in compiled:
                problems.append(f"{po.relative_to(package)}: not compiled {msgid[:40]}")
    assert not problems, problems[:20]


def test_no_two_catalogues_translate_the_same_words_differently():
    """Django merges every catalogue into one table per language and the project's (LOCALE_PATHS) wins,
    then the apps in INSTALLED_APPS order: a msgid two catalogues translate differently shows one
    part's words on another's page (the 院坝会 form asked for “诉求类型”). Words that mean different
    things in different parts carry a context (pgettext / {% translate … context … %})."""
    from pathlib import Path

    package = Path(__file__).resolve().parents[1] / "minqing"
    clashes = []
    for lang in ("zh_Hans", "en"):
        seen: dict[tuple[str | None, str], dict[str, str]] = {}
        for po in sorted(package.glob(f"**/locale/{lang}/LC_MESSAGES/django.po")):
            for _flags, context, msgid, msgstr in _entries(po.read_text(encoding="utf-8")):
                if msgid and msgstr:
                    seen.setdefault((context, msgid), {}).setdefault(msgstr, str(po.relative_to(package)))
        clashes += [f"{lang} {context or ''}|{msgid}: {ways}" for (context, msgid), ways in seen.items()
                    if len(ways) > 1]
    assert not clashes, "\n".join(clashes)


def test_the_parts_words_reach_their_pages(client, django_user_model):
    """The words that collided show as their own part means them."""
    from django.utils import translation

    with translation.override("zh-hans"):
        assert translation.pgettext("appeal", "Kind") == "诉求类型"
        assert translation.gettext("Kind") == "类型"
        assert translation.pgettext("hot spot", "Households") == "户数"
        assert translation.pgettext("enterprise", "Name") == "名称"
        assert translation.gettext("Name") == "姓名"


def test_the_workflows_action_and_field_names_are_its_own_words_in_chinese():
    """The pages name actions and fields through the catalogue (appeals/labels.py); in Chinese they
    read exactly as the workflow's labels, which its own messages use, and the action registry (the
    timeline, the trail page) names them the same way in either language."""
    from django.utils import translation

    from minqing.appeals import labels
    from minqing.appeals import workflow as wf
    from minqing.audit import actions

    assert set(labels.ACTION_NAMES) == set(wf.ACTIONS)
    assert set(labels.FIELD_NAMES) == set(wf.FIELD_LABELS)
    with translation.override("zh-hans"):
        assert {n: str(v) for n, v in labels.ACTION_NAMES.items()} == {n: s.label for n, s in wf.ACTIONS.items()}
        assert {n: str(v) for n, v in labels.FIELD_NAMES.items()} == dict(wf.FIELD_LABELS)
        assert str(actions.label("appeal.assign")) == "限期办理"
    with translation.override("en"):
        assert str(actions.label("appeal.assign")) == "Assign with a deadline"
        assert str(labels.FIELD_NAMES["unit"]) == "Handling unit"
