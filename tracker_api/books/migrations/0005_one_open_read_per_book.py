"""At most one open read per book (partial unique index), after 0004 closed any duplicates."""

from django.db import migrations
from django.db import models


class Migration(migrations.Migration):
    dependencies = [("books", "0004_reads_are_the_record")]

    operations = [
        migrations.AddConstraint(
            model_name="bookread",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "reading")),
                fields=("book",),
                name="book_reads_one_open_per_book",
            ),
        ),
    ]
