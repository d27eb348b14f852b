"""Selling on a customer's behalf: shop-as-customer sessions and pending-payment orders (services), the settings
row, the admin and the API."""
