"""The commissions' side of an order's life (`orders.signals`): earn when it is recorded or paid,
start the hold when it is completed, take back when it is cancelled or refunded.

Each runs in the transaction that changed the order (see `orders.signals`).
"""

from django.dispatch import receiver

from shopfloor.commissions import services
from shopfloor.orders.models import OrderStatus
from shopfloor.orders.signals import order_recorded, order_refunded, order_status_changed


@receiver(order_recorded, dispatch_uid="commissions.accrue_recorded_order")
def accrue_recorded_order(sender, order, lines, **kwargs):
    services.accrue_new_order(order, lines)


@receiver(order_status_changed, dispatch_uid="commissions.follow_order_status")
def follow_order_status(sender, order, status, **kwargs):
    if status == OrderStatus.PLACED:
        # A pending-payment order earns once it is paid.
        services.accrue_order(order)
    elif status == OrderStatus.COMPLETED:
        services.note_order_completed(order)
    elif status == OrderStatus.CANCELLED:
        services.reverse_for_cancellation(order)


@receiver(order_refunded, dispatch_uid="commissions.reverse_refunded_share")
def reverse_refunded_share(sender, refund, **kwargs):
    services.reverse_for_refund(refund)
