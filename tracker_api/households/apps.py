from django.apps import AppConfig


class HouseholdsConfig(AppConfig):
    name = "tracker_api.households"
    label = "households"
    verbose_name = "Household"
    default_auto_field = "django.db.models.BigAutoField"
