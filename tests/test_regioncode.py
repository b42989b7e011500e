"""Division codes: every accepted short form, levels, subtrees, and Chinese errors."""

import pytest

from minqing.lib import regioncode as rc


@pytest.mark.parametrize(("given", "full", "level"), [
    ("51", "510000000000", rc.PROVINCE),
    ("5117", "511700000000", rc.CITY),
    ("511722", "511722000000", rc.COUNTY),
    ("511722100", "511722100000", rc.TOWNSHIP),
    ("511722100201", "511722100201", rc.VILLAGE),
    (511722, "511722000000", rc.COUNTY),
    (" 511722 ", "511722000000", rc.COUNTY),
    ("５１１７２２", "511722000000", rc.COUNTY),  # full-width digits from a Chinese keyboard
])
def test_it_accepts_every_short_form(given, full, level):
    assert rc.normalize(given) == full
    assert rc.level_of(given) == level


@pytest.mark.parametrize("bad", ["", "5", "511", "51172", "5117221", "5117221001", "51172210020", "5117221002011",
                                 "51a722", "五一", "٥١", "-51", "51 17"])
def test_it_refuses_bad_codes_in_chinese(bad):
    with pytest.raises(rc.RegionCodeError) as err:
        rc.normalize(bad)
    assert "区划代码" in str(err.value) and "无效" in str(err.value)
    assert isinstance(err.value, ValueError)


def test_it_computes_subtrees_and_containment():
    assert rc.subtree_range("511722") == ("511722000000", "511722999999")
    assert rc.subtree_range("511722100") == ("511722100000", "511722100999")
    assert rc.subtree_range("511722100201") == ("511722100201", "511722100201")
    assert rc.prefix("511722100000") == "511722100"
    assert rc.contains("511722", "511722100201")
    assert rc.contains("51", "511722100201")
    assert rc.contains("511722100201", "511722100201")
    assert not rc.contains("511722100", "511722101201")
    assert not rc.contains("511722100201", "511722100202")
    assert not rc.contains("511722100201", "511722100000")  # a village does not contain its township


def test_it_walks_up_to_parents():
    assert rc.parent_code("511722100201") == "511722100000"
    assert rc.parent_code("511722100") == "511722000000"
    assert rc.parent_code("511722") == "511700000000"
    assert rc.parent_code("5117") == "510000000000"
    assert rc.parent_code("51") is None
    assert rc.county_of("511722100201") == "511722"
    assert rc.ancestors("511722100201") == ["511722100000", "511722000000", "511700000000", "510000000000"]
    assert rc.ancestors("51") == []
