"""Orders recorded the way the product records them (orders.services.record_order)."""




