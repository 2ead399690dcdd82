"""Query workers: processes that answer SPARQL queries, and that can be stopped.

pyoxigraph releases the GIL while it evaluates a query (``kgqa bench serve`` measures
it: a Python thread keeps running beside a query in another thread), so threads
would run queries in parallel. But a thread cannot be stopped inside one blocking
step of Oxigraph (an aggregate over a huge join, a sort): a runaway query would keep
its core long after its client got 503. So the endpoint runs each query in one of a
few worker processes, each with the store opened read-only; a query past its
deadline is killed together with its worker (SIGKILL frees the core at once) and a
fresh worker takes the place.

Workers start from a fork server that has already imported this module, so a
replacement is ready in tens of milliseconds. Only a store opened read-only
everywhere may be shared this way (Oxigraph: opening read-only beside a writing
process is undefined), so a server that accepts updates runs queries in threads.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from kgqa.server.replies import Reply, answer_query, error_reply
from kgqa.store.base import one_line


def machine_cores() -> int:
    """Cores this process may run on (the affinity mask, not the machine's total)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@dataclass
class _Worker:
    process: Any  # multiprocessing.Process of the forkserver context
    conn: Connection


class QueryPool:
    """``size`` worker processes answering queries on the read-only Oxigraph store at ``path``.

    Use from the server's event loop: ``await pool.start()``, ``await pool.run(...)``,
    ``pool.close()``. Queries queue for a free worker; the timeout counts from
    arrival, so a query that waited its whole timeout for a worker gets 503 too.
    """

    def __init__(self, path: str | Path, size: int) -> None:
        self.path = str(path)
        self.size = max(1, size)
        self._context = multiprocessing.get_context("forkserver")
        # The fork server imports the query code once; each worker forks from it.
        self._context.set_forkserver_preload([__name__])
        self._idle: asyncio.Queue[_Worker] | None = None
        self._workers: dict[int, _Worker] = {}
        #: Workers killed because their query ran past its timeout.
        self.killed = 0

    async def start(self) -> None:
        """Start the workers (each opens the store once)."""
        self._idle = asyncio.Queue()
        loop = asyncio.get_running_loop()
        for worker in await asyncio.gather(*(loop.run_in_executor(None, self._spawn) for _ in range(self.size))):
            self._idle.put_nowait(worker)

    def _spawn(self) -> _Worker:
        parent, child = self._context.Pipe()
        process = self._context.Process(target=_work, args=(self.path, child), name="kgqa-query", daemon=True)
        process.start()
        child.close()
        worker = _Worker(process, parent)
        self._workers[process.pid] = worker
        return worker

    async def run(
        self, query: str, *, graph: str | None, accept: str, timeout: float | None, limit: int | None
    ) -> Reply:
        """Answer one query in a worker; past ``timeout`` seconds the worker is killed and replaced."""
        assert self._idle is not None, "QueryPool.start() was not awaited"
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None or timeout <= 0 else loop.time() + timeout
        try:
            worker = await asyncio.wait_for(self._idle.get(), None if deadline is None else deadline - loop.time())
        except asyncio.TimeoutError:
            return error_reply(503, f"query waited the {timeout:g} s timeout for a free query worker (the server is busy)")
        ready = loop.create_future()
        try:
            worker.conn.send((query, graph, accept, limit))
            loop.add_reader(worker.conn.fileno(), lambda: ready.done() or ready.set_result(None))
            try:
                await asyncio.wait_for(ready, None if deadline is None else max(0.0, deadline - loop.time()))
            finally:
                loop.remove_reader(worker.conn.fileno())
            reply: Reply = worker.conn.recv()
        except asyncio.TimeoutError:
            self._replace(worker)
            self.killed += 1
            return error_reply(503, f"query stopped after the {timeout:g} s timeout")
        except (EOFError, OSError) as exc:  # the worker died (out of memory, killed from outside)
            self._replace(worker)
            return error_reply(500, f"the query worker failed ({one_line(exc) or type(exc).__name__}); the query was not answered")
        except asyncio.CancelledError:  # the client went away: the worker may still be busy
            self._replace(worker)
            raise
        self._idle.put_nowait(worker)
        return reply

    def _replace(self, worker: _Worker) -> None:
        """Kill ``worker`` now (its core is free at once) and start another in the background."""
        _kill(worker)
        self._workers.pop(worker.process.pid, None)

        async def respawn() -> None:
            fresh = await asyncio.get_running_loop().run_in_executor(None, self._spawn)
            assert self._idle is not None
            self._idle.put_nowait(fresh)

        asyncio.ensure_future(respawn())

    def close(self) -> None:
        """Stop every worker."""
        for worker in list(self._workers.values()):
            _kill(worker)
        self._workers.clear()


def _kill(worker: _Worker) -> None:
    worker.process.kill()
    worker.process.join()
    worker.conn.close()


def _work(path: str, conn: Connection) -> None:
    """A worker's life: open the store read-only, then answer queries until the server hangs up."""
    from kgqa.store.oxigraph import OxigraphStore

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group; the server stops us
    store = OxigraphStore(path, read_only=True)
    while True:
        try:
            query, graph, accept, limit = conn.recv()
        except EOFError:  # the server is gone
            return
        try:
            reply = answer_query(store, query, graph=graph, accept=accept, timeout=None, limit=limit)
        except Exception as exc:  # noqa: BLE001 - reported to the client, the worker goes on
            reply = error_reply(500, f"query failed: {one_line(exc)}")
        conn.send(reply)
