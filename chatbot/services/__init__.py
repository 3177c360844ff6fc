"""Use cases the channels call. One unit of work per call; storage implements the ports."""
