# Read by the `flask` command only (gunicorn and wsgi.py never read it). It
# names the app and nothing else: without SENDA_ENV in the environment, `flask`
# gets the production configuration and refuses to run without its secrets, so
# a command that forgot /etc/senda/senda.env never runs the development
# settings against a production host. Development asks for them on purpose:
# SENDA_ENV=development (`make run` does).
FLASK_APP=wsgi
