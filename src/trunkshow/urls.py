"""Every URL of Trunkshow: pages per app, the API with each app's router, probes."""

from django.urls import include, path
from django.views.generic import RedirectView

from trunkshow.core.api import build_api
from trunkshow.core.health import healthz, readyz
from trunkshow.inbox import pwa
from trunkshow.messaging import media
from trunkshow.messaging.channels.email import webhooks as email_hooks

api = build_api()
# Routers are added here, in dependency order, so core never imports an app.
from trunkshow.customers.api import router as customers_router  # noqa: E402
from trunkshow.customers.api_imports import router as imports_router  # noqa: E402
from trunkshow.customers.api_privacy import router as customer_privacy_router  # noqa: E402
from trunkshow.customers.api_segments import router as segments_router  # noqa: E402
from trunkshow.inbox.api import messages_router, replies_router, reports_router  # noqa: E402
from trunkshow.inbox.api import router as conversations_router  # noqa: E402
from trunkshow.messaging.api import router as whatsapp_templates_router  # noqa: E402
from trunkshow.stores.api import router as stores_router  # noqa: E402

api.add_router("/", stores_router)
api.add_router("/customers", customers_router)
api.add_router("/customers", customer_privacy_router)
api.add_router("/imports", imports_router)
api.add_router("/segments", segments_router)
api.add_router("/conversations", conversations_router)
api.add_router("/messages", messages_router)
api.add_router("/saved-replies", replies_router)
api.add_router("/reports", reports_router)
api.add_router("/whatsapp-templates", whatsapp_templates_router)

urlpatterns = [
    path("api/v1/", api.urls),
    path("", RedirectView.as_view(pattern_name="inbox:list", permanent=False)),
    path("", include("trunkshow.stores.urls")),
    path("customers/", include("trunkshow.customers.urls")),
    path("inbox/", include("trunkshow.inbox.urls")),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("icons/<int:size>.png", pwa.icon, name="icon"),
    path("favicon.ico", pwa.favicon, name="favicon"),
    path("", include("trunkshow.messaging.urls")),
    path("widget/", include("trunkshow.messaging.channels.webchat.urls")),
    path("hooks/email/inbound", email_hooks.inbound, name="email_inbound"),
    path("hooks/twilio/", include("trunkshow.messaging.channels.twilio.urls")),
    path("media/attachments/<str:token>/", media.signed, name="attachment_signed"),
    path("media/attachments/<str:token>/thumb/", media.signed, {"thumb": True}, name="attachment_signed_thumb"),
    path("healthz", healthz),
    path("readyz", readyz),
]

handler500 = "trunkshow.core.errors.server_error"
