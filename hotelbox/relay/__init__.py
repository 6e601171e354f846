"""The cloud relay (``hotelbox relay``): the only piece of hotelbox outside the hotel.

It needs aiohttp, SQLite and prometheus-client only: ``server`` (webhooks in, health, metrics),
``link`` (the boxes' WebSocket), ``queue`` (durable storage behind append / read_from / ack),
``protocol`` (frames and MACs, shared with the box).
"""
