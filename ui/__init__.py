"""The web UI (Gradio): ``ui.app.build_app(services)`` and ``rag serve``."""
