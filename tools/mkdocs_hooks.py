"""MkDocs hooks for the reftorch site.

mkdocs-static-i18n builds the site once per language and switches ``theme.language``
for each build, but mkdocstrings reads the theme language in its own ``on_config``.
Running this hook first (priority 100) copies the language being built into the theme,
so the API pages under ``/zh/`` get mkdocstrings' Chinese section titles
(参数 / 返回 / 引发 / 示例) instead of the English ones.
"""

from mkdocs.plugins import event_priority


@event_priority(100)  # before mkdocstrings' on_config (default priority 0)
def on_config(config):
    i18n = config.plugins.get("i18n")
    language = getattr(i18n, "current_language", None)
    if language:
        config.theme["language"] = language
    return config
