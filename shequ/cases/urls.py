from django.urls import path

from shequ.cases import views, views_inbox

app_name = "cases"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("inbox/", views_inbox.inbox_view, name="inbox"),
    path("inbox/read/", views_inbox.inbox_read, name="inbox-read"),
    path("<int:case_id>/", views.case_detail, name="case-detail"),
    path("<int:case_id>/transition/", views.case_transition_view, name="case-transition"),
    path("<int:case_id>/extend/", views.case_extend_view, name="case-extend"),
    path("<int:case_id>/rate/", views.case_rate_view, name="case-rate"),
    path("<int:case_id>/attachments/", views.case_attach, name="case-attach"),
    path(
        "<int:case_id>/attachments/<int:attachment_id>/",
        views.case_attachment,
        name="case-attachment",
    ),
]
