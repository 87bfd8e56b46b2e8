#!/usr/bin/env python3
"""A UDP DNS proxy that adds a fixed delay to every answer (the kernel here has no netem).

    dnsdelay.py LISTEN_HOST LISTEN_PORT UPSTREAM_HOST UPSTREAM_PORT DELAY_MS

Each query is forwarded at once on its own socket; its answer is held DELAY_MS and then
returned. Concurrent queries are delayed concurrently, as a real network path would.
Exits when stdin closes (the benchmark keeps it open) or on SIGTERM.
"""
import socket, sys, threading, time

host, port, up_host, up_port, delay_ms = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
listen = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
listen.bind((host, port))

def relay(query, client):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(5)
    try:
        s.sendto(query, (up_host, up_port))
        answer, _ = s.recvfrom(65535)
        time.sleep(delay_ms / 1000.0)
        listen.sendto(answer, client)
    except OSError:
        pass
    finally:
        s.close()

def serve():
    while True:
        query, client = listen.recvfrom(65535)
        threading.Thread(target=relay, args=(query, client), daemon=True).start()

threading.Thread(target=serve, daemon=True).start()
print("ready", flush=True)
sys.stdin.read()
