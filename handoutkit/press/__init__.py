"""Press stage: finished PDFs made print-ready (marks, bleed, imposition), the small PDF writer, previews."""
