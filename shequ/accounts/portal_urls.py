from django.urls import path

from shequ.accounts import portal_views

app_name = "portal"
urlpatterns = [
    path("", portal_views.home, name="home"),
    path("login/", portal_views.login_view, name="login"),
    path("register/", portal_views.register_view, name="register"),
    path("logout/", portal_views.logout_view, name="logout"),
    path("password/", portal_views.password_view, name="password"),
]
