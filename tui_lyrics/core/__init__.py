"""The engine: the only package that imports torch (model, batches, training, sampling)."""
