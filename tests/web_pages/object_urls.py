"""URLs of the web pages (minqing/web) that name one object, aimed at village B (see tests/test_jurisdiction.py).
name -> (method, lambda county: url). Every such URL must answer 404 to village A's cadre."""

from __future__ import annotations


def _appeal_b(c):
    from tests.test_jurisdiction import _appeal_b as make  # one appeal in village B per county fixture

    return make(c)


def _attachment_b(c):
    """A photo row on village B's appeal (made once per county fixture; no file is written: the
    request must be refused before any file is opened)."""
    if not hasattr(c, "_attachment_b"):
        from django.utils import timezone

        from minqing.appeals.models import Attachment

        c._attachment_b = Attachment.objects.create(
            appeal=_appeal_b(c), file="appeals/none/b.png", name="b.png", content_type="image/png", size=40,
            sha256="0" * 64, uploaded_at=timezone.now())
    return c._attachment_b


def _saved_view_b(c):
    """A saved view of village B's cadre: another person's view does not exist for anyone else."""
    from minqing.web.models import SavedView

    return SavedView.objects.get_or_create(user=c.cadre_b, name="乙村待办", defaults={"query": "group=open"})[0]


OBJECT_URLS: dict = {
    "web:appeal": ("get", lambda c: f"/appeals/{_appeal_b(c).pk}/"),
    "web:appeal_action": ("post", lambda c: f"/appeals/{_appeal_b(c).pk}/actions/remind/"),
    "web:appeal_merge": ("get", lambda c: f"/appeals/{_appeal_b(c).pk}/merge/"),
    "web:appeal_report_reveal": ("post", lambda c: (f"/appeals/{_appeal_b(c).pk}/reports/"
                                                    f"{_appeal_b(c).reports.first().pk}/reveal/")),
    "web:appeal_attachment_upload": ("post", lambda c: f"/appeals/{_appeal_b(c).pk}/attachments/"),
    "web:appeal_attachment": ("get", lambda c: f"/appeals/{_attachment_b(c).appeal_id}/attachments/"
                                               f"{_attachment_b(c).pk}/"),
    "web:appeal_view_delete": ("post", lambda c: f"/appeals/views/{_saved_view_b(c).pk}/delete/"),
}
