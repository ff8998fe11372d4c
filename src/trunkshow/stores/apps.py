from django.apps import AppConfig


class StoresConfig(AppConfig):
    name = "trunkshow.stores"
    label = "stores"
