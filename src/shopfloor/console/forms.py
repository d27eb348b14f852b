"""The console's forms: sign-in, approving a registration, creating an API token, recording a payout."""

import secrets
from decimal import Decimal

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from shopfloor.access import Actor
from shopfloor.commissions.models import PayoutMethod


class ConsoleAuthenticationForm(AuthenticationForm):
    """Email and password; only the retailer's staff (admins, managers, associates) get in."""

    username = forms.EmailField(
        label="Email",
        max_length=254,
        widget=forms.EmailInput(
            attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}
        ),
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That email and password do not match an account.",
        "no_console_access": "This account has no access to the console. Shoppers sign in on the shop.",
    }

    def clean_username(self):
        # Logins are stored lower-cased; people type their email however they like.
        return self.cleaned_data["username"].strip().lower()

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not Actor(user).is_staff_member:
            raise ValidationError(self.error_messages["no_console_access"], code="no_console_access")


class ApprovalForm(forms.Form):
    """Approve a pending registration, assigning one of the offered associates (or the group's)."""

    associate = forms.ModelChoiceField(queryset=None, required=False, label="Assign to")

    def __init__(self, *args, associates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["associate"].queryset = associates
        self.fields["associate"].error_messages["invalid_choice"] = "Choose one of the listed associates."


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label="Token name", max_length=100, required=False,
        help_text="What the token is for, e.g. “ERP sync”. Only you and the admins see it.",
    )


class PayoutForm(forms.Form):
    """An admin records money paid to an associate (commissions.services.record_payout does the rest)."""

    associate = forms.ModelChoiceField(queryset=None, label="Associate", empty_label="Choose an associate")
    amount = forms.DecimalField(
        label="Amount", max_digits=12, decimal_places=2, min_value=Decimal("0.01"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    method = forms.ChoiceField(label="Method", choices=PayoutMethod.choices)
    reference = forms.CharField(
        label="Reference", max_length=200, required=False,
        help_text="The transfer's id at the bank or PayPal.",
    )
    note = forms.CharField(label="Note", max_length=2000, required=False, widget=forms.TextInput())
    confirm_over_balance = forms.BooleanField(
        label="Pay more than the balance", required=False,
        help_text="Only when you mean to pay in advance: the balance goes below zero.",
    )
    # A fresh key per rendered form: submitting the same form twice records one payout.
    request_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, associates, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("request_key", secrets.token_urlsafe(24))
        super().__init__(*args, **kwargs)
        self.fields["associate"].queryset = associates
        self.fields["associate"].label_from_instance = lambda associate: f"{associate.name} · {associate.store.name}"
        self.fields["associate"].error_messages["invalid_choice"] = "Choose one of the listed associates."


class SaleEmailForm(forms.Form):
    email = forms.BooleanField(label="Also email me about my sales", required=False)
