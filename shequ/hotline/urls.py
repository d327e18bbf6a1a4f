from django.urls import path

from shequ.hotline import views, views_figures, views_lists

app_name = "hotline"
urlpatterns = [
    path("", views.desk, name="desk"),
    path("suggest/", views.suggest, name="suggest"),
    path("caller/", views.caller_lookup, name="caller-lookup"),
    path("cases/", views.case_list, name="case-list"),
    path("cases/<int:case_id>/dispatch/", views.case_dispatch, name="case-dispatch"),
    path("cases/<int:case_id>/send-back/", views.case_send_back, name="case-send-back"),
    path("cases/<int:case_id>/supervise/", views.case_supervise, name="case-supervise"),
    path("cases/<int:case_id>/assist/", views.case_assist, name="case-assist"),
    path("cases/<int:case_id>/caller/", views.caller_reveal, name="caller-reveal"),
    path("indicators/", views_figures.indicators, name="indicators"),
    path("indicators/export/", views_figures.indicators_export, name="indicators-export"),
    path("opinions/", views_figures.opinions, name="opinions"),
    path("categories/", views_lists.category_list, name="category-list"),
    path("categories/<int:category_id>/", views_lists.category_edit, name="category-edit"),
    path("units/", views_lists.unit_list, name="unit-list"),
    path("units/<int:unit_id>/", views_lists.unit_detail, name="unit-detail"),
    path("responsibility/", views_lists.responsibility_list, name="responsibility-list"),
    path("responsibility/delete/", views_lists.responsibility_delete, name="responsibility-delete"),
]
