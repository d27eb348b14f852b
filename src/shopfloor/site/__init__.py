"""Running Shopfloor as a whole: `shopfloor serve` (migrate, check, serve over ASGI) and `shopfloor worker`
(background tasks and the scheduled jobs)."""
