"""Pages of the customer book, under /customers/."""

from django.urls import path

from trunkshow.customers import views, views_lists

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
]
