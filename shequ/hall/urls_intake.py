"""Window intake, the receipt and the one-time notice (under /hall/intake/)."""

from django.urls import path

from shequ.hall import views_intake as views

urlpatterns = [
    path("", views.intake, name="intake"),
    path("identify/", views.intake_identify, name="intake-identify"),
    path("register/", views.intake_register, name="intake-register"),
    path("items/", views.intake_items, name="intake-items"),
    path("item/", views.intake_item, name="intake-item"),
    path("submit/", views.intake_submit, name="intake-submit"),
    path("receipt/<int:case_id>/", views.receipt, name="receipt"),
    path("notice/<int:notice_id>/", views.notice_print, name="notice-print"),
]
