"""The web interface: server-rendered pages for every role, in Spanish and English, served by
the same application as the API (`muster.web.app.install_web`)."""
