# The conformance battery our own storages pass, run over yours.
# Run: python battery.py  (under pytest: parametrize over battery(), as the docstring of
# sessionkeeper.testing shows)
import asyncio

from sessionkeeper import MemorySessionStorage
from sessionkeeper.testing import battery, run_battery


async def main() -> None:
    storage = MemorySessionStorage()  # your storage here
    await run_battery(lambda: storage)  # the first failing case raises AssertionError
    print(f"{len(battery())} cases passed")


if __name__ == "__main__":
    asyncio.run(main())
