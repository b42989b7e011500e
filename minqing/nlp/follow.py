"""The nlp part follows appeals through minqing.appeals.hooks (appeals never imports nlp):

- the search index: every change marks what it touched; one on_commit job per transaction indexes
  each touched object once, as committed (a new appeal is indexed once, not on each of its saves;
  a rolled-back change is never indexed);
- the category model: a confident suggestion at registration (appeals marks it as suggested);
- a person's correction of a suggested category is kept as training feedback.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import transaction

from minqing.appeals import hooks

from . import search

log = logging.getLogger(__name__)
_ATTR = "_minqing_search_pending"  # on the database connection: one set of touched ids per transaction


class _Batch:
    """The ids one transaction touched; called once, after it commits."""

    def __init__(self) -> None:
        self.ids: dict[str, set[int]] = {}
        self.done = False

    def __call__(self) -> None:
        self.done = True
        index(self.ids)


def touch(kind: str, ids: Iterable[int]) -> None:
    """Mark objects for indexing when the transaction commits (at once outside a transaction)."""
    conn = transaction.get_connection()
    if not conn.in_atomic_block:
        index({kind: set(ids)})
        return
    batch = conn.__dict__.get(_ATTR)
    # A new batch for a new transaction, or when the savepoint that scheduled the last one rolled back.
    if batch is None or batch.done or not any(func is batch for _sids, func, _robust in conn.run_on_commit):
        batch = conn.__dict__[_ATTR] = _Batch()
        transaction.on_commit(batch, robust=True)  # an index error is logged, never undoes the change
    batch.ids.setdefault(kind, set()).update(ids)


def forget_pending() -> None:
    """After a rebuild inside the transaction: the index holds everything as it now stands, so what
    was touched before needs no second indexing at commit (the demo load touches ~40 000 objects in
    one transaction and then rebuilds). Later changes in the transaction are still marked."""
    batch = transaction.get_connection().__dict__.get(_ATTR)
    if batch is not None and not batch.done:
        batch.ids.clear()


def index(pending: dict[str, set[int]]) -> None:
    """Index what a committed transaction touched, each object once, as it now is."""
    from minqing.appeals.models import Appeal, AppealEvent, Progress, Report

    appeal_ids = set(pending.get("appeal", ()))
    with transaction.atomic():
        for report in Report.objects.filter(pk__in=pending.get("report", ())).select_related("appeal"):
            search.index_report(report, with_appeal=False)
            appeal_ids.add(report.appeal_id)
        for progress in Progress.objects.filter(pk__in=pending.get("progress", ())).select_related("appeal"):
            search.index_progress(progress)
        for event in AppealEvent.objects.filter(pk__in=pending.get("event", ())).select_related("appeal"):
            search.index_event(event)
        for appeal in Appeal.objects.filter(pk__in=appeal_ids).select_related("region"):
            search.index_appeal(appeal)
        Visit = search.visit_model()
        if Visit is not None:
            for visit in Visit.objects.filter(pk__in=pending.get("visit", ())).select_related("household"):
                search.index_visit(visit)


def on_appeal_changed(change: hooks.Change) -> None:
    if change.created:  # title and text are written once, at registration: their signature with them
        from . import duplicates

        duplicates.store_signature(change.appeal)
    touch("appeal", [change.appeal.pk])
    if change.report is not None:
        touch("report", [change.report.pk])
    if change.progress is not None:
        touch("progress", [change.progress.pk])
    if change.event is not None and search.reply_text(change.event.payload):
        touch("event", [change.event.pk])
    if change.action == hooks.CATEGORY_CHANGED and change.before.get("category_source") == "model":
        _feedback(change)


def suggest_category(title: str, text: str, region_code: str) -> tuple[str, float, str] | None:
    """For appeals.hooks: the model's best first-level category, or None before a model is trained."""
    from . import classify

    try:
        best = classify.suggest(text, title=title, region_code=region_code, top=1)
    except Exception:  # a broken model file must not stop a registration; it is logged and shown nowhere
        log.exception("category suggestion failed")
        return None
    if not best or not best[0].code:
        return None
    return best[0].code, best[0].confidence, str(classify.model_path().name)


def _feedback(change: hooks.Change) -> None:
    """A person replaced the model's category: kept as a training example (and an audit event)."""
    from minqing.appeals.models import Category
    from minqing.audit.log import record

    from .models import CategoryFeedback

    appeal = change.appeal
    suggested = Category.objects.filter(pk=change.before.get("category")).first()
    fb = CategoryFeedback.objects.create(
        appeal=appeal, region_id=appeal.region_id, title=appeal.title[:200], text=appeal.text, suggested=suggested,
        chosen_id=appeal.category_id, accepted=suggested is not None and suggested.pk == appeal.category_id,
        by=change.actor if getattr(change.actor, "pk", None) else None, at=change.at)
    record("nlp.category_feedback", actor=change.actor, obj=fb, region_code=appeal.region_id, at=change.at,
           changes={"chosen": appeal.category.code if appeal.category_id else None,
                    "suggested": suggested.code if suggested else None, "accepted": fb.accepted,
                    "appeal": appeal.pk})
