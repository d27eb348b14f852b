"""The demo retailer, Casa Lusa: `shopfloor demo` writes its stores, people, catalog, customers and orders once,
and has each app seed its own part (lists.demo, live.demo, ...)."""
