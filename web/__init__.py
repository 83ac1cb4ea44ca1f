"""The web workspace: server-rendered pages for category managers, strategists and ops.

``web.app.create_app(settings, store)`` builds the FastAPI application; ``supplyradar web``
serves it with uvicorn. Pages are Jinja2 templates (autoescaped), one local CSS file, no
JavaScript; every form carries the session's anti-forgery token.
"""
