from django.urls import path

from rabatt.claims.views import answer, bank, tracker, wizard

app_name = "claims"
urlpatterns = [
    path("track/", tracker.track, name="track"),
    path("claims/answer/<str:token>/", answer.answer, name="answer"),
    path("claims/bank/<str:token>/", bank.new_bank, name="new_bank"),
    path("claims/answer/<str:token>/files/", answer.answer_file_add, name="answer_file_add"),
    path("claims/answer/<str:token>/files/<uuid:file_id>/", answer.answer_file,
         name="answer_file"),
    path("claims/answer/<str:token>/files/<uuid:file_id>/remove/", answer.answer_file_remove,
         name="answer_file_remove"),
    path("c/<slug:slug>/claim/", wizard.wizard_start, name="wizard"),
    path("c/<slug:slug>/claim/quote/", wizard.wizard_quote, name="quote"),
    path("c/<slug:slug>/claim/files/", wizard.draft_file_add, name="draft_file_add"),
    path("c/<slug:slug>/claim/files/<uuid:file_id>/", wizard.draft_file, name="draft_file"),
    path("c/<slug:slug>/claim/files/<uuid:file_id>/remove/", wizard.draft_file_remove,
         name="draft_file_remove"),
    path("c/<slug:slug>/claim/files/reading/", wizard.draft_files_reading,
         name="draft_files_reading"),
    path("c/<slug:slug>/claim/files/<uuid:file_id>/fill/", wizard.draft_file_fill,
         name="draft_file_fill"),
    path("c/<slug:slug>/claim/done/", wizard.wizard_done, name="done"),
    path("c/<slug:slug>/claim/<slug:step>/", wizard.wizard_step, name="step"),
]
