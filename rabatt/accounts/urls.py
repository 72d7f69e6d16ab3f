from django.urls import path

from rabatt.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login, name="login"),
    path("login/code/", views.verify, name="verify"),
    path("login/setup/", views.enrol, name="enrol"),
    path("logout/", views.logout, name="logout"),
    path("password/<str:uidb64>/<str:token>/", views.password_set, name="password_set"),
]
