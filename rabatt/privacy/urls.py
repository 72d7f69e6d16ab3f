from django.urls import path

from rabatt.privacy import views

app_name = "privacy"
urlpatterns = [
    path("", views.home, name="home"),
    path("sent/", views.request_sent, name="sent"),
    path("cookies/", views.cookies, name="cookies"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("staff/", views.staff_queue, name="staff_queue"),
    path("staff/<int:request_id>/", views.staff_request, name="staff_request"),
    # The link in the confirmation e-mail: SITE_URL + "/privacy/" + token.
    path("<str:token>", views.request_page, name="request"),
]
