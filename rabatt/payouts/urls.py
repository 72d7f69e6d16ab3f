from django.urls import path

from rabatt.payouts import views

app_name = "payouts"
urlpatterns = [
    path("", views.index, name="index"),
    path("build/", views.build, name="build"),
    path("due/", views.due, name="due"),
    path("batches/<int:batch_id>/", views.batch_detail, name="batch"),
    path("batches/<int:batch_id>/approve/", views.batch_approve, name="approve"),
    path("batches/<int:batch_id>/cancel/", views.batch_cancel, name="cancel"),
    path("batches/<int:batch_id>/export/", views.batch_export, name="export"),
    path("batches/<int:batch_id>/file/", views.batch_file, name="file"),
    path("imports/", views.import_upload, name="import"),
    path("imports/<int:import_id>/", views.import_detail, name="import_detail"),
]
