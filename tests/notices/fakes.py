"""Small fakes of the four providers, as real HTTP servers on 127.0.0.1 (threaded http.server).
Each checks what the real one checks (the robot key, 钉钉's 加签, Aliyun's RPC signature, Tencent's
TC3 signature) and answers the provider's documented success and error bodies."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from minqing.notices import channels as ch


class Fake:
    """One fake provider: ``received`` holds what it accepted, ``rejected`` what it refused;
    ``fail_with`` (an HTTP status) makes it answer that status to everything."""

    kind = ""

    def __init__(self, **config: Any) -> None:
        self.config = config
        self.received: list[dict[str, Any]] = []
        self.rejected: list[dict[str, Any]] = []
        self.fail_with: int | None = None
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                if fake.fail_with:
                    self._answer(fake.fail_with, {"errcode": -1, "errmsg": "internal error"})
                    return
                status, answer = fake.handle(self.path, dict(self.headers), body)
                self._answer(status, answer)

            def _answer(self, status: int, answer: dict[str, Any]) -> None:
                raw = json.dumps(answer, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def keep(self, ok: bool, item: dict[str, Any]) -> None:
        with self.lock:
            (self.received if ok else self.rejected).append(item)

    def handle(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
        raise NotImplementedError


class WeCom(Fake):
    """企业微信群机器人: /cgi-bin/webhook/send?key=KEY."""

    @property
    def url(self) -> str:
        return f"{self.base}/cgi-bin/webhook/send?key={self.config['key']}"

    def handle(self, path, headers, body):
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
        data = json.loads(body)
        if query.get("key") != [self.config["key"]]:
            self.keep(False, data)
            return 200, {"errcode": 93000, "errmsg": "invalid webhook url, hint: [1]"}
        if data.get("msgtype") not in ("text", "markdown"):
            self.keep(False, data)
            return 200, {"errcode": 40008, "errmsg": "invalid message type"}
        self.keep(True, data)
        return 200, {"errcode": 0, "errmsg": "ok"}


class DingTalk(Fake):
    """钉钉自定义机器人 with 加签: /robot/send?access_token=T&timestamp=ms&sign=…"""

    @property
    def url(self) -> str:
        return f"{self.base}/robot/send?access_token={self.config['token']}"

    def handle(self, path, headers, body):
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
        data = json.loads(body)
        ts = (query.get("timestamp") or [""])[0]
        secret = self.config["secret"]
        wanted = base64.b64encode(hmac.new(secret.encode(), f"{ts}\n{secret}".encode(), hashlib.sha256)
                                  .digest()).decode()
        # parse_qs has already URL-decoded the sign once, as DingTalk's server does.
        if query.get("access_token") != [self.config["token"]] or (query.get("sign") or [""])[0] != wanted:
            self.keep(False, {"query": query, **data})
            return 200, {"errcode": 310000, "errmsg": "sign not match, more: [https://ding-doc.dingtalk.com]"}
        self.keep(True, {"timestamp": ts, **data})
        return 200, {"errcode": 0, "errmsg": "ok"}


class Aliyun(Fake):
    """dysmsapi SendSms (RPC): a form body signed with HMAC-SHA1."""

    def handle(self, path, headers, body):
        params = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode(), keep_blank_values=True).items()}
        signature = params.pop("Signature", "")
        if params.get("AccessKeyId") != self.config["key_id"]:
            self.keep(False, params)
            return 404, {"Code": "InvalidAccessKeyId.NotFound", "Message": "Specified access key is not found.",
                         "RequestId": "F1"}
        if ch.aliyun_signature(params, self.config["secret"]) != signature:
            self.keep(False, params)
            return 400, {"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched with "
                         "our calculation.", "RequestId": "F2"}
        if not params.get("PhoneNumbers", "").isdigit():
            self.keep(False, params)
            return 200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号", "RequestId": "F3"}
        self.keep(True, params)
        return 200, {"Message": "OK", "RequestId": "A1", "BizId": "900619746936498440^0", "Code": "OK"}


class Tencent(Fake):
    """sms.tencentcloudapi.com SendSms 2021-01-11 with TC3-HMAC-SHA256."""

    def handle(self, path, headers, body):
        h = {k.lower(): v for k, v in headers.items()}
        wanted = ch.tc3_authorization(secret_id=self.config["secret_id"], secret_key=self.config["secret_key"],
                                      host=h.get("host", ""), payload=body, timestamp=int(h.get("x-tc-timestamp", 0)))
        data = json.loads(body)
        if h.get("authorization") != wanted or h.get("x-tc-action") != "SendSms":
            self.keep(False, data)
            return 200, {"Response": {"Error": {"Code": "AuthFailure.SignatureFailure",
                                                "Message": "The provided credentials could not be validated."},
                                      "RequestId": "T0"}}
        self.keep(True, data)
        return 200, {"Response": {"SendStatusSet": [{
            "SerialNo": "5000:1045710669157053657849499619", "PhoneNumber": data["PhoneNumberSet"][0], "Fee": 1,
            "SessionContext": data.get("SessionContext", ""), "Code": "Ok", "Message": "send success",
            "IsoCode": "CN"}], "RequestId": "T1"}}
