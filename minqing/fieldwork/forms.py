"""Forms of the desk pages. They only check the shape of the input (Chinese messages from Django's
own catalogue and the labels below); every rule about who may do what lives in services.py."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import ActivityKind, ListKind

# Short words with the desk's own context: another catalogue's "Kind" or "Round" means something else.
W = {
    "Attendance": pgettext_lazy("field desk", "Attendance"),
    "Due on": pgettext_lazy("field desk", "Due on"),
    "Empty: yourself.": pgettext_lazy("field desk", "Empty: yourself."),
    "Ended on": pgettext_lazy("field desk", "Ended on"),
    "Findings": pgettext_lazy("field desk", "Findings"),
    "Held at": pgettext_lazy("field desk", "Held at"),
    "Households visited": pgettext_lazy("field desk", "Households visited"),
    "Kind": pgettext_lazy("field desk", "Kind"),
    "Leader": pgettext_lazy("field desk", "Leader"),
    "Note": pgettext_lazy("field desk", "Note"),
    "Place": pgettext_lazy("field desk", "Place"),
    "Plan": pgettext_lazy("field desk", "Plan"),
    "Policy documents": pgettext_lazy("field desk", "Policy documents"),
    "Research sub-topic": pgettext_lazy("field desk", "Research sub-topic"),
    "Round": pgettext_lazy("field desk", "Round"),
    "Started on": pgettext_lazy("field desk", "Started on"),
    "Sub-topics": pgettext_lazy("field desk", "Sub-topics"),
    "Summary": pgettext_lazy("field desk", "Summary"),
    "Text": pgettext_lazy("field desk", "Text"),
    "Title": pgettext_lazy("field desk", "Title"),
    "Topic": pgettext_lazy("field desk", "Topic"),
    "Village": pgettext_lazy("field desk", "Village"),
    "Villages": pgettext_lazy("field desk", "Villages"),
    "Visit round": pgettext_lazy("field desk", "Visit round"),
    "Visit team": pgettext_lazy("field desk", "Visit team"),
    "Where": pgettext_lazy("field desk", "Where"),
    "Year": pgettext_lazy("field desk", "Year"),
}


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(label=W["Kind"], choices=ActivityKind.choices)
    region = forms.ChoiceField(label=W["Place"])
    held_at = forms.DateTimeField(label=W["Held at"], widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                  input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"])
    place = forms.CharField(label=W["Where"], max_length=200, required=False)
    topic = forms.CharField(label=W["Topic"], max_length=200, required=False,
                            help_text=_("Outreach talks, evening schools and meetings: what it was about."))
    documents = forms.CharField(label=W["Policy documents"], required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                help_text=_("Outreach talks: the documents explained."))
    attendance = forms.IntegerField(label=W["Attendance"], min_value=0, max_value=100000, required=False)
    attendees = forms.CharField(label=_("Residents who came (from the register)"), required=False,
                                widget=forms.Textarea(attrs={"rows": 2}),
                                help_text=_("Names from the sign-in sheet, one a line; the attendance is at least "
                                            "their number."))
    cases = forms.CharField(label=_("Cases taken down"), required=False, max_length=1000,
                            help_text=_("Reception and on-site office days: the numbers of the cases it was "
                                        "about, separated by spaces."))
    leader = forms.TypedChoiceField(label=W["Leader"], coerce=int, required=False, empty_value=None,
                                    help_text=_("Reception day: who received; on-site office: which leader; "
                                                "otherwise who led it. Empty: yourself."))
    subtopic = forms.TypedChoiceField(label=W["Research sub-topic"], coerce=int, required=False, empty_value=None)
    findings = forms.CharField(label=W["Findings"], required=False, widget=forms.Textarea(attrs={"rows": 3}))
    decisions = forms.CharField(label=_("Decided and solved"), required=False,
                                widget=forms.Textarea(attrs={"rows": 3}),
                                help_text=_("On-site office days and meetings: what was decided and solved."))
    note = forms.CharField(label=W["Note"], required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, regions=(), leaders=(), subtopics=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = list(regions)
        self.fields["leader"].choices = [("", "—")] + list(leaders)
        self.fields["subtopic"].choices = [("", "—")] + list(subtopics)

    def clean_held_at(self) -> dt.datetime:
        value = self.cleaned_data["held_at"]
        if value > timezone.now() + dt.timedelta(minutes=10):
            raise forms.ValidationError("活动时间不能晚于当前时间")
        return value

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == ActivityKind.RESEARCH and not data.get("subtopic"):
            self.add_error("subtopic", "调研须选择所服务的子课题")
        if kind == ActivityKind.OUTREACH and not data.get("topic"):
            self.add_error("topic", "宣讲须填写主题")
        return data


class TopicForm(forms.Form):
    region = forms.ChoiceField(label=W["Place"])
    title = forms.CharField(label=W["Title"], max_length=200)
    leader = forms.TypedChoiceField(label=W["Leader"], coerce=int, required=False, empty_value=None,
                                    help_text=W["Empty: yourself."])
    year = forms.IntegerField(label=W["Year"], min_value=2000, max_value=2100)
    plan = forms.CharField(label=W["Plan"], required=False, widget=forms.Textarea(attrs={"rows": 4}))
    subtopics = forms.CharField(label=W["Sub-topics"], required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                help_text=_("One per line."))

    def __init__(self, *args, regions=(), leaders=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = list(regions)
        self.fields["leader"].choices = [("", "—")] + list(leaders)


class SubtopicForm(forms.Form):
    title = forms.CharField(label=W["Title"], max_length=200)
    leader = forms.TypedChoiceField(label=W["Leader"], coerce=int, required=False, empty_value=None)
    plan = forms.CharField(label=W["Plan"], required=False, widget=forms.Textarea(attrs={"rows": 2}))
    due_on = forms.DateField(label=W["Due on"], required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, leaders=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].choices = [("", "—")] + list(leaders)


class TextForm(forms.Form):
    """Conclusions of a topic, findings of a sub-topic."""

    text = forms.CharField(label=W["Text"], max_length=20000, widget=forms.Textarea(attrs={"rows": 4}))


class RoundForm(forms.Form):
    team = forms.TypedChoiceField(label=W["Visit team"], coerce=int)
    year = forms.IntegerField(label=W["Year"], min_value=2000, max_value=2100)
    number = forms.IntegerField(label=W["Round"], min_value=1, max_value=52)
    started_on = forms.DateField(label=W["Started on"], widget=forms.DateInput(attrs={"type": "date"}))
    ended_on = forms.DateField(label=W["Ended on"], required=False, widget=forms.DateInput(attrs={"type": "date"}))
    villages = forms.MultipleChoiceField(label=W["Villages"], required=False,
                                         widget=forms.SelectMultiple(attrs={"size": 6}))
    summary = forms.CharField(label=W["Summary"], required=False, widget=forms.Textarea(attrs={"rows": 3}))
    led_by = forms.TypedChoiceField(label=_("Led by (county leader)"), coerce=int, required=False, empty_value=None,
                                    help_text=_("Empty: the team's county leader."))

    def __init__(self, *args, teams=(), villages=(), leaders=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = list(teams)
        self.fields["villages"].choices = list(villages)
        self.fields["led_by"].choices = [("", "—")] + list(leaders)


class ResultsForm(forms.Form):
    """The team's own figures: a correction of the count, entered with its reason."""

    households_visited = forms.IntegerField(label=W["Households visited"], min_value=0)
    households_with_problems = forms.IntegerField(label=_("Households with problems"), min_value=0)
    sent_to_township = forms.IntegerField(label=_("Sent to the township"), min_value=0)
    sent_to_county = forms.IntegerField(label=_("Sent to the county"), min_value=0)
    reason = forms.CharField(label=_("Reason for the correction"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("A typed figure corrects the count: say why.")})


class RoundLeaderForm(forms.Form):
    leader = forms.TypedChoiceField(label=_("Led by (county leader)"), coerce=int, required=False,
                                    empty_value=None)

    def __init__(self, *args, leaders=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].choices = [("", "—")] + list(leaders)


class ListsForm(forms.Form):
    village = forms.ChoiceField(label=W["Village"])
    round = forms.TypedChoiceField(label=W["Visit round"], coerce=int, required=False, empty_value=None)
    title = forms.CharField(label=W["Title"], max_length=200, required=False)
    policy = forms.CharField(label=ListKind.POLICY.label, required=False, widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=_("One item per line."))
    service = forms.CharField(label=ListKind.SERVICE.label, required=False, widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=_("One item per line."))
    question = forms.CharField(label=ListKind.QUESTION.label, required=False,
                               widget=forms.Textarea(attrs={"rows": 4}), help_text=_("One item per line."))

    def __init__(self, *args, villages=(), rounds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = list(villages)
        self.fields["round"].choices = [("", "—")] + list(rounds)

    def items(self) -> dict[str, list[str]]:
        return {kind: [line.strip() for line in self.cleaned_data.get(kind, "").splitlines() if line.strip()]
                for kind in ListKind.values}

    def clean(self):
        data = super().clean()
        if not any(self.items().values()):
            raise forms.ValidationError("三张清单至少填写一项")
        return data


class TickForm(forms.Form):
    note = forms.CharField(max_length=300, required=False)
    done = forms.BooleanField(required=False)
