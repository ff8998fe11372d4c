"""Pages of the customer book, under /customers/."""

from django.urls import path

from trunkshow.customers import views, views_import, views_lists, views_privacy

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("new/", views.customer_new, name="new"),
    path("filter/", views_lists.customer_filter, name="filter"),
    path("export/", views_lists.customer_export, name="export"),
    path("segments/", views_lists.segment_manage, name="segments"),
    path("segments/new/", views_lists.segment_create, name="segment_create"),
    path("segments/<int:segment_id>/rename/", views_lists.segment_rename, name="segment_rename"),
    path("segments/<int:segment_id>/filters/", views_lists.segment_refilter, name="segment_refilter"),
    path("segments/<int:segment_id>/delete/", views_lists.segment_delete, name="segment_delete"),
    path("segments/<int:segment_id>/export/", views_lists.segment_export, name="segment_export"),
    path("segments/<int:segment_id>/count/", views_lists.segment_count, name="segment_count"),
    path("pick/", views.customer_pick, name="pick"),
    path("<int:customer_id>/", views.customer_detail, name="detail"),
    path("<int:customer_id>/edit/", views.customer_edit, name="edit"),
    path("<int:customer_id>/notes/", views.note_add, name="note_add"),
    path("<int:customer_id>/purchases/", views.purchase_add, name="purchase_add"),
    path("<int:customer_id>/dates/", views.date_add, name="date_add"),
    path("<int:customer_id>/dates/<int:obj_id>/delete/", views.date_delete, name="date_delete"),
    path("<int:customer_id>/interests/", views.interest_add, name="interest_add"),
    path("<int:customer_id>/interests/<int:obj_id>/delete/", views.interest_delete, name="interest_delete"),
    path("<int:customer_id>/sizes/", views.size_add, name="size_add"),
    path("<int:customer_id>/sizes/<int:obj_id>/delete/", views.size_delete, name="size_delete"),
    path("<int:customer_id>/phones/", views.phone_add, name="phone_add"),
    path("<int:customer_id>/phones/<int:obj_id>/delete/", views.phone_delete, name="phone_delete"),
    path("<int:customer_id>/emails/", views.email_add, name="email_add"),
    path("<int:customer_id>/emails/<int:obj_id>/delete/", views.email_delete, name="email_delete"),
    path("<int:customer_id>/consent/", views.consent_add, name="consent_add"),
    path("<int:customer_id>/merge/", views_privacy.merge_start, name="merge"),
    path("<int:customer_id>/merge/<int:other_id>/", views_privacy.merge_confirm, name="merge_confirm"),
    path("<int:customer_id>/not-same/<int:other_id>/", views_privacy.tell_apart, name="tell_apart"),
    path("<int:customer_id>/data.json", views_privacy.data_export, name="data_export"),
    path("<int:customer_id>/erase/", views_privacy.erase, name="erase"),
    path("imports/", views_import.import_list, name="imports"),
    path("imports/upload/", views_import.import_upload, name="import_upload"),
    path("imports/<int:job_id>/", views_import.import_detail, name="import_detail"),
    path("imports/<int:job_id>/start/", views_import.import_start, name="import_start"),
    path("imports/<int:job_id>/encoding/", views_import.import_encoding, name="import_encoding"),
    path("imports/<int:job_id>/cancel/", views_import.import_cancel, name="import_cancel"),
    path("imports/<int:job_id>/retry/", views_import.import_retry, name="import_retry"),
    path("imports/<int:job_id>/status/", views_import.import_status, name="import_status"),
]
