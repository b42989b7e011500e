"""The wire formats: 企业微信 and 钉钉 group robots, Aliyun and Tencent Cloud SendSms, e-mail, and a
log-only SMS provider. Each ``send_*`` answers an ``Outcome``; no database here (delivery.py writes).

Formats as the providers document them:
- 企业微信群机器人: POST JSON {"msgtype": "markdown", "markdown": {"content": …}} → {"errcode": 0, …}.
- 钉钉自定义机器人 (加签): POST webhook&timestamp=<ms>&sign=<urlencode(base64(HMAC-SHA256(secret,
  "<ms>\\n<secret>")))> with {"msgtype": "markdown", "markdown": {"title", "text"}} → {"errcode": 0}.
- Aliyun SendSms (RPC, Version 2017-05-25): query parameters signed with HMAC-SHA1 over
  "POST&%2F&" + percentEncode(sorted canonical query), key = secret + "&" → {"Code": "OK", …}.
- Tencent Cloud SendSms (2021-01-11): JSON body, Authorization TC3-HMAC-SHA256 →
  {"Response": {"SendStatusSet": [{"Code": "Ok", …}]}} or {"Response": {"Error": {…}}}.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)
TIMEOUT = 10  # seconds: a robot that does not answer by then is tried again later


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status: int | None = None
    detail: str = ""
    retry: bool = True  # worth trying again (network, 5xx, rate limit) or not (bad secret, bad number)


@dataclass(frozen=True)
class Message:
    """What a channel sends: no name or phone of a resident ever goes into a robot's ``text``."""

    title: str
    text: str
    link: str = ""
    to: str = ""  # phone or e-mail address (SMS, e-mail)
    template: str = ""  # SMS template code
    params: dict[str, str] | None = None  # SMS template parameters, in the template's order
    ref: str = ""  # our dedup key, sent where the provider keeps one (Aliyun OutId, Tencent SessionContext)


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    req = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - configured URL
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:  # noqa: S310
            return resp.status, resp.read(65536)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(65536) if exc.fp else b""


def _json(raw: bytes) -> dict[str, Any]:
    try:
        value = json.loads(raw.decode("utf-8", "replace") or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _http_failure(status: int, raw: bytes) -> Outcome | None:
    if status >= 500 or status == 429:
        return Outcome(False, status, f"HTTP {status}", retry=True)
    if status >= 400:
        return Outcome(False, status, f"HTTP {status} {raw[:120].decode('utf-8', 'replace')}", retry=False)
    return None


def _guard(fn):
    """Network errors are worth another try; they never escape as exceptions."""

    def wrapped(*args, **kwargs) -> Outcome:
        try:
            return fn(*args, **kwargs)
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
            return Outcome(False, None, f"网络错误：{exc}"[:300], retry=True)

    return wrapped


# --- group robots ------------------------------------------------------------------------------

ROBOT_RETRY_CODES = {45009, 130101, -1}  # 企业微信 "api freq out of limit", 钉钉 "send too fast", busy


def robot_markdown(msg: Message) -> str:
    lines = [f"**{msg.title}**", "", msg.text]
    if msg.link:
        lines += ["", f"[查看详情]({msg.link})"]
    return "\n".join(lines)


def _robot_answer(status: int, raw: bytes) -> Outcome:
    failed = _http_failure(status, raw)
    if failed:
        return failed
    data = _json(raw)
    code = data.get("errcode")
    if code == 0:
        return Outcome(True, status, "ok")
    detail = f"errcode {code}: {data.get('errmsg', '')}"[:300]
    return Outcome(False, status, detail, retry=code in ROBOT_RETRY_CODES or code is None)


@_guard
def send_wecom(url: str, msg: Message) -> Outcome:
    body = {"msgtype": "markdown", "markdown": {"content": robot_markdown(msg)}}
    status, raw = _post(url, json.dumps(body, ensure_ascii=False).encode(), {"Content-Type": "application/json"})
    return _robot_answer(status, raw)


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """钉钉加签: urlencode(base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}")))."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest).decode())


def dingtalk_url(url: str, secret: str, now: dt.datetime) -> str:
    if not secret:
        return url
    ts = int(now.timestamp() * 1000)
    return f"{url}{'&' if '?' in url else '?'}timestamp={ts}&sign={dingtalk_sign(secret, ts)}"


@_guard
def send_dingtalk(url: str, secret: str, msg: Message, now: dt.datetime) -> Outcome:
    body = {"msgtype": "markdown", "markdown": {"title": msg.title, "text": robot_markdown(msg)}}
    status, raw = _post(dingtalk_url(url, secret, now), json.dumps(body, ensure_ascii=False).encode(),
                        {"Content-Type": "application/json"})
    return _robot_answer(status, raw)


# --- SMS ------------------------------------------------------------------------------------------

SMS_RETRY_CODES = {"isv.BUSINESS_LIMIT_CONTROL", "Throttling.User", "ServiceUnavailable",
                   "LimitExceeded.PhoneNumberThirtySecondLimit", "LimitExceeded.PhoneNumberOneHourLimit",
                   "LimitExceeded.PhoneNumberDailyLimit", "InternalError", "RequestLimitExceeded"}


def _pct(value: str) -> str:
    """Aliyun's percentEncode (RFC 3986: space %20, * %2A, ~ kept)."""
    return urllib.parse.quote(value, safe="~")


def aliyun_signature(params: dict[str, str], secret: str, method: str = "POST") -> str:
    canonical = "&".join(f"{_pct(k)}={_pct(v)}" for k, v in sorted(params.items()))
    to_sign = f"{method}&{_pct('/')}&{_pct(canonical)}"
    return base64.b64encode(hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()).decode()


@_guard
def send_aliyun(url: str, key_id: str, secret: str, sign_name: str, msg: Message, now: dt.datetime) -> Outcome:
    params = {
        "AccessKeyId": key_id, "Action": "SendSms", "Format": "JSON", "PhoneNumbers": msg.to,
        "RegionId": "cn-hangzhou", "SignName": sign_name, "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": uuid.uuid4().hex, "SignatureVersion": "1.0", "TemplateCode": msg.template,
        "TemplateParam": json.dumps(msg.params or {}, ensure_ascii=False),
        "Timestamp": now.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "Version": "2017-05-25",
        "OutId": msg.ref[:64],
    }
    params["Signature"] = aliyun_signature(params, secret)
    body = urllib.parse.urlencode(params, quote_via=urllib.parse.quote).encode()
    status, raw = _post(url, body, {"Content-Type": "application/x-www-form-urlencoded"})
    data = _json(raw)
    if data.get("Code") == "OK":
        return Outcome(True, status, f"BizId {data.get('BizId', '')}")
    if data.get("Code"):
        return Outcome(False, status, f"{data['Code']}: {data.get('Message', '')}"[:300],
                       retry=data["Code"] in SMS_RETRY_CODES)
    return _http_failure(status, raw) or Outcome(False, status, "无法识别的应答", retry=True)


def tc3_authorization(*, secret_id: str, secret_key: str, host: str, payload: bytes, timestamp: int,
                      service: str = "sms") -> str:
    """Tencent Cloud API 3.0 signature (TC3-HMAC-SHA256) of a POST with a JSON body."""
    canonical = "\n".join(["POST", "/", "", f"content-type:application/json; charset=utf-8\nhost:{host}\n",
                           "content-type;host", hashlib.sha256(payload).hexdigest()])
    date = dt.datetime.fromtimestamp(timestamp, dt.UTC).strftime("%Y-%m-%d")
    scope = f"{date}/{service}/tc3_request"
    to_sign = f"TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"

    def mac(key: bytes, text: str) -> bytes:
        return hmac.new(key, text.encode(), hashlib.sha256).digest()

    signing = mac(mac(mac(f"TC3{secret_key}".encode(), date), service), "tc3_request")
    signature = hmac.new(signing, to_sign.encode(), hashlib.sha256).hexdigest()
    return (f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders=content-type;host, "
            f"Signature={signature}")


@_guard
def send_tencent(url: str, secret_id: str, secret_key: str, app_id: str, sign_name: str, msg: Message,
                 now: dt.datetime) -> Outcome:
    phone = msg.to if msg.to.startswith("+") else f"+86{msg.to}"
    payload = json.dumps({"PhoneNumberSet": [phone], "SmsSdkAppId": app_id, "SignName": sign_name,
                          "TemplateId": msg.template, "TemplateParamSet": list((msg.params or {}).values()),
                          "SessionContext": msg.ref[:64]}, ensure_ascii=False).encode()
    host = urllib.parse.urlsplit(url).netloc
    ts = int(now.timestamp())
    headers = {"Content-Type": "application/json; charset=utf-8", "Host": host, "X-TC-Action": "SendSms",
               "X-TC-Timestamp": str(ts), "X-TC-Version": "2021-01-11", "X-TC-Region": "ap-guangzhou",
               "Authorization": tc3_authorization(secret_id=secret_id, secret_key=secret_key, host=host,
                                                  payload=payload, timestamp=ts)}
    status, raw = _post(url, payload, headers)
    answer = _json(raw).get("Response") or {}
    if isinstance(answer.get("Error"), dict):
        err = answer["Error"]
        return Outcome(False, status, f"{err.get('Code')}: {err.get('Message', '')}"[:300],
                       retry=err.get("Code") in SMS_RETRY_CODES)
    sent = (answer.get("SendStatusSet") or [{}])[0]
    if sent.get("Code") == "Ok":
        return Outcome(True, status, f"SerialNo {sent.get('SerialNo', '')}")
    if sent.get("Code"):
        return Outcome(False, status, f"{sent['Code']}: {sent.get('Message', '')}"[:300],
                       retry=sent["Code"] in SMS_RETRY_CODES)
    return _http_failure(status, raw) or Outcome(False, status, "无法识别的应答", retry=True)


def send_log(msg: Message) -> Outcome:
    """The demo's provider: writes the message to the log (masked number) and succeeds."""
    log.info("SMS (log only) to %s…%s: [%s] %s", msg.to[:3], msg.to[-2:], msg.template, msg.params)
    return Outcome(True, None, "log only")


def send_email(msg: Message) -> Outcome:
    from django.core.mail import send_mail

    try:
        body = f"{msg.text}\n\n{msg.link}" if msg.link else msg.text
        send_mail(msg.title, body, None, [msg.to], fail_silently=False)
    except Exception as exc:  # noqa: BLE001 - an SMTP failure is an attempt to log and retry
        return Outcome(False, None, f"邮件发送失败：{exc}"[:300], retry=True)
    return Outcome(True, None, "ok")
