from django.urls import path

from . import views

app_name = "catalog"
urlpatterns = [
    path("items/", views.items_list, name="items"),
    path("items/<str:key>/", views.item_detail, name="item"),
    path("items/<str:key>/guide.pdf", views.item_pdf, name="item_pdf"),
    path("items/<str:key>/qr.svg", views.item_qr, name="item_qr"),
    path("negative-list/", views.negative_list_page, name="negative_list"),
    path("centers/<slug:code>/items/", views.center_items, name="center_items"),
    path("staff/catalog/", views.staff_catalog, name="staff_list"),
    path("staff/catalog/import/", views.staff_import, name="staff_import"),
    path("staff/catalog/export.xlsx", views.staff_export_xlsx, name="staff_export_xlsx"),
    path("staff/catalog/export.json", views.staff_export_json, name="staff_export_json"),
]
