"""Pulses: short anonymous surveys from connectwell's own item bank, and the micro check-ins.

A response is stored without the person: only the round, a day, and the coarse groups it
counts towards (team, tenure band, location). Who has answered lives in a separate table,
used only to prevent a second answer and to remind those who have not.
"""
