"""The seeds' kinds of dispute; a county edits them in the admin."""

from django.db import migrations

KINDS = [  # code, name, appeals category code, family
    ("neighbour", "邻里矛盾", "S06.01", False), ("land", "土地纠纷", "S06.02", False),
    ("forest", "山林权属", "S06.02", False), ("support", "赡养争议", "S06.03", False),
    ("family", "婚姻家庭", "S06.04", True), ("labour", "劳资", "S06.05", False),
    ("expropriation", "征地拆迁", "S06.02", False), ("other", "其他", "S06.05", False),
]


def seed(apps, schema_editor):
    DisputeKind = apps.get_model("disputes", "DisputeKind")
    for order, (code, name, category, family) in enumerate(KINDS, start=1):
        DisputeKind.objects.get_or_create(code=code, defaults={"name": name, "category_code": category,
                                                              "family": family, "order": order})


class Migration(migrations.Migration):
    dependencies = [("disputes", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
