"""One module per stream family; `base` holds what they share."""
