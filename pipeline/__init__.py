"""paperfeed: new medical-imaging papers from Hugging Face, arXiv, bioRxiv and feeds, in SQLite."""

__version__ = "0.1.0"
