from django.db import models


class DemoRun(models.Model):
    """Marks a database the demo made; demo accounts exist only where one of these does."""

    seed = models.IntegerField()
    anchor = models.DateField()
    households = models.PositiveIntegerField()
    loaded_at = models.DateTimeField()
    source = models.CharField(max_length=20)  # "shared" (../shared/data) or "package"
