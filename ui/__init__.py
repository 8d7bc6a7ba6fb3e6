"""The web UI (Gradio): ``ui.app.build_app(services)`` composes the tabs, ``ui.serving.launch``
serves it with the APIs of ``ui.api``; ``rag serve`` does both."""
