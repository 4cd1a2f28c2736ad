"""The app's screens: the model library (home), training, and (elsewhere) compose."""
