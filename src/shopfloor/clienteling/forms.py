"""The console's clienteling forms: notes, preferences, tasks, task rules."""

from datetime import timedelta

from django import forms
from django.utils import timezone

from shopfloor.clienteling.models import TaskPriority, TaskRule
from shopfloor.clienteling.services import LABEL_MAX_LENGTH, NOTE_MAX_LENGTH


class NoteForm(forms.Form):
    body = forms.CharField(label="New note", max_length=NOTE_MAX_LENGTH,
                           widget=forms.Textarea(attrs={"rows": 3, "placeholder": "What did you learn?"}))
    is_pinned = forms.BooleanField(label="Pin to the top", required=False)


def _split(text: str) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


class PreferencesForm(forms.Form):
    """Brands, styles and colours as comma-separated labels; sizes as "what: size" pairs."""

    sizes = forms.CharField(
        label="Sizes", required=False, max_length=1000,
        help_text="What each size is for, e.g. “tops: M, shoes: 38”.",
    )
    brands = forms.CharField(label="Brands", required=False, max_length=1000, help_text="Separated by commas.")
    styles = forms.CharField(label="Styles", required=False, max_length=1000, help_text="e.g. “classic, linen”.")
    colours = forms.CharField(label="Colours", required=False, max_length=1000)

    def clean_sizes(self):
        sizes = {}
        for pair in _split(self.cleaned_data["sizes"]):
            what, separator, size = pair.partition(":")
            if not separator or not what.strip() or not size.strip():
                raise forms.ValidationError(f"Write “{pair}” as “what: size”, e.g. “shoes: 38”.")
            if len(what.strip()) > LABEL_MAX_LENGTH or len(size.strip()) > LABEL_MAX_LENGTH:
                raise forms.ValidationError(f"Each is at most {LABEL_MAX_LENGTH} characters.")
            sizes[what.strip()] = size.strip()
        return sizes

    def clean_brands(self):
        return _split(self.cleaned_data["brands"])

    def clean_styles(self):
        return _split(self.cleaned_data["styles"])

    def clean_colours(self):
        return _split(self.cleaned_data["colours"])

    @staticmethod
    def initial_for(preferences) -> dict:
        return {
            "sizes": ", ".join(f"{what}: {size}" for what, size in preferences.sizes.items()),
            "brands": ", ".join(preferences.brands), "styles": ", ".join(preferences.styles),
            "colours": ", ".join(preferences.colours),
        }


class TaskForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200)
    description = forms.CharField(label="Description", required=False, max_length=NOTE_MAX_LENGTH,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    customer = forms.TypedChoiceField(label="Customer", required=False, coerce=int, empty_value=None)
    assignee = forms.ModelChoiceField(queryset=None, label="Assignee", required=False)
    due_on = forms.DateField(label="Due", widget=forms.DateInput(attrs={"type": "date"}))
    priority = forms.ChoiceField(label="Priority", choices=TaskPriority.choices, initial=TaskPriority.NORMAL)

    def __init__(self, *args, associates, customer=None, empty_assignee="Me", **kwargs):
        kwargs.setdefault("initial", {}).setdefault("due_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = associates
        self.fields["assignee"].empty_label = empty_assignee
        choices = [("", "No customer")]
        if customer is not None:
            choices.append((str(customer.pk), str(customer)))
            self.fields["customer"].initial = customer.pk
        self.fields["customer"].choices = choices


class CompleteForm(forms.Form):
    outcome = forms.CharField(label="Outcome", max_length=NOTE_MAX_LENGTH,
                              help_text="What happened? It stays on the customer's timeline.",
                              widget=forms.Textarea(attrs={"rows": 3}))


class SnoozeForm(forms.Form):
    until = forms.DateField(label="Snooze until", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("until", timezone.localdate() + timedelta(days=1))
        super().__init__(*args, **kwargs)


class TaskRuleForm(forms.ModelForm):
    class Meta:
        model = TaskRule
        fields = ["enabled", "days", "catch_up_days", "due_in_days", "priority", "title", "message"]
        widgets = {"message": forms.Textarea(attrs={"rows": 3})}
        labels = {"days": "N (days)", "catch_up_days": "Catch up (days)", "due_in_days": "Due (days from it)",
                  "message": "Suggested message"}
