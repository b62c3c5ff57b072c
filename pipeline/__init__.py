"""referat: Danish municipal committee minutes into a structured, tagged research corpus."""

__version__ = "0.1.0"
