"""The public agent registration form: it shapes input; the services decide."""

from django import forms


class AgentRegistrationForm(forms.Form):
    name = forms.CharField(label="Your name", max_length=200,
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(label="Email", widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    phone = forms.CharField(label="Phone (optional)", max_length=30, required=False,
                            widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}))
    about = forms.CharField(label="About you (optional)", required=False, max_length=2000,
                            widget=forms.Textarea(attrs={"rows": 4}),
                            help_text="What you sell, where and to whom.")
