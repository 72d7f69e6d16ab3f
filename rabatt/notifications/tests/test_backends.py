from django.core import mail
from django.test import override_settings


def test_filemail_writes_one_file_per_message(tmp_path):
    mailers = {"default": {"BACKEND": "rabatt.notifications.backends.OneFilePerMessageBackend",
                           "OPTIONS": {"directory": str(tmp_path)}}}
    with override_settings(MAILERS=mailers):
        mail.send_mail("One", "body", "a@example.com", ["b@example.com"])
        mail.send_mail("Two", "body", "a@example.com", ["c@example.com"])
    files = sorted(tmp_path.glob("*.eml"))
    assert len(files) == 2
    subjects = sorted(f.read_text().split("Subject: ")[1].split("\n")[0] for f in files)
    assert subjects == ["One", "Two"]
