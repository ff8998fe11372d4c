"""Websocket routes of the messaging app (mounted by ``trunkshow.asgi``)."""

from channels.security.websocket import AllowedHostsOriginValidator
from django.urls import path

from trunkshow.messaging.consumers import StaffConsumer, WidgetConsumer

websocket_urlpatterns = [
    # The widget's origin is checked against the store's own list, in the consumer.
    path("ws/widget/<slug:store_slug>/", WidgetConsumer.as_asgi()),
    # Staff pages are served by Trunkshow itself: only its own hosts may open this one.
    path("ws/staff/", AllowedHostsOriginValidator(StaffConsumer.as_asgi())),
]
