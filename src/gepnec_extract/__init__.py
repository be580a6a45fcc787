"""gepnec-extract: study records from GEPNEC oncology literature."""

__version__ = "0.1.0"
