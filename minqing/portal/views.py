"""Public pages of the portal: write a letter, see its code once, follow it by code, rate it.

No login. Tracking codes travel only in POST bodies (never in a URL, so never in a log or a
browser's history); pages holding a code are sent with Cache-Control: no-store."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from minqing.households import crypto
from minqing.lib import regioncode

from . import codes, progress, services, throttle

SESSION_CODE = "portal_sent_code"


def _places(selected: dict[str, str]) -> dict[str, Any]:
    """The three selects: counties served, townships of the chosen county, villages of the chosen township."""
    counties = services.served_counties()
    county = selected.get("county") or (counties[0].code if len(counties) == 1 else "")
    if county not in {c.code for c in counties}:
        county = ""
    townships = services.children(county) if county else []
    township = selected.get("township", "")
    if township not in {t.code for t in townships}:
        township = ""
    villages = services.children(township) if township else []
    village = selected.get("village", "")
    if village not in {v.code for v in villages}:
        village = ""
    region = village or township or county
    return {"counties": counties, "townships": townships, "villages": villages, "county": county,
            "township": township, "village": village, "region": region,
            "addressee": services.ADDRESSEE.get(regioncode.level_of(region)) if region else ""}


def _errors(exc: ValidationError) -> dict[str, str]:
    if hasattr(exc, "message_dict"):
        return {k: v[0] for k, v in exc.message_dict.items()}
    return {"form": exc.messages[0]}


def no_store(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    response["Cache-Control"] = "no-store, no-cache, must-revalidate, private"
    return response


def _letter_in(post) -> services.LetterIn:
    places = _places({k: post.get(k, "") for k in ("county", "township", "village")})
    return services.LetterIn(region=post.get("region") or places["region"], kind=post.get("kind", ""),
                             title=post.get("title", ""), text=post.get("text", ""),
                             category=post.get("category", ""), anonymous=post.get("sign") == "anonymous",
                             name=post.get("name", ""), phone=post.get("phone", ""),
                             sms_code=post.get("sms_code") == "1")


@require_http_methods(["GET", "POST"])
def home(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else request.GET
    context: dict[str, Any] = {
        **_places({k: data.get(k, "") for k in ("county", "township", "village")}),
        "kinds": services.KINDS, "categories": services.categories(), "form": data, "errors": {},
        "token": data.get("token") or services.form_token(), "limits": services,
        "sign": data.get("sign", "named"),
    }
    status = 200
    if request.method == "POST" and not data.get("choose"):
        try:
            sent = services.submit_letter(
                _letter_in(data), photo=request.FILES.get("photo"), token=data.get("token", ""),
                honeypot=data.get("website", ""), address_key=throttle.keyed("addr", throttle.client_address(request)))
        except throttle.Throttled as exc:
            context["errors"] = {"form": str(exc)}
            response = render(request, "portal/home.html", context, status=429)
            response["Retry-After"] = str(exc.retry_after)
            return response
        except ValidationError as exc:
            context["errors"] = _errors(exc)
            status = 400
        else:
            # kept encrypted until the next page shows it once: the session table never holds the code
            request.session[SESSION_CODE] = crypto.encrypt(codes.display(sent.code))
            request.session["portal_sent_kind"] = sent.letter.appeal.kind
            return redirect("portal:sent")
    return render(request, "portal/home.html", context, status=status)


@require_GET
def places(request: HttpRequest) -> HttpResponse:
    """The place fieldset again for the chosen county/township (htmx swaps it in)."""
    return render(request, "portal/_places.html",
                  _places({k: request.GET.get(k, "") for k in ("county", "township", "village")}))


@require_GET
def sent(request: HttpRequest) -> HttpResponse:
    """The code, once: taken out of the session as it is shown."""
    sealed = request.session.pop(SESSION_CODE, None)
    code = crypto.decrypt(sealed) if sealed else None
    kind = request.session.pop("portal_sent_kind", "")
    return no_store(render(request, "portal/sent.html", {"code": code, "misconduct": kind == "misconduct"}))


def _track_page(request: HttpRequest, code_text: str, *, extra: dict[str, Any] | None = None,
                rate_form: dict[str, str] | None = None) -> HttpResponse:
    address = throttle.keyed("addr", throttle.client_address(request))
    context: dict[str, Any] = {"code": code_text, "errors": {}, **(extra or {})}
    try:
        letter = services.find_letter(code_text, address_key=address)
    except throttle.Throttled as exc:
        context["errors"] = {"form": str(exc)}
        response = render(request, "portal/track.html", context, status=429)
        response["Retry-After"] = str(exc.retry_after)
        return no_store(response)
    if letter is None:
        context["errors"] = {"code": "没有找到这个跟踪码，请核对后重新输入（共16位，不区分大小写）。"}
        return no_store(render(request, "portal/track.html", context, status=404))
    status, retry = 200, 0
    if rate_form is not None:
        try:
            services.rate(letter, satisfaction=rate_form.get("satisfaction", ""), comment=rate_form.get("comment", ""),
                          address_key=address)
            context["thanks"] = True
        except throttle.Throttled as exc:
            context["errors"] = {"form": str(exc)}
            status, retry = 429, exc.retry_after
        except ValidationError as exc:
            context["errors"] = _errors(exc)
            context["rate_form"] = rate_form
            status = 400
    normal = codes.normalize(code_text)
    context.update(progress=progress.public_progress(letter), code=codes.display(normal) if normal else code_text,
                   satisfactions=list(progress.satisfaction_labels().items()), comment_max=services.COMMENT_MAX)
    response = render(request, "portal/track.html", context, status=status)
    if status == 429:
        response["Retry-After"] = str(retry)
    return no_store(response)


@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return no_store(render(request, "portal/track.html", {"errors": {}, "code": ""}))
    return _track_page(request, request.POST.get("code", ""))


@require_POST
def rate(request: HttpRequest) -> HttpResponse:
    return _track_page(request, request.POST.get("code", ""),
                       rate_form={"satisfaction": request.POST.get("satisfaction", ""),
                                  "comment": request.POST.get("comment", "")})

