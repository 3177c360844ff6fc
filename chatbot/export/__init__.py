"""Exports for people outside the chat: the recap workbook and the e-SPIP package (openpyxl)."""
