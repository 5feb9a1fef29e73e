"""t09 · a threaded socket server: one thread per client.

Course notes §2.12. `start_server(host, port)` starts a TCP server in the background and
returns `(address, stop)`: the (host, port) it really listens on (port 0 means "any free
port") and a function that stops it. The server answers every line a client sends with the
same line in upper case, and it must serve many clients at the same time. When a client
disconnects, the thread serving it must end; `stop()` must end the server within a second.

Run it:  python t09_socket_server.py      Test it:  pytest  (in this folder)
"""
import socket
import threading


def communicate(conn, addr):
    with conn:
        while True:
            try:
                from_client = conn.recv(1024)
                # BUG: when the client closes the connection, recv() returns b'' (on Linux
                # that is no exception), so this loop goes on forever, answering nobody.
                print(f"from {addr[1]}: {from_client.decode('utf-8')!r}")
                conn.sendall(from_client.upper())
            except OSError:
                break


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
                # BUG: the client is served right here, in the accept loop: the next client
                # is not even accepted until this one has gone.
                communicate(conn, addr)

    thread = threading.Thread(target=accept_loop, name="accept-loop", daemon=True)
    thread.start()

    def stop():
        stopping.set()
        thread.join()

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
