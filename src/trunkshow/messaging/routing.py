"""Websocket routes of the messaging app (mounted by ``trunkshow.asgi``)."""

from channels.auth import AuthMiddlewareStack
from channels.security.websocket import AllowedHostsOriginValidator
from django.urls import path

from trunkshow.messaging.consumers import StaffConsumer, WidgetConsumer

websocket_urlpatterns = [
    # The widget's origin is checked against the store's own list, in the consumer. No session or
    # user: a visitor is known by their token alone (and the auth middleware's user lookup was a
    # trip to the database thread on every handshake of a reconnect storm).
    path("ws/widget/<slug:store_slug>/", WidgetConsumer.as_asgi()),
    # Staff pages are served by Trunkshow itself: only its own hosts may open this one, with a session.
    path("ws/staff/", AllowedHostsOriginValidator(AuthMiddlewareStack(StaffConsumer.as_asgi()))),
]
