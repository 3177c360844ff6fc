"""The SOP as code: pure Python, standard library only.

Nothing here imports telegram, sqlmodel, sqlalchemy or openpyxl (a test keeps it so), so
every channel (Telegram, WhatsApp) and every storage reuses it unchanged.
"""
