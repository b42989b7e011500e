"""URLs of this part that name one object, aimed at village B (see tests/test_jurisdiction.py).
name -> (method, lambda county: url). Every such URL must answer 404 to village A's cadre."""


def _dispute_b(c):
    """A dispute in village B, mediated to an agreement (so every sub-URL has an object)."""
    if not hasattr(c, "_dispute_b"):
        import datetime as dt

        from django.utils import timezone

        from minqing.disputes import services
        from tests.disputes.conftest import two_sides

        d = services.register_dispute(actor=c.cadre_b, region=c.village_b.code, kind="neighbour", title="界址纠纷",
                                      text="两户争一条田埂。", parties=two_sides(c, "b"))
        services.start_stage(d, actor=c.cadre_b, kind="people", body="乙村调委会", unit=c.units["committee_b"],
                             mediator_name="乙村调解员")
        today = timezone.localdate()
        c._agreement_b = services.record_agreement(d, actor=c.cadre_b, summary="田埂归两户共用",
                                                   terms=[{"text": "共同修整田埂",
                                                           "due_on": today + dt.timedelta(days=10)}])
        c._dispute_b = d
    return c._dispute_b


def _party_b(c) -> int:
    return _dispute_b(c).parties.first().pk


def _url(c, tail: str = "") -> str:
    return f"/api/v1/disputes/{_dispute_b(c).pk}{tail}"


OBJECT_URLS: dict = {
    "api:disputes_get": ("get", lambda c: _url(c)),
    "api:disputes_add_party": ("post", lambda c: _url(c, "/parties")),
    "api:disputes_review_risk": ("post", lambda c: _url(c, "/risk")),
    "api:disputes_start_stage": ("post", lambda c: _url(c, "/stages")),
    "api:disputes_add_session": ("post", lambda c: _url(c, "/sessions")),
    "api:disputes_record_agreement": ("post", lambda c: _url(c, "/agreements")),
    "api:disputes_agreement_photo": ("post", lambda c: _url(c, f"/agreements/{(_dispute_b(c), c._agreement_b)[1].pk}"
                                                              "/photo")),
    "api:disputes_follow_up": ("post", lambda c: _url(c, "/follow-ups")),
    "api:disputes_refer": ("post", lambda c: _url(c, "/referral")),
    "api:disputes_party_code": ("post", lambda c: _url(c, f"/parties/{_party_b(c)}/code")),
    "api:disputes_party_revoke": ("post", lambda c: _url(c, f"/parties/{_party_b(c)}/code/revoke")),
    "api:disputes_messages_read": ("post", lambda c: _url(c, "/messages/read")),
    "disputes:party_code": ("post", lambda c: f"/disputes/{_dispute_b(c).pk}/parties/{_party_b(c)}/code/"),
    "disputes:party_slip": ("get", lambda c: f"/disputes/{_dispute_b(c).pk}/parties/{_party_b(c)}/slip/"),
    "disputes:party_revoke": ("post", lambda c: f"/disputes/{_dispute_b(c).pk}/parties/{_party_b(c)}/revoke/"),
    "disputes:messages_read": ("post", lambda c: f"/disputes/{_dispute_b(c).pk}/messages/read/"),
    "disputes:add_party": ("post", lambda c: f"/disputes/{_dispute_b(c).pk}/parties/"),
    "disputes:review_risk": ("post", lambda c: f"/disputes/{_dispute_b(c).pk}/risk/"),
    "disputes:detail": ("get", lambda c: f"/disputes/{_dispute_b(c).pk}/"),
    "disputes:add_session": ("post", lambda c: f"/disputes/{_dispute_b(c).pk}/sessions/"),
    "disputes:add_agreement": ("post", lambda c: f"/disputes/{_dispute_b(c).pk}/agreement/"),
    "disputes:start_stage": ("post", lambda c: f"/disputes/{_dispute_b(c).pk}/stages/"),
    "disputes:follow_up": ("post", lambda c: f"/disputes/{_dispute_b(c).pk}/follow-up/"),
    "disputes:refer": ("post", lambda c: f"/disputes/{_dispute_b(c).pk}/referral/"),
}
