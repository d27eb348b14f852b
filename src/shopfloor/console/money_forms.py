"""The console's forms for an associate's money: simulating earnings, coupons, payout details, statements.

They only shape input; the rules (bounds, IBAN checks, who may do what) live in the
commissions services, whose errors the views put back on these fields.
"""

from decimal import Decimal

from django import forms

from shopfloor.attribution.models import CouponKind
from shopfloor.commissions.models import PayoutMethod

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _associate_choices(field, associates, empty_label):
    field.queryset = associates
    field.empty_label = empty_label
    field.label_from_instance = lambda associate: f"{associate.name} · {associate.store.name}"
    field.error_messages["invalid_choice"] = "Choose one of the listed associates."


# A select lists at most this many customers (the chosen one always); more would make the page heavy.
CUSTOMER_OPTIONS = 300


class SimulateForm(forms.Form):
    """Who buys and whom to credit; the product lines come as repeated sku/quantity/unit_price fields."""

    customer = forms.ModelChoiceField(
        queryset=None, required=False, label="Customer", empty_label="No customer (a walk-in sale)",
        help_text="Rules for a customer or their group apply only when you pick them.",
    )
    associate = forms.ModelChoiceField(queryset=None, required=False, label="Credit")

    def __init__(self, *args, customers, associates=None, associate_required=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customers
        self.fields["customer"].label_from_instance = lambda customer: (
            f"{customer.first_name} {customer.last_name}".strip() or customer.email or f"Customer {customer.pk}"
        )
        self.fields["customer"].error_messages["invalid_choice"] = "Choose one of the listed customers."
        # The whole queryset validates the choice; the options shown are the first ones and the chosen one.
        field = self.fields["customer"]
        shown = list(customers[:CUSTOMER_OPTIONS])
        chosen = str(self["customer"].value() or "")
        if chosen.isdigit() and all(str(customer.pk) != chosen for customer in shown):
            shown += list(customers.filter(pk=int(chosen)))
        field.widget.choices = [("", field.empty_label)] + [
            (customer.pk, field.label_from_instance(customer)) for customer in shown
        ]
        if associates is None:
            del self.fields["associate"]
        else:
            _associate_choices(self.fields["associate"], associates,
                               "Choose an associate" if associate_required else "Run the attribution")
            self.fields["associate"].required = associate_required
            self.fields["associate"].help_text = "The associate whose sale it would be."


class CouponForm(forms.Form):
    code = forms.CharField(
        label="Code", max_length=40, required=False,
        help_text="3–40 letters, digits, - or _. Leave empty and Shopfloor makes one up.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )
    kind = forms.ChoiceField(label="Discount", choices=CouponKind.choices)
    value = forms.DecimalField(
        label="Value", max_digits=12, decimal_places=2, min_value=Decimal("0.01"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    max_uses = forms.IntegerField(
        label="Uses", required=False, min_value=1,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    expires_on = forms.DateField(label="Valid through", required=False, widget=DATE_INPUT)
    associate = forms.ModelChoiceField(queryset=None, required=False, label="Owner")

    def __init__(self, *args, associates=None, associate_required=False, **kwargs):
        super().__init__(*args, **kwargs)
        if associates is None:
            del self.fields["associate"]
        else:
            _associate_choices(self.fields["associate"], associates,
                               "Choose an associate" if associate_required else "Me")
            self.fields["associate"].required = associate_required
            self.fields["associate"].help_text = "Sales with this code are credited to them."


class PayoutProfileForm(forms.Form):
    method = forms.ChoiceField(
        label="Method", required=False, widget=forms.RadioSelect,
        choices=[("", "Not chosen yet"), *PayoutMethod.choices],
    )
    paypal_email = forms.CharField(
        label="PayPal email", max_length=254, required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    account_holder = forms.CharField(
        label="Account holder", max_length=200, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    iban = forms.CharField(
        label="IBAN", max_length=50, required=False, help_text="Spaces are fine.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "class": "mono"}),
    )
    bic = forms.CharField(
        label="BIC", max_length=20, required=False, help_text="Optional: 8 or 11 letters and digits.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "class": "mono"}),
    )
    instructions = forms.CharField(
        label="Instructions", max_length=2000, required=False,
        help_text="For another method, say how you want to be paid. Anything the admin should know.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class StatementForm(forms.Form):
    start = forms.DateField(label="From", required=False, widget=DATE_INPUT)
    end = forms.DateField(label="To", required=False, widget=DATE_INPUT)
    associate = forms.ModelChoiceField(queryset=None, required=False, label="Associate")

    def __init__(self, *args, associates=None, **kwargs):
        super().__init__(*args, **kwargs)
        if associates is None:
            del self.fields["associate"]
        else:
            _associate_choices(self.fields["associate"], associates, "Choose an associate")
            self.fields["associate"].required = True

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", "Must not be before From.")
        return data
