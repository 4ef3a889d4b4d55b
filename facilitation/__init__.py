"""samling's pure domain logic: plain functions on plain data, no I/O, no clock."""
