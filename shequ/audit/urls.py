from django.urls import path

from shequ.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.event_list, name="event-list"),
    path("<int:event_id>/", views.event_detail, name="event-detail"),
    path("verify/", views.event_verify, name="verify"),
    path("export/", views.event_export, name="event-export"),
]
