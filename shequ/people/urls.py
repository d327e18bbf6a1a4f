from django.urls import path

from shequ.people import views

app_name = "people"
urlpatterns = [
    path("", views.person_list, name="person-list"),
    path("<int:person_id>/", views.person_detail, name="person-detail"),
    path("<int:person_id>/reveal/", views.person_reveal, name="person-reveal"),
]
