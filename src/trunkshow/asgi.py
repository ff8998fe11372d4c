"""The ASGI entry point: Django for HTTP, Channels for websockets (added by later apps)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trunkshow.settings")

from django.core.asgi import get_asgi_application

django_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter  # noqa: E402

application = ProtocolTypeRouter({"http": django_app})
