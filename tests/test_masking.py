"""Masked forms: what pages, exports, logs and events show."""

from minqing.lib.masking import mask_id_number, mask_name, mask_phone


def test_it_masks_id_numbers_keeping_region_and_last_four():
    assert mask_id_number("511722199001011234") == "511722********1234"
    assert mask_id_number("51172219850315003X") == "511722********003X"
    assert mask_id_number("") == ""
    assert "19900101" not in mask_id_number("511722199001011234")


def test_it_masks_phones():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0818-5123456") == "081*****3456"
    assert mask_phone("") == ""
    assert mask_phone("12345") == "*****"


def test_it_masks_names_for_public_pages():
    assert mask_name("张三丰") == "张**"
    assert mask_name("") == ""
