"""Search a cadre trusts (issue 18 item 5, issue 21 item 2): one line per case with the count, the
county's synonyms, compound words found spaced or not, places in words, the jurisdiction inside the
full-text index, a streamed rebuild."""

import re

import pytest
from django.db import connection

from minqing.nlp import search, searchindex, searchparts, synonyms

pytestmark = pytest.mark.django_db


@pytest.fixture
def noise(county, appeal_in):
    return {
        "a1": appeal_in("village_a", "夜间施工", "工地夜里施工严重扰民，影响休息"),
        "a2": appeal_in("village_a", "广场舞", "广场舞音响噪声太大"),
        "a3": appeal_in("village_a", "垃圾", "小区生活垃圾 清运不及时，臭气熏天"),
        "a4": appeal_in("village_a", "垃圾站", "垃圾清运车每天清晨作业"),
        "b1": appeal_in("village_b", "乙村扰民", "乙村养殖场扰民"),
    }


def found(hits):
    return {h.appeal_id for h in hits}


def test_a_word_finds_its_synonyms(county, noise):
    hits = search.search(county.cadre_a, "噪音")
    assert found(hits) == {noise["a1"].pk, noise["a2"].pk}
    assert any("<mark>扰民</mark>" in h.snippet for h in hits)
    assert found(search.search(county.cadre_a, "最低生活保障")) == set()


def test_a_compound_word_is_found_spaced_or_not(county, noise):
    assert found(search.search(county.cadre_a, "垃圾清运")) == {noise["a3"].pk, noise["a4"].pk}
    assert found(search.search(county.cadre_a, "垃圾 清运")) == {noise["a3"].pk, noise["a4"].pk}
    hit = next(h for h in search.search(county.cadre_a, "垃圾清运") if h.appeal_id == noise["a3"].pk)
    assert "垃圾</mark>" in hit.snippet and "<mark>清运</mark>" in hit.snippet
    assert found(search.search(county.cadre_a, "清运车")) == {noise["a4"].pk}


def test_one_line_per_case_with_the_count_and_place_names(county, noise, committed):
    from minqing.appeals import services

    a = noise["a1"]
    committed(services.do_assign, a, actor=county.cadre_a, unit=county.units["committee_a"], person=county.cadre_a,
              measures="协调施工方")
    for note in ("已联系施工方，夜间停止扰民作业", "再次回访，扰民已停止", "第三次回访，未再扰民"):
        committed(services.do_add_progress, a, actor=county.cadre_a, note=note)
    result = search.find(county.cadre_a, "扰民")
    assert [h.appeal_id for h in result.hits].count(a.pk) == 1
    assert result.total == 2 and not result.estimated  # a1 and a2 (噪声); b1 is another village's
    assert next(h for h in result.hits if h.appeal_id == a.pk).object_type == "appeal"  # the case's own text
    assert all(h.place and not any(ch.isdigit() for ch in h.place) for h in result.hits)
    assert county.village_a.name in result.hits[0].place
    assert search.find(county.cadre_a, "扰民", limit=1, offset=1).total == 2


def test_the_jurisdiction_is_inside_the_index(county, noise):
    assert noise["b1"].pk not in found(search.search(county.cadre_a, "扰民"))
    assert found(search.search(county.cadre_b, "扰民")) == {noise["b1"].pk}
    assert noise["b1"].pk in found(search.search(county.township_leader, "扰民"))
    assert search.search(county.outsider, "扰民") == []
    who, _kinds = search._scope_tokens(county.cadre_a, None)
    expr = search._fts_expr(search.parse("扰民", {}), who)
    assert "scope : (" in expr and f"r{county.village_a.code}" in expr and "IN (" not in expr


def test_the_county_list_replaces_the_seed(county, noise):
    from minqing.nlp.models import SynonymGroup

    synonyms.adopt_seed(actor=None, county_code=county.regions["county"].code)
    group = SynonymGroup.objects.get(county=county.regions["county"], words="噪音 噪声 扰民")
    synonyms.set_active(group, actor=None, active=False)
    assert found(search.search(county.cadre_a, "噪音")) == set()
    g = SynonymGroup.objects.create(county=county.regions["county"], words="噪音 扰民")
    assert found(search.search(county.cadre_a, "噪音")) == {noise["a1"].pk}
    with pytest.raises(Exception, match="已在同义词组"):
        synonyms.save_group(group, actor=None, words="扰民 吵闹")
    assert g.word_list() == ["噪音", "扰民"]


def test_synonym_words_are_checked():
    with pytest.raises(Exception, match="至少要有两个词"):
        synonyms.parse_words("噪音")
    with pytest.raises(Exception, match="不是一个词"):
        synonyms.parse_words("噪音 <b>")
    assert synonyms.parse_words("噪音、噪声/扰民 噪音") == ["噪音", "噪声", "扰民"]


def test_the_rebuild_goes_in_batches_and_finds_the_same(county, noise, monkeypatch):
    before = {q: found(search.search(county.cadre_a, q)) for q in ("噪音", "垃圾清运", "施工")}
    monkeypatch.setattr(searchindex, "BATCH", 2)
    counts = search.rebuild()
    assert counts["appeal"] == 5
    assert {q: found(search.search(county.cadre_a, q)) for q in before} == before


def test_the_page_shows_one_line_per_case_and_the_count(county, noise, login):
    client = login(county.cadre_a)
    body = client.get("/nlp/search/", {"q": "噪音"}).content.decode()
    assert body.count('class="hit ') == 2
    assert "2" in body.split('class="search-total"')[1].split("</p>")[0]
    assert county.village_a.code not in body and county.village_a.name in body


def _match_plan(user, word: str) -> tuple[str, str]:
    """EXPLAIN of the documents matching `word` in the user's scope, sequential scans priced out, and the
    tsquery: which index answers the match."""
    who, _kinds = search._scope_tokens(user, None)
    tsq = search._ts_expr(search.parse(word, synonyms.lookup_for(user)), who)
    with connection.cursor() as cur:
        cur.execute("SET enable_seqscan = off")
        cur.execute("EXPLAIN SELECT id FROM nlp_searchdoc d WHERE d.tsv @@ to_tsquery('simple', %s)", [tsq])
        plan = "\n".join(r[0] for r in cur.fetchall())
        cur.execute("RESET enable_seqscan")
    return plan, tsq


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgresql_uses_the_gin_index(county, noise):
    plan, tsq = _match_plan(county.cadre_a, "噪音")
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM nlp_searchdoc d WHERE d.tsv @@ to_tsquery('simple', %s)", [tsq])
        assert cur.fetchone()[0] == 2
    assert "nlp_searchdoc_tsv" in plan, plan


def test_past_the_candidates_the_total_is_estimated(county, noise, monkeypatch):
    monkeypatch.setattr(search, "MAX_CANDIDATES", 1)
    result = search.find(county.township_leader, "扰民")  # a1, a2 (噪声) and b1: three documents
    assert result.estimated and result.total == 3 and len(result.hits) == 1


def _docs():
    from minqing.nlp.models import SearchDoc

    return sorted(SearchDoc.objects.values_list("object_type", "object_id", "title", "body", "terms", "scope",
                                                "region_code", "appeal_id", "at"))


_PARTITIONS = ("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
               "WHERE i.inhparent = 'nlp_searchdoc'::regclass ORDER BY c.relname")


def _index_names() -> set[str]:
    """The documents' indexes, the whole table's and its partitions' (named after it: _p0, _p1 …)."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(f"SELECT indexname FROM pg_indexes WHERE tablename = 'nlp_searchdoc' OR tablename IN "
                        f"({_PARTITIONS})")
        else:
            cur.execute("SELECT name FROM sqlite_master WHERE tbl_name = 'nlp_searchdoc' AND type = 'index'")
        return {re.sub(r"_p\d+$", "", r[0]) for r in cur.fetchall()}


def test_the_rebuild_writes_what_the_follower_writes_and_the_index_goes_on(county, noise, appeal_in):
    """The rebuild's plain-row path gives the same documents as indexing each write; after it (on
    PostgreSQL a new table swapped in) the keys and indexes are the same and new writes are indexed."""
    followed, names = _docs(), _index_names()
    assert followed and any("nlp_searchdoc_tsv" == n for n in names) == (connection.vendor == "postgresql")
    counts = search.rebuild()
    assert counts["appeal"] == 5 and _docs() == followed
    assert _index_names() == names
    new = appeal_in("village_a", "路灯不亮", "村口路灯坏了三天")
    assert found(search.search(county.cadre_a, "路灯")) == {new.pk}
    assert found(search.search(county.cadre_a, "噪音")) == {noise["a1"].pk, noise["a2"].pk}
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT to_regclass('nlp_searchdoc_next'), pg_get_serial_sequence('nlp_searchdoc', 'id')")
            assert cur.fetchone() == (None, "public.nlp_searchdoc_id_seq")


def test_a_place_that_holds_the_whole_index_is_no_condition(county, noise, monkeypatch):
    """The county's place token matches every document here: the match leaves it out (a posting list
    as long as the index) and finds the same; a village's token still narrows."""
    leader, _kinds = search._scope_tokens(county.county_leader, None)
    cadre, _kinds = search._scope_tokens(county.cadre_a, None)
    assert search._covers_everything(leader) and not search._covers_everything(cadre)
    words = ("噪音", "垃圾清运", "扰民")
    without = {q: (search.find(county.county_leader, q).total, found(search.search(county.county_leader, q)))
               for q in words}
    assert noise["b1"].pk in without["扰民"][1]
    assert noise["b1"].pk not in found(search.search(county.cadre_a, "扰民"))
    monkeypatch.setattr(search, "_covers_everything", lambda who: False)
    assert {q: (search.find(county.county_leader, q).total, found(search.search(county.county_leader, q)))
            for q in words} == without


def _plan(sql: str, params: list) -> str:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET LOCAL enable_seqscan = off")  # a handful of rows: price the table scan out
            cur.execute(f"EXPLAIN {sql}", params)
        else:
            cur.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(str(r[-1]) for r in cur.fetchall())


@pytest.mark.parametrize("many", [False, True])
def test_a_township_s_place_condition_is_read_in_the_full_text_index(county, noise, monkeypatch, many):
    """search22: the township head's place is a token inside the match (not a region range beside it), in
    both the count and the candidates' statement, ranked (few matches) or newest first (many); the
    documents table is only reached by its key. PostgreSQL: the GIN index, and the newest first is no
    walk down the primary key testing each document."""
    if many:
        monkeypatch.setattr(search, "MAX_CANDIDATES", 1)
    who, kinds = search._scope_tokens(county.township_leader, None)
    assert any(t.startswith("r") and len(t) == 10 for t in who)
    monkeypatch.setattr(search, "_covers_everything", lambda who: False)  # the test county: one township
    statements = []
    real = connection.cursor

    class Spy:
        def __init__(self, cur):
            self.cur = cur

        def __enter__(self):
            self.cur.__enter__()
            return self

        def __exit__(self, *exc):
            return self.cur.__exit__(*exc)

        def execute(self, sql, params=None):
            statements.append((sql, list(params or [])))
            return self.cur.execute(sql, params)

        def __getattr__(self, name):
            return getattr(self.cur, name)

    parsed = search.parse("扰民", synonyms.lookup_for(county.township_leader))
    with monkeypatch.context() as m:
        m.setattr(connection, "cursor", lambda: Spy(real()))
        rows, n = search._candidates(parsed, who, kinds)
    assert n == 3 and len(rows) == (1 if many else 3)
    # PostgreSQL: the count and the candidates in one statement (a window over the matches).
    assert len(statements) == (1 if connection.vendor == "postgresql" else 2)
    for sql, params in statements:
        plan = _plan(sql, params)
        if connection.vendor == "postgresql":
            assert "nlp_searchdoc_tsv" in plan and "Seq Scan" not in plan, plan
            assert "Index Scan Backward" not in plan and "nlp_searchdoc_pkey" not in plan, plan
        else:
            assert "VIRTUAL TABLE INDEX" in plan and "region_code" not in plan, plan
            assert "SCAN d" not in plan and "SCAN nlp_searchdoc" not in plan.replace("nlp_search_fts", ""), plan


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_the_rebuilt_table_is_all_visible(county, noise):
    """search22: COPY … FREEZE into the new table marks its pages all-visible (a count of the matches
    needs no visit to the table and no VACUUM after the rebuild)."""
    search.rebuild()
    with connection.cursor() as cur:
        cur.execute(f"SELECT sum(relpages), sum(relallvisible) FROM pg_class WHERE relname IN ({_PARTITIONS})")
        pages, visible = cur.fetchone()
    assert pages >= 1 and visible == pages


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_partitions_are_built_apart_and_swapped_in(county, noise, appeal_in, monkeypatch):
    """searchpg23: a rebuild outside a transaction (the command's) fills and indexes each partition on a
    connection of its own, then puts them under the documents' table: the same documents and indexes,
    each partition holding its share in id order, pages all-visible, nothing left beside it; searches
    read every partition through its GIN index; new documents are indexed, and a second rebuild reads
    its partitioned table's definitions."""
    followed, names = _docs(), _index_names()
    monkeypatch.setattr(searchparts, "PARTS", 3)
    assert not connection.in_atomic_block
    counts = search.rebuild()
    assert counts["appeal"] == 5 and _docs() == followed and _index_names() == names
    with connection.cursor() as cur:
        cur.execute("SELECT tableoid::regclass::text, min(id), max(id), count(*) FROM nlp_searchdoc GROUP BY 1 "
                    "ORDER BY 1")
        shares = cur.fetchall()
        cur.execute(f"SELECT sum(relpages), sum(relallvisible) FROM pg_class WHERE relname IN ({_PARTITIONS})")
        pages, visible = cur.fetchone()
        cur.execute("SELECT count(*) FROM pg_class WHERE relname LIKE 'nlp_searchdoc_next%'")
        assert cur.fetchone()[0] == 0
        cur.execute(_PARTITIONS)
        assert [r[0] for r in cur.fetchall()] == ["nlp_searchdoc_p0", "nlp_searchdoc_p1", "nlp_searchdoc_p2"]
    # Cut by source rows (the appeals, then their reports, which here say nothing new: no document).
    assert len(shares) >= 2 and sum(s[3] for s in shares) == 5
    assert all(a[2] < b[1] for a, b in zip(shares, shares[1:], strict=False))
    assert pages >= 2 and visible == pages
    plan, _tsq = _match_plan(county.cadre_a, "噪音")
    assert all(f"nlp_searchdoc_tsv_p{k}" in plan for k in range(3)) and "Seq Scan" not in plan, plan
    assert found(search.search(county.cadre_a, "噪音")) == {noise["a1"].pk, noise["a2"].pk}
    new = appeal_in("village_a", "路灯不亮", "村口路灯坏了三天")
    searchindex.index_appeal(new)  # again: one document an object
    assert found(search.search(county.cadre_a, "路灯")) == {new.pk}
    with connection.cursor() as cur:
        cur.execute("SELECT tableoid::regclass::text, count(*) FROM nlp_searchdoc WHERE object_id = %s "
                    "AND object_type = 'appeal' GROUP BY 1", [new.pk])
        assert cur.fetchall() == [("nlp_searchdoc_p2", 1)]  # the newest: the last partition
    monkeypatch.setattr(searchparts, "PARTS", 2)
    assert search.rebuild()["appeal"] == 6 and _index_names() == names
    assert found(search.search(county.cadre_a, "路灯")) == {new.pk}
