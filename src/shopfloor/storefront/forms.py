"""The shopper's forms: sign in with an email address, create an account."""

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm

from shopfloor.accounts.models import User
from shopfloor.errors import InvalidInput


class NoColonLabels:
    """Labels read "Email", not "Email:"; the layout already sets them apart."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class ShopLoginForm(NoColonLabels, AuthenticationForm):
    username = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )
    password = forms.CharField(
        label="Password", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That email and password do not match an account. Check both and try again.",
    }

    def clean_username(self):
        # Logins are stored lower-cased; people type their address however they like.
        return self.cleaned_data["username"].strip().lower()


class RegistrationForm(NoColonLabels, forms.Form):
    first_name = forms.CharField(
        label="First name", max_length=100, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label="Last name", max_length=100, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    email = forms.EmailField(label="Email", widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    phone = forms.CharField(
        label="Phone", required=False, max_length=30,
        help_text="Optional. So your sales representative can reach you, e.g. +351 912 345 678.",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    password = forms.CharField(
        label="Password", strip=False, help_text="At least 8 characters; not a common password.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    email_opt_in = forms.BooleanField(
        label="Email me new collections and private events", required=False,
    )

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            candidate = User(email=cleaned.get("email", ""),
                             name=f"{cleaned.get('first_name', '')} {cleaned.get('last_name', '')}")
            try:
                password_validation.validate_password(password, candidate)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned

    def add_service_errors(self, error: InvalidInput) -> None:
        """Show a service's refusal next to the field it names (or above the form)."""
        for loc, message in error.errors:
            name = loc[-1] if loc else None
            self.add_error(name if name in self.fields else None, message)
