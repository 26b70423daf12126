"""Where uploaded files live: an S3 bucket when ``S3_BUCKET`` is set, else local files.

Either way the files are private: the local storage has no base URL, and the bucket's objects
are written with the ``private`` ACL and only ever reached through an access-checked view, which
streams them or redirects to a presigned URL valid for ``S3_PRESIGNED_SECONDS``
(``instruction/files.py``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from config.env import env_choice, env_int, env_str

S3_BACKEND = "storages.backends.s3.S3Storage"
DOWNLOAD_MODES = ("stream", "redirect")


def s3_options(
    *,
    bucket: str,
    endpoint_url: str = "",
    region: str = "",
    access_key: str = "",
    secret_key: str = "",
    presigned_seconds: int = 120,
) -> dict[str, Any]:
    """django-storages options for a private bucket (also used by the tests against moto)."""
    if presigned_seconds < 1 or presigned_seconds > 3600:
        raise ImproperlyConfigured("S3_PRESIGNED_SECONDS must be between 1 and 3600")
    if bool(access_key) != bool(secret_key):
        raise ImproperlyConfigured("S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together")
    return {
        "bucket_name": bucket,
        "endpoint_url": endpoint_url or None,
        "region_name": region or None,
        # Empty: boto3's own chain (instance role, AWS_* variables, ~/.aws) finds the credentials.
        "access_key": access_key or None,
        "secret_key": secret_key or None,
        "default_acl": "private",
        "querystring_auth": True,  # url() is always a presigned URL, never a public one
        "querystring_expire": presigned_seconds,
        "custom_domain": None,
        "signature_version": "s3v4",
        # A custom endpoint (MinIO, Scaleway, OVH, moto) is addressed by path: no DNS per bucket.
        "addressing_style": "path" if endpoint_url else "auto",
        # Names are random (uuid4): no existence check (one HEAD per upload) before writing.
        "file_overwrite": True,
    }


def storages_from_env(media_root: Path) -> dict[str, dict[str, Any]]:
    """Django's STORAGES, read from the environment."""
    bucket = env_str("S3_BUCKET")
    if bucket:
        default: dict[str, Any] = {
            "BACKEND": S3_BACKEND,
            "OPTIONS": s3_options(
                bucket=bucket,
                endpoint_url=env_str("S3_ENDPOINT_URL"),
                region=env_str("S3_REGION"),
                access_key=env_str("S3_ACCESS_KEY_ID"),
                secret_key=env_str("S3_SECRET_ACCESS_KEY"),
                presigned_seconds=env_int("S3_PRESIGNED_SECONDS", 120),
            ),
        }
    else:
        # No MEDIA_URL and no base URL: local files are served by access-checked views only.
        default = {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(media_root), "base_url": None},
        }
    return {
        "default": default,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def download_mode_from_env() -> str:
    """How an S3 file reaches the browser once access is checked: ``stream`` through the app, or
    ``redirect`` to a short-lived presigned URL. Local files are always streamed."""
    return env_choice("S3_DOWNLOAD", DOWNLOAD_MODES, "stream")
