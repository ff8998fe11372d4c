from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "trunkshow.customers"
    label = "customers"
