from django.urls import path

from rabatt.editor import views

app_name = "editor"
urlpatterns = [
    path("", views.campaigns, name="campaigns"),
    path("<slug:slug>/", views.campaign, name="campaign"),
    path("<slug:slug>/<slug:action>/", views.act, name="act"),
]
