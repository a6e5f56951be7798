"""handoutkit: YAML patient-education content to print-ready PDF handouts."""
