"""One request, one transaction: what a request that may write does is committed whole, or not at all."""

from django.db import transaction

# Methods that only read: they run without a request-wide transaction (on SQLite an IMMEDIATE one would
# queue every page view behind the writers). A GET that records something (a link click, a lookbook
# opened) writes through a service, in the service's own transaction.
READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class TransactionPerRequestMiddleware:
    """Run every request that may write in one database transaction, rolled back unless it succeeds.

    The middleware after this one and the view share the transaction: the session, the idempotency
    record and the view's writes commit together. A response with an error status (4xx or 5xx) or an
    exception writes nothing: invalid input, a refusal and a crash all leave the database as it was.
    Side effects are tasks written in the same transaction (shopfloor.jobs.defer), so they happen
    exactly when the writes do. Unlike Django's ATOMIC_REQUESTS it also covers the middleware, and
    it rolls back on error responses, not only on exceptions.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in READ_ONLY_METHODS:
            return self.get_response(request)
        with transaction.atomic():
            response = self.get_response(request)
            if response.status_code >= 400:
                transaction.set_rollback(True)
        return response
