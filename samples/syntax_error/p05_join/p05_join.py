from multiprocessing import Process


def run_and_wait(task, durations)
    processes = [Process(target=task, args=(d,)) for d in durations]
