"""Sphinx extension: keep pages free of duplicate inline scripts and of requests to other hosts."""

from __future__ import annotations


def _drop_duplicate_scripts(app, pagename, templatename, context, doctree):
    # With Sphinx 7.4 the theme's thebe/togglebutton inline script is registered twice, and the second
    # copy throws "Identifier 'THEBE_JS_URL' has already been declared" in the browser.
    script_files = context.get("script_files")
    if not script_files:
        return
    seen, unique = set(), []
    for js in script_files:
        key = (str(getattr(js, "filename", js)), getattr(js, "attributes", {}).get("body", ""))
        if key in seen:
            continue
        seen.add(key)
        unique.append(js)
    context["script_files"] = unique


def setup(app):
    app.connect("html-page-context", _drop_duplicate_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
