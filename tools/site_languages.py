"""MkDocs hook: each language is a complete site of its own.

mkdocs.yml holds the configuration shared by every language, the one nav, and the English
site; each file in ``extra.translations`` (mkdocs.zh.yml) inherits it (``INHERIT``) and
sets the language, its docs folder and its site URL.  After the English site is built,
this hook builds every translation into ``<site_dir>/<language>/`` with the same
options (``--strict`` included: a warning in the Chinese build fails the English one),
so ``mkdocs build`` and ``mkdocs serve`` keep producing the whole site and each language
gets its own search index, ``sitemap.xml`` and 404 page.

During ``mkdocs serve`` a missing page under ``/<language>/`` gets that language's 404
page (mkdocs' dev server would send the English one; a static host needs the same rule,
see README.md).

It also translates the nav: section titles (and titled pages such as "Home") come from
``extra.nav_translations.<language>``; a title without a translation is a warning.
"""

from __future__ import annotations

import logging
import os
import threading

from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.structure.nav import Section

log = logging.getLogger("mkdocs.hooks.site_languages")


def _translate(items, table, titled, missing):
    for item in items:
        if isinstance(item, Section) or (item.is_page and item.file.src_uri in titled):
            if item.title in table:
                item.title = table[item.title]
            else:
                missing.append(item.title)
        if isinstance(item, Section):
            _translate(item.children, table, titled, missing)


def on_nav(nav, config, files):
    language = config.theme["language"]
    if language == "en":
        return nav
    table = config.extra.get("nav_translations", {}).get(language, {})
    missing = []
    _translate(nav.items, table, _titled_entries(config.nav), missing)
    for title in missing:
        log.warning(f"nav title {title!r} has no {language} translation: add it to "
                    f"extra.nav_translations.{language} in mkdocs.yml")
    return nav


def _titled_entries(nav_config) -> set[str]:
    """Paths of nav entries written as ``- Title: path.md`` (their title needs translating)."""
    out = set()
    for entry in nav_config or []:
        if isinstance(entry, dict):
            for value in entry.values():
                if isinstance(value, str):
                    out.add(value)
                else:
                    out |= _titled_entries(value)
    return out


def on_post_build(config):
    for path in config.extra.get("translations", []):
        base = os.path.dirname(config.config_file_path)
        child = load_config(os.path.join(base, path), strict=config.strict)
        language = child.theme["language"]
        child.site_dir = os.path.join(config.site_dir, language)
        child.site_url = (config.site_url or "/").rstrip("/") + f"/{language}/"
        child.plugins.on_startup(command="build", dirty=False)
        try:
            build(child)
        finally:
            child.plugins.on_shutdown()


_request = threading.local()   # the path being served, for the error page of its language


def on_serve(server, config, builder):
    """``mkdocs serve``: a missing page under ``/<language>/`` gets ``<language>/404.html``.

    mkdocs' dev server calls ``error_handler(code)`` without the request, so the path is
    kept per thread (the server is threaded) while the request is served.
    """
    serve_request, error_handler = server.serve_request, server.error_handler

    def serve(environ, start_response):
        _request.path = environ.get("PATH_INFO", "")
        return serve_request(environ, start_response)

    def error_page(code):
        path = getattr(_request, "path", "")
        if code == 404 and path.startswith(server.mount_path):
            language = path[len(server.mount_path):].split("/", 1)[0]
            page = os.path.join(server.root, language, "404.html")
            if language and os.path.isfile(page):
                with open(page, "rb") as f:
                    return f.read()
        return error_handler(code)

    server.set_app(serve)
    server.error_handler = error_page
    return server
