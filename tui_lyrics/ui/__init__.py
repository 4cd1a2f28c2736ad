"""The Textual app: screens, widgets and the thread that runs the engine. Imports no torch."""
