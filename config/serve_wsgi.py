"""The WSGI application of `make serve` only: the site, plus the collected static files served
from STATIC_ROOT, as the reverse proxy serves them in production (config.wsgi has no static
files: put `location /static/ { alias STATIC_ROOT/; }` or its equivalent in the proxy)."""

from __future__ import annotations

import os
from typing import Any

from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest
from django.views import static

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


class CollectedStaticFiles(StaticFilesHandler):
    """Django's own static-files handler (runserver's), reading what `collectstatic` wrote
    rather than the apps' source folders, so that a file missing from STATIC_ROOT is missing
    here too."""

    def serve(self, request: HttpRequest) -> Any:  # a FileResponse, or 304 Not Modified
        from django.conf import settings

        return static.serve(request, self.file_path(request.path), document_root=str(settings.STATIC_ROOT))


application: Any = CollectedStaticFiles(get_wsgi_application())
