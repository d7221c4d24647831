from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "govhall.catalog"
    label = "catalog"
    verbose_name = "事项库"

    def ready(self):
        from govhall.core import public_cache

        from .models import ServiceItem

        # What the public pages (home, search, guide, center) cache is invalidated by any change of these.
        public_cache.bump_on_change(
            "catalog.ServiceItem",
            "catalog.Guide",
            "catalog.Material",
            "catalog.Fee",
            "catalog.NegativeListEntry",
            "catalog.Theme",
            "catalog.Synonym",
            "centers.District",
            "centers.Department",
            "centers.Center",
            "centers.CenterAlias",
            "centers.OpeningHours",
            "centers.HoursException",
            "centers.Leadership",
            "centers.Zone",
            "centers.Facility",
        )
        public_cache.bump_on_m2m(ServiceItem.themes.through)
