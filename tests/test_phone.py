"""Phone numbers: mobiles and landlines, cleaned; anything else refused in Chinese."""

import pytest

from minqing.lib.phone import PhoneError, clean_phone


@pytest.mark.parametrize(("given", "clean"), [
    ("13812345678", "13812345678"),
    ("138 1234 5678", "13812345678"),
    ("+8613812345678", "13812345678"),
    ("0818-5123456", "0818-5123456"),
    ("(0818)5123456", "08185123456"),
    ("028-12345678", "028-12345678"),
])
def test_it_accepts_mobiles_and_landlines(given, clean):
    assert clean_phone(given) == clean


@pytest.mark.parametrize("bad", ["", "12345678901", "1381234567", "138123456789", "5123456", "abc",
                                 "23812345678"])
def test_it_refuses_bad_numbers_in_chinese(bad):
    with pytest.raises(PhoneError) as err:
        clean_phone(bad)
    assert "电话号码无效" in str(err.value)
