"""API: the store and its staff (read)."""

from ninja import Router

router = Router(tags=["stores"])
