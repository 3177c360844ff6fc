"""SPIP control-card bot: the core (domain, services, export, wiring)."""
