"""The local web page for clinic staff (``handout serve``): a thin front end over the library.

:mod:`handoutkit.web.app` builds the Starlette app and runs uvicorn;
:mod:`handoutkit.web.security` is the middleware that makes it safe on a
clinic network; :mod:`handoutkit.web.service` calls the library (with
bounded caches and a cap on concurrent builds); :mod:`handoutkit.web.routes`
parses requests and renders the Jinja2 templates in ``templates/``.
"""
