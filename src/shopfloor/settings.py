"""Shopfloor settings, read from the environment (see README "Configuration")."""

import os
from pathlib import Path

import dj_database_url

from shopfloor.env import email_settings, env_bool, env_int, env_list, secret_key_from

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("SHOPFLOOR_DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)
(DATA_DIR / "static").mkdir(exist_ok=True)

SECRET_KEY = secret_key_from(DATA_DIR)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "shopfloor.accounts",
    "shopfloor.customers",
    "shopfloor.catalog",
    "shopfloor.attribution",
    "shopfloor.orders",
    "shopfloor.commissions",
    "shopfloor.comms",
    "shopfloor.agents",
    "shopfloor.lists",
    "shopfloor.clienteling",
    "shopfloor.lookbooks",
    "shopfloor.outreach",
    "shopfloor.widget",
    "shopfloor.live",
    "shopfloor.storefront",
    "shopfloor.console",
    "shopfloor.demo",
    "shopfloor.site",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # One transaction per request that may write (every method but GET, HEAD and OPTIONS): what the
    # middleware below and the view write commits together, or not at all.
    "shopfloor.transactions.TransactionPerRequestMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Shop as customer: request.shopping_as, its time limit and its audit of the shop's POSTs.
    "shopfloor.storefront.impersonation.ShopAsMiddleware",
    "shopfloor.apikit.IdempotencyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "shopfloor.urls"
ASGI_APPLICATION = "shopfloor.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Storage: a SQLite file in the data dir unless DATABASE_URL says otherwise.
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'shopfloor.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers work beside the one writer; synchronous=FULL syncs the log at every COMMIT,
        # so a write answered 2xx survives a power cut. IMMEDIATE takes the write lock at BEGIN, so two
        # writers queue (for up to `timeout` seconds) instead of one failing with "database is locked"
        # halfway through its transaction. A larger page cache and memory-mapped reads keep the search's
        # and the ledger's indexes in memory on large databases (bench/customer_search.py).
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                        "PRAGMA cache_size=-32768; PRAGMA mmap_size=268435456; PRAGMA temp_store=MEMORY;",
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("SQLITE_BUSY_TIMEOUT", 20),
    }
    # A file, not memory, so the browser tests' server process sees the test data.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
else:
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("TEST_DATABASE_NAME", "test_shopfloor")}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("DB_POOL", True):
        # Under ASGI each HTTP request runs on a thread of its own, so a persistent connection
        # (CONN_MAX_AGE) would be opened, and left open, by every request; psycopg's pool lends each
        # request a connection and takes it back when the request ends.
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1, "max_size": env_int("DB_POOL_SIZE", 20), "timeout": 10,
        }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
# Messages a socket's channel holds on one process; beyond it a message is dropped (Channels' default is 100).
IN_MEMORY_CHANNEL_CAPACITY = 1000
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "shopfloor.live.layers.RedisPubSubLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": os.environ.get("CHANNEL_PREFIX", "shopfloor")},
        }
    }
else:
    # Channels' own layer, with room for a burst of a store's page changes (shopfloor/live/layers.py).
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer",
                                  "CONFIG": {"capacity": IN_MEMORY_CHANNEL_CAPACITY}}}

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        # shopfloor.jobs: "default" (email, text messages, scheduled jobs) and "live" (broadcasts to sockets).
        "QUEUES": ["default", "live"],
    }
}

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
if env_bool("SHOPFLOOR_FAST_PASSWORD_HASHING", False):
    # Tests only: hashing a password per test user would dominate the suite's time.
    PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
LOGIN_URL = "console:login"
LOGIN_REDIRECT_URL = "console:home"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve app static files straight from their folders, so `serve` needs no collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

vars().update(email_settings(os.environ.get("EMAIL_URL")))
# Seconds an SMTP conversation may take before the sending task fails (and is retried later).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Shopfloor <shopfloor@localhost>")

# Safe by default: the headers are always on; cookies and HSTS require HTTPS,
# which the deployment declares (the README's run command serves plain http).
HTTPS = env_bool("HTTPS", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
if env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Product settings.
SHOPFLOOR = {
    # Default page size and its ceiling for API lists.
    "API_PAGE_SIZE": 50,
    "API_MAX_PAGE_SIZE": 200,
    # How long an Idempotency-Key answers with its first response.
    "IDEMPOTENCY_TTL_HOURS": 24,
    # The store the demo shop at /shop/ sells for (its code); the first store when empty.
    "DEMO_SHOP_STORE": os.environ.get("DEMO_SHOP_STORE", ""),
    # Where Shopfloor is served (https://shopfloor.example.com), for links in messages sent outside a
    # request (shopfloor.links); `shopfloor serve` defaults it to the address it serves.
    "PUBLIC_URL": os.environ.get("PUBLIC_URL", ""),
    # Whether a serving process also runs the default task queue (email, text messages, scheduled jobs);
    # false when separate `shopfloor worker` processes do (`shopfloor serve --no-worker`).
    "SERVER_WORKER": env_bool("SHOPFLOOR_WORKER", True),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # A line per task run is noise; failures are still logged (and kept with the task's result).
        "django_tasks": {"level": "WARNING"},
        "django_tasks_db": {"level": "WARNING"},
    },
}
