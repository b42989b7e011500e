"""The portal's domain: places one may write to, a letter becoming an appeal (channel 书记信箱),
the form's anti-abuse checks, and the resident's rating. No web code here; views and the API
call these and turn Throttled into HTTP 429, ValidationError into a Chinese message."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from minqing.accounts.models import Post
from minqing.appeals import services as appeals
from minqing.appeals import workflow as wf
from minqing.appeals.models import Appeal, Category
from minqing.audit.log import record
from minqing.lib import photos, regioncode
from minqing.lib.logfilter import scrub
from minqing.lib.phone import PhoneError, clean_phone
from minqing.notices import services as notices
from minqing.regions.models import Region

from . import codes, throttle
from .models import Letter, Rating

# Size limits (characters / bytes): a letter is a letter, not a file dump.
TITLE_MAX, TEXT_MIN, TEXT_MAX, NAME_MAX, COMMENT_MAX = 60, 10, 3000, 30, 500
PHOTO_MAX = 5 * 1024 * 1024
PHOTO_TYPES = ("jpg", "jpeg", "png")
FORM_MAX_AGE = 24 * 3600  # a form token older than a day is refused (fill the form again)
FORM_SALT = "minqing.portal.letter"

KINDS: list[tuple[str, Any]] = [
    (wf.Kind.PROBLEM.value, pgettext_lazy("portal", "Report a problem")),  # 反映问题
    (wf.Kind.SUGGESTION.value, pgettext_lazy("portal", "Suggestion")),  # 意见建议
    (wf.Kind.HELP.value, pgettext_lazy("portal", "Ask for help")),  # 求助
    (wf.Kind.CONSULTATION.value, pgettext_lazy("portal", "Question")),  # 咨询
    (wf.Kind.MISCONDUCT.value, pgettext_lazy("portal", "Report misconduct")),  # 举报
]
KIND_VALUES = frozenset(k for k, _label in KINDS)
ADDRESSEE = {
    regioncode.VILLAGE: pgettext_lazy("portal", "the village Party secretary"),
    regioncode.TOWNSHIP: pgettext_lazy("portal", "the township Party secretary"),
    regioncode.COUNTY: pgettext_lazy("portal", "the county Party secretary"),
}


def min_fill_seconds() -> float:
    return float(getattr(settings, "PORTAL_MIN_FILL_SECONDS", 4))


# --- places ---------------------------------------------------------------------------------


def served_counties() -> list[Region]:
    """Counties where the system is in use (someone holds a post there): those receive letters."""
    codes_ = {regioncode.county_of(c) + "000000" for c in Post.objects.values_list("region_id", flat=True).distinct()
              if regioncode.level_of(c) >= regioncode.COUNTY}
    return list(Region.objects.filter(code__in=codes_, is_active=True, level=regioncode.COUNTY).order_by("code"))


def children(parent_code: str) -> list[Region]:
    """Active places one level down (townships of a county, villages of a township) of a served county."""
    try:
        code = regioncode.normalize(parent_code)
    except regioncode.RegionCodeError:
        return []
    level = regioncode.level_of(code)
    if level not in (regioncode.COUNTY, regioncode.TOWNSHIP):
        return []
    if not any(regioncode.contains(c.code, code) for c in served_counties()):
        return []
    return list(Region.objects.filter(parent_id=code, is_active=True).order_by("code"))


def writable_place(code: str) -> Region:
    """A county, township or village of a served county, or a Chinese error."""
    try:
        full = regioncode.normalize(code)
    except regioncode.RegionCodeError as exc:
        raise ValidationError({"region": "请选择写信对象所在的县、乡镇或村"}) from exc
    place = Region.objects.filter(code=full, is_active=True).first()
    if place is None or place.level not in ADDRESSEE:
        raise ValidationError({"region": "请选择写信对象所在的县、乡镇或村"})
    if not any(regioncode.contains(c.code, full) for c in served_counties()):
        raise ValidationError({"region": "该地区尚未开通书记信箱"})
    return place


def categories() -> list[Category]:
    """The seeds' problem classes a resident may pick (optional)."""
    return list(Category.objects.filter(scheme="seeds", parent__isnull=True, is_active=True)
                .exclude(code="S06").order_by("code"))


# --- the form's anti-abuse checks -------------------------------------------------------------


def form_token(now: float | None = None) -> str:
    """A signed (time, nonce) put in the form: proves when the form was served, used once."""
    import secrets

    return signing.dumps({"t": round(now if now is not None else time.time(), 3), "n": secrets.token_hex(8)},
                         salt=FORM_SALT, compress=False)


def check_form(token: str, honeypot: str, *, now: float | None = None) -> str:
    """The token's nonce, if the form was filled by a person: honeypot empty, not too fast, not stale."""
    if honeypot:
        raise ValidationError("提交未通过校验，请刷新页面后重新填写。")
    try:
        data = signing.loads(token or "", salt=FORM_SALT, max_age=FORM_MAX_AGE)
        started, nonce = float(data["t"]), str(data["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise ValidationError("页面已过期，请刷新页面后重新填写。") from exc
    elapsed = (now if now is not None else time.time()) - started
    if elapsed > FORM_MAX_AGE:
        raise ValidationError("页面已过期，请刷新页面后重新填写。")
    if elapsed < min_fill_seconds():
        raise ValidationError("提交太快了，请核对内容后再提交。")
    return nonce


# --- letters ------------------------------------------------------------------------------------


@dataclass
class LetterIn:
    region: str
    kind: str
    title: str
    text: str
    category: str = ""
    anonymous: bool = False
    name: str = ""
    phone: str = ""
    sms_code: bool = False  # the writer asked for the tracking code by SMS


def clean_letter(data: LetterIn) -> dict[str, Any]:
    """Every field checked at once: ValidationError({field: Chinese message, ...})."""
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    try:
        out["place"] = writable_place(data.region)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    kind = (data.kind or "").strip()
    if kind not in KIND_VALUES:
        errors["kind"] = "请选择来信类型"
    out["kind"] = kind
    title, text = (data.title or "").strip(), (data.text or "").strip()
    if not title:
        errors["title"] = "请填写标题"
    elif len(title) > TITLE_MAX:
        errors["title"] = f"标题不能超过{TITLE_MAX}个字（现在{len(title)}个字）"
    if len(text) < TEXT_MIN:
        errors["text"] = f"请把事情写清楚，至少{TEXT_MIN}个字"
    elif len(text) > TEXT_MAX:
        errors["text"] = f"内容不能超过{TEXT_MAX}个字（现在{len(text)}个字）"
    out["title"], out["text"] = title, text
    out["category"] = None
    if data.category:
        found = next((c for c in categories() if str(c.pk) == str(data.category) or c.code == data.category), None)
        if found is None:
            errors["category"] = "请选择列表中的类别"
        out["category"] = found
    out["anonymous"] = bool(data.anonymous)
    out["name"] = out["phone"] = ""
    if not out["anonymous"]:
        name = (data.name or "").strip()
        if not name:
            errors["name"] = "署名来信请填写姓名，或选择匿名"
        elif len(name) > NAME_MAX:
            errors["name"] = f"姓名不能超过{NAME_MAX}个字"
        try:
            out["phone"] = clean_phone(data.phone or "")
        except PhoneError as exc:
            errors["phone"] = str(exc) if data.phone else "署名来信请留下联系电话，便于回复和回访"
        out["name"] = name
    if errors:
        raise ValidationError(errors)
    return out


def clean_photo(upload: Any) -> ContentFile | None:
    """A jpg/png of at most 5MB whose bytes match its type, stripped of metadata, renamed."""
    if upload is None:
        return None
    name = getattr(upload, "name", "") or ""
    ext = PurePath(name).suffix.lower().lstrip(".")
    size = getattr(upload, "size", 0) or 0
    if ext not in PHOTO_TYPES:
        raise ValidationError({"photo": "照片只能是jpg或png格式"})
    if size > PHOTO_MAX:
        raise ValidationError({"photo": f"照片不能超过5MB（现在{size / 1024 / 1024:.1f}MB）"})
    content = upload.read(PHOTO_MAX + 1)
    if len(content) > PHOTO_MAX:
        raise ValidationError({"photo": "照片不能超过5MB"})
    try:
        appeals.validate_upload(name, len(content), content[:8])
        clean = photos.strip_metadata(content)
    except ValidationError as exc:
        raise ValidationError({"photo": exc.messages[0]}) from exc
    return ContentFile(clean, name=f"photo.{'jpg' if ext == 'jpeg' else ext}")


@dataclass
class Sent:
    letter: Letter
    code: str  # shown once to the resident, never stored


def submit_letter(data: LetterIn, *, photo: Any = None, address_key: str, token: str, honeypot: str = "",
                  now: dt.datetime | None = None, clock: float | None = None) -> Sent:
    """One letter from the public: checks (form, limits, fields), then create_letter."""
    now = now or timezone.now()
    nonce = check_form(token, honeypot, now=clock)
    throttle.check("letter_addr", address_key, now=now, count=False)
    throttle.check("letter_addr_day", address_key, now=now, count=False)
    fields = clean_letter(data)
    image = clean_photo(photo)
    # The entry point of a public letter (durable: nothing may hold it open around a resident's request);
    # a letter that fails to be written burns neither the form nor the quota.
    with transaction.atomic(durable=True):
        throttle.check("nonce", throttle.keyed("nonce", nonce), now=now)
        throttle.check("letter_addr", address_key, now=now)
        throttle.check("letter_addr_day", address_key, now=now)
        sent = create_letter(**fields, image=image, now=now)
        # The acceptance SMS (the outbox row commits with the letter); the code in it only when asked.
        report = sent.letter.appeal.reports.order_by("pk").first()
        if report is not None:
            notices.queue_resident_sms(report, "resident_accepted",
                                       code=codes.display(sent.code) if data.sms_code else "", now=now)
        return sent


@transaction.atomic
def create_letter(*, place: Region, kind: str, title: str, text: str, category: Category | None = None,
                  anonymous: bool = False, name: str = "", phone: str = "", image: ContentFile | None = None,
                  now: dt.datetime, code: str | None = None) -> Sent:
    """The appeal (through the appeals services, channel 书记信箱, no staff actor), its photo, the letter
    with the hash of a new tracking code (the demo passes its own code)."""
    appeal = appeals.register_appeal(
        actor=None, region=place, kind=kind, channel="mailbox", title=title, text=text, category=category,
        reporter_name=name, phone=phone, anonymous=anonymous, received_at=now, now=now)
    if image is not None:
        appeals.add_attachment(appeal, actor=None, upload=image, now=now, check=False)
    for _attempt in range(3):
        code = code or codes.new_code()
        try:
            with transaction.atomic():
                letter = Letter.objects.create(appeal=appeal, region=place, code_hash=codes.code_hash(code),
                                               submitted_at=now, has_photo=image is not None)
            break
        except IntegrityError:  # a 2^-79 collision (or a demo code used twice): draw again
            code = None
    else:
        raise RuntimeError("could not draw a unique tracking code")
    record("portal.letter_received", obj=letter, actor=None, at=now,
           changes={"appeal": appeal.number, "kind": kind, "anonymous": anonymous, "photo": image is not None})
    return Sent(letter=letter, code=code)


# --- tracking -----------------------------------------------------------------------------------


def find_letter(text: str, *, address_key: str, now: dt.datetime | None = None) -> Letter | None:
    """The letter of a code, with the look-up limits: per address, wrong codes per address, per code."""
    return codes.look_up(text, lambda code: Letter.objects.filter(
        code_hash=codes.code_hash(code), deleted_at__isnull=True).select_related("appeal").first(),
        space="code-hits", address_key=address_key, now=now)


def current_appeal(letter: Letter) -> Appeal:
    """The appeal that carries the letter now: a merged case's target (followed a few steps)."""
    appeal = Appeal.objects.get(pk=letter.appeal_id)  # fresh: the letter's cached appeal may be stale
    for _step in range(5):
        if appeal.status != wf.Status.MERGED.value or appeal.merged_into_id is None:
            break
        appeal = Appeal.objects.get(pk=appeal.merged_into_id)
    return appeal


def rate(letter: Letter, *, satisfaction: str, comment: str = "", address_key: str,
         now: dt.datetime | None = None) -> Rating:
    """The resident's rating, once. While the case awaits its return visit, the rating IS the return
    visit (recorded through the appeals services, so metrics count it and 不满意 re-opens the case);
    later it is kept here (counted=False) and shows in the portal's own figures."""
    from .progress import public_progress

    now = now or timezone.now()
    throttle.check("rate_addr", address_key, now=now)
    if satisfaction not in {s.value for s in wf.Satisfaction}:
        raise ValidationError({"satisfaction": "请选择非常满意、满意、基本满意、不满意或非常不满意"})
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise ValidationError({"comment": f"评价意见不能超过{COMMENT_MAX}个字"})
    with transaction.atomic():
        locked = Letter.objects.select_for_update().get(pk=letter.pk)
        if Rating.objects.filter(letter=locked).exists():
            raise ValidationError("您已经评价过了，感谢您的反馈。")
        if not public_progress(locked).can_rate:
            raise ValidationError("办结后才能评价。")
        rating = record_rating(locked, satisfaction=satisfaction, comment=comment, now=now)
    return rating


@transaction.atomic
def record_rating(letter: Letter, *, satisfaction: str, comment: str, now: dt.datetime) -> Rating:
    """The rating itself (checks done by the caller): the return visit when one is due, and the row."""
    appeal = current_appeal(letter)
    counted = False
    if appeal.status == wf.Status.AWAITING_RETURN_VISIT.value:
        appeals.do_return_visit(appeal, actor=None, satisfaction=satisfaction, method="portal",
                                note=scrub(comment), now=now)
        counted = True
    rating = Rating.objects.create(letter=letter, appeal=appeal, region_id=appeal.region_id,
                                   satisfaction=satisfaction, comment=scrub(comment), at=now, counted=counted)
    record("portal.rated", obj=letter, actor=None, at=now,
           changes={"appeal": appeal.number, "satisfaction": satisfaction, "counted": counted})
    return rating
