"""opmaturity: product operations maturity assessments, from survey exports to heatmaps."""

__version__ = "0.1.0"
