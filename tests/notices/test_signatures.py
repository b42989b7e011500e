"""The providers' signatures against the worked examples of their own documentation (known answers),
so the fakes' agreement with our signer is not the only evidence."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import urllib.parse

from minqing.notices import channels as ch


def test_aliyun_rpc_signature_matches_the_documented_sendsms_example():
    # Aliyun 短信服务 "签名机制" example (GET, AccessKeySecret testSecret).
    params = {"AccessKeyId": "testId", "Action": "SendSms", "Format": "XML", "OutId": "123",
              "PhoneNumbers": "15300000001", "RegionId": "cn-hangzhou", "SignName": "阿里云短信测试专用",
              "SignatureMethod": "HMAC-SHA1", "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
              "SignatureVersion": "1.0", "TemplateCode": "SMS_71390007", "TemplateParam": '{"customer":"test"}',
              "Timestamp": "2017-07-12T02:42:19Z", "Version": "2017-05-25"}
    assert ch.aliyun_signature(params, "testSecret", "GET") == "zJDF+Lrzhj/ThnlvIToysFRq6t4="


def test_tencent_tc3_matches_the_documented_cvm_example():
    # Tencent Cloud API 3.0 "签名方法 v3" worked example (DescribeInstances, 2019-02-25).
    payload = b'{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}'
    auth = ch.tc3_authorization(secret_id="AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
                                secret_key="Gu5t9xGARNpq86cd98joQYCN3EXAMPLE", host="cvm.tencentcloudapi.com",
                                payload=payload, timestamp=1551113065, service="cvm")
    assert auth == ("TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, "
                    "SignedHeaders=content-type;host, "
                    "Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168")


def test_dingtalk_sign_is_the_url_encoded_base64_hmac_of_timestamp_and_secret():
    secret, ts = "SEC000000000000000000000", 1577808000000
    raw = hmac.new(secret.encode(), f"{ts}\n{secret}".encode(), hashlib.sha256).digest()
    assert urllib.parse.unquote_plus(ch.dingtalk_sign(secret, ts)) == base64.b64encode(raw).decode()
    url = ch.dingtalk_url("https://oapi.dingtalk.com/robot/send?access_token=X", secret,
                          dt.datetime.fromtimestamp(ts / 1000, dt.UTC))
    assert url.startswith("https://oapi.dingtalk.com/robot/send?access_token=X&timestamp=1577808000000&sign=")
    assert "+" not in url.split("sign=")[1] and "/" not in url.split("sign=")[1]  # encoded, not raw base64
