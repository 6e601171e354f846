"""hotelbox: an on-premise guest messaging and booking appliance for small hotels."""

__version__ = "0.1.0"
