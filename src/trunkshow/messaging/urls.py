"""Pages of the messaging app."""

from django.urls import path

from trunkshow.messaging import views

app_name = "messaging"

urlpatterns = [
    path("settings/chat/", views.chat_settings, name="chat_settings"),
    path("demo-site/", views.demo_site, name="demo_site"),
]
