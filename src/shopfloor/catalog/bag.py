"""The demo shop's shopping bag, kept in the visitor's session until checkout turns it into an order."""

import secrets
from dataclasses import dataclass
from decimal import Decimal

from shopfloor.catalog import selectors
from shopfloor.catalog.models import Product
from shopfloor.money import ZERO, to_cents

SESSION_KEY = "shop_bag"
# One order per filled bag: the key becomes the order's external id, so a double-clicked
# checkout records the order once (record_order is idempotent by external id).
CHECKOUT_KEY = "shop_checkout_key"
MAX_QUANTITY = 20
# The coupon code the shopper applied; checked again at checkout.
COUPON_KEY = "shop_coupon"


@dataclass
class BagLine:
    product: Product
    quantity: int

    @property
    def line_total(self) -> Decimal:
        return to_cents(self.product.price * self.quantity)


class Bag:
    def __init__(self, session):
        self.session = session

    @property
    def _items(self) -> dict[str, int]:
        return dict(self.session.get(SESSION_KEY) or {})

    def _save(self, items: dict[str, int]) -> None:
        self.session[SESSION_KEY] = items
        if items and not self.session.get(CHECKOUT_KEY):
            self.session[CHECKOUT_KEY] = secrets.token_hex(8)

    @property
    def count(self) -> int:
        return sum(self._items.values())

    def add(self, product: Product, quantity: int) -> int:
        items = self._items
        items[product.sku] = max(1, min(MAX_QUANTITY, items.get(product.sku, 0) + quantity))
        self._save(items)
        return items[product.sku]

    def set(self, sku: str, quantity: int) -> None:
        items = self._items
        if quantity <= 0:
            items.pop(sku, None)
        elif sku in items:
            items[sku] = min(MAX_QUANTITY, quantity)
        self._save(items)

    def lines(self) -> list[BagLine]:
        items = self._items
        products = selectors.products_by_sku(items)
        return [BagLine(products[sku], quantity) for sku, quantity in items.items() if sku in products]

    @staticmethod
    def subtotal(lines: list[BagLine]) -> Decimal:
        return sum((line.line_total for line in lines), ZERO)

    @property
    def checkout_key(self) -> str:
        return self.session.get(CHECKOUT_KEY) or ""

    @property
    def coupon_code(self) -> str:
        return self.session.get(COUPON_KEY) or ""

    def set_coupon(self, code: str) -> None:
        if code:
            self.session[COUPON_KEY] = code
        else:
            self.session.pop(COUPON_KEY, None)

    def clear(self) -> None:
        self.session.pop(SESSION_KEY, None)
        self.session.pop(CHECKOUT_KEY, None)
        self.session.pop(COUPON_KEY, None)
