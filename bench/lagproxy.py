#!/usr/bin/env python3
# lagproxy.py LISTEN_PORT TARGET_PORT DELAY_MS
#
# A TCP proxy on loopback that holds each chunk DELAY_MS (one way) before
# passing it on: a database "across a network" for counting what round
# trips cost, where tc netem is not available. With 0.25 ms a 1,000
# "SELECT 1" session through the mariadb client takes about 2.5 s, against
# 0.02 s direct: about 2.5 ms a round trip, asyncio's own scheduling
# included. docs/benchmarks.md ("Round trips over a network") uses it.
import asyncio
import sys

LISTEN, TARGET = int(sys.argv[1]), int(sys.argv[2])
DELAY = float(sys.argv[3]) / 1000


async def pipe(reader, writer):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            await asyncio.sleep(DELAY)
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


async def handle(client_r, client_w):
    server_r, server_w = await asyncio.open_connection("127.0.0.1", TARGET)
    await asyncio.gather(pipe(client_r, server_w), pipe(server_r, client_w))


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", LISTEN)
    async with server:
        await server.serve_forever()


asyncio.run(main())
