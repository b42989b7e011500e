"""Models of this part: the search index (one row per indexed text, mirrored into SQLite FTS5 or a
PostgreSQL tsvector GIN index by search.py) and the category corrections kept as training data."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SearchDoc(models.Model):
    """One searchable text. `terms` holds the jieba words and character bigrams separated by spaces
    (what the full-text index reads); the clear text stays in the source table and in `body` for
    snippets. region_code/unit_id/owner_id only narrow the candidates — the source model's
    jurisdiction filter decides what a user sees."""

    object_type = models.CharField(max_length=20)  # appeal | progress | report | visit
    object_id = models.BigIntegerField()
    appeal_id = models.BigIntegerField(null=True, blank=True)
    region_code = models.CharField(max_length=12, db_index=True)
    unit_id = models.BigIntegerField(null=True, blank=True)
    owner_id = models.BigIntegerField(null=True, blank=True)
    title = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    terms = models.TextField(blank=True)
    # Who may find it, as index tokens (r<place prefix> per level, u<unit>, o<owner>, k<kind>): the
    # jurisdiction narrows the full-text match inside the index instead of a rowid IN (…) prefilter.
    scope = models.CharField(max_length=200, blank=True, default="")
    at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["object_type", "object_id"], name="uniq_searchdoc_object")]


class SynonymGroup(models.Model):
    """Words a county's search treats as one (噪音 噪声 扰民): set up by its system administrator,
    never deleted (deactivated). A county without a group of its own searches with the seed list."""

    county = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    words = models.CharField(_("words"), max_length=300)  # space-separated, each word once
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-is_active", "words"]

    def word_list(self) -> list[str]:
        return self.words.split()


class CategoryFeedback(models.Model):
    """A person accepted or corrected the suggested category: kept as a training example."""

    appeal = models.ForeignKey("appeals.Appeal", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("subject"), max_length=200, blank=True)
    text = models.TextField(pgettext_lazy("hot spot", "description"))
    suggested = models.ForeignKey("appeals.Category", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    chosen = models.ForeignKey("appeals.Category", on_delete=models.PROTECT, related_name="+")
    confidence = models.FloatField(null=True, blank=True)
    accepted = models.BooleanField(default=False)  # chosen == suggested
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("category feedback")
        verbose_name_plural = _("category feedback")
        ordering = ["-at", "-id"]


class TextSignature(models.Model):
    """What the similar-cases comparison (nlp.duplicates) needs of an appeal's text, computed once when
    the appeal is registered (in its transaction, through appeals.hooks) instead of on every case page
    that compares it: the folded text in lower case (synonyms folded, punctuation and spaces gone: the
    input of the character TF-IDF, nlp.charsim) and the two exact-text keys. `folds` names the version
    of the fold rules; a row of another version (or none) is computed from the text on the fly."""

    appeal = models.OneToOneField("appeals.Appeal", primary_key=True, on_delete=models.CASCADE, related_name="+")
    folds = models.CharField(max_length=12)
    folded = models.TextField()
    key = models.CharField(max_length=20)  # textnorm.text_hash(text)
    key_full = models.CharField(max_length=20)  # textnorm.text_hash(f"{title} {text}")
