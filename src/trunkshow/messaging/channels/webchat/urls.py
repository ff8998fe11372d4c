"""The widget's public URLs: ``/widget/<store>.js`` and ``/widget/api/<store>/...``."""

from django.urls import path

from trunkshow.messaging.channels.webchat import views

app_name = "widget"

urlpatterns = [
    path("<slug:store_slug>.js", views.widget_script, name="script"),
    path("api/<slug:store_slug>/config", views.widget_config, name="config"),
    path("api/<slug:store_slug>/conversations", views.conversation_start, name="start"),
    path("api/<slug:store_slug>/conversations/<int:conversation_id>/messages", views.messages, name="messages"),
    path("api/<slug:store_slug>/conversations/<int:conversation_id>/identify", views.identify, name="identify"),
    path("api/<slug:store_slug>/conversations/<int:conversation_id>/consent", views.consent, name="consent"),
    path("api/<slug:store_slug>/conversations/<int:conversation_id>/photos", views.photos, name="photos"),
    path(
        "api/<slug:store_slug>/conversations/<int:conversation_id>/photos/<int:photo_id>",
        views.photo,
        name="photo",
    ),
    path(
        "api/<slug:store_slug>/conversations/<int:conversation_id>/photos/<int:photo_id>/thumb",
        views.photo,
        {"thumb": True},
        name="photo_thumb",
    ),
]
