from django.http import HttpResponse
from django.urls import path

app_name = "customers"
urlpatterns = [path("", lambda request: HttpResponse("customers"), name="list")]
