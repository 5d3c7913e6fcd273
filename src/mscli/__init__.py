"""mscli: a command-line evidence lookup on stem cell therapies for multiple sclerosis."""

__version__ = "0.1.0"

# The version of the JSON shapes of model/outputs.py and of the model's records. Adding a field
# raises the minor number; renaming, removing or retyping one raises the major number. Kept here,
# not in model/outputs.py, so that `info` can report it without importing every output shape.
SCHEMA_VERSION = "2.0"
