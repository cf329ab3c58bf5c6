"""WSGI entry point: `waitress-serve --call wsgi:app` or any WSGI server."""
from register import create_app

app = create_app()
