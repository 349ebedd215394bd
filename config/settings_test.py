"""Settings for the test suite: the normal settings with a development key allowed."""

import os

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("SECRET_KEY", "pins-test-only-key")

from config.settings import *  # noqa: E402,F403

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
BALLOT_PSEUDONYM_KEY = "test-pseudonym-key"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
HTML_WRITE_RATE = "1000/60"
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"writes": "1000/min"}}  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
