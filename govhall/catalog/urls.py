from django.urls import path

from . import views, views_staff

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
    path("staff/catalog/import/<int:pk>/", views.staff_import_run, name="staff_import_run"),
    path("staff/catalog/export.xlsx", views.staff_export_xlsx, name="staff_export_xlsx"),
    path("staff/catalog/export.json", views.staff_export_json, name="staff_export_json"),
    path("staff/catalog/items/new/", views_staff.item_new, name="staff_item_new"),
    path("staff/catalog/items/<int:pk>/", views_staff.item_edit, name="staff_item"),
    path("staff/catalog/items/<int:pk>/guide/", views_staff.guide_edit, name="staff_guide"),
    path(
        "staff/catalog/items/<int:pk>/guide/publish/", views_staff.guide_publish, name="staff_guide_publish"
    ),
    path("staff/catalog/items/<int:pk>/versions/", views_staff.guide_versions, name="staff_versions"),
    path(
        "staff/catalog/items/<int:pk>/versions/<int:version>/",
        views_staff.guide_version,
        name="staff_version",
    ),
    path("staff/catalog/negative-list/", views_staff.negative_list, name="staff_negative"),
    path(
        "staff/catalog/negative-list/<int:pk>/revoke/",
        views_staff.negative_revoke,
        name="staff_negative_revoke",
    ),
    path("staff/catalog/synonyms/", views_staff.synonyms, name="staff_synonyms"),
    path("staff/catalog/synonyms/<int:pk>/", views_staff.synonyms, name="staff_synonym"),
    path("staff/catalog/synonyms/<int:pk>/delete/", views_staff.synonym_delete, name="staff_synonym_delete"),
]
