from django.urls import path

from rabatt.codes import views as codes_views
from rabatt.referrals import views

app_name = "referrals"
urlpatterns = [
    path("staff/", views.staff, name="staff"),
    path("progress/<str:signed>/", views.progress, name="progress"),
    # Unsubscribe from the code distribution e-mails (RFC 8058 one-click and a page).
    path("unsubscribe/<str:signed>/", codes_views.unsubscribe, name="unsubscribe"),
    path("<str:token>/", views.link, name="link"),
    path("<str:token>/done/", views.done, name="done"),
    path("<str:token>/progress/", views.progress_request, name="progress_request"),
]
