"""One module per published figure; each exposes ``async def run(args) -> dict``."""
