"""No ID number or mobile number reaches a log line in clear."""

import logging

from minqing.lib.logfilter import MaskPersonalData, scrub
from tests.conftest import ID_A, ID_A2, PHONE_A


def test_it_scrubs_text():
    text = f"查询 {ID_A} 和 {PHONE_A}，以及{ID_A2}"
    clean = scrub(text)
    assert ID_A not in clean and PHONE_A not in clean and ID_A2 not in clean
    assert "511722********1232" in clean and "138****5678" in clean and "511722********003X" in clean


def test_it_leaves_other_numbers_alone():
    text = "户 0001 共 12345 元，订单 1234567890123456789012"
    assert scrub(text) == text


def test_it_scrubs_log_records_with_arguments(caplog):
    logger = logging.getLogger("minqing.test.logfilter")
    logger.addFilter(MaskPersonalData())
    try:
        with caplog.at_level(logging.WARNING, logger="minqing.test.logfilter"):
            logger.warning("GET /households/?q=%s from %s", PHONE_A, ID_A)
            logger.warning({"id": ID_A})
    finally:
        logger.filters.clear()
    joined = "\n".join(r.getMessage() for r in caplog.records)
    assert PHONE_A not in joined and ID_A not in joined
    assert "138****5678" in joined and "511722********1232" in joined


def test_the_configured_handlers_carry_the_filter():
    from django.conf import settings

    assert "mask" in settings.LOGGING["handlers"]["console"]["filters"]
