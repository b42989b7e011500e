"""The English side complete: on the key pages in English, the page's own words — navigation, headings,
table headers, labels, buttons and status badges — hold no Chinese (the data, names and places, may)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
FRAME_TAGS = {"th", "button", "summary", "h1", "h2", "h3", "dt", "label", "nav"}
DATA_TAGS = {"select", "option", "textarea", "td", "a", "small", "dd"}


class _Frame(HTMLParser):
    """Text directly in the page's frame elements and in status badges, not in data cells or options."""

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, bool]] = []
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        classes = dict(attrs).get("class") or ""
        badge = "badge" in classes.split()
        if tag in ("br", "input", "img", "meta", "link", "hr"):
            return
        self.stack.append((tag, badge))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        tags = [t for t, _b in self.stack]
        in_frame = any(t in FRAME_TAGS for t in tags) or any(b for _t, b in self.stack)
        # Inside a frame element, data wrapped again (a link's text, a cell, an option) is data.
        innermost_frame = max((i for i, t in enumerate(tags) if t in FRAME_TAGS or self.stack[i][1]), default=-1)
        if in_frame and not any(t in DATA_TAGS for t in tags[innermost_frame + 1:]) and data.strip():
            if tags and tags[-1] in ("h1", "h2") and not self.stack[-1][1]:
                data = data.split("·")[0]  # a heading's place name after the dot is data
            self.found.append(data.strip())


def _chinese_in_frame(html: str) -> list[str]:
    parser = _Frame()
    parser.feed(html.split('<main id="main">', 1)[-1].split("<footer>")[0] if "<main" in html else html)
    return [t for t in parser.found if CJK.search(t)]


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_workbench_is_english_in_english(county, stages, login, english):
    assigned = stages.assigned()
    stages.registered()
    client = login(county.township_leader)
    for url in ("/", "/appeals/", "/households/", "/disputes/", "/nlp/hotspots/", "/jobs/"):
        html = client.get(url).content.decode()
        assert 'lang="en"' in html, url
        found = _chinese_in_frame(html)
        assert not found, (url, found[:10])
    detail = client.get(f"/appeals/{assigned.pk}/").content.decode()
    assert re.search(r'<span class="badge[^"]*" id="status">Assigned with a deadline</span>', detail)
    listing = client.get("/appeals/").content.decode()
    assert "Assigned with a deadline" in listing and "限期办理" not in listing.split("<footer>")[0].split(
        "<tbody>")[1]


def test_status_badges_are_chinese_in_chinese(county, stages, login):
    stages.assigned()
    listing = login(county.township_leader).get("/appeals/").content.decode()
    assert re.search(r'<span class="badge[^"]*">限期办理</span>', listing)


_FORM = re.compile(r'<details class="action[^"]*" id="act-[a-z_]+".*?</details>', re.S)
_NAMED = re.compile(r'<select[^>]*name="(unit|person|co_units|returned_unit)".*?</select>', re.S)


def _form_words(html: str) -> list[str]:
    """The action forms' own words: buttons, field labels, choices and the confirm prompt (units' and
    people's names in their pickers are data and left out)."""
    words: list[str] = []
    for block in _FORM.findall(html):
        block = _NAMED.sub("", block)
        block = re.sub(r'<textarea[^>]*>.*?</textarea>|value="[^"]*"', "", block, flags=re.S)
        words += re.findall(r'data-confirm="([^"]*)"', block)
        words += [w.strip() for w in re.findall(r">([^<]+)<", block) if w.strip()]
    return words


def test_the_action_forms_are_english_in_english(county, stages, login, english):
    client = login(county.township_leader)
    for appeal in (stages.registered(), stages.assigned(), stages.closed()):
        html = client.get(f"/appeals/{appeal.pk}/").content.decode()
        words = _form_words(html)
        assert words, appeal.status  # the page has action forms to look at
        assert not [w for w in words if CJK.search(w)], (appeal.status, [w for w in words if CJK.search(w)][:10])
    html = client.get(f"/appeals/{stages.registered().pk}/").content.decode()
    assert "<summary>Assign with a deadline</summary>" in html and "Handling unit" in html
    assert "Solve on the spot (fix at once)" in html and 'data-confirm="Merge: are you sure?"' in html


def test_the_action_forms_keep_their_chinese(county, stages, login):
    client = login(county.township_leader)
    html = client.get(f"/appeals/{stages.registered().pk}/").content.decode()
    assert "<summary>限期办理</summary>" in html and "<summary>研判</summary>" in html
    assert 'data-confirm="确定合并？"' in html
    for label in ("承办单位", "责任人", "办理期限", "现场解决（立行立改）", "研判结论"):
        assert label in html, label
