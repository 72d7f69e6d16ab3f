from django.urls import path

from rabatt.claims import views

app_name = "claims"
urlpatterns = [
    path("track/", views.track, name="track"),
    path("claims/answer/<str:token>/", views.answer, name="answer"),
    path("claims/answer/<str:token>/files/", views.answer_file_add, name="answer_file_add"),
    path("claims/answer/<str:token>/files/<uuid:file_id>/", views.answer_file,
         name="answer_file"),
    path("claims/answer/<str:token>/files/<uuid:file_id>/remove/", views.answer_file_remove,
         name="answer_file_remove"),
    path("c/<slug:slug>/claim/", views.wizard_start, name="wizard"),
    path("c/<slug:slug>/claim/quote/", views.wizard_quote, name="quote"),
    path("c/<slug:slug>/claim/files/", views.draft_file_add, name="draft_file_add"),
    path("c/<slug:slug>/claim/files/<uuid:file_id>/", views.draft_file, name="draft_file"),
    path("c/<slug:slug>/claim/files/<uuid:file_id>/remove/", views.draft_file_remove,
         name="draft_file_remove"),
    path("c/<slug:slug>/claim/done/", views.wizard_done, name="done"),
    path("c/<slug:slug>/claim/<slug:step>/", views.wizard_step, name="step"),
]
