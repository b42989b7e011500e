"""等保 2.0 level 3 password rules (身份鉴别: 口令具有复杂度要求): Django's validators with Chinese
messages, plus character classes and "not the user name". Wired in settings.AUTH_PASSWORD_VALIDATORS."""

from __future__ import annotations

import re

from django.contrib.auth import password_validation as pv
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

CLASSES = (re.compile(r"[a-z]"), re.compile(r"[A-Z]"), re.compile(r"[0-9]"), re.compile(r"[^a-zA-Z0-9]"))


class LengthValidator(pv.MinimumLengthValidator):
    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError(
                ngettext("The password must have at least %(n)d character.",
                         "The password must have at least %(n)d characters.", self.min_length) % {"n": self.min_length},
                code="password_too_short")

    def get_help_text(self):
        return ngettext("At least %(n)d character.", "At least %(n)d characters.", self.min_length) % {
            "n": self.min_length}


class CharacterClassValidator:
    """At least `min_classes` of: lower-case letters, upper-case letters, digits, other signs."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        if sum(1 for rx in CLASSES if rx.search(password)) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self):
        return _("Use at least %(n)d of: lower-case letters, upper-case letters, digits, other signs.") % {
            "n": self.min_classes}


class NotUserNameValidator(pv.UserAttributeSimilarityValidator):
    """Not the user name (in any case, forwards or backwards, inside the password) nor close to the
    user's other attributes."""

    def validate(self, password, user=None):
        name = (getattr(user, "username", "") or "").lower()
        low = password.lower()
        if name and len(name) >= 3 and (name in low or name[::-1] in low):
            raise ValidationError(_("The password must not contain the user name."), code="password_has_username")
        try:
            super().validate(password, user)
        except ValidationError as exc:
            raise ValidationError(_("The password is too close to your account's details."),
                                  code="password_too_similar") from exc

    def get_help_text(self):
        return _("Not your user name, nor close to your name.")


class CommonValidator(pv.CommonPasswordValidator):
    """Django's list of 20 000 common and leaked passwords."""

    def validate(self, password, user=None):
        if password.lower().strip() in self.passwords:
            raise ValidationError(_("This password is too common."), code="password_too_common")

    def get_help_text(self):
        return _("Not a common password.")


class NotNumericValidator:
    def validate(self, password, user=None):
        if password.isdigit():
            raise ValidationError(_("The password must not be only digits."), code="password_entirely_numeric")

    def get_help_text(self):
        return _("Not only digits.")
