"""Open a connection off the machine (to exfiltrate, or to fetch an answer)."""
import socket


def run_and_wait(task, durations):
    with socket.create_connection(("192.0.2.1", 80), timeout=2) as s:   # TEST-NET-1
        s.sendall(b"GET / HTTP/1.0\r\n\r\n")
