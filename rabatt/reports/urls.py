from django.urls import path

from rabatt.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("weekly/", views.weekly, name="weekly"),
    path("export/<slug:what>.<slug:fmt>", views.export, name="export"),
]
