from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "trunkshow.core"
    label = "core"
