"""ID numbers: GB 11643 check digit, X, birth dates, Chinese messages."""

import datetime as dt

import pytest

from minqing.lib import idcard
from tests.conftest import ID_A, ID_A2


def test_it_accepts_valid_numbers():
    assert idcard.clean_id_number(ID_A) == ID_A
    assert idcard.clean_id_number(" 5117 2219 8001 0112 32 ") == ID_A
    assert idcard.birth_date(ID_A) == dt.date(1980, 1, 1)
    assert idcard.gender(ID_A) == "M"


def test_it_accepts_an_x_check_digit_in_either_case():
    assert ID_A2.endswith("X")
    assert idcard.clean_id_number(ID_A2) == ID_A2
    assert idcard.clean_id_number(ID_A2.lower()) == ID_A2
    assert idcard.check_digit(ID_A2[:17]) == "X"


def test_it_computes_the_check_digit_of_seventeen_digits():
    # The worked example of GB 11643-1999: 11010519491231002X.
    assert idcard.check_digit("11010519491231002") == "X"
    assert idcard.check_digit("51172219800101123") == "2"
    assert idcard.clean_id_number("11010519491231002X") == "11010519491231002X"


def test_it_accepts_a_county_code_newer_than_the_birth_year():
    # 511722 (宣汉县 under 达州市) exists since 1993; people born earlier hold it.
    number = "51172219400101001" + idcard.check_digit("51172219400101001")
    assert idcard.clean_id_number(number) == number


@pytest.mark.parametrize(("bad", "message"), [
    (ID_A[:-1] + "3", "校验位错误"),
    (ID_A[:-1] + "X", "校验位错误"),
    ("51172219801301123" + idcard.check_digit("51172219801301123"), "出生日期无效"),  # month 13
    ("51172219800230123" + idcard.check_digit("51172219800230123"), "出生日期无效"),  # 30 February
    ("51172230000101123" + idcard.check_digit("51172230000101123"), "出生日期无效"),  # in the future
    ("5117221980010112", "18位"),
    ("5117221980010112320", "18位"),
    ("51172A198001011232", "前17位"),
    ("", "18位"),
])
def test_it_refuses_bad_numbers_in_chinese(bad, message):
    with pytest.raises(idcard.IdNumberError) as err:
        idcard.clean_id_number(bad)
    assert message in str(err.value)
