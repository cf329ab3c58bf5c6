"""The breaches register: recorded, investigated, closed with lessons, summarised for the public."""
