"""The WhatsApp channel (Cloud API, through pywa): the same services as the Telegram handlers."""
