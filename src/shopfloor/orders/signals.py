"""What happens to an order, told to the apps that act on it: the commissions accrue, hold and reverse
earnings (`commissions.receivers`).

The orders app sits below the commissions (the ledger points at orders), so it announces instead of
calling. Each signal is sent inside the transaction that writes the change, after the change is saved:
a receiver's writes commit or roll back with the order, and a receiver that raises fails the whole
request — an order is never recorded without its earnings. Receivers write to the database only;
anything sent elsewhere is a task (`jobs.defer`).
"""

from django.dispatch import Signal

# A new order and its lines were saved: order=, lines= (the saved OrderLine rows, in body order).
order_recorded = Signal()

# An order moved to another status: order= (saved, with the new status), previous=, status=.
order_status_changed = Signal()

# A refund was saved: refund= (its order is refund.order).
order_refunded = Signal()
