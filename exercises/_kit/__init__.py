"""The kit's instrumentation: checker-supplied workers, a clock the student cannot move,
lock tracing for deadlock diagnosis, and the probe that runs a student's function in its own
killable process. Standard library only: it runs inside the student's sandbox and in the
student's own `pytest exercises/`.

Nothing here is secret; nothing here decides a score.
"""
