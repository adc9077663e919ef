"""Entry point: ``flask --app run run`` or ``gunicorn 'run:app'``."""

from app import create_app

app = create_app()
