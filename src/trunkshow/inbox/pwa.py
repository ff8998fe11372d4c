"""The staff app as an installable PWA: manifest, icons drawn once with Pillow, the service worker, push sign-up."""

from __future__ import annotations

import io
import json
from functools import cache

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from PIL import Image, ImageDraw

from trunkshow.inbox import push
from trunkshow.stores.access import store_page

ICON_SIZES = (192, 512)
ACCENT = (31, 58, 95)


@cache
def _icon_png(size: int) -> bytes:
    """A sapphire diamond on white, with room around it so "maskable" crops keep it whole."""
    image = Image.new("RGB", (size, size), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    c, r = size / 2, size * 0.3
    draw.polygon([(c, c - r), (c + r, c), (c, c + r), (c - r, c)], fill=ACCENT)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


@require_GET
def icon(request: HttpRequest, size: int) -> HttpResponse:
    if size not in ICON_SIZES:
        raise Http404("No icon of that size")
    response = HttpResponse(_icon_png(size), content_type="image/png")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@cache
def _favicon_ico() -> bytes:
    out = io.BytesIO()
    Image.open(io.BytesIO(_icon_png(192))).save(out, format="ICO", sizes=[(16, 16), (32, 32), (48, 48)])
    return out.getvalue()


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Our pages name their icon inline; this answers what asks /favicon.ico anyway (a browser showing an
    image or JSON from us, a bookmark), instead of a 404 in the console and the log."""
    response = HttpResponse(_favicon_ico(), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    data = {
        "name": "Trunkshow",
        "short_name": "Trunkshow",
        "start_url": "/inbox/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#f7f7f5",
        "theme_color": "#1f3a5f",
        "icons": [
            {"src": f"/icons/{s}.png", "sizes": f"{s}x{s}", "type": "image/png", "purpose": "any maskable"}
            for s in ICON_SIZES
        ],
    }
    return HttpResponse(json.dumps(data), content_type="application/manifest+json")


SERVICE_WORKER = """// Trunkshow's service worker: keeps the app shell for offline, shows web pushes, opens their conversation.
const SHELL = "trunkshow-shell-v1";
const ASSETS = [%(assets)s];
self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(ASSETS)).then(() => self.skipWaiting()));
});
self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== SHELL).map((k) => caches.delete(k)))));
});
self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  if (request.mode === "navigate") {
    // Pages come from the network (they hold live data); offline, say so instead of a browser error.
    event.respondWith(fetch(request).catch(() => new Response(
      "<!doctype html><meta name=viewport content='width=device-width'><title>Offline</title>" +
      "<p style='font-family:system-ui;padding:2rem'>%(offline)s</p>", { headers: { "Content-Type": "text/html" } })));
    return;
  }
  if (ASSETS.includes(new URL(request.url).pathname)) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
  }
});
self.addEventListener("push", (event) => {
  let data = {};
  try { data = event.data ? event.data.json() : {}; } catch { data = { title: "Trunkshow", body: event.data.text() }; }
  event.waitUntil(self.registration.showNotification(data.title || "Trunkshow", {
    body: data.body || "", tag: data.tag, data: { url: data.url || "/inbox/" }, icon: "/icons/192.png",
  }));
});
self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = event.notification.data && event.notification.data.url || "/inbox/";
  event.waitUntil(clients.matchAll({ type: "window" }).then((list) => {
    for (const client of list) { if (new URL(client.url).pathname === url) return client.focus(); }
    return clients.openWindow(url);
  }));
});
"""


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    assets = [static("trunkshow/app.css"), static("trunkshow/inbox.js"), "/icons/192.png"]
    body = SERVICE_WORKER % {
        "assets": ", ".join(json.dumps(a) for a in assets),
        "offline": _("You are offline. Trunkshow will be back when the connection is."),
    }
    response = HttpResponse(body, content_type="text/javascript")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


@store_page("inbox.view")
@require_GET
def push_key(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"public_key": push.public_key()})


@store_page("inbox.view")
@require_POST
def push_subscribe(request: HttpRequest) -> JsonResponse:
    try:
        data = json.loads(request.body or b"{}")
        push.push_subscribe(store=request.store, user=request.user, data=data)  # type: ignore[attr-defined]
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"error": {"code": "invalid", "message": _("Send JSON."), "fields": {}}}, status=400)
    except ValidationError as exc:
        message = " ".join(m for ms in exc.message_dict.values() for m in ms)
        return JsonResponse({"error": {"code": "invalid", "message": message, "fields": exc.message_dict}}, status=400)
    return JsonResponse({"ok": True}, status=201)
