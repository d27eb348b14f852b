"""Reads about associates."""

from django.urls import reverse


def photo_url(associate) -> str:
    """The uploaded photo, else a generated initials avatar (served locally, never from outside)."""
    if associate.photo:
        return associate.photo.url
    return reverse("storefront:avatar", args=[associate.pk])
