"""Shopfloor: a self-hostable assisted-selling platform."""
