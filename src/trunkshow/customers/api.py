"""API: customers and everything on their profile."""

from ninja import Router

router = Router(tags=["customers"])
