"""URLs of this part that name one object, aimed at village B (see tests/test_jurisdiction.py).
name -> (method, lambda county: url). Every such URL must answer 404 to village A's cadre."""


def _job_b(c):
    """A finished job of village B's cadre (made once per county fixture)."""
    if not hasattr(c, "_job_b"):
        from minqing.jobs.models import Job

        # The file is only named, never written: the 404 comes before anything is opened.
        c._job_b = Job.objects.create(owner=c.cadre_b, kind="briefing_docx", params={"region": c.village_b.code},
                                      region=c.village_b, status=Job.Status.DONE, progress=100,
                                      result="jobs/2024/05/b.docx", result_name="乙村.docx")
    return c._job_b


OBJECT_URLS: dict = {
    "jobs:detail": ("get", lambda c: f"/jobs/{_job_b(c).pk}/"),
    "jobs:download": ("get", lambda c: f"/jobs/{_job_b(c).pk}/download/"),
    "api:jobs_get": ("get", lambda c: f"/api/v1/jobs/{_job_b(c).pk}"),
    "api:jobs_file": ("get", lambda c: f"/api/v1/jobs/{_job_b(c).pk}/file"),
}
