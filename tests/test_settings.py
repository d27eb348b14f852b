"""Settings come from the environment, strictly parsed, safe by default."""

import os
import stat

import pytest
from django.core.exceptions import ImproperlyConfigured

from shopfloor.env import email_settings, env_bool, env_list, secret_key_from


def test_env_bool_refuses_a_word_it_does_not_know(monkeypatch):
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured):
        env_bool("DEBUG", False)


@pytest.mark.parametrize(("raw", "expected"), [("true", True), ("1", True), ("off", False), ("", False)])
def test_env_bool_reads_the_usual_words(monkeypatch, raw, expected):
    monkeypatch.setenv("DEBUG", raw)
    assert env_bool("DEBUG", not expected) is expected


def test_env_list_splits_on_commas(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", "shop.example.com, console.example.com,,")
    assert env_list("ALLOWED_HOSTS", []) == ["shop.example.com", "console.example.com"]


def test_a_secret_key_is_generated_once_and_kept_private(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = secret_key_from(tmp_path)
    assert len(first) >= 50
    assert secret_key_from(tmp_path) == first
    mode = stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode)
    assert mode == 0o600


def test_the_environment_secret_key_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert secret_key_from(tmp_path) == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()


def test_email_url_configures_smtp_with_tls():
    config = email_settings("smtp://mailer:p%40ss@mail.example.com:587?tls=true")
    assert config == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.example.com", "EMAIL_PORT": 587, "EMAIL_HOST_USER": "mailer",
        "EMAIL_HOST_PASSWORD": "p@ss", "EMAIL_USE_SSL": False, "EMAIL_USE_TLS": True,
    }


def test_email_defaults_to_the_console_and_refuses_unknown_schemes():
    assert email_settings(None)["EMAIL_BACKEND"].endswith("console.EmailBackend")
    with pytest.raises(ImproperlyConfigured):
        email_settings("pigeon://loft")


def test_debug_is_off_and_security_headers_are_on_by_default(client, db):
    from django.conf import settings

    assert settings.DEBUG is False
    response = client.get("/healthz")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_https_deployments_get_secure_cookies_and_hsts(tmp_path):
    import json
    import subprocess
    import sys

    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, "
        "s.SECURE_SSL_REDIRECT]))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "shopfloor.settings", "SHOPFLOOR_DATA_DIR": str(tmp_path)}
    plain = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    secure = subprocess.run([sys.executable, "-c", code], env={**env, "HTTPS": "true"},
                            capture_output=True, text=True, check=True)
    assert json.loads(plain.stdout) == [False, False, 0, False]
    assert json.loads(secure.stdout) == [True, True, 31536000, True]


def _database_settings(tmp_path, **environment) -> dict:
    import json
    import subprocess
    import sys

    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "d = s.DATABASES['default']; print(json.dumps([d['CONN_MAX_AGE'], d.get('OPTIONS', {}).get('pool')]))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "shopfloor.settings", "SHOPFLOOR_DATA_DIR": str(tmp_path),
           **environment}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def test_postgresql_connections_are_pooled_never_kept_per_thread(tmp_path):
    url = "postgres://shopfloor@127.0.0.1:5432/shopfloor"
    assert _database_settings(tmp_path, DATABASE_URL=url, DB_CONN_MAX_AGE="600") == [
        0, {"min_size": 1, "max_size": 20, "timeout": 10}]
    assert _database_settings(tmp_path, DATABASE_URL=url, DB_POOL_SIZE="50")[1]["max_size"] == 50
    assert _database_settings(tmp_path, DATABASE_URL=url, DB_POOL="false", DB_CONN_MAX_AGE="600") == [600, None]
    # SQLite has no pool; a thread may keep its connection when asked.
    assert _database_settings(tmp_path, DATABASE_URL="", DB_CONN_MAX_AGE="600") == [600, None]


def test_public_url_comes_from_the_environment(tmp_path):
    import json
    import subprocess
    import sys

    code = ("import json, django; django.setup(); from django.conf import settings as s; "
            "print(json.dumps(s.SHOPFLOOR['PUBLIC_URL']))")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "shopfloor.settings", "SHOPFLOOR_DATA_DIR": str(tmp_path),
           "PUBLIC_URL": "https://shopfloor.example.com"}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert json.loads(result.stdout) == "https://shopfloor.example.com"
