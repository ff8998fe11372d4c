from django.urls import path

from trunkshow.messaging.channels.twilio import webhooks

urlpatterns = [
    path("<slug:slug>/inbound", webhooks.inbound, name="twilio_inbound"),
    path("<slug:slug>/status", webhooks.status, name="twilio_status"),
]
