"""The ASGI entry point: Django for HTTP, Channels for websockets."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trunkshow.settings")

from django.core.asgi import get_asgi_application

django_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402

from trunkshow.core.concurrency import RequestLimit  # noqa: E402
from trunkshow.messaging.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": RequestLimit(django_app, settings.WEB_REQUEST_LIMIT),  # type: ignore[arg-type]
        "websocket": URLRouter(websocket_urlpatterns),  # the staff route has the session and user
    }
)

from django.urls import get_resolver  # noqa: E402

# The URLconf (the API's routers build their schemas) loads as the process starts, not on the
# first request: 0.5-0.9 s that the first person to open a page after a restart would wait.
_ = get_resolver().url_patterns

from trunkshow.core.gc_policy import gc_policy_install  # noqa: E402

# Last, with the application loaded: full collections stay short with thousands of sockets open.
gc_policy_install()
