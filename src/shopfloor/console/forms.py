"""The console's forms: sign-in, approving a registration, creating an API token, recording a payout."""

import secrets
from decimal import Decimal

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from shopfloor.access import Actor
from shopfloor.accounts.models import Associate
from shopfloor.commissions.models import PayoutMethod
from shopfloor.customers.models import CustomerGroup

NOT_OFFERED = "Choose one of the listed associates."


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
    """Approve a pending registration, optionally into another customer group, assigning one of the offered
    associates (or, left empty, the group's).

    `associates_for(group)` gives whom the approver may assign for the group the customer ends up in: the
    store's associates and that group's."""

    group = forms.ModelChoiceField(queryset=CustomerGroup.objects.all(), required=False, label="Customer group")
    associate = forms.ModelChoiceField(queryset=None, required=False, label="Assign to")

    def __init__(self, *args, customer, associates_for, **kwargs):
        super().__init__(*args, **kwargs)
        self.customer = customer
        self.associates_for = associates_for
        # Any active associate parses; clean() then checks the one chosen against the chosen group.
        self.fields["associate"].queryset = Associate.objects.filter(active=True)
        self.fields["associate"].error_messages["invalid_choice"] = NOT_OFFERED
        self.fields["group"].error_messages["invalid_choice"] = "Choose one of the listed customer groups."

    def clean(self):
        cleaned = super().clean()
        group = cleaned.get("group") or self.customer.group
        associate = cleaned.get("associate")
        if associate is not None and not self.associates_for(group).filter(pk=associate.pk).exists():
            self.add_error("associate", NOT_OFFERED)
        return cleaned

    @property
    def changed_group(self) -> CustomerGroup | None:
        """The group chosen, when it is not the one the customer registered in (None: keep theirs)."""
        group = self.cleaned_data.get("group")
        return group if group is not None and group.pk != self.customer.group_id else None

    def first_error(self) -> str:
        return next(iter(self.errors.values()))[0]


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label="Token name", max_length=100, required=False,
        help_text="What the token is for, e.g. “ERP sync”. Only you and the admins see it.",
    )


class PayoutForm(forms.Form):
    """An admin records money paid to an associate (commissions.payouts.record_payout does the rest)."""

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
