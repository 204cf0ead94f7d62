"""The dashboard: server-rendered pages under ``/dashboard`` for finance and shop staff.

It calls the same services as the API (no second business logic): a signed-in staff
user acts as a :class:`~payments.kernel.access.Principal` with their role and shop, so a
page shows and does exactly what an API key of that role and shop could. Templates are
Jinja2 (``templates/``), assets are in ``static/`` (no CDN, no build step), text is
translated with Babel (``locale/``), charts are SVG drawn on the server.
"""
