"""t09 · a threaded socket server: one thread per client.

Course notes §2.12. `start_server(host, port)` starts a TCP server in the background and
returns `(address, stop)`: the (host, port) it really listens on (port 0 means "any free
port") and a function that stops it. Each client gets its own thread, which answers every
line with the same line in upper case and ends when the client disconnects.
"""
import socket
import threading


def communicate(conn, addr):
    with conn:
        while True:
            try:
                from_client = conn.recv(1024)
            except OSError:             # e.g. the client reset the connection
                break
            if not from_client:         # b'': the client closed the connection
                break
            print(f"from {addr[1]}: {from_client.decode('utf-8')!r}")
            conn.sendall(from_client.upper())


def start_server(host, port):
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((host, port))
    server.listen(5)
    server.settimeout(0.2)              # accept() wakes up 5 times a second to look at `stopping`
    stopping = threading.Event()

    def accept_loop():
        with server:
            while not stopping.is_set():
                try:
                    conn, addr = server.accept()
                except socket.timeout:
                    continue
                # A thread per client: the loop goes straight back to accept the next one.
                threading.Thread(target=communicate, args=(conn, addr), daemon=True).start()

    thread = threading.Thread(target=accept_loop, name="accept-loop", daemon=True)
    thread.start()

    def stop():
        stopping.set()
        thread.join()                   # at most one accept() timeout away

    return server.getsockname(), stop


if __name__ == "__main__":
    address, stop = start_server("127.0.0.1", 0)
    print(f"serving on {address}")
    clients = [socket.create_connection(address, timeout=2) for _ in range(3)]
    for i, client in enumerate(clients):
        client.sendall(f"hello from client {i}\n".encode())
    for i, client in enumerate(clients):
        try:
            print(f"client {i} got: {client.recv(1024).decode().strip()}")
        except socket.timeout:
            print(f"client {i} got no answer (is the server busy with another client?)")
    for client in clients:
        client.close()
    stop()
    print("server stopped")
