"""An auto-grader for the Python concurrency exercises: the trusted side.

Pipeline, one module per stage: manifest (course.yaml → Course) · intake (submission →
Workspace) · sandbox (isolated runs of student code) · harness (hidden checks as pytest tests)
· grading (one submission → SubmissionResult) · results / feedback / gradebook · exporters.
"""
__version__ = "0.1.0"
