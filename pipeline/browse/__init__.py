"""paperfeed inside Datasette: the plugin (`plugin.py`, registered as Datasette's `paperfeed`
plugin), the reading page, its templates and CSS. Needs `pip install "paperfeed[browse]"`."""

from pipeline.browse.plugin import (  # noqa: F401  pluggy reads the hooks off this module
    asgi_wrapper, extra_css_urls, extra_template_vars, filters_from_request, get_metadata, prepare_connection,
    register_routes, render_cell, startup,
)
