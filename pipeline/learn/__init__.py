"""Training data and training jobs; calls stages and evaluate, never run/."""
