"""Pages of the messaging app."""

from django.urls import path

from trunkshow.messaging import views

app_name = "messaging"

urlpatterns = [
    path("settings/chat/", views.chat_settings, name="chat_settings"),
    path("settings/whatsapp-templates/", views.whatsapp_templates, name="whatsapp_templates"),
    path("settings/whatsapp-templates/<int:template_id>/", views.whatsapp_templates, name="whatsapp_template_edit"),
    path(
        "settings/whatsapp-templates/<int:template_id>/delete/",
        views.whatsapp_template_delete,
        name="whatsapp_template_delete",
    ),
    path(
        "settings/whatsapp-templates/<int:template_id>/check/",
        views.whatsapp_template_review,
        name="whatsapp_template_review",
    ),
    path("demo-site/", views.demo_site, name="demo_site"),
]
