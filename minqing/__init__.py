"""民情 minqing: grassroots appeal handling for county, township and village governments."""

__version__ = "0.1.0"
