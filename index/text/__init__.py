"""Text read the same way at ingest and at question time: dates, sentences, scripts, transcript turns."""
