"""moto_server, one DynamoDB request at a time.

moto's DynamoDB backend is not thread-safe: `TransactWriteItems` deep-copies
the table for rollback while other request threads change it, and then fails
with "dictionary changed size during iteration" (HTTP 500). Real DynamoDB
serialises conflicting writes itself; serialising every request here gives
the emulator the same atomicity, while our code still sends requests
concurrently, which is what the concurrency tests exercise.

Usage: moto_server.py -H 127.0.0.1 -p 4566
"""

import argparse
import threading

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=4566)
    args = parser.parse_args()

    backend = DomainDispatcherApplication(create_backend_app)
    lock = threading.Lock()

    def serialised(environ, start_response):
        with lock:
            # Drain the response inside the lock: moto builds it lazily.
            return list(backend(environ, start_response))

    run_simple(
        args.host,
        args.port,
        serialised,
        threaded=True,
        request_handler=MotoRequestHandler,
    )


if __name__ == "__main__":
    main()
