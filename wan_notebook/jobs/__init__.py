"""Jobs: one Wan 2.6 task from request to video file, and the entry points that start them."""

from ._job import Job, JobGroup, arecover, generate, generate_many, recover, seed_sweep

__all__ = ["Job", "JobGroup", "arecover", "generate", "generate_many", "recover", "seed_sweep"]
