"""Console forms of comms: they shape input; the services decide."""

from django import forms

from shopfloor.accounts.models import AgentGroup, Store
from shopfloor.comms.models import Audience


class AnnouncementForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200)
    body = forms.CharField(
        label="Message", widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Markdown: **bold**, *italic*, lists, [links](https://example.com).",
    )
    audience = forms.ChoiceField(label="Who reads it", choices=Audience.choices, initial=Audience.ALL,
                                 widget=forms.RadioSelect)
    stores = forms.ModelMultipleChoiceField(label="Stores", queryset=Store.objects.all(), required=False,
                                            widget=forms.CheckboxSelectMultiple)
    agent_groups = forms.ModelMultipleChoiceField(label="Agent groups", queryset=AgentGroup.objects.all(),
                                                  required=False, widget=forms.CheckboxSelectMultiple)
    publish_at = forms.DateTimeField(
        label="Publish at", required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"], help_text="Empty: publish now.",
    )

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"], "body": data["body"], "audience": data["audience"],
            "store_ids": [s.pk for s in data["stores"]], "agent_group_ids": [g.pk for g in data["agent_groups"]],
            "publish_at": data["publish_at"],
        }


class ThreadForm(forms.Form):
    to = forms.ChoiceField(label="To")
    subject = forms.CharField(label="Subject", max_length=200)
    body = forms.CharField(label="Message", widget=forms.Textarea(attrs={"rows": 5}), required=False)

    def __init__(self, *args, partners: dict, **kwargs):
        super().__init__(*args, **kwargs)
        choices = []
        if partners["retailer"]:
            choices.append(("retailer", "The retailer (admins and your store's managers)"))
        if partners["upline"] is not None:
            choices.append(("upline", f"{partners['upline'].name} (your agent)"))
        choices += [(f"subagent:{a.pk}", f"{a.name} (your subagent)") for a in partners["subagents"]]
        choices += [(f"associate:{a.pk}", f"{a.name} · {a.store.name}") for a in partners["associates"]]
        self.fields["to"].choices = choices

    def service_args(self) -> tuple[str, int | None]:
        """(kind, associate_id) for comms.services.start_thread."""
        to = self.cleaned_data["to"]
        if to == "retailer":
            return "retailer", None
        if to == "upline":
            return "agent", None
        kind, _, pk = to.partition(":")
        return ("agent" if kind == "subagent" else "retailer"), int(pk)


class ReplyForm(forms.Form):
    body = forms.CharField(label="Reply", widget=forms.Textarea(attrs={"rows": 3}), required=False)
