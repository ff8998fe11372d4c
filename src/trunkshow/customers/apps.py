from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "trunkshow.customers"
    label = "customers"

    def ready(self) -> None:
        # Merges register their timeline source; importing the module is enough.
        from trunkshow.customers import merging  # noqa: F401
