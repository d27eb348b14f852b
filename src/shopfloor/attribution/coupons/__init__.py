"""Coupons: associates' discount codes and the admin's bounds on them (services), their admin and API."""
