"""post_save receivers that keep the search index current (connected in apps.py)."""

from __future__ import annotations

from . import search


def _skip(kwargs) -> bool:
    return bool(kwargs.get("raw"))  # fixtures loading: the rebuild command indexes them


def on_appeal(sender, instance, **kwargs) -> None:
    if not _skip(kwargs):
        search.index_appeal(instance)


def on_report(sender, instance, **kwargs) -> None:
    if not _skip(kwargs):
        search.index_report(instance)


def on_progress(sender, instance, **kwargs) -> None:
    if not _skip(kwargs):
        search.index_progress(instance)


def on_visit(sender, instance, **kwargs) -> None:
    if not _skip(kwargs):
        search.index_visit(instance)


def on_event(sender, instance, **kwargs) -> None:
    if not _skip(kwargs):
        search.index_event(instance)
