from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AccountsConfig(AppConfig):
    name = "minqing.accounts"
    verbose_name = _("People")

    def ready(self) -> None:
        register_codes()
        # Accounts sits above regions and audit: it gives them what only it knows (decision 0044).
        from minqing.audit import trail
        from minqing.regions import jurisdiction

        from . import scope_source, trail_readers

        jurisdiction.register_posts(scope_source.posts_of, scope_source.MEANING)  # a user's places and roles
        trail.register_readers(trail_readers.trail_q)  # who reads which events of the audit trail


def register_codes() -> None:
    """This part's audit codes in the action registry (minqing.audit.actions)."""
    from minqing.audit import actions

    actions.register("accounts", {
        "account.password_changed": _("Password changed"),
        "account.recovery_codes_renewed": _("Recovery codes renewed"),
        "account.second_factor_enrolled": _("Second factor enrolled"),
        "account.second_factor_removed": _("Second factor removed"),
        "account.token_revoked": _("API token revoked"),
        "account.tokens_ended_with_session": _("API tokens ended with the session"),
        "account.reset_code_issued": _("Password reset code issued"),
        "account.password_reset": _("Password reset with a code"),
        "staff.setup_code_issued": _("First log-in code issued"),
        "staff.password_set": _("Password set on first log-in"),
        "staff.setup_code_failed": _("Wrong first log-in code"),
        "staff.created": _("Staff member created"),
        "staff.updated": _("Staff member updated"),
        "staff.attributes_set": _("Staff member's party membership, year of birth or rank set"),
        "staff.deactivated": _("Staff member deactivated"),
        "staff.reactivated": _("Staff member reactivated"),
        "unit.created": _("Unit created"),
        "unit.updated": _("Unit updated"),
        "unit.deactivated": _("Unit deactivated"),
        "unit.reactivated": _("Unit reactivated"),
        "post.created": _("Post created"),
        "post.ended": _("Post ended"),
        "pairing.created": _("Pairing created"),
        "pairing.ended": _("Pairing ended"),
        "visit_team.created": _("Visit team created"),
        "visit_team.member_added": _("Visit team member added"),
    }, seen_by=actions.AUDITOR_ONLY)
    actions.register_keys({"member": pgettext_lazy("detail", "member"), "village": pgettext_lazy("detail", "village"),
                           "villages": pgettext_lazy("detail", "villages"),
                           "tokens": pgettext_lazy("detail", "API tokens ended")})
